// RFM grid heatmap (R x F: customers, monetary) and the segment table.
import { useMemo, useState } from 'react';
import { Card, Descriptions, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatMinor, formatShare, useRfm, type RfmAnalytics } from '../../api/analytics';
import EChart from '../../components/EChart';
import { useLang } from '../../App';
import { RunHeader, ViewState, segmentLabel } from './common';

type Cell = RfmAnalytics['cells'][number];

export default function RfmPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const q = useRfm();
  const [picked, setPicked] = useState<Cell | null>(null);
  const cells = q.data?.cells ?? [];
  const option = useMemo(() => {
    const max = Math.max(1, ...cells.map((c) => c.customers ?? 0));
    return {
      tooltip: {
        formatter: (p: { data: [number, number, number] }) => {
          const c = cells.find((x) => x.f === p.data[0] + 1 && x.r === p.data[1] + 1);
          if (!c) return '';
          return `R${c.r} F${c.f}<br/>${segmentLabel(lang, c.segment ?? '', c.segment_zh ?? '')}<br/>` +
            `${t('analytics.customers')}: ${c.customers}<br/>${t('analytics.monetary')}: ¥${formatMinor(c.monetary_minor)}`;
        },
      },
      // The colour legend stands on the right, beside the grid: below it, it covered the F labels.
      grid: { left: 60, right: 110, top: 30, bottom: 40 },
      xAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
      yAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: 'vertical', right: 10, top: 'middle', itemHeight: 200 },
      series: [{
        type: 'heatmap',
        data: cells.map((c) => [(c.f ?? 1) - 1, (c.r ?? 1) - 1, c.customers ?? 0]),
        label: { show: true },
      }],
    };
  }, [cells, lang, t]);

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Title level={3}>{t('analytics.rfm.title')}</Typography.Title>
      <ViewState query={q}>
        {() => (
          <>
            <RunHeader run={q.data} />
            <Card title={t('analytics.rfm.grid')}>
              <EChart
                option={option}
                height={380}
                testId="rfm-heatmap"
                onClick={(p) => {
                  const d = p.data as [number, number, number] | undefined;
                  if (d) setPicked(cells.find((c) => c.f === d[0] + 1 && c.r === d[1] + 1) ?? null);
                }}
              />
              {picked && (
                <Descriptions size="small" column={4} data-testid="rfm-picked">
                  <Descriptions.Item label="R / F">R{picked.r} F{picked.f}</Descriptions.Item>
                  <Descriptions.Item label={t('analytics.segment')}>
                    {segmentLabel(lang, picked.segment ?? '', picked.segment_zh ?? '')}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('analytics.customers')}>{picked.customers}</Descriptions.Item>
                  <Descriptions.Item label={t('analytics.monetary')}>¥{formatMinor(picked.monetary_minor)}</Descriptions.Item>
                </Descriptions>
              )}
            </Card>
            <Card title={t('analytics.rfm.segments')}>
              <Table
                size="small"
                rowKey="segment"
                pagination={false}
                dataSource={q.data?.segments ?? []}
                columns={[
                  { title: t('analytics.segment'), render: (_, s) => segmentLabel(lang, s.segment ?? '', s.segment_zh ?? '') },
                  { title: t('analytics.customers'), dataIndex: 'customers' },
                  { title: t('analytics.share'), render: (_, s) => formatShare(s.share) },
                  { title: t('analytics.monetary'), render: (_, s) => `¥${formatMinor(s.monetary_minor)}` },
                  { title: t('analytics.rfm.meanRecency'), render: (_, s) => (s.mean_recency_days ?? 0).toFixed(0) },
                  { title: t('analytics.rfm.meanFrequency'), render: (_, s) => (s.mean_frequency ?? 0).toFixed(1) },
                ]}
              />
            </Card>
          </>
        )}
      </ViewState>
    </Space>
  );
}
