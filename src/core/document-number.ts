/**
 * Document numbers of a real-name identity (SPEC §2): the GB 11643-1999 check of mainland resident
 * ID numbers, and format checks for the non-mainland documents that go to manual review (R-CHG-4).
 *
 * Every `detail` is English text for logs and reviewers and never contains the number itself: a
 * document number is PII (SPEC §4), and a validation message is exactly the kind of string that ends
 * up in a log line or an audit record. Details name positions, single characters, expected check
 * digits and (for date problems) the eight birth-date digits only.
 *
 * Checks run in the order that gives the most useful message: a character that can never appear
 * (e.g. a space or a hyphen pasted from a form) is named before the length, because a stray
 * separator also makes the length wrong and "character 7 is ' '" is the fix the user needs.
 */

/** The document types of SPEC §2. */
export type DocumentType = 'cn_id' | 'hk_mo_permit' | 'tw_permit' | 'passport';

/**
 * Every document type, in a stable order (for schemas and pickers).
 *
 * @example
 * DOCUMENT_TYPES.includes('passport'); // true
 */
export const DOCUMENT_TYPES = Object.freeze([
  'cn_id',
  'hk_mo_permit',
  'tw_permit',
  'passport',
] as const satisfies readonly DocumentType[]);

/** What is wrong with a mainland ID number. */
export type CnIdProblem = 'length' | 'characters' | 'date' | 'check_digit';

/** What is wrong with a document number of any type: `format` is for the non-mainland layouts. */
export type DocumentProblem = CnIdProblem | 'format';

/** A number that passed its checks, in the form to store, hash (ids.ts `documentKey`) and compare. */
export interface DocumentValid {
  ok: true;
  normalized: string;
}

/** A refused number: a stable problem kind and an English detail that never contains the number. */
export interface DocumentInvalid<P extends DocumentProblem = DocumentProblem> {
  ok: false;
  problem: P;
  detail: string;
}

/** A valid mainland ID number, with what the number itself encodes. */
export interface CnIdValid extends DocumentValid {
  /** `YYYY-MM-DD`, digits 7–14 of the number. */
  birthDate: string;
  /** From the parity of digit 17 (odd: male). */
  sex: 'male' | 'female';
}

export type CnIdCheck = CnIdValid | DocumentInvalid<CnIdProblem>;
export type DocumentCheck = DocumentValid | DocumentInvalid;

export interface DocumentCheckOptions {
  /**
   * Today as an Asia/Shanghai `YYYY-MM-DD` key (calendar.ts `dayKey(clock.now())`). The core has no
   * clock of its own, so without it a birth date in the future cannot be detected.
   */
  todayKey?: string;
}

// GB 11643-1999 (ISO 7064 MOD 11-2): weight i is 2^(17-i) mod 11; the remainder indexes the table.
const CN_ID_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_ID_CHECK_CHARS = '10X98765432';
const CN_ID_LENGTH = 18;
const EARLIEST_BIRTH_YEAR = 1900;

function isAsciiDigit(c: string): boolean {
  return c >= '0' && c <= '9' && c.length === 1;
}

function isAsciiAlphanumeric(c: string): boolean {
  return isAsciiDigit(c) || (c.length === 1 && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')));
}

// A visible character is shown quoted; an invisible one (a zero-width space, a control character,
// a non-breaking space, a lone combining mark) by its code point, so the reader knows what to delete.
function quote(c: string): string {
  if (c === ' ' || /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c)) return JSON.stringify(c);
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function invalid<P extends DocumentProblem>(problem: P, detail: string): DocumentInvalid<P> {
  return { ok: false, problem, detail };
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function isRealDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function assertDayKey(key: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3])))
    throw new RangeError(`todayKey must be a real date as YYYY-MM-DD, got "${key}"`);
}

/**
 * The GB 11643-1999 check character for the first 17 digits of a mainland ID number.
 *
 * @example
 * cnIdCheckDigit('11010519491231002'); // 'X'
 */
export function cnIdCheckDigit(first17: string): string {
  // The message gives the length only: the argument is most of an ID number (PII).
  if (!/^[0-9]{17}$/.test(first17))
    throw new RangeError(
      `cnIdCheckDigit takes exactly 17 ASCII digits, got ${Array.from(first17).length} characters`,
    );
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (CN_ID_WEIGHTS[i] ?? 0);
  return CN_ID_CHECK_CHARS.charAt(sum % 11);
}

/**
 * Check a mainland resident ID number (居民身份证号码, GB 11643-1999): 18 characters — 6-digit
 * address code, 8-digit birth date, 3-digit sequence (odd for men), check character (digit or X).
 * Surrounding whitespace is ignored and a lowercase x accepted; nothing else is silently repaired.
 *
 * @example
 * checkCnId('11010519491231002X');
 * // { ok: true, normalized: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' }
 * checkCnId('110105194912310021');
 * // { ok: false, problem: 'check_digit', detail: 'check digit should be X, got 1' }
 */
export function checkCnId(input: string, opts: DocumentCheckOptions = {}): CnIdCheck {
  if (opts.todayKey !== undefined) assertDayKey(opts.todayKey);
  // Code points, not UTF-16 units: an emoji pasted into the field is one character, not two.
  const chars = Array.from(input.trim());

  const never = chars.findIndex((c) => !isAsciiDigit(c) && c !== 'X' && c !== 'x');
  if (never >= 0)
    return invalid(
      'characters',
      `character ${never + 1} is ${quote(chars[never] ?? '')}: only digits, and X as the last character, are allowed`,
    );

  if (chars.length !== CN_ID_LENGTH) {
    // 15-digit numbers (first-generation cards, no check digit) stopped being valid in 2013.
    const hint = chars.length === 15 ? ' (15-digit first-generation numbers are no longer valid)' : '';
    return invalid('length', `expected ${CN_ID_LENGTH} characters, got ${chars.length}${hint}`);
  }

  const misplacedX = chars.findIndex((c, i) => i < CN_ID_LENGTH - 1 && (c === 'X' || c === 'x'));
  if (misplacedX >= 0)
    return invalid(
      'characters',
      `character ${misplacedX + 1} is ${quote(chars[misplacedX] ?? '')}: only digits, and X as the last character, are allowed`,
    );

  const normalized = chars.join('').toUpperCase();
  const birth = normalized.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  if (!isRealDate(y, m, d)) return invalid('date', `birth date ${birth} is not a real date`);
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (y < EARLIEST_BIRTH_YEAR)
    return invalid('date', `birth date ${birthDate} is before ${EARLIEST_BIRTH_YEAR}`);
  // YYYY-MM-DD keys compare correctly as strings.
  if (opts.todayKey !== undefined && birthDate > opts.todayKey)
    return invalid('date', `birth date ${birthDate} is in the future (today is ${opts.todayKey})`);

  const expected = cnIdCheckDigit(normalized.slice(0, 17));
  const actual = normalized.charAt(17);
  if (actual !== expected) return invalid('check_digit', `check digit should be ${expected}, got ${actual}`);

  const sexDigit = normalized.charCodeAt(16) - 48;
  return { ok: true, normalized, birthDate, sex: sexDigit % 2 === 1 ? 'male' : 'female' };
}

function firstBad(chars: readonly string[], allowed: (c: string) => boolean): number {
  return chars.findIndex((c) => !allowed(c));
}

/**
 * 港澳居民来往内地通行证 (回乡证): `H` (Hong Kong) or `M` (Macao) and 8 digits, or 10 digits on the
 * cards issued since 2013 (the last two count reissues).
 */
function checkHkMoPermit(input: string): DocumentCheck {
  const chars = Array.from(input.trim());
  const bad = firstBad(chars, isAsciiAlphanumeric);
  if (bad >= 0)
    return invalid(
      'characters',
      `character ${bad + 1} is ${quote(chars[bad] ?? '')}: only the letter H or M and digits are allowed`,
    );
  if (chars.length !== 9 && chars.length !== 11)
    return invalid(
      'length',
      `expected 9 or 11 characters (H or M, then 8 or 10 digits), got ${chars.length}`,
    );
  const normalized = chars.join('').toUpperCase();
  const prefix = normalized.charAt(0);
  if (prefix !== 'H' && prefix !== 'M')
    return invalid('format', `must start with H (Hong Kong) or M (Macao), got ${quote(chars[0] ?? '')}`);
  const letter = firstBad(chars.slice(1), isAsciiDigit);
  if (letter >= 0)
    return invalid(
      'format',
      `character ${letter + 2} is ${quote(chars[letter + 1] ?? '')}: only digits may follow the H or M prefix`,
    );
  return { ok: true, normalized };
}

/**
 * 台湾居民来往大陆通行证 (台胞证): the card-type permit issued since 2015 carries a lifelong 8-digit
 * number. The older booklet numbers (10 characters, some with a reissue letter) are not accepted:
 * those booklets were valid for 5 years and none issued before the 2015 switch is still current.
 * (The 台湾居民居住证 residence permit has an 18-digit GB 11643 number and is checked as `cn_id`.)
 */
function checkTwPermit(input: string): DocumentCheck {
  const chars = Array.from(input.trim());
  const bad = firstBad(chars, isAsciiDigit);
  if (bad >= 0)
    return invalid(
      'characters',
      `character ${bad + 1} is ${quote(chars[bad] ?? '')}: only digits are allowed`,
    );
  if (chars.length !== 8) return invalid('length', `expected 8 digits, got ${chars.length}`);
  return { ok: true, normalized: chars.join('') };
}

/**
 * Passports of any country: 5–20 letters and digits. The layouts differ too much between issuing
 * states for more than that; a passport always goes to manual review anyway (R-CHG-4).
 */
function checkPassport(input: string): DocumentCheck {
  const chars = Array.from(input.trim());
  const bad = firstBad(chars, isAsciiAlphanumeric);
  if (bad >= 0)
    return invalid(
      'characters',
      `character ${bad + 1} is ${quote(chars[bad] ?? '')}: only letters A–Z and digits are allowed`,
    );
  if (chars.length < 5 || chars.length > 20)
    return invalid('length', `expected 5 to 20 characters, got ${chars.length}`);
  return { ok: true, normalized: chars.join('').toUpperCase() };
}

/**
 * Check a document number of any type: GB 11643 for `cn_id` (the result then also carries
 * `birthDate` and `sex`), format checks for the others. Letters are normalised to upper case.
 *
 * @example
 * validateDocument('hk_mo_permit', 'h12345678'); // { ok: true, normalized: 'H12345678' }
 * validateDocument('tw_permit', '1234567');
 * // { ok: false, problem: 'length', detail: 'expected 8 digits, got 7' }
 */
export function validateDocument(
  type: DocumentType,
  number: string,
  opts: DocumentCheckOptions = {},
): DocumentCheck {
  switch (type) {
    case 'cn_id':
      return checkCnId(number, opts);
    case 'hk_mo_permit':
      return checkHkMoPermit(number);
    case 'tw_permit':
      return checkTwPermit(number);
    case 'passport':
      return checkPassport(number);
    default:
      // Unreachable for typed callers; a value from outside (JSON) must not pass as valid.
      throw new RangeError(`unknown document type ${JSON.stringify(type satisfies never)}`);
  }
}

/**
 * Whether a document type is the mainland ID: every other type adds manual review steps (R-CHG-4).
 *
 * @example
 * isMainland('cn_id'); // true
 * isMainland('passport'); // false
 */
export function isMainland(type: DocumentType): boolean {
  return type === 'cn_id';
}

/**
 * Narrow an untrusted value to a {@link DocumentType}.
 *
 * @example
 * isDocumentType('passport'); // true
 * isDocumentType('driving_licence'); // false
 */
export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && (DOCUMENT_TYPES as readonly string[]).includes(value);
}
