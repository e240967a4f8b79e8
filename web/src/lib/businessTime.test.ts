import { describe, expect, it } from 'vitest';
import { businessMillis, formatDuration, isWorkingDay, type BusinessCalendar } from './businessTime';

const cal: BusinessCalendar = {
  utcOffsetMinutes: 480,
  weekdays: [1, 2, 3, 4, 5],
  startMinute: 540,
  endMinute: 1080,
  days: { '2026-02-14': 'workday', '2026-02-16': 'holiday', '2026-02-17': 'holiday' },
};
const t = (s: string) => Date.parse(s);

describe('businessMillis', () => {
  it('counts working hours only, in Shanghai time', () => {
    // Fri 17:00 -> Tue 10:00 with Sat 14th a make-up day and Mon 16th, Tue 17th holidays: 1 + 9 h,
    // and Wed 18th is not reached.
    expect(businessMillis(cal, t('2026-02-13T17:00:00+08:00'), t('2026-02-17T10:00:00+08:00'))).toBe(10 * 3_600_000);
    expect(businessMillis(cal, t('2026-11-23T18:00:00+08:00'), t('2026-11-24T09:00:00+08:00'))).toBe(0);
    expect(businessMillis(cal, t('2026-11-23T23:00:00Z'), t('2026-11-24T03:00:00Z'))).toBe(2 * 3_600_000);
  });
  it('knows make-up days and weekends', () => {
    const days = (s: string) => Math.floor((t(s) + 8 * 3_600_000) / 86_400_000);
    expect(isWorkingDay(cal, days('2026-02-14T12:00:00+08:00'))).toBe(true);
    expect(isWorkingDay(cal, days('2026-02-15T12:00:00+08:00'))).toBe(false);
    expect(isWorkingDay(cal, days('2026-02-16T12:00:00+08:00'))).toBe(false);
  });
  it('formats durations', () => {
    expect(formatDuration(65 * 60_000, 'en')).toBe('1 h 05 min');
    expect(formatDuration(-5 * 60_000, 'zh-CN')).toBe('5 分钟');
  });
});
