// Orders and churn: generated types, query hooks and the yuan ↔ fen conversion of the forms.
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { components } from './schema';

type S = components['schemas'];
export type Order = S['Order'];
export type OrderInput = S['OrderInput'];
export type OrderList = S['OrderList'];
export type OrderChannel = S['OrderChannel'];
export type OrderStatus = S['OrderStatus'];
export type ChurnReason = S['ChurnReason'];
export type ChurnRecord = S['ChurnRecord'];
export type ChurnRecordList = S['ChurnRecordList'];
export type ChurnStats = S['ChurnStats'];
export type RetentionInput = S['RetentionInput'];
export type RetentionReport = S['RetentionReport'];
export type PurchaseCycle = S['PurchaseCycle'];

export const ORDER_CHANNELS: OrderChannel[] = ['online', 'store', 'group_purchase', 'distributor', 'consignment'];
export const ORDER_STATUSES: OrderStatus[] = ['placed', 'paid', 'returned', 'cancelled'];
export const CHURN_REASONS: ChurnReason[] = ['price', 'offer', 'service', 'market', 'reputation', 'other'];

export interface OrderQuery {
  customer_id?: number;
  channel?: string;
  status?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export const orderKeys = {
  all: ['orders'] as const,
  list: (q: OrderQuery) => ['orders', 'list', q] as const,
  customer: (id: number) => ['orders', 'customer', id] as const,
  cycle: (id: number) => ['orders', 'cycle', id] as const,
  churn: ['churn'] as const,
  churnRecords: (q: Record<string, string | undefined>) => ['churn', 'records', q] as const,
  churnStats: (q: Record<string, string | undefined>) => ['churn', 'stats', q] as const,
  winBack: ['churn', 'win-back'] as const,
};

function clean(q: object): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '' && v !== null) out[k] = v as string | number;
  return out;
}

export function useOrders(q: OrderQuery) {
  return useQuery({
    queryKey: orderKeys.list(q),
    queryFn: ({ signal }) => api.get<OrderList>('/orders', clean(q), signal),
  });
}

export function useCustomerOrders(id: number) {
  return useQuery({
    queryKey: orderKeys.customer(id),
    queryFn: ({ signal }) => api.get<OrderList>(`/customers/${id}/orders`, { limit: 500 }, signal),
  });
}

export function usePurchaseCycle(id: number) {
  return useQuery({
    queryKey: orderKeys.cycle(id),
    queryFn: ({ signal }) => api.get<PurchaseCycle>(`/customers/${id}/purchase-cycle`, undefined, signal),
  });
}

export function useChurnRecords(q: Record<string, string | undefined>) {
  return useQuery({
    queryKey: orderKeys.churnRecords(q),
    queryFn: ({ signal }) => api.get<ChurnRecordList>('/churn-records', clean(q), signal),
  });
}

export function useChurnStats(q: Record<string, string | undefined>) {
  return useQuery({
    queryKey: orderKeys.churnStats(q),
    queryFn: ({ signal }) => api.get<ChurnStats>('/churn/stats', clean(q), signal),
  });
}

export function useWinBack() {
  return useQuery({
    queryKey: orderKeys.winBack,
    queryFn: ({ signal }) => api.get<ChurnRecordList>('/churn/win-back', { limit: 50 }, signal),
  });
}

/** "1,499.5" / "1499.50" / "12" → fen (149950 / 1200); null for anything else (no floats involved). */
export function yuanToFen(text: string | number | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  const s = String(text).replace(/,/g, '').trim();
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A share in [0, 1] as "12.5%". */
export function formatRate(r: number): string {
  return `${(Math.round(r * 1000) / 10).toString()}%`;
}
