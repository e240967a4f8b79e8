// "Log interaction": a modal form; the API's field errors are shown beside their fields.
import { useState } from 'react';
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client';
import { applyFieldErrors } from '../../components/applyErrors';
import { EVENT_SUBTYPES, INTERACTION_TYPES, interactionKeys, type Interaction, type InteractionInput } from './api';
import { enumLabel } from '../../components/labels';

interface Values {
  type: InteractionInput['type'];
  subtype?: string;
  direction: 'inbound' | 'outbound' | 'internal';
  subject?: string;
  body?: string;
  outcome?: string;
  duration_seconds?: number;
  occurred_at?: Dayjs;
}

export default function LogInteractionModal({
  customerId, open, onClose,
}: { customerId: number; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const qc = useQueryClient();
  const type = Form.useWatch('type', form);
  const save = useMutation({
    mutationFn: (v: Values) =>
      api.post<Interaction>('/interactions', {
        type: v.type,
        ...(v.subtype ? { subtype: v.subtype } : {}),
        direction: v.direction,
        subject: v.subject ?? '',
        body: v.body ?? '',
        outcome: v.outcome ?? '',
        duration_seconds: v.duration_seconds ?? 0,
        occurred_at: (v.occurred_at ?? dayjs()).toISOString(),
        customer_ids: [customerId],
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: interactionKeys.timeline(customerId) });
      form.resetFields();
      setUnplaced([]);
      onClose();
    },
    onError: (e) => {
      if (e instanceof ApiError) setUnplaced(applyFieldErrors(form, e));
      else setUnplaced([String(e)]);
    },
  });
  return (
    <Modal
      open={open}
      title={t('interactions.log')}
      okText={t('interactions.save')}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      onCancel={onClose}
      destroyOnClose
      data-testid="log-interaction-modal"
    >
      {unplaced.length > 0 && <Alert type="error" message={unplaced.join('; ')} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ type: 'call', direction: 'outbound' }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="type" label={t('interactions.type')}>
          <Select
            data-testid="interaction-type"
            options={INTERACTION_TYPES.map((x) => ({ value: x, label: enumLabel('interactions.types', x, t) }))}
          />
        </Form.Item>
        {type === 'event' && (
          <Form.Item name="subtype" label={t('interactions.subtype')}>
            <Select
              allowClear
              options={EVENT_SUBTYPES.map((x) => ({ value: x, label: enumLabel('interactions.subtypes', x, t) }))}
            />
          </Form.Item>
        )}
        <Form.Item name="direction" label={t('interactions.direction')}>
          <Select
            options={(['inbound', 'outbound', 'internal'] as const).map((x) => ({
              value: x, label: enumLabel('interactions.directions', x, t),
            }))}
          />
        </Form.Item>
        <Form.Item name="subject" label={t('interactions.subject')}>
          <Input data-testid="interaction-subject" maxLength={200} />
        </Form.Item>
        <Form.Item name="body" label={t('interactions.body')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="outcome" label={t('interactions.outcome')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="duration_seconds" label={t('interactions.duration')}>
          <InputNumber data-testid="interaction-duration" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="occurred_at" label={t('interactions.occurredAt')}>
          <DatePicker showTime style={{ width: '100%' }} />
        </Form.Item>
        {/* Field errors the API names that have no input above (customer_ids) land in the alert. */}
      </Form>
    </Modal>
  );
}
