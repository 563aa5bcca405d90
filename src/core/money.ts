/**
 * Money as an integer number of ten-thousandths of a yuan (1 yuan = 10 000 units, 1 fen = 0.01
 * yuan = 100 units), never a float. Fen alone would not do: the source documents name a balance
 * residue *below* one fen as a silent cause of failed deletions, and the wallet must be able to
 * hold it, show it and name it as a blocker (R-UX-2, R-DEL-1).
 *
 * Every function refuses a value that is not a safe integer instead of rounding it: a rounded
 * amount is a wrong amount.
 */

/** An amount in integer ten-thousandths of a yuan (`Number.isSafeInteger`); may be negative. */
export type Money = number;

/** Units in one yuan (元). */
export const UNITS_PER_YUAN = 10_000;
/** Units in one fen (分, 0.01 yuan): the smallest amount a user can move. */
export const UNITS_PER_CENT = 100;

/**
 * Whether a value is a valid amount: a safe integer number of units.
 *
 * @example
 * isMoney(123_456); // true
 * isMoney(0.5); // false
 */
export function isMoney(n: unknown): n is Money {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

/**
 * Return `n` if it is a valid amount, else throw a RangeError naming `what`.
 *
 * @example
 * assertMoney(balance, 'balance'); // balance, or RangeError "balance must be …"
 */
export function assertMoney(n: number, what = 'amount'): Money {
  // Not `isMoney`: its type guard would narrow `n` to never in the message.
  if (!Number.isSafeInteger(n))
    throw new RangeError(`${what} must be a safe integer number of ten-thousandths of a yuan, got ${n}`);
  return n;
}

/**
 * Whole yuan to units.
 *
 * @example
 * yuan(50_000); // 500_000_000
 */
export function yuan(n: number): Money {
  if (!Number.isSafeInteger(n))
    throw new RangeError(`yuan() takes an integer number of yuan, got ${String(n)}`);
  return assertMoney(n * UNITS_PER_YUAN, `${n} yuan`);
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER);

/**
 * Parse a decimal amount in yuan exactly: an optional sign, digits, and at most 4 decimals. The
 * arithmetic is on the digit string, so '0.1' is exactly 1 000 units, never 999.9999….
 * Surrounding whitespace is ignored; currency signs and thousands separators are not accepted.
 *
 * @example
 * parseYuan('12.3456'); // 123_456
 * parseYuan('-0.0001'); // -1
 * parseYuan('0.5'); // 5_000
 */
export function parseYuan(s: string): Money {
  const text = s.trim();
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal amount in yuan: ${JSON.stringify(s)}`);
  const [, sign, whole = '', frac = ''] = m;
  if (frac.length > 4)
    throw new RangeError(`at most 4 decimals (0.0001 yuan) are representable, got ${frac.length}: ${text}`);
  // Units as a digit string, compared with MAX_SAFE_INTEGER by length and then lexically.
  const digits = `${whole}${frac.padEnd(4, '0')}`.replace(/^0+(?=\d)/, '');
  if (
    digits.length > MAX_SAFE_DIGITS.length ||
    (digits.length === MAX_SAFE_DIGITS.length && digits > MAX_SAFE_DIGITS)
  )
    throw new RangeError(`amount out of range (beyond ${formatYuan(Number.MAX_SAFE_INTEGER)}): ${text}`);
  const units = Number(digits);
  // No -0: it prints as 0 but Object.is tells it apart, and it would not equal a stored 0.
  return sign === '-' && units !== 0 ? -units : units;
}

/**
 * The part of an amount below one fen, with the sign of the amount.
 *
 * @example
 * subCentResidue(123_456); // 56
 * subCentResidue(-150); // -50
 */
export function subCentResidue(m: Money): Money {
  assertMoney(m);
  const r = m % UNITS_PER_CENT;
  return r === 0 ? 0 : r; // -200 % 100 is -0
}

/**
 * Whether an amount has a residue below one fen (R-UX-2: a blocker that must be shown).
 *
 * @example
 * hasSubCentResidue(99); // true
 * hasSubCentResidue(100); // false
 */
export function hasSubCentResidue(m: Money): boolean {
  return subCentResidue(m) !== 0;
}

/**
 * The amount without its residue: what can be moved in whole fen.
 *
 * @example
 * wholeCents(123_456); // 123_400
 */
export function wholeCents(m: Money): Money {
  const w = m - subCentResidue(m);
  return w === 0 ? 0 : w;
}

/** '000' … '999' and '00' … '99': the groups of thousands and the decimals of {@link formatYuan}. */
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

// Sign, whole-yuan digits and decimals; string slicing keeps it exact up to MAX_SAFE_INTEGER, where
// a float division by 10 000 would round.
function parts(m: Money): { negative: boolean; whole: string; decimals: string } {
  assertMoney(m);
  const digits = String(Math.abs(m)).padStart(5, '0');
  const whole = digits.slice(0, -4);
  const frac = digits.slice(-4);
  // Two decimals unless there is a residue: then all four, so a residue never reads as ¥0.00.
  return { negative: m < 0, whole, decimals: frac.endsWith('00') ? frac.slice(0, 2) : frac };
}

/**
 * The plain decimal form of an amount, without currency sign or separators: what
 * {@link parseYuan} reads back. Two decimals, or four when there is a sub-fen residue.
 *
 * @example
 * toYuanString(123_456); // '12.3456'
 * toYuanString(-10_000); // '-1.00'
 */
export function toYuanString(m: Money): string {
  const p = parts(m);
  return `${p.negative ? '-' : ''}${p.whole}.${p.decimals}`;
}

/** Options of {@link formatYuan}. */
export interface FormatYuanOptions {
  /**
   * The reader's locale. Both locales the service speaks write CNY the same way (¥, comma groups of
   * three, a point), so today this changes nothing; it is part of the signature so that the
   * renderer passes it and a locale that differs needs no change at the call sites.
   */
  locale?: 'en' | 'zh-CN';
}

/**
 * Display an amount: `¥` with thousands separators and two decimals, or all four decimals when
 * there is a residue below one fen, so that a residue never shows as ¥0.00 (R-UX-2).
 *
 * @example
 * formatYuan(500_000_000); // '¥50,000.00'
 * formatYuan(50); // '¥0.0050'
 * formatYuan(-10_000); // '-¥1.00'
 */
export function formatYuan(m: Money, _opts: FormatYuanOptions = {}): string {
  assertMoney(m);
  // Integer arithmetic with lookup tables and no intermediate objects: every amount of every blocker
  // message goes through here. Exact: `abs - frac` is a multiple of 10 000 within the safe range, so
  // each division below has an exact integer result.
  const abs = m < 0 ? -m : m;
  const frac = abs % UNITS_PER_YUAN;
  let whole = (abs - frac) / UNITS_PER_YUAN;
  let grouped = '';
  while (whole >= 1000) {
    const g = whole % 1000;
    grouped = `,${THREE_DIGITS[g]}${grouped}`;
    whole = (whole - g) / 1000;
  }
  // Two decimals unless there is a residue: then all four, so a residue never reads as ¥0.00.
  const decimals =
    frac % 100 === 0 ? TWO_DIGITS[frac / 100] : frac < 1000 ? `0${THREE_DIGITS[frac]}` : String(frac);
  return `${m < 0 ? '-' : ''}¥${whole}${grouped}.${decimals}`;
}

/**
 * Sum a list of amounts, refusing any element that is not an amount and any partial sum beyond
 * the safe-integer range (each partial sum is exact while it is safe, so checking each one suffices).
 *
 * @example
 * sumMoney([yuan(1), 56]); // 10_056
 */
export function sumMoney(list: readonly Money[]): Money {
  let total = 0;
  for (const m of list) {
    assertMoney(m);
    total += m;
    if (!Number.isSafeInteger(total)) throw new RangeError('sum of amounts overflows the safe-integer range');
  }
  return total === 0 ? 0 : total;
}

/**
 * Add amounts with an overflow check.
 *
 * @example
 * addMoney(yuan(2), parseYuan('0.0050')); // 20_050
 */
export function addMoney(...ms: Money[]): Money {
  return sumMoney(ms);
}
