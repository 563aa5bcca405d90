/**
 * Masking of personal data for responses, logs, exports and audit text (SPEC §4: PII masked
 * everywhere; R-EXP-1: identity history and cards masked in the export).
 *
 * Everything here counts code points (`Array.from`), not UTF-16 units: a name with a rare
 * character from CJK Extension B (e.g. 𠮷) must not be split into half a surrogate pair, which
 * would render as garbage and could leak the other half.
 */

const MASK = '*';

function stars(n: number): string {
  return MASK.repeat(Math.max(n, 0));
}

/**
 * Keep the first and last character of a document number and mask the rest, keeping the length
 * (a reviewer can still tell an 18-character ID from a 9-character permit). Inputs of one or two
 * characters are masked entirely: keeping "first and last" would reveal all of them.
 *
 * @example
 * maskDocumentNumber('11010519491231002X'); // '1****************X'
 * maskDocumentNumber('AB'); // '**'
 */
export function maskDocumentNumber(number: string): string {
  const chars = Array.from(number);
  if (chars.length <= 2) return stars(chars.length);
  return `${chars[0] ?? ''}${stars(chars.length - 2)}${chars[chars.length - 1] ?? ''}`;
}

// Scripts whose names are written without spaces, where "first letter of each word" would reveal
// the surname; they follow the Chinese convention of showing the last character only.
const CJK = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Mask a person's name. Chinese (CJK) names keep only their last character, every other character
 * — the middle dot of a transcribed name (·) included — becomes `*`; a one-character name becomes
 * `*`. Other names keep the first letter of each word. Surrounding whitespace is dropped and inner
 * whitespace collapsed.
 *
 * @example
 * maskName('张三'); // '*三'
 * maskName('欧阳娜娜'); // '***娜'
 * maskName('John Smith'); // 'J*** S****'
 */
export function maskName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return '';
  if (CJK.test(trimmed)) {
    const chars = Array.from(trimmed);
    if (chars.length === 1) return MASK;
    return `${stars(chars.length - 1)}${chars[chars.length - 1] ?? ''}`;
  }
  return trimmed
    .split(/\s+/u)
    .map((word) => {
      const chars = Array.from(word);
      return `${chars[0] ?? ''}${stars(chars.length - 1)}`;
    })
    .join(' ');
}

// ITU-T E.164 country calling codes are prefix-free: 1 and 7 are the only one-digit codes, these
// are the two-digit ones, and every other code has three digits. That is enough to split a number
// written without a space after the code ('+8613812345678').
// prettier-ignore
const TWO_DIGIT_CODES = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48',
  '49', '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81',
  '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

function countryCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1;
  return TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
}

function maskNational(digits: string): string {
  const n = digits.length;
  // A mainland mobile (11 digits) shows 3 + 4 as in every Chinese app; shorter numbers show less,
  // so that at least four digits (or, when that is most of the number, all but two) stay hidden.
  if (n >= 11) return `${digits.slice(0, 3)}${stars(n - 7)}${digits.slice(-4)}`;
  if (n >= 8) return `${stars(n - 4)}${digits.slice(-4)}`;
  if (n >= 5) return `${stars(n - 2)}${digits.slice(-2)}`;
  return stars(n);
}

/**
 * Mask a phone number: keep the country code, the first 3 and the last 4 digits of the national
 * number (8–10 digits: the last 4 only; shorter: the last 2 at most). `00` counts as `+`.
 * Separators are dropped.
 *
 * @example
 * maskPhone('+86 138 1234 5678'); // '+86 138****5678'
 * maskPhone('+85291234567'); // '+852 ****4567'
 * maskPhone('13812345678'); // '138****5678'
 */
export function maskPhone(phone: string): string {
  const trimmed = phone.trim();
  if (trimmed === '') return '';
  let international = false;
  let rest = trimmed;
  if (rest.startsWith('+')) {
    international = true;
    rest = rest.slice(1);
  } else if (rest.startsWith('00')) {
    international = true;
    rest = rest.slice(2);
  }
  if (!international) {
    const digits = trimmed.replace(/\D/gu, '');
    return digits === '' ? stars(3) : maskNational(digits);
  }
  // A separator right after the code says where it ends; otherwise the E.164 code table does.
  const written = /^(\d{1,3})[\s\-.()]+(.*)$/u.exec(rest);
  let code: string;
  let national: string;
  if (written) {
    code = written[1] ?? '';
    national = (written[2] ?? '').replace(/\D/gu, '');
  } else {
    const digits = rest.replace(/\D/gu, '');
    if (digits === '') return stars(3);
    code = digits.slice(0, countryCodeLength(digits));
    national = digits.slice(code.length);
  }
  return `+${code} ${maskNational(national)}`;
}

/**
 * Mask an e-mail address: the first character of the local part, a fixed `***` (so the length of
 * the local part is not revealed either), and the domain. Anything without a local part and a
 * domain is masked entirely.
 *
 * @example
 * maskEmail('alice@example.com'); // 'a***@example.com'
 */
export function maskEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return stars(3);
  const first = Array.from(trimmed)[0] ?? '';
  return `${first}***${trimmed.slice(at)}`;
}
