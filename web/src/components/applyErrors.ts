import type { FormInstance } from 'antd';
import { ApiError, fieldPath } from '../api/client';
import i18n from '../i18n';
import { localizeServerMessage } from '../lib/serverMessages';

/**
 * Shows an API error's field errors beside the form's fields, in the workspace's language where
 * the message is a known one (lib/serverMessages.ts). Returns the messages of fields
 * the form does not have (shown in an alert instead), or [] when every error found its field.
 */
export function applyFieldErrors(form: FormInstance, err: ApiError): string[] {
  const unplaced: string[] = [];
  const known = new Set(
    form.getFieldsError().map((f) => JSON.stringify(f.name)),
  );
  const fields = [];
  for (const [field, raw] of Object.entries(err.fieldErrors)) {
    const message = localizeServerMessage(raw, i18n.language ?? 'en');
    const name = fieldPath(field);
    if (known.has(JSON.stringify(name))) fields.push({ name, errors: [message] });
    else unplaced.push(`${field}: ${message}`);
  }
  form.setFields(fields);
  return unplaced;
}
