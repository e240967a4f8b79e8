// How Kehu shows dates, money and names: the way Chinese users expect in zh-CN, plain ISO-like
// forms in English. Pure functions (no React), unit-tested in format.test.ts.

export type Lang = 'zh-CN' | 'en';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A business date "YYYY-MM-DD" as "2026年11月23日" (zh-CN) or "2026-11-23" (en). */
export function formatDate(date: string | null | undefined, lang: Lang): string {
  if (!date) return '';
  const m = DATE_RE.exec(date);
  if (!m) return date;
  return lang === 'zh-CN' ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

// Intl.DateTimeFormat is costly to build (~0.1 ms each, and the first one with a time zone loads
// ICU's zone data: ~110 ms of a cold list page on a slow host), so there is one per time zone,
// built on first use, and the zones with one fixed offset over the years a CRM shows need none.
const TIMESTAMP_FORMATS = new Map<string, Intl.DateTimeFormat>();

function timestampFormat(timeZone: string): Intl.DateTimeFormat {
  let f = TIMESTAMP_FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    TIMESTAMP_FORMATS.set(timeZone, f);
  }
  return f;
}

const HOUR_MS = 3_600_000;

/**
 * Zones whose UTC offset has been constant since `since` (ms): China has had UTC+8 all year since
 * its last daylight-saving summer ended on 1991-09-15 (the IANA database), so a timestamp after
 * that is formatted by arithmetic, exactly as Intl would (format.test.ts compares the two).
 */
const FIXED_OFFSETS: Record<string, { offsetMs: number; since: number }> = {
  'Asia/Shanghai': { offsetMs: 8 * HOUR_MS, since: Date.UTC(1992, 0, 1) },
  UTC: { offsetMs: 0, since: -8.64e15 },
  'Etc/UTC': { offsetMs: 0, since: -8.64e15 },
};

const two = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DD" and "HH:MM" of instant `t` in `timeZone`. */
function localParts(t: Date, timeZone: string): [date: string, time: string] {
  const fixed = FIXED_OFFSETS[timeZone];
  if (fixed && t.getTime() >= fixed.since) {
    const l = new Date(t.getTime() + fixed.offsetMs);
    const y = l.getUTCFullYear();
    const year = y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : String(y);
    return [`${year}-${two(l.getUTCMonth() + 1)}-${two(l.getUTCDate())}`, `${two(l.getUTCHours())}:${two(l.getUTCMinutes())}`];
  }
  const parts = timestampFormat(timeZone).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return [`${get('year')}-${get('month')}-${get('day')}`, `${get('hour')}:${get('minute')}`];
}

/**
 * An RFC 3339 timestamp shown in `timeZone` (default Asia/Shanghai, the org's zone):
 * "2026年11月23日 18:36" (zh-CN) or "2026-11-23 18:36" (en). Invalid input is returned as is.
 */
export function formatTimestamp(
  iso: string | null | undefined,
  lang: Lang,
  timeZone = 'Asia/Shanghai',
): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const [date, time] = localParts(t, timeZone);
  return `${formatDate(date, lang)} ${time}`;
}

const CURRENCY_SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€', HKD: 'HK$' };

/**
 * Money held as integer minor units (fen) shown with its symbol, thousands separators and two
 * decimals: 123456 → "¥1,234.56", -5 → "-¥0.05". Integer arithmetic only, so no float rounding.
 */
export function formatMoney(minorUnits: number | bigint, currency = 'CNY'): string {
  let v = BigInt(minorUnits);
  const negative = v < 0n;
  if (negative) v = -v;
  const major = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const minor = (v % 100n).toString().padStart(2, '0');
  const symbol = CURRENCY_SYMBOLS[currency] ?? `${currency} `;
  return `${negative ? '-' : ''}${symbol}${major}.${minor}`;
}

const CJK_RE = /[\u3400-\u9fff\uf900-\ufaff]/;

/** True when the text contains Chinese (Han) characters. */
export function hasHan(text: string): boolean {
  return CJK_RE.test(text);
}

/**
 * One display name for a person: Chinese names surname first with no space (王 + 小明 →
 * "王小明"), Western names given name first ("Ada Lovelace"). A non-empty `name` wins, as the
 * server already composed it.
 */
export function formatPersonName(p: {
  name?: string | null;
  family_name?: string | null;
  given_name?: string | null;
}): string {
  const name = (p.name ?? '').trim();
  if (name) return name;
  const family = (p.family_name ?? '').trim();
  const given = (p.given_name ?? '').trim();
  if (!family || !given) return family || given;
  if (hasHan(family) || hasHan(given)) return `${family}${given}`;
  return `${given} ${family}`;
}

/**
 * A phone in E.164 shown for reading: +86 mobile numbers as "138 1234 5678", others unchanged.
 */
export function formatPhone(e164: string): string {
  const m = /^\+86(1\d{2})(\d{4})(\d{4})$/.exec(e164);
  return m ? `${m[1]} ${m[2]} ${m[3]}` : e164;
}

/** Midnight UTC of calendar date "YYYY-MM-DD" in ms, or null for anything else ("2026-02-30"). */
export function dayNumber(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayString(d.getTime()) === date ? d.getTime() : null;
}

/** "YYYY-MM-DD" of a UTC midnight in ms (dayNumber's inverse). */
export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Whole days from `due` to `asOf` (both YYYY-MM-DD) when `due` is before `asOf`, else 0: how late
 * an expected date is on the day the figures were computed. 0 for anything that is not a date.
 */
export function daysOverdue(due: string | null | undefined, asOf: string | null | undefined): number {
  const a = dayNumber(due ?? '');
  const b = dayNumber(asOf ?? '');
  if (a === null || b === null) return 0;
  return b > a ? (b - a) / 86_400_000 : 0;
}
