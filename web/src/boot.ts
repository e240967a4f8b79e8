// The first script of index.html: tiny (no React, no Ant Design), so it runs while the app's big
// chunks are still being fetched and parsed. On the customer list (the usual first page) it asks
// who is signed in and for the first page of the list right away; the app then takes those
// answers (api/early.ts) instead of asking once React has started, which saves the parse time of
// the bundle on the way to the first rows.
import { startEarly } from './api/early';
import { LIST_PAGE_REFERENCES, WHOLE_LIST, filtersFromSearch, pageQuery } from './lib/listQuery';

if (location.pathname === '/customers' || location.pathname === '/') {
  startEarly('/auth/me');
  startEarly('/customers', { ...pageQuery(filtersFromSearch(new URLSearchParams(location.search))) });
  for (const path of LIST_PAGE_REFERENCES) startEarly(path, WHOLE_LIST);
}
