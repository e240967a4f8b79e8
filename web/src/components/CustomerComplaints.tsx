// The complaints tab of the customer 360° page: the customer's complaints and "new complaint".
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api/client';
import {
  CHANNELS, serviceKeys, useComplaintCategories, useCustomerComplaints, type Complaint,
} from '../api/service';
import { applyFieldErrors } from './applyErrors';
import { formatTimestamp } from '../lib/format';
import { useLang } from '../App';
import { enumLabel } from './labels';

export default function CustomerComplaints({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const list = useCustomerComplaints(customerId);
  const cats = useComplaintCategories();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const submit = async (v: { channel: string; category: string; severity: number; description: string }) => {
    try {
      const c = await api.post<Complaint>('/complaints', { customer_id: customerId, ...v });
      await qc.invalidateQueries({ queryKey: serviceKeys.customer(customerId) });
      setOpen(false);
      navigate(`/complaints/${c.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) applyFieldErrors(form, e);
      else message.error(e instanceof ApiError ? e.problem.title : String(e));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Button type="primary" onClick={() => setOpen(true)} data-testid="new-complaint">{t('service.newComplaint')}</Button>
      <Table<Complaint>
        rowKey="id"
        size="small"
        pagination={false}
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: t('service.noComplaints') }}
        columns={[
          { title: t('service.number'), render: (_, c) => <Link to={`/complaints/${c.id}`}>{c.number}</Link> },
          { title: t('service.status'), render: (_, c) => <Tag>{enumLabel('service.statuses', c.status, t)}</Tag> },
          { title: t('service.severity'), render: (_, c) => enumLabel('service.severities', c.severity, t) },
          { title: t('service.created'), render: (_, c) => formatTimestamp(c.created_at, lang) },
          {
            title: t('service.surveyAnswer'),
            render: (_, c) => (c.survey.answered_at ? `CSAT ${c.survey.csat} · NPS ${c.survey.nps}` : '—'),
          },
        ]}
      />
      <Modal open={open} title={t('service.newComplaint')} onCancel={() => setOpen(false)} onOk={() => form.submit()}
        okButtonProps={{ 'data-testid': 'complaint-submit' } as Record<string, string>} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={submit} initialValues={{ channel: 'hotline', severity: 3 }}>
          <Form.Item name="channel" label={t('service.channel')} rules={[{ required: true }]}>
            <Select options={CHANNELS.map((c) => ({ value: c, label: enumLabel('service.channels', c, t) }))} />
          </Form.Item>
          <Form.Item name="category" label={t('service.category')} rules={[{ required: true }]}>
            <Select data-testid="complaint-category"
              options={(cats.data?.items ?? []).map((k) => ({ value: k.key, label: lang === 'zh-CN' ? k.name_zh : k.name_en }))} />
          </Form.Item>
          <Form.Item name="severity" label={t('service.severity')} rules={[{ required: true }]}>
            <Select options={[1, 2, 3, 4].map((s) => ({ value: s, label: enumLabel('service.severities', s, t) }))} />
          </Form.Item>
          <Form.Item name="description" label={t('service.description')} rules={[{ required: true }]}>
            <Input.TextArea rows={3} data-testid="complaint-description" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
