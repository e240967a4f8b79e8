// Churn (customer exit) management: rate trend and reasons, the records with win-back, the
// customers worth winning back, and the retention-economics calculator.
import { useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError, api } from '../api/client';
import { keys, useCategories } from '../api/hooks';
import {
  CHURN_REASONS, formatRate, orderKeys, useChurnRecords, useChurnStats, useWinBack, yuanToFen,
  type ChurnRecord, type RetentionInput, type RetentionReport,
} from '../api/orders';
import { formatDate, formatMoney } from '../lib/format';
import { categoryLabel, enumLabel } from '../components/labels';
import { ChurnReasonChart, ChurnTrendChart } from '../components/ChurnCharts';
import { applyFieldErrors } from '../components/applyErrors';
import { useLang } from '../App';
import { interactionKeys } from '../features/interactions/api';

function LostProfit({ r }: { r: Pick<ChurnRecord, 'lost_profit_minor' | 'lost_profit_basis'> }) {
  const { t } = useTranslation();
  if (r.lost_profit_minor === null || r.lost_profit_minor === undefined)
    return <Typography.Text type="secondary">{t('churn.basis.unknown')}</Typography.Text>;
  return (
    <span>
      {formatMoney(r.lost_profit_minor)}{' '}
      <Typography.Text type="secondary">({enumLabel('churn.basis', r.lost_profit_basis ?? 'unknown', t)})</Typography.Text>
    </span>
  );
}

function RecordsTable({
  records,
  onWinBack,
  onCreateTask,
}: {
  records: ChurnRecord[];
  onWinBack?: (r: ChurnRecord) => void;
  onCreateTask?: (r: ChurnRecord) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const categories = useCategories().data?.items;
  return (
    <Table<ChurnRecord>
      rowKey="id"
      size="small"
      pagination={{ pageSize: 20 }}
      dataSource={records}
      data-testid="churn-records"
      columns={[
        { title: t('churn.churnedOn'), render: (_, r) => formatDate(r.churned_on, lang) },
        { title: t('churn.customer'), render: (_, r) => <Link to={`/customers/${r.customer_id}`}>{r.customer_name}</Link> },
        { title: t('churn.category'), render: (_, r) => categoryLabel(r.category ?? '', categories, lang) },
        { title: t('churn.reason'), render: (_, r) => <Tag>{enumLabel('churn.reasons', r.reason, t)}</Tag> },
        { title: t('churn.note'), dataIndex: 'note' },
        { title: t('churn.lostProfit'), render: (_, r) => <LostProfit r={r} /> },
        {
          title: t('churn.wonBack'),
          render: (_, r) =>
            r.won_back_at ? (
              <Tag color="green">{t('churn.wonBack')}</Tag>
            ) : onWinBack ? (
              <Button size="small" onClick={() => onWinBack(r)} data-testid={`win-back-${r.id}`}>
                {t('churn.winBack')}
              </Button>
            ) : null,
        },
        ...(onCreateTask
          ? [
              {
                title: t('churn.winBackTask'),
                render: (_: unknown, r: ChurnRecord) =>
                  r.won_back_at ? null : (
                    <Button size="small" onClick={() => onCreateTask(r)} data-testid={`win-back-task-${r.id}`}>
                      {t('churn.createTask')}
                    </Button>
                  ),
              },
            ]
          : []),
      ]}
    />
  );
}

function Calculator() {
  const { t } = useTranslation();
  const lang = useLang();
  const categories = useCategories().data?.items ?? [];
  const [form] = Form.useForm<{ population: string; category?: string; reason?: string; cost: string; rate: string }>();
  const [result, setResult] = useState<RetentionReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const population = Form.useWatch('population', form);

  const run = async () => {
    const v = await form.validateFields();
    const body: RetentionInput = {
      population: v.population as RetentionInput['population'],
      action_cost_minor: yuanToFen(v.cost) ?? 0,
      success_rate: Number(v.rate) / 100,
      ...(v.category ? { category: v.category } : {}),
      ...(v.reason && v.population === 'churned' ? { reason: v.reason as RetentionInput['reason'] } : {}),
    };
    setProblem(null);
    try {
      setResult(await api.post<RetentionReport>('/churn/retention-economics', body));
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) applyFieldErrors(form, e);
      setProblem((e as Error).message);
    }
  };

  return (
    <Card title={t('churn.calculator')} data-testid="retention-calculator">
      <Form form={form} layout="inline" initialValues={{ population: 'churned', cost: '100', rate: '30' }}>
        <Form.Item name="population" label={t('churn.population')}>
          <Select
            style={{ width: 220 }}
            options={(['at_risk', 'churned'] as const).map((p) => ({ value: p, label: enumLabel('churn.populations', p, t) }))}
          />
        </Form.Item>
        <Form.Item name="category" label={t('churn.category')}>
          <Select
            allowClear
            style={{ width: 160 }}
            options={categories.map((c) => ({ value: c.key, label: categoryLabel(c.key, categories, lang) }))}
          />
        </Form.Item>
        {population === 'churned' && (
          <Form.Item name="reason" label={t('churn.reason')}>
            <Select allowClear style={{ width: 180 }} options={CHURN_REASONS.map((r) => ({ value: r, label: enumLabel('churn.reasons', r, t) }))} />
          </Form.Item>
        )}
        <Form.Item
          name="cost"
          label={t('churn.actionCost')}
          rules={[{ validator: (_, v) => (yuanToFen(v) !== null ? Promise.resolve() : Promise.reject(new Error(t('orders.moneyInvalid')))) }]}
        >
          <Input style={{ width: 110 }} data-testid="action-cost" />
        </Form.Item>
        <Form.Item name="rate" label={t('churn.successRate')} rules={[{ required: true }]}>
          <Input style={{ width: 80 }} data-testid="success-rate" />
        </Form.Item>
        <Button type="primary" onClick={run} data-testid="calculate">{t('churn.calculate')}</Button>
      </Form>
      {problem && <Alert type="error" showIcon message={problem} style={{ marginTop: 16 }} />}
      {result && (
        <div style={{ marginTop: 16 }} data-testid="retention-result">
          <Row gutter={16}>
            <Col span={4}><Statistic title={t('churn.customers')} value={result.customers_at_risk} /></Col>
            <Col span={5}><Statistic title={t('churn.lostProfit')} value={formatMoney(result.lost_profit_minor ?? 0)} /></Col>
            <Col span={5}><Statistic title={t('churn.saved')} value={formatMoney(result.saved_profit_minor ?? 0)} /></Col>
            <Col span={5}><Statistic title={t('churn.cost')} value={formatMoney(result.cost_minor ?? 0)} /></Col>
            <Col span={5}><Statistic title={t('churn.net')} value={formatMoney(result.net_minor ?? 0)} /></Col>
          </Row>
          <Alert
            style={{ marginTop: 12 }}
            showIcon
            type={result.recommendation === 'retain' ? 'success' : 'warning'}
            message={result.recommendation === 'retain' ? t('churn.retain') : t('churn.doNotRetain')}
            description={result.explanation}
            data-testid="recommendation"
          />
        </div>
      )}
    </Card>
  );
}

export default function ChurnPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const stats = useChurnStats({ period: 'month' });
  const records = useChurnRecords({});
  const winBack = useWinBack();

  const markWonBack = async (r: ChurnRecord) => {
    try {
      await api.post<ChurnRecord>(`/churn-records/${r.id}/win-back`);
      message.success(t('churn.winBackDone'));
      void qc.invalidateQueries({ queryKey: orderKeys.churn });
      void qc.invalidateQueries({ queryKey: keys.customer(r.customer_id ?? 0) });
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  // A follow-up task for the caller: call the customer within three days to win them back.
  const createTask = async (r: ChurnRecord) => {
    try {
      const due = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
      const lost = r.lost_profit_minor === null || r.lost_profit_minor === undefined ? '' : formatMoney(r.lost_profit_minor);
      await api.post('/tasks', {
        title: t('churn.taskTitle', { name: r.customer_name ?? `#${r.customer_id}` }),
        note: t('churn.taskNote', { reason: enumLabel('churn.reasons', r.reason, t), lost }),
        customer_id: r.customer_id,
        due_at: due,
      });
      message.success(t('churn.taskCreated'));
      void qc.invalidateQueries({ queryKey: interactionKeys.tasksToday });
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const s = stats.data;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('churn.title')}</Typography.Title>
      {s && (
        <Alert
          type="info"
          data-testid="churn-overall"
          message={t('churn.overall', {
            rate: formatRate(s.overall?.rate ?? 0),
            churned: s.overall?.churned ?? 0,
            exposed: s.overall?.exposed ?? 0,
            repeat: formatRate(s.repeat_purchase_rate ?? 0),
          })}
        />
      )}
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card title={t('churn.trend')}>{s ? <ChurnTrendChart stats={s} /> : null}</Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={t('churn.reasonChart')}>{s ? <ChurnReasonChart stats={s} /> : null}</Card>
        </Col>
      </Row>
      <Card title={t('churn.records')}>
        {records.error ? (
          <Alert type="error" message={records.error.message} />
        ) : (
          <RecordsTable records={records.data?.items ?? []} onWinBack={markWonBack} />
        )}
      </Card>
      <Card title={t('churn.winBackList')}>
        <RecordsTable records={winBack.data?.items ?? []} onWinBack={markWonBack} onCreateTask={createTask} />
      </Card>
      <Calculator />
    </Space>
  );
}
