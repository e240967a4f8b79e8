// Churn-rate trend (line) and reason distribution (pie), ECharts loaded with the churn page only.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { useTranslation } from 'react-i18next';
import type { ChurnStats } from '../api/orders';

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

export function ChurnTrendChart({ stats }: { stats: ChurnStats }) {
  const { t } = useTranslation();
  const periods = stats.periods ?? [];
  const ref = useChart({
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${(v * 100).toFixed(1)}%` },
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: periods.map((p) => (p.key ?? '').slice(0, 7)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${(v * 100).toFixed(0)}%` } },
    series: [{ type: 'line', name: t('churn.rate'), data: periods.map((p) => p.rate ?? 0), smooth: true }],
  });
  return <div ref={ref} style={{ height: 240, width: '100%' }} data-testid="churn-trend" />;
}

export function ChurnReasonChart({ stats }: { stats: ChurnStats }) {
  const { t } = useTranslation();
  const ref = useChart({
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['35%', '65%'],
        data: (stats.reasons ?? [])
          .filter((r) => (r.count ?? 0) > 0)
          .map((r) => ({ name: t(`churn.reasons.${r.reason}`), value: r.count })),
      },
    ],
  });
  return <div ref={ref} style={{ height: 240, width: '100%' }} data-testid="churn-reasons" />;
}
