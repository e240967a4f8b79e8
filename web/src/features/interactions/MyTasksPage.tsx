// "My tasks": my open tasks due today (the org's day, Asia/Shanghai) and overdue, completed in
// one click; a small form adds a task.
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Empty, Form, Input, List, Space, Tag, Typography } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { Link } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client';
import { applyFieldErrors } from '../../components/applyErrors';
import { formatTimestamp } from '../../lib/format';
import { useLang } from '../../App';
import { useTasksToday, type Task } from './api';

function TaskItem({ task, overdue }: { task: Task; overdue: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const complete = useMutation({
    mutationFn: () => api.patch<Task>(`/tasks/${task.id}`, { status: 'done' }, task.version),
    onSettled: () => qc.invalidateQueries({ queryKey: ['tasks'] }),
  });
  return (
    <List.Item
      data-testid="task-item"
      actions={[
        <Button
          key="done"
          icon={<CheckOutlined />}
          data-testid="task-complete"
          loading={complete.isPending}
          onClick={() => complete.mutate()}
        >
          {t('tasks.complete')}
        </Button>,
      ]}
    >
      <List.Item.Meta
        title={
          <Space>
            {task.title}
            {overdue && <Tag color="red">{t('tasks.overdue')}</Tag>}
          </Space>
        }
        description={
          <Space size="small" wrap>
            <span>{t('tasks.due')}: {formatTimestamp(task.due_at, lang)}</span>
            {task.customer_id && <Link to={`/customers/${task.customer_id}`}>{task.customer_name || `#${task.customer_id}`}</Link>}
            {task.note && <Typography.Text type="secondary">{task.note}</Typography.Text>}
          </Space>
        }
      />
      {complete.error && <Alert type="error" message={complete.error.message} />}
    </List.Item>
  );
}

export default function MyTasksPage() {
  const { t } = useTranslation();
  const tasks = useTasksToday();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ title: string; due_at: Dayjs; note?: string }>();
  const [unplaced, setUnplaced] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: (v: { title: string; due_at: Dayjs; note?: string }) =>
      api.post<Task>('/tasks', { title: v.title, note: v.note ?? '', due_at: v.due_at?.toISOString() }),
    onSuccess: () => {
      form.resetFields();
      setUnplaced([]);
      qc.invalidateQueries({ queryKey: ['tasks'] });
    },
    onError: (e) => setUnplaced(e instanceof ApiError ? applyFieldErrors(form, e) : [String(e)]),
  });
  const data = tasks.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card title={t('tasks.title')} data-testid="my-tasks">
        {tasks.error && <Alert type="error" message={tasks.error.message} />}
        {data && data.count === 0 && <Empty description={t('tasks.none')} />}
        {data && data.overdue.length > 0 && (
          <List header={<b>{t('tasks.overdue')}</b>} dataSource={data.overdue} renderItem={(x) => <TaskItem task={x} overdue />} />
        )}
        {data && data.today.length > 0 && (
          <List header={<b>{t('tasks.today')}</b>} dataSource={data.today} renderItem={(x) => <TaskItem task={x} overdue={false} />} />
        )}
      </Card>
      <Card title={t('tasks.add')}>
        {unplaced.length > 0 && <Alert type="error" message={unplaced.join('; ')} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="inline" onFinish={(v) => create.mutate(v)}>
          <Form.Item name="title" label={t('tasks.taskTitle')}>
            <Input data-testid="task-title" />
          </Form.Item>
          <Form.Item name="due_at" label={t('tasks.due')}>
            <DatePicker showTime />
          </Form.Item>
          <Form.Item name="note" label={t('tasks.note')}>
            <Input />
          </Form.Item>
          <Button htmlType="submit" type="primary" loading={create.isPending}>
            {t('tasks.add')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
