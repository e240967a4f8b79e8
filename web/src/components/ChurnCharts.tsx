// Churn-rate trend (line) and reason distribution (pie), ECharts loaded with the churn page only.
import { useEffect, useMemo, useRef } from 'react';
import { Empty } from 'antd';
import * as echarts from 'echarts/core';
import { LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import type { ChurnStats } from '../api/orders';
import { partialPeriods } from '../lib/charts';
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
// A period the rate covers only in part (the month still running, or one the range cuts) is drawn
// as a hollow point on a dashed segment and named so in the tooltip: the current month's rate
// counts the days so far and would otherwise read as a fall in churn.
export function ChurnTrendChart({ stats }: { stats: ChurnStats }) {
  const { t } = useTranslation();
  const periods = stats.periods ?? [];
  const option = useMemo(() => {
    const labels = periods.map((p) => (p.key ?? '').slice(0, 7));
    const rates = periods.map((p) => p.rate ?? 0);
    const partial = partialPeriods(periods.map((p) => p.key ?? ''), stats.period === 'quarter' ? 3 : 1,
      stats.from ?? '', stats.to ?? '', stats.as_of ?? '9999-12-31');
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    return {
      tooltip: {
        trigger: 'axis',
        formatter: (params: { dataIndex: number }[]) => {
          const i = params[0]?.dataIndex ?? 0;
          const name = partial[i] ? t('churn.partialPeriod', { period: labels[i] }) : labels[i];
          return `${name}<br/>${t('churn.rate')}: ${pct(rates[i])}`;
        },
      },
      // One colour for both series (the solid line and its dashed part): ECharts' first.
      color: ['#5470c6'],
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: labels },
      // Ticks fall on half percents too: "1.5%", not a second "2%".
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Number((v * 100).toFixed(1))}%` } },
      // Straight segments: a smoothed curve overshoots between months (below 0 after a quiet one).
      series: [
        { type: 'line', name: t('churn.rate'), data: rates.map((r, i) => (partial[i] ? null : r)) },
        {
          type: 'line',
          name: t('churn.rate'),
          // The partial periods and the whole ones beside them, so the dashed part joins the line.
          data: rates.map((r, i) => (partial[i] || partial[i - 1] || partial[i + 1] ? r : null)),
          lineStyle: { type: 'dashed' },
          symbol: (_: unknown, p: { dataIndex: number }) => (partial[p.dataIndex] ? 'emptyCircle' : 'none'),
          symbolSize: 7,
          z: 1,
        },
      ],
    };
  }, [periods, stats.period, stats.from, stats.to, stats.as_of, t]);
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
