// The link that downloads the customer list as the user sees it (filters, search and sort) from
// GET /api/v1/customers/export. A plain link: the session cookie goes with it and a GET needs no
// CSRF header, so the browser streams the attachment to disk without holding it in memory.
import { buildUrl } from '../api/client';
import type { CustomerQuery } from '../api/hooks';

export type ExportFormat = 'csv' | 'xlsx';

// The list's view parameters the export endpoint accepts; paging (cursor, limit) is not one of
// them: an export is the whole view, not the page on screen.
const VIEW_KEYS = ['q', 'category', 'lifecycle_stage', 'relationship_level', 'owner_id', 'tag', 'sort'] as const;

/**
 * "/api/v1/customers/export?format=xlsx&q=…&sort=…" for the view described by `view`. In the
 * Chinese workspace (`language` zh…) the file has Chinese headers and labels (lang=zh-CN: 客户类别
 * 经销商, 生命周期 活跃客户, the owner's name), which import back as they are.
 */
export function exportHref(view: CustomerQuery, format: ExportFormat, language = 'en'): string {
  const query: Record<string, string | number | undefined> = { format };
  if (language.startsWith('zh')) query.lang = 'zh-CN';
  for (const k of VIEW_KEYS) query[k] = view[k];
  return buildUrl('/customers/export', query);
}
