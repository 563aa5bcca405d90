/**
 * Identifiers (SPEC §2 "Apps and grants", R-CHG-3, R-DEL-4).
 *
 * Pairwise identifiers for third-party apps: an OpenID per (account, app) and a UnionID per
 * (account, developer), each an HMAC-SHA256 under a service secret. The HMAC input is
 * domain-separated (a different tag per kind of identifier, so an OpenID can never be replayed as a
 * UnionID or a document key) and length-prefixed (so ('ab','c') and ('a','bc') are different
 * inputs). Without the secret an identifier reveals nothing of the account id, and the OpenIDs of
 * two apps — or the UnionIDs of two developers — for one account cannot be linked.
 *
 * Pure: `node:crypto` is used for hashing only, and random ids take their randomness as an argument.
 */
import { createHmac } from 'node:crypto';
import type { DocumentType } from './document-number.js';

/** The key of every keyed hash here: a string is used as its UTF-8 bytes. */
export type IdSecret = Uint8Array | string;

const OPENID_DOMAIN = 'realname/openid/v1';
const UNIONID_DOMAIN = 'realname/unionid/v1';
const DOCUMENT_DOMAIN = 'realname/document/v1';
const IDEMPOTENT_ID_DOMAIN = 'realname/idempotent-id/v1';

/** Length of an OpenID or UnionID: 28 characters, as on WeChat. */
export const PAIRWISE_ID_LENGTH = 28;

function lengthPrefixed(bytes: Uint8Array): Uint8Array[] {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, bytes.length);
  return [len, bytes];
}

function keyedHash(secret: IdSecret, domain: string, parts: readonly string[]): Buffer {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  // An empty key would make every identifier computable by anyone from the account id.
  if (key.length === 0) throw new RangeError('the identifier secret must not be empty');
  const h = createHmac('sha256', key);
  for (const chunk of lengthPrefixed(Buffer.from(domain, 'utf8'))) h.update(chunk);
  for (const p of parts) {
    if (p === '') throw new RangeError('identifier inputs must not be empty');
    for (const chunk of lengthPrefixed(Buffer.from(p, 'utf8'))) h.update(chunk);
  }
  return h.digest();
}

// 20 bytes (160 bits) are exactly 27 base64url characters; with the one-letter prefix, 28 in all.
function pairwise(prefix: string, digest: Buffer): string {
  return `${prefix}${digest.subarray(0, 20).toString('base64url')}`;
}

/**
 * The OpenID of an account for one app: stable, different for every app, 28 characters starting
 * with `o`.
 *
 * @example
 * deriveOpenId(secret, 'acc_1', 'app_1'); // 'o' + 27 base64url characters
 */
export function deriveOpenId(secret: IdSecret, accountId: string, appId: string): string {
  return pairwise('o', keyedHash(secret, OPENID_DOMAIN, [accountId, appId]));
}

/**
 * The UnionID of an account for one developer: the same across that developer's apps, different
 * across developers, 28 characters starting with `u` (so it can never equal an OpenID).
 *
 * @example
 * deriveUnionId(secret, 'acc_1', 'dev_1'); // 'u' + 27 base64url characters
 */
export function deriveUnionId(secret: IdSecret, accountId: string, developerId: string): string {
  return pairwise('u', keyedHash(secret, UNIONID_DOMAIN, [accountId, developerId]));
}

/**
 * A keyed hash of a document, to count its uses across accounts (R-CHG-3) and spot its
 * re-registration (R-RISK-2) without storing the number in the clear. The number is trimmed and
 * upper-cased here as well, so that a caller that forgot to normalise cannot split one document's
 * count in two with a lowercase `x`.
 *
 * @example
 * documentKey(secret, 'cn_id', '11010519491231002X'); // 'dk_' + 43 base64url characters
 */
export function documentKey(secret: IdSecret, type: DocumentType, normalizedNumber: string): string {
  const digest = keyedHash(secret, DOCUMENT_DOMAIN, [type, normalizedNumber.trim().toUpperCase()]);
  return `dk_${digest.toString('base64url')}`;
}

// Crockford's base32: no I, L, O or U, so an id read aloud or retyped is not misread.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 20;

/**
 * A random identifier: `prefix_` and 20 Crockford base32 characters (100 bits). The randomness is
 * injected (pass `crypto.randomBytes` in production, a seeded function in tests): the core reads no
 * OS source.
 *
 * @example
 * newId('op', randomBytes); // 'op_7Q2M0XK4…' (prefix, '_', 20 characters)
 */
export function newId(prefix: string, random: (n: number) => Uint8Array): string {
  // The prefix may not contain '_', so the id splits unambiguously into prefix and random part.
  if (!/^[A-Za-z0-9]+$/.test(prefix))
    throw new RangeError(`id prefix must be letters and digits, got ${JSON.stringify(prefix)}`);
  const bytes = random(RANDOM_CHARS);
  if (bytes.length < RANDOM_CHARS)
    throw new RangeError(`random(${RANDOM_CHARS}) returned only ${bytes.length} bytes`);
  let s = '';
  // 256 is a multiple of 32, so the low 5 bits of a uniform byte are uniform: no modulo bias.
  for (let i = 0; i < RANDOM_CHARS; i++) s += CROCKFORD.charAt((bytes[i] ?? 0) & 31);
  return `${prefix}_${s}`;
}

/**
 * The id a create given an Idempotency-Key (and no id) gives its new record: derived from (caller,
 * key) under the service secret, so the retry of a create whose answer was lost — the database went
 * away after the commit — names the same record instead of making a second one (SPEC §4).
 *
 * @example
 * idempotentId(secret, 'acc', 'platform:key_1', 'create-42'); // 'acc_' + 20 Crockford base32 characters
 */
export function idempotentId(secret: IdSecret, prefix: string, caller: string, key: string): string {
  const digest = keyedHash(secret, IDEMPOTENT_ID_DOMAIN, [prefix, caller, key]);
  return newId(prefix, () => digest);
}
