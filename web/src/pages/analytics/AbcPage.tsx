// ABC / Pareto: share of customers (largest margin first) against share of margin.
import { useMemo } from 'react';
import { Card, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatMinor, formatShare, useAbc } from '../../api/analytics';
import EChart from '../../components/EChart';
import { RunHeader, ViewState } from './common';

export default function AbcPage() {
  const { t } = useTranslation();
  const q = useAbc();
  const curve = q.data?.curve ?? [];
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 30, top: 20, bottom: 50 },
    xAxis: { type: 'value', min: 0, max: 100, name: t('analytics.abc.customerShare') },
    yAxis: { type: 'value', min: 0, max: 100, name: t('analytics.abc.marginShare') },
    series: [{
      type: 'line',
      showSymbol: false,
      data: curve.map((p) => [+(p.customer_share * 100).toFixed(2), +(p.margin_share * 100).toFixed(2)]),
      markLine: {
        symbol: 'none',
        data: [
          { yAxis: (q.data?.a_share ?? 0.8) * 100, name: 'A' },
          { yAxis: (q.data?.b_share ?? 0.95) * 100, name: 'B' },
        ],
      },
    }],
  }), [curve, q.data, t]);
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{t('analytics.abc.title')}</Typography.Title>
      <ViewState query={q}>
        {() => (
          <>
            <RunHeader run={q.data} />
            <Card title={t('analytics.abc.pareto')}><EChart option={option} height={380} testId="pareto-curve" empty={curve.length === 0} /></Card>
            <Card>
              <Table
                size="small"
                rowKey="class"
                pagination={false}
                dataSource={q.data?.classes ?? []}
                columns={[
                  { title: t('analytics.abc.class'), dataIndex: 'class' },
                  { title: t('analytics.customers'), dataIndex: 'customers' },
                  { title: t('analytics.abc.customerShare'), render: (_, c) => formatShare(c.customer_share) },
                  { title: t('analytics.margin'), render: (_, c) => `¥${formatMinor(c.margin_minor)}` },
                  { title: t('analytics.abc.marginShare'), render: (_, c) => formatShare(c.margin_share) },
                ]}
              />
            </Card>
          </>
        )}
      </ViewState>
    </Space>
  );
}
