// One ECharts canvas for the value pages (heatmap, bars, lines, gauge). ECharts is loaded with
// the lazily loaded pages that use it, not on the first route. With `empty` it shows Ant Design's
// <Empty> at the chart's height instead of bare axes (the test id stays on that empty state).
import { useEffect, useRef, type ReactNode } from 'react';
import { Empty } from 'antd';
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  GridComponent, MarkLineComponent, TooltipComponent, VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GaugeChart, HeatmapChart, LineChart, GridComponent, MarkLineComponent, TooltipComponent,
  VisualMapComponent, CanvasRenderer]);

export interface EChartProps {
  option: Record<string, unknown>;
  height?: number;
  testId?: string;
  onClick?: (params: { data?: unknown; dataIndex?: number }) => void;
  /** No data to draw: an Empty state instead of the chart. */
  empty?: boolean;
  /** The Empty state's text; Ant Design's localized "no data" by default. */
  emptyText?: ReactNode;
}

export default function EChart({ option, height = 320, testId, onClick, empty = false, emptyText }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (empty || !ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(option);
    if (onClick) chart.on('click', (p) => onClick(p as { data?: unknown; dataIndex?: number }));
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [option, onClick, empty]);
  if (empty) {
    return (
      <div
        style={{ height, width: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center' }}
        data-testid={testId}
        data-empty="true"
      >
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} />
      </div>
    );
  }
  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testId} />;
}
