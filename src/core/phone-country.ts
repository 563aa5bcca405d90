/**
 * The country calling code of a phone as the service keeps it: masked (mask.ts `maskPhone`), with
 * the code in front when the number was written internationally ('+86 138****5678' → '86'). A
 * number written without a code is a domestic number of the account's region. R-RISK-1/2 read it:
 * an overseas phone on an account that binds or changes to a known document is the re-registration
 * route of the source documents.
 */
import type { Region } from './model.js';

/** The calling code of a number written without one, by the account's region (null: unknown). */
const DOMESTIC_CODE: Readonly<Record<Region, string | null>> = {
  CN: '86',
  HK: '852',
  MO: '853',
  TW: '886',
  SEA: null,
  EU: null,
  US: '1',
  OTHER: null,
};

/**
 * @example phoneCountry('+852 ****4567', 'CN') // '852'
 * @example phoneCountry('138****5678', 'CN') // '86'
 * @example phoneCountry('', 'CN') // null (a purged account has no phone)
 */
export function phoneCountry(phoneMasked: string, region: Region): string | null {
  const m = /^\+(\d{1,4})\b/u.exec(phoneMasked.trim());
  if (m) return m[1] ?? null;
  if (phoneMasked.trim() === '') return null;
  return DOMESTIC_CODE[region] ?? null;
}
