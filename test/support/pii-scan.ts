/**
 * A scanner for personal data in logs (SPEC §4: PII masked in logs): finds the known values a test
 * used — document numbers, names, phone numbers — in every form a log line could carry them (as is,
 * JSON-escaped `\uXXXX`, percent-encoded, with `+` for spaces, base64), and any string that is a
 * valid mainland ID number (GB 11643: region, birth date and check digit) even when the test never
 * used it.
 *
 * @example
 * const hits = scanForPii(readFileSync(logFile, 'utf8'), { names: ['张三'], documentNumbers: [n], phones: [] });
 * expect(hits).toEqual([]);
 */
import { cnIdCheckDigit } from '../../src/core/document-number.js';
import type { Person } from './workload.js';

export interface KnownPii {
  documentNumbers: readonly string[];
  names: readonly string[];
  /** Full numbers as given to the API, e.g. `+86 13812345678`. */
  phones: readonly string[];
}

/** The names, document numbers and phones of `people`, and `more` values of each. */
export function piiOf(people: readonly Person[], more?: KnownPii): KnownPii {
  return {
    names: [...people.map((p) => p.name), ...(more?.names ?? [])],
    documentNumbers: [...people.map((p) => p.documentNumber), ...(more?.documentNumbers ?? [])],
    phones: [...people.map((p) => p.phone), ...(more?.phones ?? [])],
  };
}

export interface PiiHit {
  kind: 'document_number' | 'name' | 'phone' | 'unknown_cn_id';
  value: string;
  /** The form it was found in. */
  form: string;
  line: number;
  excerpt: string;
}

function jsonEscaped(s: string, upper: boolean): string {
  return [...s]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (code < 0x80) return ch;
      const hex = code.toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    })
    .join('');
}

/** Every form of `value` to look for, by name. */
export function piiForms(value: string): Record<string, string> {
  const forms: Record<string, string> = {
    raw: value,
    'json \\u': jsonEscaped(value, false),
    'json \\U': jsonEscaped(value, true),
    percent: encodeURIComponent(value),
    'percent lower': encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    'form +': encodeURIComponent(value).replace(/%20/g, '+'),
    base64: Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''),
  };
  // Drop forms equal to the raw value (ASCII), and base64 of short values (too many false matches).
  return Object.fromEntries(
    Object.entries(forms).filter(
      ([k, v]) => (k === 'raw' || v !== value) && !(k === 'base64' && v.length < 12),
    ),
  );
}

const CN_ID = /(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])/g;

/** A string that is a GB 11643 number: a plausible region, a real birth date, the right check digit. */
export function looksLikeCnId(s: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(s) || s[0] === '0') return false;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2100 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return cnIdCheckDigit(s.slice(0, 17)) === s[17]!.toUpperCase();
}

/** Every occurrence of the known PII (in any form) and of any valid mainland ID number in `text`. */
export function scanForPii(text: string, known: KnownPii): PiiHit[] {
  const lines = text.split('\n');
  const hits: PiiHit[] = [];
  const needles: { kind: PiiHit['kind']; value: string; form: string; needle: string }[] = [];
  const add = (kind: PiiHit['kind'], values: readonly string[]) => {
    for (const value of values)
      for (const [form, needle] of Object.entries(piiForms(value)))
        needles.push({ kind, value, form, needle });
  };
  add('document_number', known.documentNumbers);
  add('name', known.names);
  // A phone also as its bare digits (`13812345678`), the way a log could print it.
  add('phone', [
    ...known.phones,
    ...known.phones.map((p) => p.replace(/^\+\d{1,3}\s*/, '').replace(/[\s-]/g, '')),
  ]);
  // A needle that starts or ends with a digit matches only where the digits end there too (the
  // phone 13800000010 is not inside the float 3.4521380000001045).
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const find = (line: string, needle: string): number => {
    for (let at = line.indexOf(needle); at >= 0; at = line.indexOf(needle, at + 1)) {
      if (digit(needle[0]) && digit(line[at - 1])) continue;
      if (digit(needle.at(-1)) && digit(line[at + needle.length])) continue;
      return at;
    }
    return -1;
  };
  lines.forEach((line, i) => {
    for (const n of needles) {
      const at = find(line, n.needle);
      if (at >= 0)
        hits.push({
          kind: n.kind,
          value: n.value,
          form: n.form,
          line: i + 1,
          excerpt: line.slice(Math.max(0, at - 60), at + n.needle.length + 60),
        });
    }
    for (const m of line.matchAll(CN_ID)) {
      const value = m[1]!;
      if (!looksLikeCnId(value) || known.documentNumbers.includes(value)) continue;
      hits.push({
        kind: 'unknown_cn_id',
        value,
        form: 'raw',
        line: i + 1,
        excerpt: line.slice(Math.max(0, m.index - 60), m.index + value.length + 60),
      });
    }
  });
  return hits;
}
