// The customer's value on the 360° page: RFM cell and segment, P(alive) gauge, CLV with its
// inputs, churn risk with its reasons, purchase cycle and next expected purchase, ABC class.
import { Card, Col, Descriptions, Empty, Row, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import { formatMinor, formatShare, useCustomerValue } from '../api/analytics';
import { useCategories } from '../api/hooks';
import EChart from './EChart';
import { atRiskReasonsText, categoryLabel, churnFeatureLabel } from './labels';
import { daysOverdue, formatDate, formatTimestamp } from '../lib/format';
import { useLang } from '../App';

export default function ValuePanel({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useCustomerValue(customerId);
  const categories = useCategories().data?.items;
  const v = q.data?.value;
  const pAlive = v?.p_alive;
  const threshold = v?.at_risk.p_alive_threshold;
  // A progress arc without ticks, tick labels or pointer: at the column's ~250 px the per-ten labels
  // ran into each other and into the figure. The figure sits in the arc's middle, 0 and 100 under
  // its two ends; the arc is orange below the at-risk threshold.
  const gauge = useMemo(() => ({
    series: [{
      type: 'gauge',
      min: 0,
      max: 100,
      startAngle: 200,
      endAngle: -20,
      radius: '88%',
      center: ['50%', '58%'],
      splitNumber: 1,
      pointer: { show: false },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLine: { lineStyle: { width: 14, color: [[1, '#f0f0f0']] } },
      progress: {
        show: true,
        width: 14,
        itemStyle: { color: pAlive != null && threshold != null && pAlive < threshold ? '#fa8c16' : '#1677ff' },
      },
      axisLabel: { show: true, distance: -32, fontSize: 11, color: '#8c8c8c', formatter: (x: number) => (x === 0 || x === 100 ? String(x) : '') },
      anchor: { show: false },
      title: { show: false },
      detail: { valueAnimation: false, formatter: '{value}%', fontSize: 28, fontWeight: 600, color: '#262626', offsetCenter: [0, '0%'] },
      data: [{ value: pAlive != null ? Math.round(pAlive * 100) : 0 }],
    }],
  }), [pAlive, threshold]);
  if (q.isLoading) return <Spin />;
  if (q.error) return null;  // no analytics for this user or customer
  if (!q.data?.run) return <Card title={t('analytics.value.title')}><Empty description={t('analytics.noRun')} /></Card>;
  if (!v) return <Card title={t('analytics.value.title')}><Empty description={t('analytics.value.noOrders')} /></Card>;
  const segment = lang === 'zh-CN' ? v.rfm.segment_zh || v.rfm.segment : v.rfm.segment;
  // The next purchase was expected before the figures' date: say by how much (the same day the
  // recency counts to).
  const overdue = daysOverdue(v.purchase_cycle.next_expected, q.data.run.as_of);
  return (
    <Card
      title={t('analytics.value.title')}
      data-testid="value-panel"
      extra={
        <Typography.Text type="secondary">
          {t('analytics.computedAt', { at: formatTimestamp(q.data.computed_at, lang), asOf: formatDate(q.data.run.as_of, lang) })}
        </Typography.Text>
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Typography.Text strong>{t('analytics.value.pAlive')}</Typography.Text>
          {v.p_alive != null ? <EChart option={gauge} height={180} testId="p-alive-gauge" /> : <div>—</div>}
        </Col>
        <Col xs={24} md={18}>
          {/* Every breakpoint named: antd's default for the unnamed ones (lg, xl, xxl) is 3 columns,
              which squeezed eight items into cells a few characters wide at 1440 px. */}
          <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} bordered>
            <Descriptions.Item label={t('analytics.segment')}>
              <Space>
                <Tag color="blue" data-testid="value-segment">{segment || '—'}</Tag>
                <span style={{ whiteSpace: 'nowrap' }}>R{v.rfm.r_score} F{v.rfm.f_score} M{v.rfm.m_score}</span>
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.rfmInputs')}>
              {t('analytics.value.rfmText', {
                recency: v.rfm.recency_days, frequency: v.rfm.frequency, monetary: formatMinor(v.rfm.monetary_minor),
              })}
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.clv', { months: v.clv.months })}>
              <Tooltip
                title={t('analytics.value.clvInputs', {
                  x: v.clv.inputs?.x, tx: v.clv.inputs?.t_x_weeks?.toFixed(1), T: v.clv.inputs?.T_weeks?.toFixed(1),
                  value: formatMinor(v.clv.expected_value_minor), margin: formatShare(v.clv.margin_rate),
                  rate: formatShare(v.clv.monthly_discount_rate),
                })}
              >
                <span data-testid="value-clv">¥{formatMinor(v.clv.clv_minor)}</span>
              </Tooltip>
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.expected', { weeks: v.expected_purchases_horizon_weeks })}>
              {v.expected_purchases != null ? v.expected_purchases.toFixed(2) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.risk')}>
              <Space wrap>
                <span>{v.churn_risk != null ? formatShare(v.churn_risk, 0) : '—'}</span>
                {v.risk_reasons.map((r) => (
                  <Tooltip
                    key={r.feature}
                    title={t(r.contribution > 0 ? 'analytics.value.riskUp' : 'analytics.value.riskDown', {
                      value: `${r.contribution > 0 ? '+' : ''}${r.contribution.toFixed(2)}`,
                    })}
                  >
                    <Tag color={r.contribution > 0 ? 'red' : 'green'} data-testid="risk-reason">
                      {churnFeatureLabel(r.feature, t, (k) => categoryLabel(k, categories, lang))} {r.contribution > 0 ? '↑' : '↓'}
                    </Tag>
                  </Tooltip>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.atRisk')}>
              {v.at_risk.flag ? <Tag color="red" style={{ whiteSpace: 'normal' }} data-testid="value-at-risk">{t('analytics.value.atRiskYes', { reasons: atRiskReasonsText(v.at_risk.reasons, t) })}</Tag> : <Tag>{t('analytics.value.atRiskNo')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.cycle')}>
              {v.purchase_cycle.median_days != null
                ? t(overdue > 0 ? 'analytics.value.cycleTextOverdue' : 'analytics.value.cycleText', {
                    days: v.purchase_cycle.median_days.toFixed(0),
                    next: formatDate(v.purchase_cycle.next_expected, lang) || '—',
                    overdue,
                  })
                : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.abc')}>
              <Tag>{v.abc_class}</Tag> {t('analytics.margin')} ¥{formatMinor(v.margin_minor)}
            </Descriptions.Item>
          </Descriptions>
        </Col>
      </Row>
    </Card>
  );
}
