/**
 * The pages' two languages. The browser's preference chooses by default (zh* → 简体中文, else
 * English); the switch in the header overrides it and is remembered. Texts that come from the API
 * (blockers, consequences, remediations) arrive in both languages and are picked here too.
 */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { MESSAGES, type MessageKey } from './messages';

export type Lang = 'en' | 'zh-CN';
export const LANGS: readonly Lang[] = ['en', 'zh-CN'];
const KEY = 'rn.lang';

/** The first of the browser's languages the pages speak. */
export function browserLang(
  languages: readonly string[] = navigator.languages ?? [navigator.language],
): Lang {
  for (const l of languages) {
    const tag = l.toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  /** A page text, with `{name}` placeholders filled from `params`. */
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** The page language's side of a text the API sent in both. */
  pick: (text: { en: string; 'zh-CN': string } | null | undefined) => string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children, title }: { children: ReactNode; title: MessageKey }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const saved = localStorage.getItem(KEY);
    return saved === 'en' || saved === 'zh-CN' ? saved : browserLang();
  });
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang(l) {
        localStorage.setItem(KEY, l);
        setLangState(l);
      },
      t(key, params) {
        const text = MESSAGES[key][lang === 'en' ? 0 : 1];
        return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)) : text;
      },
      pick: (text) => (text ? text[lang] : ''),
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = value.t(title);
  }, [lang, title, value]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(Ctx);
  if (!i18n) throw new Error('useI18n() outside <I18nProvider>');
  return i18n;
}

/** The name of an operation kind ('account.delete' → op_account_delete), on both pages. */
export function kindLabel(t: I18n['t'], kind: string): string {
  return t(`op_${kind.replace('.', '_')}` as MessageKey);
}
