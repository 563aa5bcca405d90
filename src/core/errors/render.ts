import { en } from '../../i18n/en.js';
import type { Catalogue, Locale } from '../../i18n/types.js';
import { zhCN } from '../../i18n/zh-CN.js';
import { formatShanghai } from '../calendar.js';
import { formatYuan } from '../money.js';
import type { Code } from './catalogue.js';

export type ParamValue = string | number | boolean | null;
export type Params = Readonly<Record<string, ParamValue>>;

/** A text in both languages the service speaks. */
export interface Localized {
  en: string;
  'zh-CN': string;
}

const CATALOGUES: Record<Locale, Catalogue> = { en, 'zh-CN': zhCN };

type Render = (params: Params) => string;

/**
 * Templates are compiled once into a list of literal and placeholder parts, so that rendering a
 * blocker on the hot path is a few string concatenations (the preflight benchmark resolves every
 * message of every blocker).
 */
function compile(template: string, locale: Locale): Render {
  const terms = CATALOGUES[locale].terms;
  // Each template becomes one straight-line function of its params: literal pieces are embedded as
  // JSON string literals and placeholders read one param each through a formatter. Placeholder
  // names are \w+ and literals go through JSON.stringify, so catalogue text cannot inject code.
  const formatters = {
    s: (v: ParamValue | undefined) => (v === undefined || v === null ? '' : String(v)),
    money: (v: ParamValue | undefined) =>
      typeof v === 'number' ? formatYuan(v, { locale }) : v === undefined || v === null ? '' : String(v),
    date: (v: ParamValue | undefined) =>
      typeof v === 'number' ? formatShanghai(v, locale) : v === undefined || v === null ? '' : String(v),
    term: (v: ParamValue | undefined) => {
      const k = v === undefined || v === null ? '' : String(v);
      return terms[k] ?? k;
    },
  };
  const pieces: string[] = [];
  const re = /\{(\w+)(?::(money|date|term))?\}/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) pieces.push(JSON.stringify(template.slice(last, m.index)));
    pieces.push(`f.${m[2] ?? 's'}(p[${JSON.stringify(m[1])}])`);
    last = m.index + m[0].length;
  }
  if (last < template.length || pieces.length === 0) pieces.push(JSON.stringify(template.slice(last)));
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- trusted catalogue text, see above
  const make = new Function('f', `return (p) => ${pieces.join(' + ')};`) as (f: typeof formatters) => Render;
  return make(formatters);
}

interface Compiled {
  message: Render;
  remediation: Render | undefined;
}

/**
 * Every template of every locale is compiled once at load into a plain object per locale, so that
 * resolving a message is one property read and a few concatenations (no key building, no Map).
 */
function compileAll(locale: Locale): Readonly<Record<Code, Compiled>> {
  const out = {} as Record<Code, Compiled>;
  for (const [code, entry] of Object.entries(CATALOGUES[locale].messages) as [
    Code,
    { message: string; remediation?: string },
  ][]) {
    out[code] = {
      message: compile(entry.message, locale),
      remediation: entry.remediation === undefined ? undefined : compile(entry.remediation, locale),
    };
  }
  return out;
}
const EN = compileAll('en');
const ZH = compileAll('zh-CN');
const COMPILED: Record<Locale, Readonly<Record<Code, Compiled>>> = { en: EN, 'zh-CN': ZH };

/** The message of a code in one locale. @example message('en', 'BALANCE_NOT_ZERO', { amount: 10000 }) */
export function message(locale: Locale, code: Code, params: Params = {}): string {
  return COMPILED[locale][code].message(params);
}

/** The remediation text of a code in one locale, if it has one. */
export function remediationText(locale: Locale, code: Code, params: Params = {}): string | undefined {
  return COMPILED[locale][code].remediation?.(params);
}

/** Both languages at once: what a blocker or consequence carries. */
export function localized(code: Code, params: Params = {}): Localized {
  return { en: EN[code].message(params), 'zh-CN': ZH[code].message(params) };
}

export function localizedRemediation(code: Code, params: Params = {}): Localized | undefined {
  const e = EN[code].remediation;
  const z = ZH[code].remediation;
  return e === undefined || z === undefined ? undefined : { en: e(params), 'zh-CN': z(params) };
}

/** Pick the locale from an Accept-Language header (zh* → zh-CN, anything else → en). */
export function pickLocale(acceptLanguage: string | undefined | null): Locale {
  if (!acceptLanguage) return 'en';
  for (const part of acceptLanguage.split(',')) {
    const tag = part.trim().split(';')[0]?.toLowerCase() ?? '';
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
