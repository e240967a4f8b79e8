// The "record churn" button and dialog of the customer 360° page header: records the exit
// (POST /customers/{id}/churn), which also sets the customer's stage to lost.
import { useState } from 'react';
import { Alert, App, Button, DatePicker, Form, Input, Modal, Select } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, api } from '../api/client';
import { keys } from '../api/hooks';
import type { Customer } from '../api/types';
import { CHURN_REASONS, orderKeys, type ChurnRecord } from '../api/orders';
import { applyFieldErrors } from './applyErrors';
import { enumLabel } from './labels';

export function RecordChurnButton({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [form] = Form.useForm<{ churned_on?: Dayjs; reason?: string; note?: string }>();

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setProblem(null);
    try {
      await api.post<ChurnRecord>(`/customers/${customer.id}/churn`, {
        churned_on: (v.churned_on ?? dayjs()).format('YYYY-MM-DD'),
        reason: v.reason,
        note: v.note ?? '',
      });
      message.success(t('churn.recorded'));
      void qc.invalidateQueries({ queryKey: keys.customer(customer.id) });
      void qc.invalidateQueries({ queryKey: keys.audit(customer.id) });
      void qc.invalidateQueries({ queryKey: orderKeys.churn });
      setOpen(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const rest = applyFieldErrors(form, e);
        setProblem(rest.length ? rest.join(' ') : e.message);
      } else setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="record-churn" disabled={customer.lifecycle_stage === 'lost'}>
        {t('churn.record')}
      </Button>
      <Modal
        open={open}
        title={t('churn.recordTitle')}
        onCancel={() => setOpen(false)}
        onOk={submit}
        confirmLoading={busy}
        okButtonProps={{ 'data-testid': 'save-churn' }}
        destroyOnHidden
      >
        {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" initialValues={{ churned_on: dayjs() }}>
          <Form.Item name="churned_on" label={t('churn.churnedOn')} rules={[{ required: true }]}>
            <DatePicker />
          </Form.Item>
          <Form.Item name="reason" label={t('churn.reason')} rules={[{ required: true }]}>
            <Select
              data-testid="churn-reason"
              options={CHURN_REASONS.map((r) => ({ value: r, label: enumLabel('churn.reasons', r, t) }))}
            />
          </Form.Item>
          <Form.Item name="note" label={t('churn.note')}>
            <Input.TextArea rows={2} data-testid="churn-note" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
