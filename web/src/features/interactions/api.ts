// Types and TanStack Query hooks of the interactions capability: the customer timeline feed,
// interactions, follow-up tasks, and the screen pop.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { components } from '../../api/schema';

type S = components['schemas'];
export type Interaction = S['Interaction'];
export type InteractionInput = S['InteractionInput'];
export type InteractionType = S['InteractionType'];
export type TimelineEntry = S['TimelineEntry'];
export type TimelinePage = S['TimelinePage'];
export type Task = S['Task'];
export type TaskList = S['TaskList'];
export type TasksToday = S['TasksToday'];
export type ScreenPop = S['ScreenPop'];

export const INTERACTION_TYPES: InteractionType[] = [
  'call', 'visit', 'email', 'sms', 'wechat', 'letter', 'fax', 'meeting', 'event', 'note',
];
export const EVENT_SUBTYPES = ['tasting', 'factory_visit', 'year_end_thanks'] as const;

export const interactionKeys = {
  timeline: (customerId: number) => ['customers', customerId, 'timeline'] as const,
  tasksToday: ['tasks', 'today'] as const,
  reminders: ['tasks', 'reminders'] as const,
};

/** The customer's feed, newest first, one page at a time ("load more"). */
export function useTimeline(customerId: number, pageSize = 20) {
  return useInfiniteQuery({
    queryKey: interactionKeys.timeline(customerId),
    queryFn: ({ pageParam, signal }) =>
      api.get<TimelinePage>(`/customers/${customerId}/timeline`, { limit: pageSize, cursor: pageParam }, signal),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** My open tasks due today (Asia/Shanghai) or overdue; polled for the header badge. */
export function useTasksToday(enabled = true) {
  return useQuery({
    queryKey: interactionKeys.tasksToday,
    queryFn: ({ signal }) => api.get<TasksToday>('/tasks/today', undefined, signal),
    enabled,
    refetchInterval: 60_000,
  });
}

/** Reminders that came due; polled every 30 s. */
export function useReminders(enabled = true) {
  return useQuery({
    queryKey: interactionKeys.reminders,
    queryFn: ({ signal }) => api.get<TaskList>('/tasks/reminders', undefined, signal),
    enabled,
    refetchInterval: 30_000,
  });
}
