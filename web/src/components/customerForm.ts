// Converting between a Customer and the edit form's values, and computing the minimal PATCH.
import dayjs, { type Dayjs } from 'dayjs';
import type { Customer, CustomerPatch } from '../api/types';

export interface CustomerFormValues {
  kind: Customer['kind'];
  name: string;
  family_name?: string;
  given_name?: string;
  gender: Customer['gender'];
  birthday?: Dayjs | null;
  birthday_lunar?: boolean;
  category?: string;
  lifecycle_stage: Customer['lifecycle_stage'];
  relationship_level: Customer['relationship_level'];
  owner_id?: number | null;
  tags?: string[];
  source_channel?: string;
  vip?: boolean;
  external_id?: string;
  organization?: string;
  note?: string;
  address?: { province?: string; city?: string; district?: string; street?: string };
  phones?: string[];
  emails?: string[];
  custom_fields?: Record<string, string | number | boolean | null>;
}

export const EMPTY_CUSTOMER_FORM: CustomerFormValues = {
  kind: 'person',
  name: '',
  gender: 'unknown',
  lifecycle_stage: 'prospect',
  relationship_level: 'basic',
  phones: [''],
  emails: [],
  tags: [],
  vip: false,
  birthday_lunar: false,
};

export function toFormValues(c: Customer): CustomerFormValues {
  return {
    kind: c.kind,
    name: c.name,
    family_name: c.family_name,
    given_name: c.given_name,
    gender: c.gender,
    birthday: c.birthday ? dayjs(c.birthday) : null,
    birthday_lunar: c.birthday_lunar,
    category: c.category || undefined,
    lifecycle_stage: c.lifecycle_stage,
    relationship_level: c.relationship_level,
    owner_id: c.owner_id,
    tags: c.tags,
    source_channel: c.source_channel,
    vip: c.vip,
    external_id: c.external_id,
    organization: c.organization,
    note: c.note,
    address: { ...c.address },
    phones: c.phones.length ? [...c.phones] : [''],
    emails: [...c.emails],
    custom_fields: { ...c.custom_fields },
  };
}

/** The form's values as an API body. Empty phone/email rows are dropped. */
export function fromFormValues(v: CustomerFormValues): CustomerPatch {
  const out: CustomerPatch = {
    kind: v.kind,
    name: (v.name ?? '').trim(),
    family_name: (v.family_name ?? '').trim(),
    given_name: (v.given_name ?? '').trim(),
    gender: v.gender,
    birthday: v.birthday ? v.birthday.format('YYYY-MM-DD') : null,
    birthday_lunar: !!v.birthday_lunar,
    lifecycle_stage: v.lifecycle_stage,
    relationship_level: v.relationship_level,
    owner_id: v.owner_id ?? null,
    tags: v.tags ?? [],
    source_channel: v.source_channel ?? '',
    vip: !!v.vip,
    organization: v.organization ?? '',
    note: v.note ?? '',
    address: {
      province: v.address?.province ?? '',
      city: v.address?.city ?? '',
      district: v.address?.district ?? '',
      street: v.address?.street ?? '',
    },
    phones: (v.phones ?? []).map((p) => (p ?? '').trim()).filter(Boolean),
    emails: (v.emails ?? []).map((e) => (e ?? '').trim()).filter(Boolean),
  };
  if (v.category) out.category = v.category;
  // The server takes an external id of 1-100 bytes or none at all, never an empty string.
  const external = (v.external_id ?? '').trim();
  if (external) out.external_id = external;
  const cf = Object.fromEntries(
    Object.entries(v.custom_fields ?? {}).filter(([, x]) => x !== undefined && x !== ''),
  );
  if (Object.keys(cf).length) out.custom_fields = cf;
  return out;
}

/** Only the members of `next` that differ from `base` (deep comparison by JSON). */
export function diffPatch(base: CustomerPatch, next: CustomerPatch): CustomerPatch {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) {
    if (JSON.stringify(v) !== JSON.stringify((base as Record<string, unknown>)[k])) out[k] = v;
  }
  return out as CustomerPatch;
}
