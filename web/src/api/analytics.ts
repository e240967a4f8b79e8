// Customer-value analytics: types from docs/openapi.yaml and the queries of the value pages.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type AnalyticsRun = S['AnalyticsRun'];
export type CustomerValue = S['CustomerValue'];
export type RfmAnalytics = S['RfmAnalytics'];
export type ClvAnalytics = S['ClvAnalytics'];
export type ChurnAnalytics = S['ChurnAnalytics'];
export type AbcAnalytics = S['AbcAnalytics'];
export type RelationshipLevels = S['RelationshipLevels'];

export const analyticsKeys = {
  all: ['analytics'] as const,
  view: (name: string) => ['analytics', name] as const,
  runs: ['analytics', 'runs'] as const,
  value: (id: number) => ['analytics', 'value', id] as const,
};

function useView<T>(name: string) {
  return useQuery({
    queryKey: analyticsKeys.view(name),
    queryFn: ({ signal }) => api.get<T>(`/analytics/${name}`, undefined, signal),
    retry: false,
  });
}

export const useRfm = () => useView<RfmAnalytics>('rfm');
export const useClv = () => useView<ClvAnalytics>('clv');
export const useChurn = () => useView<ChurnAnalytics>('churn');
export const useAbc = () => useView<AbcAnalytics>('abc');
export const useRelationshipLevels = () => useView<RelationshipLevels>('relationship-levels');

export function useCustomerValue(id: number) {
  return useQuery({
    queryKey: analyticsKeys.value(id),
    queryFn: ({ signal }) => api.get<CustomerValue>(`/customers/${id}/value`, undefined, signal),
    enabled: Number.isFinite(id),
    retry: false,
  });
}

/** The latest runs; polls every second while one is running. */
export function useRuns() {
  return useQuery({
    queryKey: analyticsKeys.runs,
    queryFn: ({ signal }) => api.get<{ items: AnalyticsRun[] }>('/analytics/runs', undefined, signal),
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'running') ? 1000 : false),
  });
}

export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<AnalyticsRun>('/analytics/runs', {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: analyticsKeys.runs }),
  });
}

/** Money in minor units as yuan with thousands separators. */
export function formatMinor(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return (v / 100).toLocaleString(undefined, { maximumFractionDigits: 0 });
}

export function formatShare(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}
