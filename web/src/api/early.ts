// Requests started before the app has loaded (boot.ts), so that the network and the server work
// while the browser is still parsing and running the big script chunks. The app takes each
// answer once, by the same path and query, instead of asking again; anything not taken within
// EARLY_TTL_MS is dropped, so a late consumer never gets a stale answer.
import { buildUrl, request } from './client';

type Query = Record<string, string | number | boolean | null | undefined>;

const EARLY_TTL_MS = 10_000;
const started = new Map<string, { at: number; promise: Promise<unknown> }>();

/** The key of a GET: its URL with the non-empty query parameters in sorted order. */
export function earlyKey(path: string, query?: Query): string {
  const sorted: Query = {};
  for (const k of Object.keys(query ?? {}).sort()) sorted[k] = query![k];
  return buildUrl(path, sorted);
}

/** Starts GET path?query now. A failure is kept for the taker; it is never an unhandled rejection. */
export function startEarly(path: string, query?: Query, now = Date.now()): void {
  const promise = request<unknown>('GET', path, { query });
  promise.catch(() => {});
  started.set(earlyKey(path, query), { at: now, promise });
}

/** The early answer to GET path?query, once; undefined when none was started or it is too old. */
export function takeEarly<T>(path: string, query?: Query, now = Date.now()): Promise<T> | undefined {
  const key = earlyKey(path, query);
  const e = started.get(key);
  if (!e) return undefined;
  started.delete(key);
  return now - e.at <= EARLY_TTL_MS ? (e.promise as Promise<T>) : undefined;
}

/**
 * Waits at most `ms` for the requests started so far and returns (and forgets) the answers that
 * succeeded by then, by key. The app seeds its cache with them before its first render, so the
 * first paint already shows the data. Failures and late answers stay for takeEarly.
 */
export async function settleEarly(ms: number): Promise<Map<string, unknown>> {
  const done = new Map<string, unknown>();
  const waits = [...started.entries()].map(([k, e]) => e.promise.then((v) => void done.set(k, v)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(waits),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  const out = new Map<string, unknown>();
  for (const [k, v] of done) {
    // Only what is still waiting to be taken: a key taken meanwhile was already used.
    if (started.delete(k)) out.set(k, v);
  }
  return out;
}

/** Forgets every early request: their answers belong to the session that was current before. */
export function dropEarly(): void {
  started.clear();
}
