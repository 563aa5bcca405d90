import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_TYPES,
  checkCnId,
  cnIdCheckDigit,
  isDocumentType,
  isMainland,
  validateDocument,
  type DocumentInvalid,
} from '../../src/core/document-number.js';

// An implementation independent of the one under test: GB 11643 as written in the standard,
// weight i = 2^(17-i) mod 11 and check value (12 - S mod 11) mod 11, with 10 written as X.
function referenceCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const v = (12 - (sum % 11)) % 11;
  return v === 10 ? 'X' : String(v);
}

const withCheck = (first17: string): string => first17 + referenceCheck(first17);

const TODAY = '2026-11-23';
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Real-shaped mainland ID numbers: real address codes, real birth dates 1900…today, any sequence. */
const validCnId = fc
  .record({
    region: fc.constantFrom('110105', '310104', '440305', '510107', '650102', '330106', '810000', '830000'),
    birth: fc.date({
      min: new Date(Date.UTC(1900, 0, 1)),
      max: new Date(Date.UTC(2026, 10, 23)),
      noInvalidDate: true,
    }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, birth, seq }) => {
    const ymd = `${pad(birth.getUTCFullYear(), 4)}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}`;
    return { id: withCheck(`${region}${ymd}${pad(seq, 3)}`), ymd, seq };
  });

function expectInvalid(result: ReturnType<typeof validateDocument>): DocumentInvalid {
  expect(result.ok).toBe(false);
  return result as DocumentInvalid;
}

describe('GB 11643 check digit', () => {
  it('matches the well-known sample 11010519491231002X', () => {
    expect(cnIdCheckDigit('11010519491231002')).toBe('X');
    expect(referenceCheck('11010519491231002')).toBe('X');
  });

  it('agrees with the reference on every 17-digit prefix (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{17}$/), (first17) => {
        expect(cnIdCheckDigit(first17)).toBe(referenceCheck(first17));
      }),
    );
  });

  it('refuses anything but 17 ASCII digits, without echoing the input', () => {
    expect(() => cnIdCheckDigit('1101051949123100')).toThrow(RangeError);
    expect(() => cnIdCheckDigit('1101051949123100A')).toThrow(/17 ASCII digits, got 17 characters/);
    try {
      cnIdCheckDigit('110105194912310');
    } catch (e) {
      expect((e as Error).message).not.toContain('110105194912310');
    }
  });
});

describe('checkCnId', () => {
  it('accepts the sample 11010519491231002X and reads its birth date and sex', () => {
    expect(checkCnId('11010519491231002X')).toEqual({
      ok: true,
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'female',
    });
  });

  it('normalises a lowercase x and surrounding whitespace (full-width space included), nothing else', () => {
    expect(checkCnId('11010519491231002x')).toMatchObject({ ok: true, normalized: '11010519491231002X' });
    expect(checkCnId(' \t11010519491231002X\u3000\n')).toMatchObject({ ok: true });
    expect(checkCnId('110105 19491231002X')).toMatchObject({ ok: false, problem: 'characters' });
  });

  it('reads the sex from the parity of digit 17', () => {
    const male = withCheck('11010519491231001');
    expect(checkCnId(male)).toMatchObject({ ok: true, sex: 'male' });
    expect(checkCnId(withCheck('11010519491231000'))).toMatchObject({ ok: true, sex: 'female' });
  });

  describe('length', () => {
    it('names the expected and actual length', () => {
      expect(checkCnId('1101051949123100X')).toEqual({
        ok: false,
        problem: 'length',
        detail: 'expected 18 characters, got 17',
      });
      expect(expectInvalid(checkCnId('11010519491231002X1')).detail).toBe('expected 18 characters, got 19');
      expect(expectInvalid(checkCnId('')).detail).toBe('expected 18 characters, got 0');
      expect(expectInvalid(checkCnId('   ')).detail).toBe('expected 18 characters, got 0');
    });

    it('explains that a 15-digit first-generation number is no longer valid', () => {
      const r = expectInvalid(checkCnId('110105491231002'));
      expect(r.problem).toBe('length');
      expect(r.detail).toBe(
        'expected 18 characters, got 15 (15-digit first-generation numbers are no longer valid)',
      );
    });
  });

  describe('characters', () => {
    it('names the position and the character', () => {
      expect(checkCnId('1101A519491231002X')).toEqual({
        ok: false,
        problem: 'characters',
        detail: 'character 5 is "A": only digits, and X as the last character, are allowed',
      });
    });

    it('names a stray separator before the length it also breaks', () => {
      expect(expectInvalid(checkCnId('110105-19491231002X')).detail).toBe(
        'character 7 is "-": only digits, and X as the last character, are allowed',
      );
    });

    it('refuses an X anywhere but last', () => {
      const r = expectInvalid(checkCnId('110105X9491231002X'));
      expect(r.problem).toBe('characters');
      expect(r.detail).toBe('character 7 is "X": only digits, and X as the last character, are allowed');
    });

    it('refuses full-width digits and counts an astral character as one', () => {
      expect(expectInvalid(checkCnId('１1010519491231002X')).detail).toMatch(/^character 1 is "１"/);
      // 17 digits and an emoji are 18 characters (19 UTF-16 units): the emoji is character 18.
      expect(expectInvalid(checkCnId('11010519491231002😀')).detail).toBe(
        'character 18 is "😀": only digits, and X as the last character, are allowed',
      );
    });

    it('names an invisible character by its code point', () => {
      expect(expectInvalid(checkCnId('1101\u200b0519491231002X')).detail).toMatch(/^character 5 is U\+200B:/);
      expect(expectInvalid(checkCnId('1101\u00000519491231002X')).detail).toMatch(/^character 5 is U\+0000:/);
      expect(expectInvalid(checkCnId('1101\u00a00519491231002X')).detail).toMatch(/^character 5 is U\+00A0:/);
    });
  });

  describe('date', () => {
    it('refuses a date that does not exist', () => {
      expect(checkCnId(withCheck('11010519990230001'))).toEqual({
        ok: false,
        problem: 'date',
        detail: 'birth date 19990230 is not a real date',
      });
      expect(expectInvalid(checkCnId(withCheck('11010519991301001'))).detail).toBe(
        'birth date 19991301 is not a real date',
      );
      expect(expectInvalid(checkCnId(withCheck('11010519990000001'))).problem).toBe('date');
    });

    it('knows the Gregorian leap years: 2000-02-29 exists, 1900-02-29 does not', () => {
      expect(checkCnId(withCheck('11010520000229001'))).toMatchObject({ ok: true, birthDate: '2000-02-29' });
      expect(expectInvalid(checkCnId(withCheck('11010519000229001'))).detail).toBe(
        'birth date 19000229 is not a real date',
      );
      expect(expectInvalid(checkCnId(withCheck('11010520230229001'))).problem).toBe('date');
    });

    it('refuses a birth date before 1900, and accepts 1900-01-01', () => {
      expect(expectInvalid(checkCnId(withCheck('11010518991231001'))).detail).toBe(
        'birth date 1899-12-31 is before 1900',
      );
      expect(checkCnId(withCheck('11010519000101001'))).toMatchObject({ ok: true });
    });

    it('refuses a birth date after todayKey, and accepts one born today', () => {
      expect(expectInvalid(checkCnId(withCheck('11010520261124001'), { todayKey: TODAY })).detail).toBe(
        'birth date 2026-11-24 is in the future (today is 2026-11-23)',
      );
      expect(checkCnId(withCheck('11010520261123001'), { todayKey: TODAY })).toMatchObject({ ok: true });
      // Without a clock the core cannot tell: the caller passes todayKey.
      expect(checkCnId(withCheck('11010520261124001'))).toMatchObject({ ok: true });
    });

    it('refuses a malformed todayKey as a programming error', () => {
      expect(() => checkCnId('11010519491231002X', { todayKey: '2026-13-01' })).toThrow(RangeError);
      expect(() => checkCnId('11010519491231002X', { todayKey: '20261123' })).toThrow(RangeError);
    });
  });

  describe('check digit', () => {
    it('names the expected and the actual check digit', () => {
      expect(checkCnId('110105194912310021')).toEqual({
        ok: false,
        problem: 'check_digit',
        detail: 'check digit should be X, got 1',
      });
      const valid = withCheck('44030519900307123');
      const wrong = valid.slice(0, 17) + (valid.endsWith('7') ? '3' : '7');
      expect(expectInvalid(checkCnId(wrong)).detail).toBe(
        `check digit should be ${valid.charAt(17)}, got ${wrong.charAt(17)}`,
      );
    });
  });

  it('every generated valid prefix with its computed check digit validates (property)', () => {
    fc.assert(
      fc.property(validCnId, ({ id, ymd, seq }) => {
        const r = checkCnId(id, { todayKey: TODAY });
        expect(r).toEqual({
          ok: true,
          normalized: id,
          birthDate: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}`,
          sex: seq % 2 === 1 ? 'male' : 'female',
        });
        expect(checkCnId(id.toLowerCase(), { todayKey: TODAY }).ok).toBe(true);
      }),
    );
  });

  it('changing any single character of a valid number makes it invalid (property)', () => {
    fc.assert(
      fc.property(
        validCnId,
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom(...'0123456789X'),
        ({ id }, pos, replacement) => {
          fc.pre(id.charAt(pos) !== replacement && (replacement !== 'X' || pos === 17));
          const changed = id.slice(0, pos) + replacement + id.slice(pos + 1);
          const r = expectInvalid(checkCnId(changed, { todayKey: TODAY }));
          // A changed digit either breaks the birth date or, since every weight is non-zero mod 11
          // and two digits differ by less than 11, the check sum.
          expect(['date', 'check_digit']).toContain(r.problem);
        },
      ),
    );
  });

  it('a detail never contains the number, nor any 9 consecutive characters of it (property, SPEC §4 PII)', () => {
    const mutated = fc
      .tuple(validCnId, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'0123456789Xx')), { maxLength: 3 }))
      .map(([{ id }, edits]) =>
        edits.reduce((s, [at, c]) => {
          const i = at % (s.length + 1);
          return at % 3 === 0 ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + c + s.slice(i + 1);
        }, id),
      );
    const digitsy = fc.stringMatching(/^[0-9Xx]{9,24}$/);
    fc.assert(
      fc.property(fc.oneof(mutated, digitsy), (input) => {
        const r = checkCnId(input, { todayKey: TODAY });
        if (r.ok) return;
        expect(r.detail).not.toContain(input);
        for (let i = 0; i + 9 <= input.length; i++) expect(r.detail).not.toContain(input.slice(i, i + 9));
      }),
    );
  });
});

describe('validateDocument', () => {
  it('lists the document types of SPEC §2 and narrows untrusted values', () => {
    expect(DOCUMENT_TYPES).toEqual(['cn_id', 'hk_mo_permit', 'tw_permit', 'passport']);
    expect(isDocumentType('tw_permit')).toBe(true);
    expect(isDocumentType('driving_licence')).toBe(false);
    expect(isDocumentType(7)).toBe(false);
  });

  it('R-CHG-4 only the mainland ID is mainland: the others add manual review', () => {
    expect(DOCUMENT_TYPES.filter(isMainland)).toEqual(['cn_id']);
  });

  it('cn_id runs the GB 11643 check, with the birth date and sex', () => {
    expect(validateDocument('cn_id', '11010519491231002x')).toMatchObject({
      ok: true,
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
    });
    expect(validateDocument('cn_id', '110105194912310021')).toMatchObject({
      ok: false,
      problem: 'check_digit',
    });
    expect(validateDocument('cn_id', withCheck('11010520261124001'), { todayKey: TODAY })).toMatchObject({
      problem: 'date',
    });
  });

  describe('hk_mo_permit (回乡证): H or M, then 8 or 10 digits', () => {
    it('accepts both lengths and both prefixes, upper-casing the prefix', () => {
      expect(validateDocument('hk_mo_permit', 'H12345678')).toEqual({ ok: true, normalized: 'H12345678' });
      expect(validateDocument('hk_mo_permit', ' m1234567801 ')).toEqual({
        ok: true,
        normalized: 'M1234567801',
      });
    });

    it('names each problem', () => {
      expect(validateDocument('hk_mo_permit', 'H1234567')).toEqual({
        ok: false,
        problem: 'length',
        detail: 'expected 9 or 11 characters (H or M, then 8 or 10 digits), got 8',
      });
      expect(validateDocument('hk_mo_permit', 'H123456789')).toMatchObject({ problem: 'length' });
      expect(validateDocument('hk_mo_permit', 'H1234-5678')).toEqual({
        ok: false,
        problem: 'characters',
        detail: 'character 6 is "-": only the letter H or M and digits are allowed',
      });
      expect(validateDocument('hk_mo_permit', 'X12345678')).toEqual({
        ok: false,
        problem: 'format',
        detail: 'must start with H (Hong Kong) or M (Macao), got "X"',
      });
      expect(validateDocument('hk_mo_permit', 'H1234A678')).toEqual({
        ok: false,
        problem: 'format',
        detail: 'character 6 is "A": only digits may follow the H or M prefix',
      });
    });
  });

  describe('tw_permit (台胞证): 8 digits', () => {
    it('accepts 8 digits', () => {
      expect(validateDocument('tw_permit', '01234567')).toEqual({ ok: true, normalized: '01234567' });
    });

    it('names each problem', () => {
      expect(validateDocument('tw_permit', '1234567')).toEqual({
        ok: false,
        problem: 'length',
        detail: 'expected 8 digits, got 7',
      });
      expect(validateDocument('tw_permit', '0123456789')).toMatchObject({ problem: 'length' });
      expect(validateDocument('tw_permit', 'T1234567')).toEqual({
        ok: false,
        problem: 'characters',
        detail: 'character 1 is "T": only digits are allowed',
      });
    });
  });

  describe('passport: 5 to 20 letters and digits', () => {
    it('accepts and upper-cases', () => {
      expect(validateDocument('passport', 'e12345678')).toEqual({ ok: true, normalized: 'E12345678' });
      expect(validateDocument('passport', 'AB123')).toMatchObject({ ok: true });
      expect(validateDocument('passport', 'A'.repeat(20))).toMatchObject({ ok: true });
    });

    it('names each problem', () => {
      expect(validateDocument('passport', 'AB12')).toEqual({
        ok: false,
        problem: 'length',
        detail: 'expected 5 to 20 characters, got 4',
      });
      expect(validateDocument('passport', 'A'.repeat(21))).toMatchObject({ problem: 'length' });
      expect(validateDocument('passport', 'E1234 5678')).toEqual({
        ok: false,
        problem: 'characters',
        detail: 'character 6 is " ": only letters A–Z and digits are allowed',
      });
      expect(validateDocument('passport', 'É12345678')).toMatchObject({ problem: 'characters' });
    });
  });

  it('refuses an unknown type from untyped callers instead of passing it', () => {
    expect(() => validateDocument('driving_licence' as never, 'X')).toThrow(RangeError);
  });

  it('no detail of any type contains the number (property, SPEC §4 PII)', () => {
    // Letters that cannot spell a word of any detail, so a hit could only be an echo of the input.
    const docLike = fc.stringMatching(/^[0-9HMXEGhmxeg -]{5,25}$/);
    fc.assert(
      fc.property(fc.constantFrom(...DOCUMENT_TYPES), docLike, (type, input) => {
        const r = validateDocument(type, input);
        if (r.ok || input.trim().length < 5) return;
        expect(r.detail).not.toContain(input.trim());
      }),
    );
  });
});
