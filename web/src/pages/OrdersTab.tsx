// The Orders tab of the customer 360° page (list, new order with lines, status changes) and the
// "record churn" dialog of its header. Loaded on demand with the page.
import { useState } from 'react';
import {
  Alert, App, Button, Card, DatePicker, Descriptions, Empty, Form, Input, InputNumber, Modal, Select, Space, Table,
  Tag, Typography,
} from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import dayjs, { type Dayjs } from 'dayjs';
import { ApiError, api } from '../api/client';
import type { Customer } from '../api/types';
import {
  ORDER_CHANNELS, ORDER_STATUSES, orderKeys, useCustomerOrders, usePurchaseCycle, yuanToFen,
  type Order, type OrderInput, type OrderStatus,
} from '../api/orders';
import { formatDate, formatMoney, formatTimestamp } from '../lib/format';
import { applyFieldErrors } from '../components/applyErrors';
import { useLang } from '../App';
import { enumLabel } from '../components/labels';

interface LineValues {
  name?: string;
  sku?: string;
  quantity?: number;
  unit_price?: string;
  cost?: string;
}
interface OrderValues {
  ordered_at?: Dayjs;
  channel?: string;
  status?: string;
  external_id?: string;
  amount?: string;
  cost?: string;
  note?: string;
  lines?: LineValues[];
}

const moneyRule = (msg: string) => ({
  validator: (_: unknown, v: string | undefined) =>
    !v || yuanToFen(v) !== null ? Promise.resolve() : Promise.reject(new Error(msg)),
});

export function OrdersTable({ orders, showCustomer, onStatus }: {
  orders: Order[];
  showCustomer?: boolean;
  onStatus?: (o: Order, s: OrderStatus) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <Table<Order>
      rowKey="id"
      size="small"
      dataSource={orders}
      pagination={false}
      data-testid="orders-table"
      expandable={{
        rowExpandable: (o) => o.lines.length > 0,
        expandedRowRender: (o) => (
          <Table
            rowKey="line_no"
            size="small"
            pagination={false}
            dataSource={o.lines}
            columns={[
              { title: t('orders.name'), dataIndex: 'name' },
              { title: t('orders.sku'), dataIndex: 'sku' },
              { title: t('orders.quantity'), dataIndex: 'quantity' },
              { title: t('orders.unitPrice'), render: (_, l) => formatMoney(l.unit_price_minor, o.currency) },
              { title: t('orders.amount'), render: (_, l) => formatMoney(l.amount_minor, o.currency) },
            ]}
          />
        ),
      }}
      columns={[
        { title: t('orders.orderedAt'), render: (_, o) => formatTimestamp(o.ordered_at, lang) },
        ...(showCustomer
          ? [{ title: t('orders.customer'), render: (_: unknown, o: Order) => <Link to={`/customers/${o.customer_id}`}>{o.customer_name || `#${o.customer_id}`}</Link> }]
          : []),
        { title: t('orders.externalId'), render: (_, o) => o.external_id ?? `#${o.id}` },
        { title: t('orders.channel'), render: (_, o) => enumLabel('orders.channels', o.channel, t) },
        {
          title: t('orders.amount'),
          align: 'right' as const,
          render: (_, o) => <span data-testid="order-amount">{formatMoney(o.amount_minor, o.currency)}</span>,
        },
        {
          title: t('orders.margin'),
          align: 'right' as const,
          render: (_, o) => (o.margin_minor === null ? '—' : formatMoney(o.margin_minor, o.currency)),
        },
        {
          title: t('orders.status'),
          render: (_, o) =>
            onStatus && o.allowed_transitions.length > 0 ? (
              <Select<OrderStatus>
                size="small"
                value={o.status}
                style={{ width: 110 }}
                onChange={(s) => onStatus(o, s)}
                options={[o.status, ...o.allowed_transitions].map((s) => ({ value: s, label: enumLabel('orders.statuses', s, t) }))}
              />
            ) : (
              <Tag>{enumLabel('orders.statuses', o.status, t)}</Tag>
            ),
        },
      ]}
    />
  );
}

function NewOrderModal({ customerId, open, onClose }: { customerId: number; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<OrderValues>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    const lines = (v.lines ?? []).filter((l) => l && (l.name || l.sku));
    const body: OrderInput = {
      customer_id: customerId,
      ordered_at: (v.ordered_at ?? dayjs()).toISOString(),
      channel: (v.channel ?? 'store') as OrderInput['channel'],
      currency: 'CNY',
      status: (v.status ?? 'placed') as OrderInput['status'],
      ...(v.external_id ? { external_id: v.external_id } : {}),
      ...(v.note ? { note: v.note } : {}),
    };
    if (lines.length) {
      body.lines = lines.map((l) => ({
        name: l.name ?? '',
        sku: l.sku ?? '',
        quantity: l.quantity ?? 1,
        unit_price_minor: yuanToFen(l.unit_price) ?? 0,
        ...(l.cost ? { cost_minor: yuanToFen(l.cost) } : {}),
      }));
    } else {
      body.amount_minor = yuanToFen(v.amount) ?? 0;
      if (v.cost) body.cost_minor = yuanToFen(v.cost);
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.post<Order>('/orders', body);
      message.success(t('orders.created'));
      void qc.invalidateQueries({ queryKey: orderKeys.all });
      form.resetFields();
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const rest = applyFieldErrors(form, e);
        setProblem(rest.length ? rest.join(' ') : e.message);
      } else setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('orders.newOrder')}
      onCancel={onClose}
      onOk={submit}
      confirmLoading={busy}
      width={760}
      okButtonProps={{ 'data-testid': 'save-order' }}
      destroyOnHidden
    >
      {problem && <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ channel: 'store', status: 'placed', ordered_at: dayjs() }}>
        <Space wrap>
          <Form.Item name="ordered_at" label={t('orders.orderedAt')} rules={[{ required: true }]}>
            <DatePicker showTime />
          </Form.Item>
          <Form.Item name="channel" label={t('orders.channel')}>
            <Select style={{ width: 140 }} options={ORDER_CHANNELS.map((c) => ({ value: c, label: enumLabel('orders.channels', c, t) }))} />
          </Form.Item>
          <Form.Item name="status" label={t('orders.status')}>
            <Select style={{ width: 120 }} options={ORDER_STATUSES.slice(0, 2).map((s) => ({ value: s, label: enumLabel('orders.statuses', s, t) }))} />
          </Form.Item>
          <Form.Item name="external_id" label={t('orders.externalId')}>
            <Input data-testid="order-external-id" />
          </Form.Item>
        </Space>
        <Typography.Text strong>{t('orders.lines')}</Typography.Text>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" wrap>
                  <Form.Item name={[f.name, 'name']} rules={[{ required: true }]}>
                    <Input placeholder={t('orders.name')} data-testid={`line-name-${f.name}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'sku']}>
                    <Input placeholder={t('orders.sku')} style={{ width: 100 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} initialValue={1} rules={[{ required: true }]}>
                    <InputNumber min={1} placeholder={t('orders.quantity')} data-testid={`line-qty-${f.name}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'unit_price']} rules={[{ required: true }, moneyRule(t('orders.moneyInvalid'))]}>
                    <Input placeholder={t('orders.unitPrice')} style={{ width: 120 }} data-testid={`line-price-${f.name}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'cost']} rules={[moneyRule(t('orders.moneyInvalid'))]}>
                    <Input placeholder={t('orders.lineCost')} style={{ width: 110 }} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button type="dashed" onClick={() => add()} icon={<PlusOutlined />} data-testid="add-line">
                {t('orders.addLine')}
              </Button>
            </>
          )}
        </Form.List>
        <Space wrap style={{ marginTop: 16 }}>
          <Form.Item name="amount" label={t('orders.amountYuan')} rules={[moneyRule(t('orders.moneyInvalid'))]}>
            <Input data-testid="order-amount-input" />
          </Form.Item>
          <Form.Item name="cost" label={t('orders.cost')} rules={[moneyRule(t('orders.moneyInvalid'))]}>
            <Input />
          </Form.Item>
        </Space>
        <Form.Item name="note" label={t('orders.note')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function OrdersTab({ customer }: { customer: Customer }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const orders = useCustomerOrders(customer.id);
  const cycle = usePurchaseCycle(customer.id);
  const [open, setOpen] = useState(false);

  const setStatus = async (o: Order, status: OrderStatus) => {
    try {
      await api.patch<Order>(`/orders/${o.id}`, { status }, o.version);
      void qc.invalidateQueries({ queryKey: orderKeys.all });
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  return (
    <Card
      title={t('orders.title')}
      extra={<Button type="primary" onClick={() => setOpen(true)} data-testid="new-order">{t('orders.newOrder')}</Button>}
    >
      {cycle.data && (cycle.data.purchase_days ?? 0) > 0 && (
        <Descriptions size="small" column={4} style={{ marginBottom: 16 }} data-testid="purchase-cycle">
          <Descriptions.Item label={t('orders.cycleTypical')}>
            {cycle.data.typical_gap_days == null ? '—' : t('orders.days', { n: cycle.data.typical_gap_days })}
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.cycleNext')}>{formatDate(cycle.data.next_expected_on, lang) || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('orders.cycleStatus')}>
            {cycle.data.overdue ? <Tag color="red">{t('orders.overdue')}</Tag> : <Tag color="green">{t('orders.onTrack')}</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label={t('churn.lostProfit')}>
            {cycle.data.lost_profit_minor == null ? '—' : formatMoney(cycle.data.lost_profit_minor)}
          </Descriptions.Item>
        </Descriptions>
      )}
      {orders.isPending ? null : orders.error ? (
        <Alert type="error" message={orders.error.message} />
      ) : orders.data.items.length === 0 ? (
        <Empty description={t('orders.none')} />
      ) : (
        <OrdersTable orders={orders.data.items} onStatus={setStatus} />
      )}
      <NewOrderModal customerId={customer.id} open={open} onClose={() => setOpen(false)} />
    </Card>
  );
}
