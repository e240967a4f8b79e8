import { describe, expect, it } from 'vitest';
import en from './en';
import zh from './zh-CN';

// detectLanguage lives in index.ts, which initialises i18next; import lazily to keep it pure.
describe('language detection', () => {
  it('prefers the stored choice, then a Chinese browser, then English', async () => {
    const { detectLanguage } = await import('./index');
    expect(detectLanguage('en', 'zh-CN')).toBe('en');
    expect(detectLanguage(null, 'zh-TW')).toBe('zh-CN');
    expect(detectLanguage(null, 'en-US')).toBe('en');
    expect(detectLanguage('fr', undefined)).toBe('en');
  });
});

describe('translations', () => {
  it('have the same keys in both languages', () => {
    const keys = (o: object, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
      );
    expect(keys(zh).sort()).toEqual(keys(en).sort());
  });
});
