import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Switch, Table, Tag } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { keys, useTeams, useUsers } from '../../api/hooks';
import { ROLES, type User, type UserCreate, type UserPatch } from '../../api/types';
import { formatTimestamp } from '../../lib/format';
import { applyFieldErrors } from '../../components/applyErrors';
import { useLang } from '../../App';
import { AdminPage } from './common';
import { enumLabel } from '../../components/labels';

export default function UsersPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const users = useUsers();
  const teams = useTeams().data?.items ?? [];
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();

  const open = (u: User | 'new') => {
    form.resetFields();
    setError(null);
    form.setFieldsValue(u === 'new' ? { role: 'sales', team_ids: [] } : { ...u, password: '' });
    setEditing(u);
  };
  const submit = async () => {
    const v = await form.validateFields();
    try {
      if (editing === 'new') {
        const body: UserCreate = { username: v.username, display_name: v.display_name, role: v.role, password: v.password, team_ids: v.team_ids ?? [] };
        await api.post<User>('/users', body);
      } else if (editing) {
        const body: UserPatch = { display_name: v.display_name, role: v.role, active: v.active, team_ids: v.team_ids ?? [] };
        if (v.password) body.password = v.password;
        await api.patch<User>(`/users/${editing.id}`, body);
      }
      void qc.invalidateQueries({ queryKey: keys.users });
      setEditing(null);
    } catch (e) {
      if (e instanceof ApiError) {
        applyFieldErrors(form, e);
        setError(e.message);
      } else setError((e as Error).message);
    }
  };

  return (
    <AdminPage title={t('admin.users')} extra={<Button type="primary" onClick={() => open('new')}>{t('admin.newUser')}</Button>}>
      {users.error && <Alert type="error" message={users.error.message} />}
      <Table<User>
        rowKey="id" size="middle" loading={users.isPending} dataSource={users.data?.items ?? []} pagination={false}
        columns={[
          { title: t('admin.username'), dataIndex: 'username' },
          { title: t('admin.display_name'), dataIndex: 'display_name' },
          { title: t('common.role'), dataIndex: 'role', render: (r: User['role']) => <Tag>{enumLabel('admin.roles', r, t)}</Tag> },
          { title: t('admin.teams'), render: (_, u) => u.team_ids.map((id) => teams.find((x) => x.id === id)?.name ?? `#${id}`).join(', ') },
          { title: t('admin.active'), dataIndex: 'active', render: (a: boolean) => (a ? <Tag color="green">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>) },
          { title: t('customer.created_at'), dataIndex: 'created_at', render: (v: string) => formatTimestamp(v, lang) },
          { title: t('common.actions'), render: (_, u) => <a onClick={() => open(u)}>{t('common.edit')}</a> },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('admin.newUser') : t('common.edit')} onCancel={() => setEditing(null)} onOk={submit}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="username" label={t('admin.username')} rules={[{ required: true }]}>
            <Input disabled={editing !== 'new'} autoComplete="off" />
          </Form.Item>
          <Form.Item name="display_name" label={t('admin.display_name')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="role" label={t('common.role')} rules={[{ required: true }]}>
            <Select options={ROLES.map((r) => ({ value: r, label: enumLabel('admin.roles', r, t) }))} />
          </Form.Item>
          <Form.Item name="team_ids" label={t('admin.teams')}>
            <Select mode="multiple" options={teams.map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="active" label={t('admin.active')} valuePropName="checked"><Switch /></Form.Item>
          )}
          <Form.Item
            name="password"
            label={editing === 'new' ? t('admin.password') : t('admin.passwordOptional')}
            rules={editing === 'new' ? [{ required: true, min: 8 }] : [{ min: 8 }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </AdminPage>
  );
}
