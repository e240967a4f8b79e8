import { describe, expect, it } from 'vitest';
import {
  daysOverdue,
  formatDate,
  formatMoney,
  formatPersonName,
  formatPhone,
  formatTimestamp,
} from './format';

describe('formatDate', () => {
  it('writes a date the Chinese way in zh-CN', () => {
    expect(formatDate('2026-11-23', 'zh-CN')).toBe('2026年11月23日');
    expect(formatDate('2026-01-05', 'zh-CN')).toBe('2026年1月5日');
  });
  it('keeps YYYY-MM-DD in English', () => {
    expect(formatDate('2026-11-23', 'en')).toBe('2026-11-23');
  });
  it('shows nothing for a missing date and the raw text for a malformed one', () => {
    expect(formatDate(null, 'zh-CN')).toBe('');
    expect(formatDate('23/11/2026', 'zh-CN')).toBe('23/11/2026');
  });
});

describe('formatTimestamp', () => {
  it('converts UTC to Shanghai time before formatting', () => {
    expect(formatTimestamp('2026-11-23T10:36:00.000Z', 'en')).toBe('2026-11-23 18:36');
    expect(formatTimestamp('2026-11-23T20:05:00Z', 'zh-CN')).toBe('2026年11月24日 04:05');
  });
  it('honours another time zone', () => {
    expect(formatTimestamp('2026-11-23T10:36:00.000Z', 'en', 'UTC')).toBe('2026-11-23 10:36');
  });
  it('returns invalid input unchanged', () => {
    expect(formatTimestamp('not a time', 'en')).toBe('not a time');
  });
  it('formats Shanghai and UTC times by arithmetic exactly as Intl does', () => {
    const viaIntl = (t: Date, timeZone: string) => {
      const f = new Intl.DateTimeFormat('en-CA', {
        timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
      const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
    };
    // Year and month ends, a leap day, and a pseudo-random sweep from 1992 to 2100.
    const times = ['1992-01-01T00:00:00Z', '1999-12-31T15:59:59Z', '1999-12-31T16:00:00Z', '2024-02-28T16:30:00Z',
      '2026-12-31T23:59:59.999Z', '2100-03-01T00:00:00Z'].map((s) => new Date(s));
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      times.push(new Date(Date.UTC(1992, 0, 1) + (x / 2147483648) * (Date.UTC(2100, 0, 1) - Date.UTC(1992, 0, 1))));
    }
    for (const t of times)
      for (const zone of ['Asia/Shanghai', 'UTC'])
        expect(`${zone} ${formatTimestamp(t.toISOString(), 'en', zone)}`).toBe(`${zone} ${viaIntl(t, zone)}`);
  });
  it('uses Intl for older Shanghai times (daylight saving until 1991) and other zones', () => {
    expect(formatTimestamp('1990-07-01T00:00:00Z', 'en')).toBe('1990-07-01 09:00'); // UTC+9 that summer
    expect(formatTimestamp('2026-07-01T12:00:00Z', 'en', 'America/New_York')).toBe('2026-07-01 08:00');
  });
});

describe('formatMoney', () => {
  it('shows yuan with two decimals and thousands separators', () => {
    expect(formatMoney(123456)).toBe('¥1,234.56');
    expect(formatMoney(0)).toBe('¥0.00');
    expect(formatMoney(5)).toBe('¥0.05');
    expect(formatMoney(100000000)).toBe('¥1,000,000.00');
  });
  it('puts the sign before the symbol', () => {
    expect(formatMoney(-250)).toBe('-¥2.50');
  });
  it('is exact beyond double precision', () => {
    expect(formatMoney(900719925474099312n)).toBe('¥9,007,199,254,740,993.12');
  });
  it('uses other currency symbols or codes', () => {
    expect(formatMoney(1999, 'USD')).toBe('$19.99');
    expect(formatMoney(1999, 'JPY')).toBe('JPY 19.99');
  });
});

describe('formatPersonName', () => {
  it('puts a Chinese surname first without a space', () => {
    expect(formatPersonName({ family_name: '王', given_name: '小明' })).toBe('王小明');
    expect(formatPersonName({ family_name: '欧阳', given_name: '娜娜' })).toBe('欧阳娜娜');
  });
  it('puts a Western given name first', () => {
    expect(formatPersonName({ family_name: 'Lovelace', given_name: 'Ada' })).toBe('Ada Lovelace');
  });
  it('prefers the composed name and copes with missing parts', () => {
    expect(formatPersonName({ name: '王小明', family_name: 'x', given_name: 'y' })).toBe('王小明');
    expect(formatPersonName({ family_name: '王', given_name: '' })).toBe('王');
    expect(formatPersonName({})).toBe('');
  });
});

describe('formatPhone', () => {
  it('groups Chinese mobile numbers 3-4-4', () => {
    expect(formatPhone('+8613812345678')).toBe('138 1234 5678');
  });
  it('leaves other numbers as they are', () => {
    expect(formatPhone('+14155550100')).toBe('+14155550100');
  });
});

describe('daysOverdue', () => {
  it('counts the days from a date already past to the figures date, else 0', () => {
    expect(daysOverdue('2026-10-29', '2026-12-07')).toBe(39);
    expect(daysOverdue('2026-12-31', '2026-12-07')).toBe(0);
    expect(daysOverdue('2026-12-07', '2026-12-07')).toBe(0);
    expect(daysOverdue('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysOverdue(null, '2026-12-07')).toBe(0);
    expect(daysOverdue('soon', '2026-12-07')).toBe(0);
  });
});
