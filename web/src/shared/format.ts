/**
 * Formatting as the service does it: amounts are integer ten-thousandths of a yuan (a residue below
 * one fen shows with four decimals, never as ¥0.00), instants in Asia/Shanghai.
 */
import type { Lang } from './i18n';

const TZ = 'Asia/Shanghai';

/**
 * One formatter a language, made at first use: building an Intl formatter costs about fifteen
 * format() calls, and a table (up to 1,000 audit records) formats every row at every render.
 */
function perLang<F>(make: (lang: Lang) => F): (lang: Lang) => F {
  const made = new Map<Lang, F>();
  return (lang) => {
    let f = made.get(lang);
    if (f === undefined) made.set(lang, (f = make(lang)));
    return f;
  };
}

const moneyFormat = (digits: number) =>
  perLang(
    (lang) =>
      new Intl.NumberFormat(lang, {
        style: 'currency',
        currency: 'CNY',
        currencyDisplay: 'narrowSymbol',
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      }),
  );
const YUAN = moneyFormat(2);
const SUB_CENT = moneyFormat(4);
const DATE_TIME = perLang(
  (lang) => new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium', timeStyle: 'short' }),
);
const DATE = perLang((lang) => new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium' }));
const PERCENT = perLang(
  (lang) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }),
);

/** @example money(12_340_056, 'en') // '¥1,234.0056'; money(500_000, 'en') // '¥50.00' */
export function money(tenThousandths: number, lang: Lang): string {
  const subCent = tenThousandths % 100 !== 0;
  return (subCent ? SUB_CENT : YUAN)(lang).format(tenThousandths / 10_000);
}

/** An instant with date and time (Beijing time). */
export function dateTime(ms: number, lang: Lang): string {
  return DATE_TIME(lang).format(ms);
}

/** An instant's date only. */
export function date(ms: number, lang: Lang): string {
  return DATE(lang).format(ms);
}

/** Whole days, hours, minutes and seconds left until `ms` from `now` (never negative). */
export function remaining(
  ms: number,
  now: number,
): { days: number; hours: number; minutes: number; seconds: number } {
  let s = Math.max(0, Math.floor((ms - now) / 1000));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  return { days, hours, minutes, seconds: s - minutes * 60 };
}

/** A percentage with one decimal. */
export function percent(fraction: number, lang: Lang): string {
  return PERCENT(lang).format(fraction);
}
