// Business time in the browser, mirroring src/domain/service/calendar.cc: the live SLA clock
// counts the org's working hours only (holidays off, make-up days on), in the org's UTC offset.
export interface BusinessCalendar {
  utcOffsetMinutes: number;
  weekdays: number[]; // 0 = Sunday
  startMinute: number;
  endMinute: number;
  days: Record<string, 'holiday' | 'workday'>; // YYYY-MM-DD (local) -> kind
}

const DAY = 86_400_000;
const MIN = 60_000;

function dateKey(localDays: number): string {
  return new Date(localDays * DAY).toISOString().slice(0, 10);
}

export function isWorkingDay(cal: BusinessCalendar, localDays: number): boolean {
  const kind = cal.days[dateKey(localDays)];
  if (kind) return kind === 'workday';
  const wd = (((localDays % 7) + 7 + 4) % 7); // 1970-01-01 was a Thursday
  return cal.weekdays.includes(wd);
}

/** Business milliseconds in [from, to) (epoch ms). */
export function businessMillis(cal: BusinessCalendar, from: number, to: number): number {
  if (to <= from || cal.endMinute <= cal.startMinute) return 0;
  const off = cal.utcOffsetMinutes * MIN;
  const lf = from + off;
  const lt = to + off;
  let total = 0;
  for (let d = Math.floor(lf / DAY); d * DAY < lt; d++) {
    if (!isWorkingDay(cal, d)) continue;
    const a = Math.max(d * DAY + cal.startMinute * MIN, lf);
    const b = Math.min(d * DAY + cal.endMinute * MIN, lt);
    if (b > a) total += b - a;
  }
  return total;
}

/** "3 h 05 min" / "5 min" for a business-time duration (sign ignored). */
export function formatDuration(ms: number, lang: 'zh-CN' | 'en'): string {
  const m = Math.floor(Math.abs(ms) / MIN);
  const h = Math.floor(m / 60);
  const mm = m % 60;
  if (lang === 'zh-CN') return h ? `${h} 小时 ${mm} 分` : `${mm} 分钟`;
  return h ? `${h} h ${String(mm).padStart(2, '0')} min` : `${mm} min`;
}

/** The calendar year of an instant in the org's UTC offset (not the browser's time zone). */
export function orgYear(now: number, utcOffsetMinutes: number): number {
  return new Date(now + utcOffsetMinutes * MIN).getUTCFullYear();
}

/**
 * The years whose holidays and make-up working days are missing where they matter: the year on
 * screen, and from October on next year as well (the State Council's notice usually comes out in
 * November). A year without listed days counts as plain weekdays on the SLA clocks, so a
 * forgotten year silently puts the Spring Festival on the clock. `dayCounts[year]` is how many
 * days the year lists, undefined while it loads (no warning then). Today is taken in the org's
 * UTC offset.
 */
export function yearsWithoutHolidays(
  now: number,
  utcOffsetMinutes: number,
  shownYear: number,
  dayCounts: Partial<Record<number, number>>,
): number[] {
  const today = new Date(now + utcOffsetMinutes * MIN);
  const years = [shownYear];
  if (today.getUTCMonth() >= 9) years.push(orgYear(now, utcOffsetMinutes) + 1);
  return [...new Set(years)].filter((y) => dayCounts[y] === 0).sort((a, b) => a - b);
}
