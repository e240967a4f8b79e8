import { describe, expect, it } from 'vitest';
import { exportHref } from './exports';

describe('exportHref', () => {
  it('carries the filters, search and sort of the view, encoded', () => {
    const href = exportHref(
      { q: '王 wxm', category: 'distributor', owner_id: 7, tag: '白酒', sort: '-updated_at' },
      'xlsx',
    );
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/api/v1/customers/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      format: 'xlsx',
      q: '王 wxm',
      category: 'distributor',
      owner_id: '7',
      tag: '白酒',
      sort: '-updated_at',
    });
  });

  it('leaves out paging and empty filters, since the export is the whole view', () => {
    expect(exportHref({ cursor: 'abc', limit: 25, q: '', lifecycle_stage: 'active' }, 'csv')).toBe(
      '/api/v1/customers/export?format=csv&lifecycle_stage=active',
    );
    expect(exportHref({}, 'csv')).toBe('/api/v1/customers/export?format=csv');
  });
  it('asks for Chinese headers and labels in the Chinese workspace', () => {
    expect(exportHref({ tag: '白酒' }, 'xlsx', 'zh-CN')).toBe(
      '/api/v1/customers/export?format=xlsx&lang=zh-CN&tag=%E7%99%BD%E9%85%92',
    );
    expect(exportHref({}, 'csv', 'en')).toBe('/api/v1/customers/export?format=csv');
  });
});
