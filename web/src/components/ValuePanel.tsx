// The customer's value on the 360° page: RFM cell and segment, P(alive) gauge, CLV with its
// inputs, churn risk with its reasons, purchase cycle and next expected purchase, ABC class.
import { Card, Col, Descriptions, Empty, Row, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMemo } from 'react';
import { formatMinor, formatShare, useCustomerValue } from '../api/analytics';
import EChart from './EChart';
import { formatTimestamp } from '../lib/format';
import { useLang } from '../App';

export default function ValuePanel({ customerId }: { customerId: number }) {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useCustomerValue(customerId);
  const v = q.data?.value;
  const gauge = useMemo(() => ({
    series: [{
      type: 'gauge',
      min: 0,
      max: 100,
      progress: { show: true },
      detail: { formatter: '{value}%', fontSize: 18 },
      title: { show: false },
      data: [{ value: v?.p_alive != null ? Math.round(v.p_alive * 100) : 0 }],
    }],
  }), [v?.p_alive]);
  if (q.isLoading) return <Spin />;
  if (q.error) return null;  // no analytics for this user or customer
  if (!q.data?.run) return <Card title={t('analytics.value.title')}><Empty description={t('analytics.noRun')} /></Card>;
  if (!v) return <Card title={t('analytics.value.title')}><Empty description={t('analytics.value.noOrders')} /></Card>;
  const segment = lang === 'zh-CN' ? v.rfm.segment_zh || v.rfm.segment : v.rfm.segment;
  return (
    <Card
      title={t('analytics.value.title')}
      data-testid="value-panel"
      extra={
        <Typography.Text type="secondary">
          {t('analytics.computedAt', { at: formatTimestamp(q.data.computed_at, lang), asOf: q.data.run.as_of })}
        </Typography.Text>
      }
    >
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Typography.Text strong>{t('analytics.value.pAlive')}</Typography.Text>
          {v.p_alive != null ? <EChart option={gauge} height={180} testId="p-alive-gauge" /> : <div>—</div>}
        </Col>
        <Col xs={24} md={18}>
          <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
            <Descriptions.Item label={t('analytics.segment')}>
              <Space>
                <Tag color="blue" data-testid="value-segment">{segment || '—'}</Tag>
                <span>R{v.rfm.r_score} F{v.rfm.f_score} M{v.rfm.m_score}</span>
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
                  <Tag key={r.feature} color={r.contribution > 0 ? 'red' : 'green'}>
                    {r.feature} {r.contribution > 0 ? '↑' : '↓'}
                  </Tag>
                ))}
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.atRisk')}>
              {v.at_risk.flag ? <Tag color="red">{t('analytics.value.atRiskYes', { reasons: v.at_risk.reasons })}</Tag> : <Tag>{t('analytics.value.atRiskNo')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('analytics.value.cycle')}>
              {v.purchase_cycle.median_days != null
                ? t('analytics.value.cycleText', { days: v.purchase_cycle.median_days.toFixed(0), next: v.purchase_cycle.next_expected })
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
