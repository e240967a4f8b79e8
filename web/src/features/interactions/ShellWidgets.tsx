// Pieces of the app shell for this capability, kept small because the shell is on the initial
// route: the "my tasks" badge, reminder notifications, and the screen-pop listener (the drawer
// itself loads on the first pop).
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { App as AntApp, Badge, Button } from 'antd';
import { CheckSquareOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { interactionKeys, useReminders, useTasksToday, type ScreenPop } from './api';

const ScreenPopDrawer = lazy(() => import('./ScreenPopDrawer'));

export function TasksBadge() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const today = useTasksToday();
  return (
    <Badge count={today.data?.count ?? 0} size="small" data-testid="tasks-badge">
      <Button icon={<CheckSquareOutlined />} onClick={() => navigate('/tasks')} data-testid="tasks-button">
        {t('tasks.mine')}
      </Button>
    </Badge>
  );
}

export function ReminderNotifier() {
  const { t } = useTranslation();
  const { notification } = AntApp.useApp();
  const reminders = useReminders();
  const qc = useQueryClient();
  const shown = useRef(new Set<number>());
  useEffect(() => {
    for (const task of reminders.data?.items ?? []) {
      if (shown.current.has(task.id)) continue;
      shown.current.add(task.id);
      notification.info({
        key: `reminder-${task.id}`,
        message: t('tasks.reminder'),
        description: task.title,
        duration: 0,
        onClose: () => {
          api.post(`/tasks/${task.id}/dismiss-reminder`).finally(() =>
            qc.invalidateQueries({ queryKey: interactionKeys.reminders }),
          );
        },
      });
    }
  }, [reminders.data, notification, qc, t]);
  return null;
}

/** Subscribes to the agent's Server-Sent Events and opens the screen pop on each call. */
export function ScreenPopListener() {
  const [pop, setPop] = useState<ScreenPop | null>(null);
  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const es = new EventSource('/api/v1/telephony/stream', { withCredentials: true });
    es.addEventListener('pop', (ev) => {
      try {
        setPop(JSON.parse((ev as MessageEvent<string>).data) as ScreenPop);
      } catch {
        /* a malformed event is ignored */
      }
    });
    return () => es.close();
  }, []);
  if (!pop) return null;
  return (
    <Suspense fallback={null}>
      <ScreenPopDrawer pop={pop} onClose={() => setPop(null)} />
    </Suspense>
  );
}
