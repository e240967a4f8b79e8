import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Popconfirm, Select, Switch, Table, Tag } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { keys, useCustomFields } from '../../api/hooks';
import type { CustomFieldDef, CustomFieldDefCreate } from '../../api/types';
import { applyFieldErrors } from '../../components/applyErrors';
import { AdminPage } from './common';
import { enumLabel } from '../../components/labels';

const TYPES = ['text', 'number', 'date', 'boolean', 'select'] as const;

export default function CustomFieldsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const defs = useCustomFields();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();
  const type = Form.useWatch('type', form);

  const submit = async () => {
    const v = await form.validateFields();
    const body: CustomFieldDefCreate = { key: v.key, label: v.label, type: v.type, required: !!v.required, options: v.type === 'select' ? v.options ?? [] : [] };
    try {
      await api.post<CustomFieldDef>('/custom-fields', body);
      void qc.invalidateQueries({ queryKey: keys.customFields });
      setOpen(false);
      form.resetFields();
    } catch (e) {
      if (e instanceof ApiError) applyFieldErrors(form, e);
      setError((e as Error).message);
    }
  };

  return (
    <AdminPage title={t('admin.customFields')} roles={['admin', 'manager']}
      extra={<Button type="primary" onClick={() => { setError(null); form.setFieldsValue({ type: 'text', required: false }); setOpen(true); }}>{t('admin.newField')}</Button>}>
      {defs.error && <Alert type="error" message={defs.error.message} />}
      <Table<CustomFieldDef>
        rowKey="id" loading={defs.isPending} dataSource={defs.data?.items ?? []} pagination={false}
        columns={[
          { title: t('admin.key'), dataIndex: 'key', render: (k: string) => <code>{k}</code> },
          { title: t('admin.label'), dataIndex: 'label' },
          { title: t('admin.type'), dataIndex: 'type', render: (x: CustomFieldDef['type']) => enumLabel('admin.types', x, t) },
          { title: t('admin.options'), dataIndex: 'options', render: (o: string[]) => o.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('admin.required'), dataIndex: 'required', render: (r: boolean) => (r ? t('common.yes') : t('common.no')) },
          {
            title: t('common.actions'),
            render: (_, d) => (
              <Popconfirm title={t('common.confirmDelete')} onConfirm={async () => {
                await api.del(`/custom-fields/${d.id}`);
                void qc.invalidateQueries({ queryKey: keys.customFields });
              }}>
                <a>{t('common.delete')}</a>
              </Popconfirm>
            ),
          },
        ]}
      />
      <Modal open={open} title={t('admin.newField')} onCancel={() => setOpen(false)} onOk={submit}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="key" label={t('admin.key')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/ }]}><Input placeholder="wechat_id" /></Form.Item>
          <Form.Item name="label" label={t('admin.label')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="type" label={t('admin.type')}>
            <Select options={TYPES.map((x) => ({ value: x, label: enumLabel('admin.types', x, t) }))} />
          </Form.Item>
          {type === 'select' && (
            <Form.Item name="options" label={t('admin.options')} rules={[{ required: true }]}><Select mode="tags" /></Form.Item>
          )}
          <Form.Item name="required" label={t('admin.required')} valuePropName="checked"><Switch /></Form.Item>
        </Form>
      </Modal>
    </AdminPage>
  );
}
