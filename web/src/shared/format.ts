/**
 * Formatting as the service does it: amounts are integer ten-thousandths of a yuan (a residue below
 * one fen shows with four decimals, never as ¥0.00), instants in Asia/Shanghai.
 */
import type { Lang } from './i18n';

const TZ = 'Asia/Shanghai';

/** @example money(12_340_056, 'en') // '¥1,234.0056'; money(500_000, 'en') // '¥50.00' */
export function money(tenThousandths: number, lang: Lang): string {
  const subCent = tenThousandths % 100 !== 0;
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency: 'CNY',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: subCent ? 4 : 2,
    maximumFractionDigits: subCent ? 4 : 2,
  }).format(tenThousandths / 10_000);
}

/** An instant with date and time (Beijing time). */
export function dateTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** An instant's date only. */
export function date(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { timeZone: TZ, dateStyle: 'medium' }).format(ms);
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
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}
