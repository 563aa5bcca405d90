import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UNITS_PER_CENT,
  UNITS_PER_YUAN,
  addMoney,
  assertMoney,
  formatYuan,
  hasSubCentResidue,
  isMoney,
  parseYuan,
  subCentResidue,
  sumMoney,
  toYuanString,
  wholeCents,
  yuan,
} from '../../src/core/money.js';

const MAX = Number.MAX_SAFE_INTEGER;
const safeMoney = fc.integer({ min: -MAX, max: MAX });

describe('units (SPEC §2: integer ten-thousandths of a yuan)', () => {
  it('are exact', () => {
    expect(UNITS_PER_YUAN).toBe(10_000);
    expect(UNITS_PER_CENT).toBe(100);
    expect(yuan(1)).toBe(10_000);
    expect(yuan(50_000)).toBe(500_000_000);
    expect(yuan(-2)).toBe(-20_000);
  });

  it('isMoney and assertMoney accept safe integers only', () => {
    expect(isMoney(0)).toBe(true);
    expect(isMoney(-MAX)).toBe(true);
    expect(isMoney(0.5)).toBe(false);
    expect(isMoney(MAX + 1)).toBe(false);
    expect(isMoney(Number.NaN)).toBe(false);
    expect(isMoney('100')).toBe(false);
    expect(assertMoney(42, 'balance')).toBe(42);
    expect(() => assertMoney(0.1 + 0.2, 'balance')).toThrow(/^balance must be a safe integer/);
    expect(() => assertMoney(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('yuan() refuses non-integers and amounts beyond the safe range', () => {
    expect(() => yuan(1.5)).toThrow(RangeError);
    expect(() => yuan(Number.NaN)).toThrow(RangeError);
    expect(yuan(900_719_925_474)).toBe(9_007_199_254_740_000);
    expect(() => yuan(900_719_925_475)).toThrow(RangeError);
  });
});

describe('parseYuan', () => {
  it('parses decimal strings exactly', () => {
    expect(parseYuan('12.3456')).toBe(123_456);
    expect(parseYuan('-0.0001')).toBe(-1);
    expect(parseYuan('0.5')).toBe(5_000);
    expect(parseYuan('0.1')).toBe(1_000); // a float would say 0.1 * 10000 = 1000.0000000000001
    expect(parseYuan('0.07')).toBe(700);
    expect(parseYuan('50000')).toBe(500_000_000);
    expect(parseYuan('+3')).toBe(30_000);
    expect(parseYuan('007.50')).toBe(75_000);
    expect(parseYuan(' 12 ')).toBe(120_000);
  });

  it('never returns -0', () => {
    expect(Object.is(parseYuan('-0'), 0)).toBe(true);
    expect(Object.is(parseYuan('-0.0000'), 0)).toBe(true);
  });

  it('refuses more than 4 decimals, naming the limit', () => {
    expect(() => parseYuan('12.34567')).toThrow(/at most 4 decimals/);
    expect(() => parseYuan('0.00001')).toThrow(RangeError);
  });

  it('refuses garbage', () => {
    for (const s of [
      '',
      ' ',
      'abc',
      '1,000',
      '¥1',
      '.5',
      '5.',
      '1e3',
      '0x10',
      '--1',
      '1.2.3',
      '９',
      'NaN',
      '1 000',
    ])
      expect(() => parseYuan(s), s).toThrow(RangeError);
  });

  it('refuses amounts beyond the safe-integer range, and accepts the boundary', () => {
    expect(parseYuan('900719925474.0991')).toBe(MAX);
    expect(parseYuan('-900719925474.0991')).toBe(-MAX);
    expect(parseYuan('0000900719925474.0991')).toBe(MAX);
    expect(() => parseYuan('900719925474.0992')).toThrow(/out of range/);
    expect(() => parseYuan('1000000000000')).toThrow(/out of range/);
    expect(() => parseYuan(`1${'0'.repeat(30)}`)).toThrow(/out of range/);
  });

  it('integer yuan parse to yuan() (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -900_719_925_474, max: 900_719_925_474 }), (n) => {
        expect(parseYuan(String(n))).toBe(yuan(n));
      }),
    );
  });
});

describe('formatYuan', () => {
  it('shows two decimals when there is no residue', () => {
    expect(formatYuan(123_400)).toBe('¥12.34');
    expect(formatYuan(0)).toBe('¥0.00');
    expect(formatYuan(100)).toBe('¥0.01');
    expect(formatYuan(yuan(999))).toBe('¥999.00');
  });

  it('groups thousands', () => {
    expect(formatYuan(yuan(50_000))).toBe('¥50,000.00');
    expect(formatYuan(yuan(2_000))).toBe('¥2,000.00');
    expect(formatYuan(yuan(1_000_000))).toBe('¥1,000,000.00');
    expect(formatYuan(MAX)).toBe('¥900,719,925,474.0991');
  });

  it('writes a negative amount as -¥', () => {
    expect(formatYuan(-10_000)).toBe('-¥1.00');
    expect(formatYuan(-1)).toBe('-¥0.0001');
    expect(formatYuan(-MAX)).toBe('-¥900,719,925,474.0991');
  });

  it('is the same in both locales', () => {
    expect(formatYuan(yuan(50_000), { locale: 'zh-CN' })).toBe('¥50,000.00');
    expect(formatYuan(50, { locale: 'en' })).toBe('¥0.0050');
  });

  it('agrees with the plain decimal form on any amount: the same digits, grouped, with the sign before ¥', () => {
    fc.assert(
      fc.property(safeMoney, (m) => {
        const plain = toYuanString(m);
        const [whole = '', decimals = ''] = plain.replace('-', '').split('.');
        const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
        expect(formatYuan(m)).toBe(`${m < 0 ? '-' : ''}¥${grouped}.${decimals}`);
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses a value that is not money rather than rounding it', () => {
    expect(() => formatYuan(0.5)).toThrow(RangeError);
    expect(() => formatYuan(MAX + 2)).toThrow(RangeError);
  });

  it('round-trips through toYuanString and parseYuan for every amount (property)', () => {
    fc.assert(
      fc.property(safeMoney, (m) => {
        expect(parseYuan(toYuanString(m))).toBe(m);
        const shown = formatYuan(m);
        expect(shown.replace('¥', '').replaceAll(',', '')).toBe(toYuanString(m));
        expect(parseYuan(shown.replace('¥', '').replaceAll(',', ''))).toBe(m);
      }),
    );
  });

  it('integer yuan always show two decimals (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -900_719_925_474, max: 900_719_925_474 }), (n) => {
        expect(formatYuan(yuan(n))).toMatch(/^-?¥\d{1,3}(,\d{3})*\.00$/);
      }),
    );
  });
});

describe('R-UX-2 residue below one fen', () => {
  it('0.0050 yuan is representable, displayed and detected', () => {
    const residue = parseYuan('0.0050');
    expect(residue).toBe(50);
    expect(formatYuan(residue)).toBe('¥0.0050');
    expect(hasSubCentResidue(residue)).toBe(true);
    expect(subCentResidue(residue)).toBe(50);
    expect(wholeCents(residue)).toBe(0);
  });

  it('splits an amount into whole fen and residue, keeping the sign', () => {
    expect(subCentResidue(123_456)).toBe(56);
    expect(wholeCents(123_456)).toBe(123_400);
    expect(formatYuan(123_456)).toBe('¥12.3456');
    expect(subCentResidue(-123_456)).toBe(-56);
    expect(wholeCents(-123_456)).toBe(-123_400);
  });

  it('boundaries: 99 units has a residue, 100 does not, 101 does', () => {
    expect(hasSubCentResidue(99)).toBe(true);
    expect(hasSubCentResidue(100)).toBe(false);
    expect(hasSubCentResidue(101)).toBe(true);
    expect(hasSubCentResidue(0)).toBe(false);
    expect(hasSubCentResidue(1)).toBe(true);
    expect(hasSubCentResidue(-1)).toBe(true);
    expect(formatYuan(99)).toBe('¥0.0099');
    expect(formatYuan(101)).toBe('¥0.0101');
  });

  it('never returns -0', () => {
    expect(Object.is(subCentResidue(-200), 0)).toBe(true);
    expect(Object.is(wholeCents(-50), 0)).toBe(true);
  });

  it('whole fen + residue = amount, |residue| < 1 fen, and four decimals shown exactly when there is a residue (property)', () => {
    fc.assert(
      fc.property(safeMoney, (m) => {
        const r = subCentResidue(m);
        expect(wholeCents(m) + r).toBe(m);
        expect(Math.abs(r)).toBeLessThan(UNITS_PER_CENT);
        expect(wholeCents(m) % UNITS_PER_CENT === 0).toBe(true);
        if (r !== 0) expect(Math.sign(r)).toBe(Math.sign(m));
        expect(/\.\d{4}$/.test(formatYuan(m))).toBe(hasSubCentResidue(m));
      }),
    );
  });

  it('refuses a non-integer instead of computing a wrong residue', () => {
    expect(() => subCentResidue(0.5)).toThrow(RangeError);
    expect(() => hasSubCentResidue(Number.NaN)).toThrow(RangeError);
  });
});

describe('addMoney and sumMoney', () => {
  it('add exactly', () => {
    expect(addMoney()).toBe(0);
    expect(sumMoney([])).toBe(0);
    expect(addMoney(yuan(2), parseYuan('0.0050'))).toBe(20_050);
    expect(sumMoney([yuan(1), 56, -56])).toBe(yuan(1));
    expect(addMoney(MAX, -MAX)).toBe(0);
  });

  it('refuse an overflow, also in an intermediate sum', () => {
    expect(() => addMoney(MAX, 1)).toThrow(/overflows/);
    expect(() => addMoney(-MAX, -1)).toThrow(RangeError);
    // MAX + 1 - 1 would land back in range after silently passing through an inexact value.
    expect(() => sumMoney([MAX, 1, -1])).toThrow(RangeError);
  });

  it('refuse an element that is not money', () => {
    expect(() => addMoney(1, 0.5)).toThrow(RangeError);
    expect(() => sumMoney([1, Number.NaN])).toThrow(RangeError);
  });

  it('agree with BigInt arithmetic whenever the result is safe (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 48), max: 2 ** 48 }), { maxLength: 20 }), (list) => {
        const exact = list.reduce((s, m) => s + BigInt(m), 0n);
        expect(BigInt(sumMoney(list))).toBe(exact);
      }),
    );
  });
});
