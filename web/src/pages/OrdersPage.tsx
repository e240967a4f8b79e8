// All orders the user may see, with filters (channel, status, date range) and keyset pages.
import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { ORDER_CHANNELS, ORDER_STATUSES, useOrders, type OrderQuery } from '../api/orders';
import { OrdersTable } from './OrdersTab';
import { enumLabel } from '../components/labels';

export default function OrdersPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState<OrderQuery>({ limit: 50 });
  const [cursors, setCursors] = useState<string[]>([]);
  const orders = useOrders(q);
  const set = (patch: Partial<OrderQuery>) => {
    setCursors([]);
    setQ({ ...q, ...patch, cursor: undefined });
  };
  const range = (v: [Dayjs | null, Dayjs | null] | null) =>
    set({ from: v?.[0]?.format('YYYY-MM-DD'), to: v?.[1]?.add(1, 'day').format('YYYY-MM-DD') });

  return (
    <Card title={t('orders.title')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          allowClear
          placeholder={t('orders.channel')}
          style={{ width: 160 }}
          data-testid="filter-channel"
          onChange={(v?: string) => set({ channel: v })}
          options={ORDER_CHANNELS.map((c) => ({ value: c, label: enumLabel('orders.channels', c, t) }))}
        />
        <Select
          allowClear
          placeholder={t('orders.status')}
          style={{ width: 140 }}
          onChange={(v?: string) => set({ status: v })}
          options={ORDER_STATUSES.map((s) => ({ value: s, label: enumLabel('orders.statuses', s, t) }))}
        />
        <DatePicker.RangePicker onChange={(v) => range(v as [Dayjs | null, Dayjs | null] | null)} />
      </Space>
      {orders.error ? (
        <Alert type="error" message={orders.error.message} />
      ) : (
        <OrdersTable orders={orders.data?.items ?? []} showCustomer />
      )}
      <Space style={{ marginTop: 16 }}>
        <Button
          disabled={cursors.length === 0}
          onClick={() => {
            const prev = cursors.slice(0, -1);
            setCursors(prev);
            setQ({ ...q, cursor: prev[prev.length - 1] });
          }}
        >
          ‹
        </Button>
        <Button
          disabled={!orders.data?.next_cursor}
          onClick={() => {
            const next = orders.data?.next_cursor ?? undefined;
            if (!next) return;
            setCursors([...cursors, next]);
            setQ({ ...q, cursor: next });
          }}
        >
          ›
        </Button>
      </Space>
    </Card>
  );
}
