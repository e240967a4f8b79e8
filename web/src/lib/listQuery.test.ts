import { describe, expect, it } from 'vitest';
import { filtersFromSearch, pageQuery } from './listQuery';

describe('the list view in the URL', () => {
  it('reads the known filters, owner as a number, and skips empty and unknown ones', () => {
    expect(filtersFromSearch(new URLSearchParams('q=%E7%8E%8B&owner_id=7&tag=&sort=-name&page=3'))).toEqual({
      q: '王',
      owner_id: 7,
      sort: '-name',
    });
  });

  it('pages with the page size and the cursor', () => {
    expect(pageQuery({ q: 'wxm' })).toEqual({ q: 'wxm', limit: 25, cursor: undefined });
    expect(pageQuery({}, 'c2')).toEqual({ limit: 25, cursor: 'c2' });
  });
});
