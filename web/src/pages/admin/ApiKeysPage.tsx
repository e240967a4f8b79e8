import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from 'antd';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { keys } from '../../api/hooks';
import { ROLES, type ApiKey, type ApiKeyCreated, type Page } from '../../api/types';
import { formatTimestamp } from '../../lib/format';
import { useLang } from '../../App';
import { AdminPage } from './common';
import { enumLabel } from '../../components/labels';

export default function ApiKeysPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: keys.apiKeys, queryFn: () => api.get<Page<ApiKey>>('/api-keys', { limit: 500 }) });
  const [creating, setCreating] = useState(false);
  // The secret exists only in this state: it is never stored or fetched again.
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();

  const submit = async () => {
    const v = await form.validateFields();
    try {
      const r = await api.post<ApiKeyCreated>('/api-keys', { name: v.name, role: v.role });
      setCreating(false);
      setSecret(r.key);
      form.resetFields();
      void qc.invalidateQueries({ queryKey: keys.apiKeys });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <AdminPage title={t('admin.apiKeys')}
      extra={<Button type="primary" onClick={() => { setError(null); form.setFieldsValue({ role: 'sales' }); setCreating(true); }}>{t('admin.newKey')}</Button>}>
      {list.error && <Alert type="error" message={list.error.message} />}
      <Table<ApiKey>
        rowKey="id" loading={list.isPending} dataSource={list.data?.items ?? []} pagination={false}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('common.role'), dataIndex: 'role', render: (r: ApiKey['role']) => <Tag>{enumLabel('admin.roles', r, t)}</Tag> },
          { title: t('admin.prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
          { title: t('customer.created_at'), dataIndex: 'created_at', render: (v: string) => formatTimestamp(v, lang) },
          { title: t('admin.lastUsed'), dataIndex: 'last_used_at', render: (v: string | null) => (v ? formatTimestamp(v, lang) : t('admin.never')) },
          {
            title: t('common.actions'),
            render: (_, k) => (
              <Popconfirm title={t('common.confirmDelete')} onConfirm={async () => {
                await api.del(`/api-keys/${k.id}`);
                void qc.invalidateQueries({ queryKey: keys.apiKeys });
              }}>
                <a>{t('admin.revoke')}</a>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal open={creating} title={t('admin.newKey')} onCancel={() => setCreating(false)} onOk={submit}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="role" label={t('common.role')} rules={[{ required: true }]}>
            <Select options={ROLES.map((r) => ({ value: r, label: enumLabel('admin.roles', r, t) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={secret !== null} title={t('admin.keyCreated')} onCancel={() => setSecret(null)} destroyOnHidden
        footer={<Button type="primary" onClick={() => setSecret(null)}>{t('common.close')}</Button>}>
        <Alert type="warning" showIcon message={t('admin.keyShownOnce')} style={{ marginBottom: 12 }} />
        {/* Gone from the page the moment the dialog is closed, not after its closing animation. */}
        {secret !== null && (
          <Typography.Paragraph copyable={{ text: secret }} code data-testid="api-key-secret">{secret}</Typography.Paragraph>
        )}
      </Modal>
    </AdminPage>
  );
}
