// Small decisions about chart data, kept out of the components so they can be unit-tested.
import { dayNumber, dayString } from './format';

/** True when there is nothing to draw: no values, or none above zero (all-zero bars, no scores). */
export function nothingToChart(values: readonly (number | null | undefined)[]): boolean {
  return !values.some((v) => v != null && v > 0);
}

/** One day's count in a per-day series ("YYYY-MM-DD", as the API sends it). */
export interface DayCount {
  date: string;
  count: number;
}

const DAY_MS = 86_400_000;
/** No more days than this are filled in (27 years): a range beyond it keeps the days it has. */
export const MAX_FILLED_DAYS = 10_000;

/**
 * The per-day series with every calendar day from `from` up to but not including `to` (the
 * service API's [from, to) range of local dates), 0 on the days `counts` lacks, in date order;
 * the API lists only days with something on them, so a line over its points alone skipped the
 * quiet days. Calendar arithmetic on the date strings (in UTC), so a daylight-saving change in the
 * browser's zone neither skips nor repeats a day. Entries outside the range are kept, in order.
 * An empty or malformed range, or one longer than MAX_FILLED_DAYS, fills nothing.
 */
export function fillDays(counts: readonly DayCount[], from: string, to: string): DayCount[] {
  const byDay = new Map<string, number>();
  for (const c of counts) byDay.set(c.date, (byDay.get(c.date) ?? 0) + c.count);
  const start = dayNumber(from);
  const end = dayNumber(to);
  if (start != null && end != null && end > start && (end - start) / DAY_MS <= MAX_FILLED_DAYS) {
    for (let t = start; t < end; t += DAY_MS) {
      const day = dayString(t);
      if (!byDay.has(day)) byDay.set(day, 0);
    }
  }
  // "YYYY-MM-DD" strings sort as their dates do.
  return [...byDay.keys()].sort().map((date) => ({ date, count: byDay.get(date) ?? 0 }));
}

/** "YYYY-MM-DD" + `months` calendar months, as "YYYY-MM-01" (period starts are firsts of months). */
function addMonths(start: string, months: number): string {
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7)) - 1 + months;
  const year = y + Math.floor(m / 12);
  return `${String(year).padStart(4, '0')}-${String((m % 12) + 1).padStart(2, '0')}-01`;
}

/**
 * For each churn-rate period (its start "YYYY-MM-DD", `months` long), whether its rate covers only
 * part of it: the period starts before `from` or ends after `to` (the statistics' [from, to)
 * range), or ends after `asOf`, the org's today — the current month's rate counts the days so far,
 * so it reads lower than a whole month's and must not look like a fall in churn.
 */
export function partialPeriods(
  keys: readonly string[], months: number, from: string, to: string, asOf: string,
): boolean[] {
  // "YYYY-MM-DD" strings compare as their dates do.
  return keys.map((start) => {
    const end = addMonths(start, months);
    return start < from || end > to || end > asOf;
  });
}
