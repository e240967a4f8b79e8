// i18next setup: zh-CN by default when the browser prefers Chinese, English otherwise; the
// user's choice is remembered in localStorage. Ant Design and dayjs follow the same language.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en';
import zh from './zh-CN';
import type { Lang } from '../lib/format';

export const LANG_STORAGE_KEY = 'kehu.lang';

export function detectLanguage(stored: string | null, navigatorLanguage: string | undefined): Lang {
  if (stored === 'zh-CN' || stored === 'en') return stored;
  return (navigatorLanguage ?? '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Sets `<html lang>` when it differs. Chromium restyles every element whenever the attribute is
 * set, even to the value it has (the `:lang()` pseudo-class): a full restyle of the customer list
 * (~900 elements, 25 ms in a trace) when App's effect set it after the first render.
 */
export function applyDocumentLanguage(lang: Lang) {
  if (typeof document !== 'undefined' && document.documentElement.lang !== lang) document.documentElement.lang = lang;
}

const initialLanguage = detectLanguage(storedLanguage(), typeof navigator === 'undefined' ? undefined : navigator.language);
void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zh } },
  lng: initialLanguage,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});
// Before the first render, while the page has no elements to restyle.
applyDocumentLanguage(initialLanguage);

export function setLanguage(lang: Lang) {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  void i18n.changeLanguage(lang);
}

export default i18n;
