// Display helpers that need reference data (categories, users) or the language.
import type { Category, User } from '../api/types';
import type { Lang } from '../lib/format';

export function categoryLabel(key: string, categories: Category[] | undefined, lang: Lang): string {
  const c = categories?.find((x) => x.key === key);
  if (!c) return key;
  return lang === 'zh-CN' ? c.name_zh : c.name_en;
}

export function userLabel(id: number | null | undefined, users: User[] | undefined): string {
  if (id == null) return '';
  return users?.find((u) => u.id === id)?.display_name ?? `#${id}`;
}
