// TanStack Query hooks over the API: one query key per resource so that mutations can
// invalidate exactly what they changed.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from './client';
import { takeEarly } from './early';
import { WHOLE_LIST } from '../lib/listQuery';
import type {
  AuditEntry,
  Category,
  Contact,
  CustomFieldDef,
  Customer,
  Duplicate,
  Page,
  SavedView,
  Team,
  User,
} from './types';

export interface CustomerQuery {
  q?: string;
  category?: string;
  lifecycle_stage?: string;
  relationship_level?: string;
  owner_id?: number;
  tag?: string;
  sort?: string;
  cursor?: string;
  limit?: number;
}

export const keys = {
  me: ['me'] as const,
  users: ['users'] as const,
  teams: ['teams'] as const,
  apiKeys: ['api-keys'] as const,
  categories: ['categories'] as const,
  customFields: ['custom-fields'] as const,
  savedViews: ['saved-views'] as const,
  customers: ['customers'] as const,
  customerList: (q: CustomerQuery) => ['customers', 'list', q] as const,
  customer: (id: number) => ['customers', id] as const,
  contacts: (id: number) => ['customers', id, 'contacts'] as const,
  duplicates: (id: number) => ['customers', id, 'duplicates'] as const,
  audit: (id: number) => ['audit', 'customer', id] as const,
};

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: keys.users,
    queryFn: ({ signal }) => api.get<Page<User>>('/users', WHOLE_LIST, signal),
    enabled,
    staleTime: 60_000,
  });
}
export function useTeams() {
  return useQuery({
    queryKey: keys.teams,
    queryFn: ({ signal }) => api.get<Page<Team>>('/teams', WHOLE_LIST, signal),
  });
}
export function useCategories() {
  return useQuery({
    queryKey: keys.categories,
    queryFn: ({ signal }) => api.get<Page<Category>>('/categories', WHOLE_LIST, signal),
    staleTime: 300_000,
  });
}
export function useCustomFields() {
  return useQuery({
    queryKey: keys.customFields,
    queryFn: ({ signal }) => api.get<Page<CustomFieldDef>>('/custom-fields', WHOLE_LIST, signal),
    staleTime: 300_000,
  });
}
export function useSavedViews() {
  return useQuery({
    queryKey: keys.savedViews,
    queryFn: ({ signal }) => api.get<Page<SavedView>>('/saved-views', WHOLE_LIST, signal),
  });
}
export function useCustomerList(q: CustomerQuery) {
  return useQuery({
    queryKey: keys.customerList(q),
    // The first page may already be on its way (boot.ts asked before the app started).
    queryFn: ({ signal }) =>
      takeEarly<Page<Customer>>('/customers', { ...q }) ??
      api.get<Page<Customer>>('/customers', { ...q } as Record<string, string | number>, signal),
    placeholderData: keepPreviousData,
  });
}
export function useCustomer(id: number) {
  return useQuery({
    queryKey: keys.customer(id),
    queryFn: ({ signal }) => api.get<Customer>(`/customers/${id}`, undefined, signal),
    enabled: Number.isFinite(id),
  });
}
export function useContacts(id: number) {
  return useQuery({
    queryKey: keys.contacts(id),
    queryFn: ({ signal }) => api.get<Page<Contact>>(`/customers/${id}/contacts`, WHOLE_LIST, signal),
  });
}
export function useDuplicates(id: number) {
  return useQuery({
    queryKey: keys.duplicates(id),
    queryFn: ({ signal }) => api.get<{ items: Duplicate[] }>(`/customers/${id}/duplicates`, undefined, signal),
  });
}
export function useAudit(id: number) {
  return useQuery({
    queryKey: keys.audit(id),
    queryFn: ({ signal }) =>
      api.get<Page<AuditEntry>>('/audit', { entity: 'customer', id, limit: 200 }, signal),
  });
}
