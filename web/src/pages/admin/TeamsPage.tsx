import { useState } from 'react';
import { Alert, Button, Form, Input, Modal, Select, Table } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import { keys, useTeams, useUsers } from '../../api/hooks';
import type { Team, TeamCreate } from '../../api/types';
import { userLabel } from '../../components/labels';
import { applyFieldErrors } from '../../components/applyErrors';
import { AdminPage } from './common';

export default function TeamsPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const teams = useTeams();
  const users = useUsers().data?.items ?? [];
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm();

  const open = (x: Team | 'new') => {
    form.resetFields();
    setError(null);
    form.setFieldsValue(x === 'new' ? { member_ids: [] } : x);
    setEditing(x);
  };
  const submit = async () => {
    const v = await form.validateFields();
    const body: TeamCreate = { name: v.name, lead_user_id: v.lead_user_id ?? null, member_ids: v.member_ids ?? [] };
    try {
      if (editing === 'new') await api.post<Team>('/teams', body);
      else if (editing) await api.patch<Team>(`/teams/${editing.id}`, body);
      void qc.invalidateQueries({ queryKey: keys.teams });
      void qc.invalidateQueries({ queryKey: keys.users });
      setEditing(null);
    } catch (e) {
      if (e instanceof ApiError) applyFieldErrors(form, e);
      setError((e as Error).message);
    }
  };
  const userOptions = users.map((u) => ({ value: u.id, label: u.display_name }));

  return (
    <AdminPage title={t('admin.teams')} roles={['admin', 'manager']}
      extra={<Button type="primary" onClick={() => open('new')}>{t('admin.newTeam')}</Button>}>
      {teams.error && <Alert type="error" message={teams.error.message} />}
      <Table<Team>
        rowKey="id" loading={teams.isPending} dataSource={teams.data?.items ?? []} pagination={false}
        columns={[
          { title: t('admin.teamName'), dataIndex: 'name' },
          { title: t('admin.lead'), render: (_, x) => userLabel(x.lead_user_id, users) },
          { title: t('admin.members'), render: (_, x) => x.member_ids.map((id) => userLabel(id, users)).join(', ') },
          { title: t('common.actions'), render: (_, x) => <a onClick={() => open(x)}>{t('common.edit')}</a> },
        ]}
      />
      <Modal open={editing !== null} title={editing === 'new' ? t('admin.newTeam') : t('common.edit')} onCancel={() => setEditing(null)} onOk={submit}>
        {error && <Alert type="error" message={error} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('admin.teamName')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="lead_user_id" label={t('admin.lead')}><Select allowClear options={userOptions} /></Form.Item>
          <Form.Item name="member_ids" label={t('admin.members')}><Select mode="multiple" options={userOptions} optionFilterProp="label" /></Form.Item>
        </Form>
      </Modal>
    </AdminPage>
  );
}
