// The complaint desk's API types (generated from docs/openapi.yaml) and query hooks.
import { useQuery } from '@tanstack/react-query';
import { api, request } from './client';
import type { components } from './schema';
import type { BusinessCalendar } from '../lib/businessTime';

type S = components['schemas'];
export type Complaint = S['Complaint'];
export type ComplaintEvent = S['ComplaintEvent'];
export type ComplaintCreate = S['ComplaintCreate'];
export type ComplaintStatus = S['ComplaintStatus'];
export type ComplaintCategory = S['ComplaintCategory'];
export type Notification = S['Notification'];
export type SlaPolicy = S['SlaPolicy'];
export type CalendarView = S['BusinessCalendar'];
export type CalendarDay = S['CalendarDay'];
export type ServiceStats = S['ServiceStats'];
export type Survey = S['Survey'];

export const CHANNELS = ['hotline', 'letter', 'visit', 'web', 'wechat', 'survey', 'service_center'] as const;

export const serviceKeys = {
  complaint: (id: number) => ['complaints', id] as const,
  events: (id: number) => ['complaints', id, 'events'] as const,
  queue: (scope: string) => ['complaints', 'queue', scope] as const,
  customer: (id: number) => ['complaints', 'customer', id] as const,
  categories: ['complaint-categories'] as const,
  notifications: ['notifications'] as const,
  policies: ['sla-policies'] as const,
  calendar: (year: number) => ['service-calendar', year] as const,
  stats: (from: string, to: string) => ['service-stats', from, to] as const,
};

export const put = <T,>(path: string, body: unknown) => request<T>('PUT', path, { body });

export function useComplaint(id: number) {
  return useQuery({
    queryKey: serviceKeys.complaint(id),
    queryFn: ({ signal }) => api.get<Complaint>(`/complaints/${id}`, undefined, signal),
  });
}
export function useComplaintEvents(id: number) {
  return useQuery({
    queryKey: serviceKeys.events(id),
    queryFn: ({ signal }) => api.get<{ items: ComplaintEvent[] }>(`/complaints/${id}/events`, undefined, signal),
  });
}
export function useQueue(scope: string) {
  return useQuery({
    queryKey: serviceKeys.queue(scope),
    queryFn: ({ signal }) => api.get<{ items: Complaint[] }>('/complaints/queue', { scope }, signal),
    refetchInterval: 60_000,
  });
}
export function useCustomerComplaints(customerId: number) {
  return useQuery({
    queryKey: serviceKeys.customer(customerId),
    queryFn: ({ signal }) => api.get<{ items: Complaint[] }>(`/customers/${customerId}/complaints`, undefined, signal),
  });
}
export function useComplaintCategories() {
  return useQuery({
    queryKey: serviceKeys.categories,
    queryFn: ({ signal }) => api.get<{ items: ComplaintCategory[] }>('/complaint-categories', undefined, signal),
    staleTime: 300_000,
  });
}
export function useNotifications() {
  return useQuery({
    queryKey: serviceKeys.notifications,
    queryFn: ({ signal }) =>
      api.get<{ items: Notification[]; unread: number }>('/notifications', undefined, signal),
    refetchInterval: 30_000,
  });
}
export function useCalendar(year: number) {
  return useQuery({
    queryKey: serviceKeys.calendar(year),
    queryFn: ({ signal }) => api.get<CalendarView>('/service/calendar', year ? { year } : undefined, signal),
  });
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
/** The calendar in the shape businessMillis needs (all years). */
export function toBusinessCalendar(v: CalendarView): BusinessCalendar {
  const days: BusinessCalendar['days'] = {};
  for (const d of v.days) days[d.date] = d.kind;
  return {
    utcOffsetMinutes: v.hours.utc_offset_minutes ?? 480,
    weekdays: v.hours.weekdays ?? [1, 2, 3, 4, 5],
    startMinute: minutes(v.hours.start),
    endMinute: minutes(v.hours.end),
    days,
  };
}
