// Churn dashboard: risk distribution, at-risk counts, the model's AUC and top features, churn
// records per month.
import { useMemo } from 'react';
import { Card, Col, Row, Space, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useChurn } from '../../api/analytics';
import { useCategories } from '../../api/hooks';
import EChart from '../../components/EChart';
import { categoryLabel, churnFeatureLabel, notFittedText } from '../../components/labels';
import { nothingToChart } from '../../lib/charts';
import { useLang } from '../../App';
import { RunHeader, ViewState } from './common';

interface Model {
  trained?: boolean;
  reason?: string;
  message?: string;
  labelled?: number;
  churned?: number;
  holdout_auc?: number | null;
  top_features?: { feature: string; mean_abs_contribution: number }[];
}

export default function ChurnPage() {
  const { t, i18n } = useTranslation();
  const lang = useLang();
  const q = useChurn();
  const categories = useCategories().data?.items;
  const dist = q.data?.risk_distribution ?? [];
  const trend = q.data?.trend ?? [];
  const distOption = useMemo(() => ({
    tooltip: {},
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    xAxis: { type: 'category', data: dist.map((b) => `${(b.lo * 100).toFixed(0)}–${(b.hi * 100).toFixed(0)}%`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: dist.map((b) => b.count), itemStyle: { color: '#fa541c' } }],
  }), [dist]);
  const trendOption = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    xAxis: { type: 'category', data: trend.map((p) => p.month) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', data: trend.map((p) => p.churned) }],  // counts: straight segments, no overshoot
  }), [trend]);
  const model = (q.data?.model ?? {}) as Model;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{t('analytics.churn.title')}</Typography.Title>
      <ViewState query={q}>
        {() => (
          <>
            <RunHeader run={q.data} />
            <Row gutter={16}>
              <Col span={6}><Card><Statistic title={t('analytics.churn.atRisk')} value={q.data?.at_risk.total ?? 0} suffix={`/ ${q.data?.customers ?? 0}`} /></Card></Col>
              <Col span={6}><Card><Statistic title={t('analytics.churn.byPAlive')} value={q.data?.at_risk.p_alive ?? 0} /></Card></Col>
              <Col span={6}><Card><Statistic title={t('analytics.churn.overdue')} value={q.data?.at_risk.overdue ?? 0} /></Card></Col>
              <Col span={6}>
                <Card data-testid="churn-auc">
                  <Statistic
                    title={t('analytics.churn.auc')}
                    value={model.holdout_auc != null ? model.holdout_auc.toFixed(3) : (notFittedText(model, t) || '—')}
                  />
                </Card>
              </Col>
            </Row>
            <Row gutter={16}>
              <Col span={12}>
                <Card title={t('analytics.churn.distribution')}><EChart option={distOption} testId="churn-distribution" empty={nothingToChart(dist.map((b) => b.count))} /></Card>
              </Col>
              <Col span={12}>
                <Card title={t('analytics.churn.trend')}><EChart option={trendOption} testId="churn-trend" empty={nothingToChart(trend.map((p) => p.churned))} /></Card>
              </Col>
            </Row>
            <Card title={t('analytics.churn.bySegment')}>
              <Table
                size="small"
                rowKey="segment"
                pagination={false}
                data-testid="churn-by-segment"
                dataSource={q.data?.by_segment ?? []}
                columns={[
                  { title: t('analytics.churn.segment'), render: (_, g) => (i18n.language.startsWith('zh') ? g.segment_zh : g.segment) },
                  { title: t('analytics.churn.segmentCustomers'), dataIndex: 'customers' },
                  { title: t('analytics.churn.segmentChurned'), dataIndex: 'churned' },
                  { title: t('analytics.churn.segmentRate'), render: (_, g) => `${(g.churn_rate * 100).toFixed(1)}%` },
                  { title: t('analytics.churn.segmentRisk'), render: (_, g) => (g.mean_risk == null ? '—' : `${(g.mean_risk * 100).toFixed(1)}%`) },
                ]}
              />
            </Card>
            <Card title={t('analytics.churn.features')}>
              <Table
                size="small"
                rowKey="feature"
                pagination={false}
                dataSource={model.top_features ?? []}
                columns={[
                  {
                    title: t('analytics.feature'),
                    render: (_, f) => churnFeatureLabel(f.feature, t, (k) => categoryLabel(k, categories, lang)),
                  },
                  { title: t('analytics.churn.importance'), render: (_, f) => f.mean_abs_contribution.toFixed(3) },
                ]}
              />
            </Card>
          </>
        )}
      </ViewState>
    </Space>
  );
}
