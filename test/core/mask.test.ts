import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskDocumentNumber, maskEmail, maskName, maskPhone } from '../../src/core/mask.js';

const codePoints = (s: string): string[] => Array.from(s);

describe('maskDocumentNumber (SPEC §2: document numbers masked everywhere)', () => {
  it('keeps the first and last character', () => {
    expect(maskDocumentNumber('11010519491231002X')).toBe('1****************X');
    expect(maskDocumentNumber('H12345678')).toBe('H*******8');
    expect(maskDocumentNumber('ABC')).toBe('A*C');
  });

  it('masks inputs of two characters or fewer entirely', () => {
    expect(maskDocumentNumber('')).toBe('');
    expect(maskDocumentNumber('A')).toBe('*');
    expect(maskDocumentNumber('AB')).toBe('**');
  });

  it('counts code points, so an astral character is never split', () => {
    expect(maskDocumentNumber('𠮷12𠮷')).toBe('𠮷**𠮷');
    expect(maskDocumentNumber('𠮷𠮷')).toBe('**');
  });

  it('keeps the length and reveals at most the first and last character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite', maxLength: 30 }), (input) => {
        const chars = codePoints(input);
        const masked = codePoints(maskDocumentNumber(input));
        expect(masked).toHaveLength(chars.length);
        if (chars.length <= 2) {
          expect(masked.every((c) => c === '*')).toBe(true);
          return;
        }
        expect(masked[0]).toBe(chars[0]);
        expect(masked[masked.length - 1]).toBe(chars[chars.length - 1]);
        expect(masked.slice(1, -1).every((c) => c === '*')).toBe(true);
      }),
    );
  });
});

describe('maskName', () => {
  it('Chinese names keep only their last character', () => {
    expect(maskName('张三')).toBe('*三');
    expect(maskName('欧阳娜娜')).toBe('***娜');
    expect(maskName('王小明')).toBe('**明');
    // The middle dot of a transcribed name is masked like any other character.
    expect(maskName('阿依古丽·买买提')).toBe('*******提');
  });

  it('a one-character name is masked entirely', () => {
    expect(maskName('张')).toBe('*');
  });

  it('handles astral-plane characters (CJK Extension B) as one character', () => {
    expect(maskName('𠮷三')).toBe('*三');
    expect(maskName('张𠮷')).toBe('*𠮷');
    expect(maskName('𠮷𠮷𠮷')).toBe('**𠮷');
  });

  it('other CJK scripts follow the same rule', () => {
    expect(maskName('김민준')).toBe('**준');
    expect(maskName('さくら')).toBe('**ら');
  });

  it('Latin names keep the first letter of each word', () => {
    expect(maskName('John Smith')).toBe('J*** S****');
    expect(maskName('  Émile   Zola ')).toBe('É**** Z***');
    expect(maskName('Jean-Luc Picard')).toBe('J******* P*****');
    expect(maskName('X')).toBe('X');
  });

  it('empty and blank names stay empty', () => {
    expect(maskName('')).toBe('');
    expect(maskName('  \u3000 ')).toBe('');
  });

  it('a Chinese name reveals only its last character, and keeps its length (property)', () => {
    const han = fc.constantFrom(...'张王李赵欧阳娜明华伟芳𠮷𪚥丽');
    fc.assert(
      fc.property(fc.array(han, { minLength: 2, maxLength: 6 }), (chars) => {
        const masked = codePoints(maskName(chars.join('')));
        expect(masked).toHaveLength(chars.length);
        expect(masked.slice(0, -1).every((c) => c === '*')).toBe(true);
        expect(masked[masked.length - 1]).toBe(chars[chars.length - 1]);
      }),
    );
  });

  it('a Latin name reveals only the first letter of each word (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,10}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const masked = maskName(words.join(' ')).split(' ');
        expect(masked).toHaveLength(words.length);
        masked.forEach((m, i) => {
          const w = words[i]!;
          expect(m).toBe(w[0] + '*'.repeat(w.length - 1));
        });
      }),
    );
  });
});

describe('maskPhone', () => {
  it('keeps the country code, the first 3 and the last 4 digits of a mainland mobile', () => {
    expect(maskPhone('+86 13812345678')).toBe('+86 138****5678');
    expect(maskPhone('+86 138 1234 5678')).toBe('+86 138****5678');
    expect(maskPhone('+86-138-1234-5678')).toBe('+86 138****5678');
    expect(maskPhone('0086 13812345678')).toBe('+86 138****5678');
  });

  it('finds the country code of a number written without a separator (E.164 code lengths)', () => {
    expect(maskPhone('+8613812345678')).toBe('+86 138****5678');
    expect(maskPhone('+85291234567')).toBe('+852 ****4567');
    expect(maskPhone('+85366123456')).toBe('+853 ****3456');
    expect(maskPhone('+886912345678')).toBe('+886 *****5678');
    expect(maskPhone('+14155552671')).toBe('+1 ******2671');
    expect(maskPhone('+6591234567')).toBe('+65 ****4567');
  });

  it('a number without a country code keeps no prefix', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
  });

  it('short numbers are mostly masked', () => {
    expect(maskPhone('+852 9123 4567')).toBe('+852 ****4567');
    expect(maskPhone('1234567')).toBe('*****67');
    expect(maskPhone('12345')).toBe('***45');
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('+86 12')).toBe('+86 **');
  });

  it('empty stays empty; no digits at all is masked', () => {
    expect(maskPhone('')).toBe('');
    expect(maskPhone('unknown')).toBe('***');
    expect(maskPhone('+')).toBe('***');
  });

  it('hides at least 4 digits of a national number of 8 or more, and never shows it whole (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9][0-9]{7,14}$/), (national) => {
        const masked = maskPhone(`+86 ${national}`);
        expect(masked.startsWith('+86 ')).toBe(true);
        const body = masked.slice(4);
        expect(body).toHaveLength(national.length);
        expect(body.split('').filter((c) => c === '*').length).toBeGreaterThanOrEqual(4);
        expect(masked).not.toContain(national);
        // Visible digits sit where they were.
        body.split('').forEach((c, i) => {
          if (c !== '*') expect(c).toBe(national[i]);
        });
      }),
    );
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain, with a fixed-length mask', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('a@example.com')).toBe('a***@example.com');
    expect(maskEmail('"odd@local"@example.com')).toBe('"***@example.com');
    expect(maskEmail('𠮷ab@example.cn')).toBe('𠮷***@example.cn');
  });

  it('masks anything that is not an address entirely', () => {
    expect(maskEmail('')).toBe('***');
    expect(maskEmail('alice')).toBe('***');
    expect(maskEmail('@example.com')).toBe('***');
    expect(maskEmail('alice@')).toBe('***');
  });

  it('never reveals more than one character of the local part (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const at = email.lastIndexOf('@');
        const masked = maskEmail(email);
        expect(masked).toBe(`${email[0]}***${email.slice(at)}`);
      }),
    );
  });
});
