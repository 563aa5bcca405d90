import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAIRWISE_ID_LENGTH, deriveOpenId, deriveUnionId, documentKey, newId } from '../../src/core/ids.js';
import { DOCUMENT_TYPES } from '../../src/core/document-number.js';

const SECRET = 'test-secret-for-pairwise-identifiers';
const OTHER_SECRET = new TextEncoder().encode('another-deployment-secret');

const id = fc.stringMatching(/^[a-z0-9_]{1,24}$/);
// Long enough that finding it inside 27 random characters by chance is negligible (~1e-9).
const accountId = fc.stringMatching(/^acc_[A-Za-z0-9]{6,20}$/);

describe('SPEC §2 apps and grants: OpenID and UnionID', () => {
  it('are 28 base64url characters starting with o and u, like WeChat', () => {
    const openId = deriveOpenId(SECRET, 'acc_1', 'app_1');
    const unionId = deriveUnionId(SECRET, 'acc_1', 'dev_1');
    expect(PAIRWISE_ID_LENGTH).toBe(28);
    expect(openId).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(unionId).toMatch(/^u[A-Za-z0-9_-]{27}$/);
  });

  it('are stable, and a string secret is its UTF-8 bytes', () => {
    expect(deriveOpenId(SECRET, 'acc_1', 'app_1')).toBe(deriveOpenId(SECRET, 'acc_1', 'app_1'));
    expect(deriveOpenId(new TextEncoder().encode(SECRET), 'acc_1', 'app_1')).toBe(
      deriveOpenId(SECRET, 'acc_1', 'app_1'),
    );
  });

  it('are an HMAC-SHA256 over a domain-separated, length-prefixed encoding', () => {
    // Pins the encoding: changing it would change every identifier already handed to apps.
    const frame = (s: string): Buffer => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const expected = createHmac('sha256', SECRET)
      .update(Buffer.concat([frame('realname/openid/v1'), frame('acc_1'), frame('app_1')]))
      .digest()
      .subarray(0, 20)
      .toString('base64url');
    expect(deriveOpenId(SECRET, 'acc_1', 'app_1')).toBe(`o${expected}`);
  });

  it('the length prefix keeps ("ab","c") and ("a","bc") apart', () => {
    expect(deriveOpenId(SECRET, 'ab', 'c')).not.toBe(deriveOpenId(SECRET, 'a', 'bc'));
    expect(deriveUnionId(SECRET, 'ab', 'c')).not.toBe(deriveUnionId(SECRET, 'a', 'bc'));
    expect(documentKey(SECRET, 'passport', 'AB12345')).not.toBe(
      documentKey(SECRET, 'passpor' as never, 'TAB12345'),
    );
  });

  it('the OpenID is pairwise: it differs per app (property)', () => {
    fc.assert(
      fc.property(accountId, id, id, (acc, app1, app2) => {
        fc.pre(app1 !== app2);
        expect(deriveOpenId(SECRET, acc, app1)).not.toBe(deriveOpenId(SECRET, acc, app2));
      }),
    );
  });

  it('the OpenID differs per account within one app (property)', () => {
    fc.assert(
      fc.property(accountId, accountId, id, (a, b, app) => {
        fc.pre(a !== b);
        expect(deriveOpenId(SECRET, a, app)).not.toBe(deriveOpenId(SECRET, b, app));
      }),
    );
  });

  it("the UnionID is the same across one developer's apps and differs across developers (property)", () => {
    fc.assert(
      fc.property(accountId, id, id, (acc, dev1, dev2) => {
        // It depends on the developer only: the apps of dev1 all see this value.
        expect(deriveUnionId(SECRET, acc, dev1)).toBe(deriveUnionId(SECRET, acc, dev1));
        if (dev1 !== dev2)
          expect(deriveUnionId(SECRET, acc, dev1)).not.toBe(deriveUnionId(SECRET, acc, dev2));
      }),
    );
  });

  it('an OpenID and a UnionID never coincide, even when app id and developer id are equal (property)', () => {
    fc.assert(
      fc.property(accountId, id, id, (acc, app, dev) => {
        expect(deriveOpenId(SECRET, acc, app)).not.toBe(deriveUnionId(SECRET, acc, dev));
        // Domain separation: beyond the prefix, the hash itself differs for the same inputs.
        expect(deriveOpenId(SECRET, acc, app).slice(1)).not.toBe(deriveUnionId(SECRET, acc, app).slice(1));
      }),
    );
  });

  it('neither reveals the account id nor the app or developer id (property)', () => {
    fc.assert(
      fc.property(accountId, fc.stringMatching(/^app_[A-Za-z0-9]{6,12}$/), (acc, app) => {
        for (const out of [deriveOpenId(SECRET, acc, app), deriveUnionId(SECRET, acc, app)]) {
          expect(out).not.toContain(acc);
          expect(out).not.toContain(acc.slice(4));
          expect(out).not.toContain(app.slice(4));
        }
      }),
    );
  });

  it('depend on the secret: another deployment derives unlinkable ids', () => {
    expect(deriveOpenId(OTHER_SECRET, 'acc_1', 'app_1')).not.toBe(deriveOpenId(SECRET, 'acc_1', 'app_1'));
    expect(deriveUnionId(OTHER_SECRET, 'acc_1', 'dev_1')).not.toBe(deriveUnionId(SECRET, 'acc_1', 'dev_1'));
  });

  it('refuse an empty secret or an empty input', () => {
    expect(() => deriveOpenId('', 'acc_1', 'app_1')).toThrow(RangeError);
    expect(() => deriveOpenId(new Uint8Array(0), 'acc_1', 'app_1')).toThrow(RangeError);
    expect(() => deriveOpenId(SECRET, '', 'app_1')).toThrow(RangeError);
    expect(() => deriveUnionId(SECRET, 'acc_1', '')).toThrow(RangeError);
  });
});

describe('R-CHG-3 documentKey', () => {
  it('is a stable keyed hash that does not contain the number', () => {
    const key = documentKey(SECRET, 'cn_id', '11010519491231002X');
    expect(key).toMatch(/^dk_[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(documentKey(SECRET, 'cn_id', '11010519491231002X'));
    expect(key).not.toContain('11010519491231002X');
    expect(documentKey(OTHER_SECRET, 'cn_id', '11010519491231002X')).not.toBe(key);
  });

  it('counts a lowercase x or stray whitespace as the same document', () => {
    expect(documentKey(SECRET, 'cn_id', ' 11010519491231002x ')).toBe(
      documentKey(SECRET, 'cn_id', '11010519491231002X'),
    );
    expect(documentKey(SECRET, 'passport', 'e12345678')).toBe(documentKey(SECRET, 'passport', 'E12345678'));
  });

  it('differs per document type, and never equals an OpenID or UnionID', () => {
    const keys = DOCUMENT_TYPES.map((t) => documentKey(SECRET, t, '12345678'));
    expect(new Set(keys).size).toBe(DOCUMENT_TYPES.length);
    const digest = documentKey(SECRET, 'passport', 'E12345678').slice(3);
    expect(deriveOpenId(SECRET, 'passport', 'E12345678').slice(1)).not.toBe(digest.slice(0, 27));
  });

  it('distinct numbers get distinct keys (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{5,18}$/), fc.stringMatching(/^[0-9A-Z]{5,18}$/), (a, b) => {
        fc.pre(a !== b);
        expect(documentKey(SECRET, 'passport', a)).not.toBe(documentKey(SECRET, 'passport', b));
      }),
    );
  });
});

describe('newId', () => {
  const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{20}$/;

  it('is prefix, underscore and 20 Crockford base32 characters from the injected randomness (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const asked: number[] = [];
        const out = newId('op', (n) => {
          asked.push(n);
          return bytes;
        });
        expect(asked).toEqual([20]);
        expect(out.startsWith('op_')).toBe(true);
        expect(out.slice(3)).toMatch(CROCKFORD);
        // Deterministic given the bytes: the same randomness gives the same id.
        expect(newId('op', () => bytes)).toBe(out);
      }),
    );
  });

  it('uses all 32 symbols and none of I, L, O, U', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => i);
    const more = Uint8Array.from({ length: 20 }, (_, i) => 12 + i);
    const chars = new Set([...newId('x', () => bytes).slice(2), ...newId('x', () => more).slice(2)]);
    expect(chars.size).toBe(32);
    for (const c of 'ILOU') expect(chars.has(c)).toBe(false);
  });

  it('refuses short randomness and a prefix that would make the id ambiguous', () => {
    expect(() => newId('op', () => new Uint8Array(19))).toThrow(RangeError);
    expect(() => newId('op_x', () => new Uint8Array(20))).toThrow(RangeError);
    expect(() => newId('', () => new Uint8Array(20))).toThrow(RangeError);
  });
});
