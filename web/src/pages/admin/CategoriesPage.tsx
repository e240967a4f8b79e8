import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Table, Tag } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { keys, useCategories } from '../../api/hooks';
import type { Category, CategoryCreate } from '../../api/types';
import { applyFieldErrors } from '../../components/applyErrors';
import { AdminPage } from './common';

export default function CategoriesPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const cats = useCategories();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<CategoryCreate>();

  const submit = async () => {
    const v = await form.validateFields();
    try {
      await api.post<Category>('/categories', v);
      void qc.invalidateQueries({ queryKey: keys.categories });
      setOpen(false);
      form.resetFields();
    } catch (e) {
      if (e instanceof ApiError) applyFieldErrors(form, e);
      setError((e as Error).message);
    }
  };

  return (
    <AdminPage title={t('admin.categories')} roles={['admin', 'manager']}
      extra={<Button type="primary" onClick={() => { setError(null); setOpen(true); }}>{t('admin.newCategory')}</Button>}>
      {cats.error && <Alert type="error" message={cats.error.message} />}
      <Table<Category>
        rowKey="id" loading={cats.isPending} dataSource={cats.data?.items ?? []} pagination={false}
        columns={[
          { title: t('admin.key'), dataIndex: 'key', render: (k: string) => <code>{k}</code> },
          { title: t('admin.name_zh'), dataIndex: 'name_zh' },
          { title: t('admin.name_en'), dataIndex: 'name_en' },
          { title: t('admin.builtin'), dataIndex: 'builtin', render: (b: boolean) => (b ? <Tag color="blue">{t('admin.builtin')}</Tag> : null) },
        ]}
      />
      <Modal open={open} title={t('admin.newCategory')} onCancel={() => setOpen(false)} onOk={submit}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="key" label={t('admin.key')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]*$/ }]}><Input placeholder="vip_dealer" /></Form.Item>
          <Form.Item name="name_zh" label={t('admin.name_zh')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="name_en" label={t('admin.name_en')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
        </Form>
      </Modal>
    </AdminPage>
  );
}
