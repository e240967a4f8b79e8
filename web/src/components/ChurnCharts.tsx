// Churn-rate trend (line) and reason distribution (pie), ECharts loaded with the churn page only.
import { useEffect, useMemo, useRef } from 'react';
import { Empty } from 'antd';
import * as echarts from 'echarts/core';
import { LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import type { ChurnStats } from '../api/orders';
import { enumLabel } from './labels';

echarts.use([LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function useChart(option: echarts.EChartsCoreOption) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(option);
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [option]);
  return ref;
}

// In place of a chart with nothing to draw (no periods, no churn records with a reason).
function NoData({ testId }: { testId: string }) {
  return (
    <div style={{ height: 240, display: 'flex', alignItems: 'center', justifyContent: 'center' }} data-testid={testId} data-empty="true">
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
    </div>
  );
}

// The options are memoised: useChart re-creates the chart whenever its option changes, and a new
// object on every render of the page restarted the drawing animation each time.
export function ChurnTrendChart({ stats }: { stats: ChurnStats }) {
  const { t } = useTranslation();
  const periods = stats.periods ?? [];
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: periods.map((p) => (p.key ?? '').slice(0, 7)) },
    // Ticks fall on half percents too: "1.5%", not a second "2%".
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Number((v * 100).toFixed(1))}%` } },
    // Straight segments: a smoothed curve overshoots between months (below 0 after a quiet one).
    series: [{ type: 'line', name: t('churn.rate'), data: periods.map((p) => p.rate ?? 0) }],
  }), [periods, t]);
  const ref = useChart(option);
  if (periods.length === 0) return <NoData testId="churn-trend" />;
  return <div ref={ref} style={{ height: 240, width: '100%' }} data-testid="churn-trend" />;
}

export function ChurnReasonChart({ stats }: { stats: ChurnStats }) {
  const { t } = useTranslation();
  const reasons = useMemo(() => (stats.reasons ?? []).filter((r) => (r.count ?? 0) > 0), [stats.reasons]);
  // The legend names the slices (on the right, beside the ring): slice labels around the ring ran
  // into a legend below it and were cut at the card's edge.
  const option = useMemo(() => ({
    tooltip: { trigger: 'item' },
    legend: { orient: 'vertical', right: 0, top: 'middle', type: 'scroll' },
    series: [
      {
        type: 'pie',
        radius: ['40%', '70%'],
        center: ['32%', '50%'],
        label: { show: false },
        data: reasons.map((r) => ({ name: enumLabel('churn.reasons', r.reason, t), value: r.count })),
      },
    ],
  }), [reasons, t]);
  const ref = useChart(option);
  if (reasons.length === 0) return <NoData testId="churn-reasons" />;
  return <div ref={ref} style={{ height: 240, width: '100%' }} data-testid="churn-reasons" />;
}
