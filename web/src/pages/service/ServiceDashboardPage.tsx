// The service dashboard: volume, SLA compliance, response and resolution times, CSAT, NPS, and
// requests per day, in ECharts.
import { useMemo, useState } from 'react';
import { Card, Col, DatePicker, Row, Space, Statistic } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { serviceKeys, useComplaintCategories, type ServiceStats } from '../../api/service';
import EChart from '../../components/EChart';
import { categoryLabel, enumLabel } from '../../components/labels';
import { fillDays, nothingToChart } from '../../lib/charts';
import { formatDate } from '../../lib/format';
import { useLang } from '../../App';

// The API keys the counts by category key, channel code and team name ("none": no team).
// Horizontal bars, largest on top: every name is readable (under columns ECharts hid all but a
// few of "Counterfeit suspicion", "Pricing"...).
const bars = (m: Record<string, number>, label: (key: string) => string) => {
  const entries = Object.entries(m).sort((a, b) => a[1] - b[1]);
  return {
    tooltip: {},
    grid: { left: 16, right: 24, top: 8, bottom: 24, containLabel: true },
    yAxis: { type: 'category', data: entries.map(([k]) => label(k)) },
    xAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: entries.map(([, v]) => v), barMaxWidth: 28, itemStyle: { color: '#1677ff' } }],
  };
};

export default function ServiceDashboardPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const cats = useComplaintCategories().data?.items;
  // The picker's days are inclusive (the last 30 days and today by default); the API's `to` is
  // the day after the last one counted.
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(30, 'day'), dayjs()]);
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].add(1, 'day').format('YYYY-MM-DD');
  const q = useQuery({
    queryKey: serviceKeys.stats(from, to),
    queryFn: ({ signal }) => api.get<ServiceStats>('/service/stats', { from, to }, signal),
  });
  const s = q.data;
  // Built once per answer and language, so other re-renders (the range picker) do not rebuild charts.
  const charts = useMemo(() => {
    if (!s) return null;
    // The API lists only the days with complaints; the line has a point (0) on every day too.
    const perDay = fillDays(s.requests_per_day, from, to);
    return {
      perDayCounts: perDay.map((d) => d.count),
      perDay: {
        tooltip: {}, grid: { left: 40, right: 16, top: 16, bottom: 40 },
        xAxis: { type: 'category', data: perDay.map((d) => formatDate(d.date, lang)) },
        yAxis: { type: 'value', minInterval: 1 },
        // Counts of whole days: columns, not a smoothed curve that dips between them.
        series: [{ type: 'bar', data: perDay.map((d) => d.count), itemStyle: { color: '#1677ff' } }],
      },
      category: bars(s.by_category, (key) => categoryLabel(key, cats, lang)),
      channel: bars(s.by_channel, (c) => enumLabel('service.channels', c, t)),
      team: bars(s.by_team, (name) => (name === 'none' ? t('service.stats.noTeam') : name)),
    };
  }, [s, from, to, cats, lang, t]);
  const hours = (ms: number | null | undefined) => (ms == null ? '—' : (ms / 3_600_000).toFixed(1));
  // No figure, no unit: "—" alone rather than "— business h".
  const hoursUnit = (ms: number | null | undefined) => (ms == null ? undefined : t('service.stats.hours'));
  // Statistic prints a number as given: 2 of 3 within target would read 66.66666666666667 %.
  const round = (x: number | null | undefined, digits: number) => (x == null ? '—' : Number(x.toFixed(digits)));
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card title={t('service.dashboard')} extra={
        <DatePicker.RangePicker value={range} onChange={(v) => v && v[0] && v[1] && setRange([v[0], v[1]])} />}>
        <Row gutter={16} data-testid="service-stats">
          {/* "—" until the figures are in, not a 0 that reads as "no complaints". */}
          <Col span={4}><Statistic title={t('service.stats.total')} value={s ? s.total : '—'} /></Col>
          <Col span={4}><Statistic title={t('service.stats.compliance')} value={round(s?.sla_compliance_pct, 1)} suffix={s?.sla_compliance_pct != null ? '%' : undefined} /></Col>
          <Col span={4}><Statistic title={t('service.stats.firstResponse')} value={hours(s?.mean_first_response_ms)} suffix={hoursUnit(s?.mean_first_response_ms)} /></Col>
          <Col span={4}><Statistic title={t('service.stats.resolutionTime')} value={hours(s?.mean_resolution_ms)} suffix={hoursUnit(s?.mean_resolution_ms)} /></Col>
          <Col span={4}><Statistic title={t('service.stats.csat')} value={round(s?.csat_average, 2)} /></Col>
          <Col span={4}><Statistic title={t('service.stats.nps')} value={round(s?.nps, 1)} /></Col>
        </Row>
      </Card>
      {s && charts && (
        <Row gutter={[16, 16]}>
          {([
            ['perDay', 'chart-per-day', charts.perDay, charts.perDayCounts],
            ['byCategory', 'chart-category', charts.category, Object.values(s.by_category)],
            ['byChannel', 'chart-channel', charts.channel, Object.values(s.by_channel)],
            ['byTeam', 'chart-team', charts.team, Object.values(s.by_team)],
          ] as const).map(([title, testId, option, counts]) => (
            <Col key={testId} xs={24} lg={12}>
              <Card title={t(`service.stats.${title}`)}>
                <EChart height={260} testId={testId} option={option} empty={nothingToChart(counts)} emptyText={t('service.stats.noData')} />
              </Card>
            </Col>
          ))}
        </Row>
      )}
    </Space>
  );
}
