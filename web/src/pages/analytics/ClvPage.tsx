// CLV distribution, totals, and the fitted models with their diagnostics.
import { useMemo } from 'react';
import { Card, Col, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatMinor, useClv } from '../../api/analytics';
import EChart from '../../components/EChart';
import { nothingToChart } from '../../lib/charts';
import { RunHeader, ViewState } from './common';
import { enumLabel, notFittedText } from '../../components/labels';

interface Fit {
  fitted?: boolean;
  reason?: string;
  message?: string;
  params?: Record<string, number>;
  std_errors?: Record<string, number | null>;
  log_likelihood?: number | null;
  converged?: boolean;
  evaluations?: number;
  observations?: number;
}

// The fitted models in diagnostics.fits, by their keys there.
const MODELS = ['bgnbd', 'gamma_gamma'] as const;

export default function ClvPage() {
  const { t } = useTranslation();
  const q = useClv();
  const bins = q.data?.histogram ?? [];
  const option = useMemo(() => ({
    tooltip: {},
    grid: { left: 50, right: 20, top: 20, bottom: 50 },
    xAxis: { type: 'category', name: '¥', data: bins.map((b) => `${formatMinor(b.lo)}–${formatMinor(b.hi)}`) },
    yAxis: { type: 'value', minInterval: 1, name: t('analytics.customers') },
    series: [{ type: 'bar', data: bins.map((b) => b.count), itemStyle: { color: '#1677ff' } }],
  }), [bins, t]);
  const fits = (q.data?.fits ?? {}) as Record<string, Fit>;
  const modelName = (m: string) => enumLabel('analytics.clv.models', m, t);
  const rows = MODELS.flatMap((m) => {
    const f = fits[m];
    if (!f) return [];
    const model = modelName(m);
    if (!f.fitted) return [{ key: m, model, param: '—', value: notFittedText(f, t), se: '' }];
    return Object.entries(f.params ?? {}).map(([k, v]) => ({
      key: `${m}.${k}`, model, param: k, value: v.toFixed(4),
      se: f.std_errors?.[k] != null ? (f.std_errors[k] as number).toFixed(4) : '—',
    }));
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{t('analytics.clv.title')}</Typography.Title>
      <ViewState query={q}>
        {() => (
          <>
            <RunHeader run={q.data} />
            <Row gutter={16}>
              <Col span={6}><Card><Statistic title={t('analytics.clv.total')} prefix="¥" value={formatMinor(q.data?.total_clv_minor)} /></Card></Col>
              <Col span={6}><Card><Statistic title={t('analytics.clv.mean')} prefix="¥" value={formatMinor(q.data?.mean_clv_minor)} /></Card></Col>
              <Col span={6}><Card><Statistic title={t('analytics.clv.median')} prefix="¥" value={formatMinor(q.data?.median_clv_minor)} /></Card></Col>
              <Col span={6}><Card><Statistic title={t('analytics.clv.purchases')} value={(q.data?.total_expected_purchases ?? 0).toFixed(0)} /></Card></Col>
            </Row>
            <Card title={t('analytics.clv.distribution', { months: q.data?.settings.clv_months })}>
              <EChart option={option} testId="clv-histogram" empty={nothingToChart(bins.map((b) => b.count))} />
            </Card>
            <Card title={t('analytics.clv.fits')}>
              <Space style={{ marginBottom: 8 }}>
                {MODELS.map((m) => fits[m] && (
                  <Tag key={m} color={fits[m].converged ? 'green' : 'orange'}>
                    {modelName(m)} · LL {fits[m].log_likelihood?.toFixed(2) ?? '—'} · {fits[m].converged ? t('analytics.clv.converged') : t('analytics.clv.notConverged')}
                  </Tag>
                ))}
              </Space>
              <Table
                size="small"
                pagination={false}
                dataSource={rows}
                columns={[
                  { title: t('analytics.clv.model'), dataIndex: 'model' },
                  { title: t('analytics.clv.param'), dataIndex: 'param' },
                  { title: t('analytics.clv.value'), dataIndex: 'value' },
                  { title: t('analytics.clv.se'), dataIndex: 'se' },
                ]}
              />
            </Card>
          </>
        )}
      </ViewState>
    </Space>
  );
}
