import { describe, expect, it } from 'vitest';
import { businessMillis, formatDuration, isWorkingDay, orgYear, yearsWithoutHolidays, type BusinessCalendar } from './businessTime';

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

describe('yearsWithoutHolidays', () => {
  const at = (s: string) => Date.parse(s);
  it('names the year on screen when it lists no day, and next year from October on', () => {
    // 2026-12-02 in Shanghai: 2027's notice is due.
    expect(yearsWithoutHolidays(at('2026-12-02T10:00:00+08:00'), 480, 2026, { 2026: 30, 2027: 0 })).toEqual([2027]);
    expect(yearsWithoutHolidays(at('2026-12-02T10:00:00+08:00'), 480, 2026, { 2026: 30, 2027: 12 })).toEqual([]);
    // In June next year is not due yet; the shown year is what is missing.
    expect(yearsWithoutHolidays(at('2026-06-01T10:00:00+08:00'), 480, 2026, { 2026: 0, 2027: 0 })).toEqual([2026]);
    expect(yearsWithoutHolidays(at('2026-06-01T10:00:00+08:00'), 480, 2025, { 2025: 0, 2027: 0 })).toEqual([2025]);
    // Both, once each, in order; and the next year shown on screen is named once.
    expect(yearsWithoutHolidays(at('2026-11-01T10:00:00+08:00'), 480, 2025, { 2025: 0, 2027: 0 })).toEqual([2025, 2027]);
    expect(yearsWithoutHolidays(at('2026-11-01T10:00:00+08:00'), 480, 2027, { 2027: 0 })).toEqual([2027]);
  });
  it('takes today in the org\'s offset and says nothing while a year loads', () => {
    // 2026-09-30 16:30 UTC is already October 1st in Shanghai, still September in UTC.
    expect(yearsWithoutHolidays(at('2026-09-30T16:30:00Z'), 480, 2026, { 2026: 30, 2027: 0 })).toEqual([2027]);
    expect(yearsWithoutHolidays(at('2026-09-30T16:30:00Z'), 0, 2026, { 2026: 30, 2027: 0 })).toEqual([]);
    expect(yearsWithoutHolidays(at('2026-12-02T10:00:00+08:00'), 480, 2026, { 2026: 30 })).toEqual([]);
    // New Year's Eve 17:00 UTC is already 2027 in Shanghai (January: 2028 is not due yet);
    // 15:00 UTC is still December 2026 there, and 2027 is due.
    expect(orgYear(at('2026-12-31T17:00:00Z'), 480)).toBe(2027);
    expect(orgYear(at('2026-12-31T17:00:00Z'), 0)).toBe(2026);
    expect(yearsWithoutHolidays(at('2026-12-31T17:00:00Z'), 480, 2027, { 2027: 30, 2028: 0 })).toEqual([]);
    expect(yearsWithoutHolidays(at('2026-12-31T15:00:00Z'), 480, 2026, { 2026: 30, 2027: 0 })).toEqual([2027]);
  });
});
