import { describe, expect, it } from 'vitest';
import { MAX_FILLED_DAYS, fillDays, nothingToChart, partialPeriods } from './charts';

describe('nothingToChart', () => {
  it('is true for no values, all zeros or all missing', () => {
    expect(nothingToChart([])).toBe(true);
    expect(nothingToChart([0, 0, 0])).toBe(true);
    expect(nothingToChart([null, undefined, 0])).toBe(true);
  });
  it('is false as soon as one value is above zero', () => {
    expect(nothingToChart([0, 3, 0])).toBe(false);
    expect(nothingToChart([null, 1])).toBe(false);
  });
});

describe('fillDays', () => {
  const dates = (xs: { date: string }[]) => xs.map((x) => x.date);

  it('gives every day of [from, to) a count, 0 where the API sent none', () => {
    expect(fillDays([{ date: '2026-08-03', count: 2 }], '2026-08-01', '2026-08-05')).toEqual([
      { date: '2026-08-01', count: 0 },
      { date: '2026-08-02', count: 0 },
      { date: '2026-08-03', count: 2 },
      { date: '2026-08-04', count: 0 },
    ]);
  });

  it('fills a quiet range with zeros', () => {
    expect(fillDays([], '2026-08-01', '2026-08-08').map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('runs across month and year ends, February of a leap year included', () => {
    expect(dates(fillDays([], '2026-08-30', '2026-09-02'))).toEqual(['2026-08-30', '2026-08-31', '2026-09-01']);
    expect(dates(fillDays([], '2026-04-29', '2026-05-02'))).toEqual(['2026-04-29', '2026-04-30', '2026-05-01']);
    expect(dates(fillDays([], '2026-12-30', '2027-01-02'))).toEqual(['2026-12-30', '2026-12-31', '2027-01-01']);
    expect(dates(fillDays([], '2028-02-28', '2028-03-02'))).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(dates(fillDays([], '2027-02-28', '2027-03-02'))).toEqual(['2027-02-28', '2027-03-01']);
  });

  it('has one day for a range of one day', () => {
    expect(fillDays([{ date: '2026-08-31', count: 5 }], '2026-08-31', '2026-09-01')).toEqual([{ date: '2026-08-31', count: 5 }]);
    expect(fillDays([], '2026-08-31', '2026-09-01')).toEqual([{ date: '2026-08-31', count: 0 }]);
  });

  it('lists the days in date order whatever the order they came in', () => {
    const filled = fillDays(
      [{ date: '2026-09-02', count: 1 }, { date: '2026-08-30', count: 3 }, { date: '2026-09-01', count: 2 }],
      '2026-08-29', '2026-09-04',
    );
    expect(filled).toEqual([
      { date: '2026-08-29', count: 0 },
      { date: '2026-08-30', count: 3 },
      { date: '2026-08-31', count: 0 },
      { date: '2026-09-01', count: 2 },
      { date: '2026-09-02', count: 1 },
      { date: '2026-09-03', count: 0 },
    ]);
  });

  it('has each day of a year once', () => {
    // Days are counted on UTC dates, so a browser zone's daylight-saving change (Europe's on
    // 29 March and 25 October 2026) can neither skip a day nor repeat one.
    const year = fillDays([], '2026-01-01', '2027-01-01');
    expect(year).toHaveLength(365);
    expect(new Set(dates(year)).size).toBe(365);
    expect(year.at(-1)?.date).toBe('2026-12-31');
  });

  it('keeps the counts the API sent, those outside the range too', () => {
    const filled = fillDays(
      [{ date: '2026-07-31', count: 1 }, { date: '2026-08-02', count: 4 }, { date: '2026-08-02', count: 1 }],
      '2026-08-01', '2026-08-03',
    );
    expect(filled).toEqual([
      { date: '2026-07-31', count: 1 },
      { date: '2026-08-01', count: 0 },
      { date: '2026-08-02', count: 5 },
    ]);
  });

  it('fills nothing for an empty, reversed, malformed or too long range', () => {
    const sent = [{ date: '2026-08-02', count: 1 }];
    expect(fillDays(sent, '2026-08-02', '2026-08-02')).toEqual(sent);
    expect(fillDays(sent, '2026-08-05', '2026-08-01')).toEqual(sent);
    expect(fillDays(sent, '2026-02-30', '2026-03-02')).toEqual(sent);
    expect(fillDays(sent, '', '2026-08-05')).toEqual(sent);
    expect(fillDays(sent, '0001-01-01', '9999-12-31')).toEqual(sent);
    expect(fillDays([], '2000-01-01', '2100-01-01')).toHaveLength(0);
    expect(MAX_FILLED_DAYS).toBeGreaterThan(3 * 366);
  });
});

describe('partialPeriods', () => {
  const months = ['2025-12-01', '2026-01-01', '2026-11-01', '2026-12-01'];
  it('marks the month still running on the org’s today, and no other', () => {
    expect(partialPeriods(months, 1, '2025-12-01', '2027-01-01', '2026-12-07')).toEqual([false, false, false, true]);
    // On the first of a month the month before is over; the new one has begun.
    expect(partialPeriods(months, 1, '2025-12-01', '2027-01-01', '2026-12-01')).toEqual([false, false, false, true]);
    // A month that ended yesterday is whole.
    expect(partialPeriods(months, 1, '2025-12-01', '2026-12-01', '2026-12-01')).toEqual([false, false, false, true]);
  });
  it('marks periods the range cuts at either end', () => {
    expect(partialPeriods(['2026-01-01', '2026-02-01', '2026-03-01'], 1, '2026-01-15', '2026-03-20', '2026-12-07'))
      .toEqual([true, false, true]);
  });
  it('handles quarters across a year end', () => {
    expect(partialPeriods(['2026-07-01', '2026-10-01'], 3, '2026-07-01', '2027-01-01', '2026-12-07')).toEqual([false, true]);
    expect(partialPeriods(['2026-07-01', '2026-10-01'], 3, '2026-07-01', '2027-01-01', '2027-01-01')).toEqual([false, false]);
  });
});
