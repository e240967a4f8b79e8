// Display helpers that need reference data (categories, users) or the language, and the labels of
// the codes the server sends (model features, at-risk reasons, channels) with the raw code as the
// fallback, so that a newer server's code still reads as something rather than as a blank.
import type { Category, User } from '../api/types';
import type { Messages } from '../i18n/en';
import type { Lang } from '../lib/format';

/** The part of i18next's `t` these helpers use (a plain function in the tests). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** A customer or complaint category's name by its key; the key when the category is unknown. */
export function categoryLabel(
  key: string, categories: Pick<Category, 'key' | 'name_zh' | 'name_en'>[] | undefined, lang: Lang,
): string {
  const c = categories?.find((x) => x.key === key);
  if (!c) return key;
  return lang === 'zh-CN' ? c.name_zh : c.name_en;
}

export function userLabel(id: number | null | undefined, users: User[] | undefined): string {
  if (id == null) return '';
  return users?.find((u) => u.id === id)?.display_name ?? `#${id}`;
}

/**
 * Who made a change: the account's display name, or "System" in the user's language for the
 * server's own changes (demo data, the command line, timers). Those carry the name "system" —
 * with no user id, or, from the command line, an admin's id borrowed for ownership — so the name
 * decides; a change with neither id nor name is the system's too.
 */
export function actorLabel(id: number | null | undefined, name: string | null | undefined, t: Translate): string {
  if (name === 'system' || (!id && !name)) return t('common.system');
  return name ?? '';
}

/**
 * The label of a code the server sends (a status, channel, role, reason…) under the message group
 * `prefix` ("service.statuses"): `t(prefix.code)`, or the code itself when neither language's
 * messages know it, so a code from a newer server reads as sent rather than as a key path
 * ("service.statuses.reopened"). A missing code (null, undefined, "") is "".
 */
export function enumLabel(prefix: string, code: string | number | null | undefined, t: Translate): string {
  if (code == null || code === '') return '';
  const c = String(code);
  return t(`${prefix}.${c}`, { defaultValue: c });
}

/**
 * For free text that may hold a known code (a call's outcome: "answered" from the phone system, or
 * whatever an agent typed): `t(prefix.code)` only when code is one of `known`, else the text as it
 * is. Codes from a fixed list take enumLabel.
 */
export function codeLabel(code: string, known: readonly string[], prefix: string, t: Translate): string {
  return known.includes(code) ? t(`${prefix}.${code}`) : code;
}

/**
 * The churn model's feature names (fm.names in src/domain/value/value_service.cc), including the
 * optional "<feature>_count" columns (kOptionalTables in src/store/value_repository.cc); each has
 * a message (the type below and labels.test.ts check it). Besides these the model has one
 * "category=<customer category key>" column per category.
 */
export const CHURN_FEATURES = [
  'recency_days', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score', 'tenure_days',
  'repeat_purchases', 'p_alive', 'cycle_days', 'online_share', 'share_store', 'share_group_purchase',
  'share_distributor', 'share_consignment',
  'complaints_count', 'sla_breaches_count', 'dissatisfied_count', 'interactions_count',
] as const satisfies readonly Exclude<keyof Messages['analytics']['features'], 'category'>[];

const CATEGORY_FEATURE = 'category=';

/** A feature's name in the UI language; category(key) names a customer category. */
export function churnFeatureLabel(feature: string, t: Translate, category: (key: string) => string = (k) => k): string {
  if (feature.startsWith(CATEGORY_FEATURE) && feature.length > CATEGORY_FEATURE.length) {
    return t('analytics.features.category', { category: category(feature.slice(CATEGORY_FEATURE.length)) });
  }
  return enumLabel('analytics.features', feature, t);
}

/** The codes of at_risk_reason (src/domain/value/value_service.cc), comma-separated there. */
export const AT_RISK_REASONS = ['p_alive', 'overdue'] as const satisfies readonly (
  keyof Messages['analytics']['value']['atRiskReasons'])[];

/** "p_alive,overdue" as a list in the UI language; an unknown code stays as it is. */
export function atRiskReasonsText(reasons: string, t: Translate): string {
  return reasons
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => enumLabel('analytics.value.atRiskReasons', r, t))
    .join(t('common.listSeparator'));
}

/**
 * Why a model was not fitted, in the user's language: the run's reason code (value.h), or the
 * server's English message for a code this build does not know and for runs stored before the
 * codes.
 */
export function notFittedText(fit: { reason?: string; message?: string }, t: Translate): string {
  if (!fit.reason) return fit.message ?? '';
  return t(`analytics.notFitted.${fit.reason}`, { defaultValue: fit.message || fit.reason });
}
