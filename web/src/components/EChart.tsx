// One ECharts canvas for the value pages (heatmap, bars, lines, gauge). ECharts is loaded with
// the lazily loaded pages that use it, not on the first route.
import { useEffect, useRef } from 'react';
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
}

export default function EChart({ option, height = 320, testId, onClick }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current);
    chart.setOption(option);
    if (onClick) chart.on('click', (p) => onClick(p as { data?: unknown; dataIndex?: number }));
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [option, onClick]);
  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testId} />;
}
