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

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zh } },
  lng: detectLanguage(storedLanguage(), typeof navigator === 'undefined' ? undefined : navigator.language),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: Lang) {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  void i18n.changeLanguage(lang);
}

export default i18n;
