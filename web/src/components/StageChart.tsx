// ECharts, loaded only when the user opens the chart (it is ~300 KB gzip; not on the first route).
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STAGES, type Customer } from '../api/types';
import { enumLabel } from './labels';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export default function StageChart({ customers }: { customers: Customer[] }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    const counts = LIFECYCLE_STAGES.map((s) => customers.filter((c) => c.lifecycle_stage === s).length);
    chart.setOption({
      tooltip: {},
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: LIFECYCLE_STAGES.map((s) => enumLabel('customer.stages', s, t)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: counts, itemStyle: { color: '#1677ff' } }],
    });
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [customers, t]);

  // No customers on the page: nothing to count, rather than six empty bars.
  if (customers.length === 0) {
    return (
      <div style={{ height: 220, display: 'flex', alignItems: 'center', justifyContent: 'center' }} data-testid="stage-chart" data-empty="true">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      </div>
    );
  }
  return <div ref={ref} style={{ height: 220, width: '100%' }} data-testid="stage-chart" />;
}
