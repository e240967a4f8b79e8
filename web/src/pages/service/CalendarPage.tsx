// Holiday-calendar admin: working hours, and each year's holidays and make-up working days (调休).
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, DatePicker, Input, InputNumber, Select, Space, Table, TimePicker } from 'antd';
import dayjs from 'dayjs';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { put, useCalendar, type CalendarDay } from '../../api/service';
import { orgYear, yearsWithoutHolidays } from '../../lib/businessTime';

export default function CalendarPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [year, setYear] = useState(new Date().getFullYear());
  const cal = useCalendar(year);
  const offset = cal.data?.hours.utc_offset_minutes ?? 480;
  const nextYear = orgYear(Date.now(), offset) + 1;
  const next = useCalendar(nextYear);
  const [days, setDays] = useState<CalendarDay[]>([]);
  const [hours, setHours] = useState({ start: '09:00', end: '18:00', weekdays: [1, 2, 3, 4, 5] });
  // A year's rows are that year's only: while another year loads, the list is empty and cannot be
  // saved (it used to keep the previous year's rows under the new year, and saving them was
  // refused: dates outside the year).
  useEffect(() => {
    setDays(cal.data?.days ?? []);
    if (!cal.data) return;
    setHours({ start: cal.data.hours.start, end: cal.data.hours.end, weekdays: cal.data.hours.weekdays ?? [] });
  }, [cal.data]);
  const fail = (e: unknown) =>
    message.error(e instanceof ApiError ? Object.entries(e.fieldErrors).map(([f, m]) => `${f}: ${m}`).join('; ') || e.problem.title : String(e));
  const names = t('service.cal.weekdayNames').split(',');
  const missing = yearsWithoutHolidays(Date.now(), offset, year, {
    [nextYear]: next.data?.days.length,
    [year]: cal.data?.days.length,
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      {missing.map((y) => (
        <Alert key={y} type="warning" showIcon data-testid="calendar-missing-year"
          message={t('service.cal.missingYear', { year: y })}
          action={y !== year ? <Button size="small" onClick={() => setYear(y)}>{t('service.cal.showYear', { year: y })}</Button> : undefined} />
      ))}
      <Card title={t('service.cal.hours')} extra={<Button type="primary" onClick={async () => {
        try {
          await put('/service/calendar/hours', { ...hours, time_zone: 'Asia/Shanghai', utc_offset_minutes: 480 });
          await qc.invalidateQueries({ queryKey: ['service-calendar'] });
          message.success(t('common.save'));
        } catch (e) { fail(e); }
      }}>{t('common.save')}</Button>}>
        <Space wrap>
          {t('service.cal.start')}
          <TimePicker format="HH:mm" value={dayjs(hours.start, 'HH:mm')} onChange={(v) => v && setHours({ ...hours, start: v.format('HH:mm') })} />
          {t('service.cal.end')}
          <TimePicker format="HH:mm" value={dayjs(hours.end, 'HH:mm')} onChange={(v) => v && setHours({ ...hours, end: v.format('HH:mm') })} />
          {t('service.cal.weekdays')}
          <Checkbox.Group value={hours.weekdays} onChange={(v) => setHours({ ...hours, weekdays: v as number[] })}
            options={names.map((n, i) => ({ label: n, value: i }))} />
        </Space>
      </Card>
      <Card title={<Space>{t('service.calendar')}<InputNumber value={year} min={1970} max={9999} onChange={(v) => v && setYear(Number(v))} data-testid="calendar-year" /></Space>}
        extra={<Space>
          <Button disabled={!cal.data} onClick={() => setDays([...days, { date: `${year}-01-01`, kind: 'holiday', name: '' }])}>{t('service.cal.addDay')}</Button>
          <Button type="primary" data-testid="save-year" disabled={!cal.data} onClick={async () => {
            try {
              await put(`/service/calendar/${year}`, { days });
              await qc.invalidateQueries({ queryKey: ['service-calendar'] });
              message.success(t('common.save'));
            } catch (e) { fail(e); }
          }}>{t('service.cal.saveYear')}</Button></Space>}>
        <Table<CalendarDay & { i: number }>
          rowKey="i" size="small" pagination={false} loading={cal.isLoading} data-testid="calendar-days"
          dataSource={days.map((d, i) => ({ ...d, i }))}
          columns={[
            { title: t('service.cal.date'), render: (_, d) => (
              <DatePicker value={dayjs(d.date)} onChange={(v) => v && setDays(days.map((x, j) => (j === d.i ? { ...x, date: v.format('YYYY-MM-DD') } : x)))} />) },
            { title: t('service.cal.kind'), render: (_, d) => (
              <Select value={d.kind} style={{ width: 200 }} onChange={(v) => setDays(days.map((x, j) => (j === d.i ? { ...x, kind: v } : x)))}
                options={[{ value: 'holiday', label: t('service.cal.holiday') }, { value: 'workday', label: t('service.cal.workday') }]} />) },
            { title: t('service.cal.name'), render: (_, d) => (
              <Input value={d.name} onChange={(e) => setDays(days.map((x, j) => (j === d.i ? { ...x, name: e.target.value } : x)))} />) },
            { title: '', render: (_, d) => <Button danger size="small" onClick={() => setDays(days.filter((_, j) => j !== d.i))}>{t('common.delete')}</Button> },
          ]}
        />
      </Card>
    </Space>
  );
}
