// The customer list's view as it lives in the URL (/customers?q=…&sort=…), shared by the list
// page and boot.ts, which asks for the first page before the app has even started: both must
// build exactly the same query, or the early answer would go unused.
import type { CustomerQuery } from '../api/hooks';

export const FILTER_KEYS = ['q', 'category', 'lifecycle_stage', 'relationship_level', 'owner_id', 'tag', 'sort'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export const PAGE_SIZE = 25;

/** Every row of a short reference list (users, categories, saved views) in one page. */
export const WHOLE_LIST = { limit: 500 };
/**
 * The lists the customer list shows beside its rows (owners' names, categories' names, the saved
 * views). boot.ts asks for them with the first page, so the first render has them: without them
 * the first paint showed owners as `#3` and categories as their keys, and the page and its table
 * rendered again once they came (60-95 ms in React's profiling build on a 2-core machine).
 */
export const LIST_PAGE_REFERENCES = ['/users', '/categories', '/saved-views'] as const;

/** The filters of the list URL's search part; empty values are left out. */
export function filtersFromSearch(params: URLSearchParams): CustomerQuery {
  const f: CustomerQuery = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (!v) continue;
    if (k === 'owner_id') f.owner_id = Number(v);
    else f[k] = v;
  }
  return f;
}

/** The query of one page of the list: the filters, the page size and the page's cursor. */
export function pageQuery(filters: CustomerQuery, cursor?: string): CustomerQuery {
  return { ...filters, limit: PAGE_SIZE, cursor };
}
