import { describe, expect, it } from 'vitest';
import { createInstance } from 'i18next';
import en from '../i18n/en';
import zh from '../i18n/zh-CN';
import type { Category } from '../api/types';
import {
  AT_RISK_REASONS, CHURN_FEATURES, actorLabel, atRiskReasonsText, categoryLabel, churnFeatureLabel, codeLabel, enumLabel,
  notFittedText, type Translate,
} from './labels';

// The app's own i18next setup (index.ts) with both message files, one instance per language.
function translator(lng: 'en' | 'zh-CN'): Translate {
  const i18n = createInstance();
  void i18n.init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zh } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return (key, options) => i18n.t(key, options);
}

const zhT = translator('zh-CN');
const enT = translator('en');

const categories: Category[] = [
  { id: 1, key: 'distributor', name_zh: '经销商', name_en: 'Distributor', builtin: true },
];

describe('codeLabel', () => {
  it('translates a known code and leaves an unknown one as sent', () => {
    expect(codeLabel('wechat', ['wechat', 'web'], 'service.channels', zhT)).toBe('微信');
    expect(codeLabel('carrier_pigeon', ['wechat', 'web'], 'service.channels', zhT)).toBe('carrier_pigeon');
  });
});

describe('enumLabel', () => {
  it('translates the codes the messages know, in each language', () => {
    const cases: [prefix: string, code: string | number, zh: string, en: string][] = [
      ['service.statuses', 'in_progress', '处理中', 'In progress'],
      ['service.severities', 1, '1 · 紧急', '1 · critical'],
      ['service.severities', '4', '4 · 低', '4 · low'],
      ['orders.channels', 'store', '门店', 'Store'],
      ['orders.statuses', 'paid', '已付款', 'Paid'],
      ['admin.roles', 'service', '客服', 'Service'],
      ['customer.levels', 'partnership', '伙伴型', 'Partnership'],
      ['churn.reasons', 'price', '价格（别处更便宜）', 'Price (cheaper elsewhere)'],
      ['c360.channels', 'sms', '短信', 'SMS'],
    ];
    for (const [prefix, code, zhText, enText] of cases) {
      expect(enumLabel(prefix, code, zhT)).toBe(zhText);
      expect(enumLabel(prefix, code, enT)).toBe(enText);
    }
  });

  it('shows a code neither language knows as sent, not as a key path', () => {
    for (const t of [zhT, enT]) {
      expect(enumLabel('service.statuses', 'reopened', t)).toBe('reopened');
      expect(enumLabel('service.severities', 7, t)).toBe('7');
      expect(enumLabel('orders.channels', 'livestream', t)).toBe('livestream');
      expect(enumLabel('admin.roles', 'auditor', t)).toBe('auditor');
      expect(enumLabel('churn.reasons', 'moved_away', t)).toBe('moved_away');
      expect(enumLabel('no.such.group', 'x', t)).toBe('x');
    }
  });

  it('shows nothing for a missing code', () => {
    expect(enumLabel('service.statuses', null, zhT)).toBe('');
    expect(enumLabel('service.statuses', undefined, zhT)).toBe('');
    expect(enumLabel('service.statuses', '', zhT)).toBe('');
  });

  it('agrees with codeLabel on known and unknown codes', () => {
    for (const code of ['wechat', 'web', 'carrier_pigeon']) {
      expect(enumLabel('service.channels', code, zhT)).toBe(codeLabel(code, ['wechat', 'web'], 'service.channels', zhT));
    }
  });
});

describe('churnFeatureLabel', () => {
  it('names the features the churn model reports in both languages', () => {
    expect(churnFeatureLabel('recency_days', zhT)).toBe('距上次购买天数');
    expect(churnFeatureLabel('cycle_days', zhT)).toBe('购买周期（天）');
    expect(churnFeatureLabel('tenure_days', zhT)).toBe('成为客户天数');
    expect(churnFeatureLabel('recency_days', enT)).toBe('Days since last purchase');
    expect(churnFeatureLabel('sla_breaches_count', enT)).toBe('Complaints past their SLA');
  });

  it('has a label of its own for every feature name, in each language', () => {
    for (const t of [zhT, enT]) {
      const labels = CHURN_FEATURES.map((f) => churnFeatureLabel(f, t));
      for (const [i, label] of labels.entries()) {
        expect(label).not.toBe(CHURN_FEATURES[i]);
        expect(label).not.toMatch(/^analytics\./);
      }
      expect(new Set(labels).size).toBe(labels.length);
    }
    // The messages list no feature that the list of names lacks.
    const keys = Object.keys(en.analytics.features).filter((k) => k !== 'category');
    expect([...keys].sort()).toEqual([...CHURN_FEATURES].sort());
  });

  it('names the one-hot customer category columns by the category', () => {
    const name = (k: string) => categoryLabel(k, categories, 'zh-CN');
    expect(churnFeatureLabel('category=distributor', zhT, name)).toBe('客户类别：经销商');
    expect(churnFeatureLabel('category=distributor', enT, (k) => categoryLabel(k, categories, 'en')))
      .toBe('Customer category: Distributor');
    // A category deleted since the run: its key.
    expect(churnFeatureLabel('category=retired', zhT, name)).toBe('客户类别：retired');
  });

  it('shows a name it does not know as sent', () => {
    expect(churnFeatureLabel('loyalty_points_count', zhT)).toBe('loyalty_points_count');
    expect(churnFeatureLabel('category=', zhT)).toBe('category=');
    expect(churnFeatureLabel('', zhT)).toBe('');
  });
});

describe('atRiskReasonsText', () => {
  it('lists the reasons in the UI language', () => {
    expect(atRiskReasonsText('overdue', zhT)).toBe('超期未购');
    expect(atRiskReasonsText('p_alive,overdue', zhT)).toBe('存活概率低、超期未购');
    expect(atRiskReasonsText('p_alive,overdue', enT)).toBe('low P(alive), overdue for a purchase');
  });

  it('keeps an unknown code and drops empty parts', () => {
    expect(atRiskReasonsText('overdue, no_contact', enT)).toBe('overdue for a purchase, no_contact');
    expect(atRiskReasonsText('', zhT)).toBe('');
    expect(atRiskReasonsText(',p_alive,', zhT)).toBe('存活概率低');
  });

  it('has a label for every reason code in each language', () => {
    for (const t of [zhT, enT]) {
      for (const r of AT_RISK_REASONS) expect(atRiskReasonsText(r, t)).not.toBe(r);
    }
  });
});

describe('notFittedText', () => {
  const zhT = translator('zh-CN');
  const enT = translator('en');
  it('says why a model was not fitted in the user\'s language', () => {
    const fit = { reason: 'too_few_labelled', message: 'needs at least 10 churned and 10 retained customers with orders' };
    expect(notFittedText(fit, zhT)).toBe('至少需要 10 个已流失和 10 个留存的有订单客户');
    expect(notFittedText(fit, enT)).toBe('Needs at least 10 churned and 10 retained customers with orders');
    for (const reason of ['no_orders', 'unusable_data', 'infinite_mean_spend', 'too_few_labelled', 'fit_failed']) {
      expect(notFittedText({ reason, message: 'x' }, zhT)).not.toBe('x');
      expect(notFittedText({ reason, message: 'x' }, enT)).not.toBe('x');
    }
  });
  it('falls back to the server\'s message for an unknown reason or a run stored before reasons', () => {
    expect(notFittedText({ reason: 'new_reason', message: 'something new' }, zhT)).toBe('something new');
    expect(notFittedText({ message: 'no orders' }, zhT)).toBe('no orders');
    expect(notFittedText({}, zhT)).toBe('');
  });
});

describe('actorLabel', () => {
  it('names the server itself in the user language and a person by their name', () => {
    expect(actorLabel(0, 'system', zhT)).toBe('系统');
    expect(actorLabel(null, 'system', enT)).toBe('System');
    expect(actorLabel(7, '王芳', zhT)).toBe('王芳');
    // `kehu demo` and the other commands act as "system" under the first admin's id.
    expect(actorLabel(1, 'system', zhT)).toBe('系统');
    expect(actorLabel(null, '', enT)).toBe('System');
  });
});
