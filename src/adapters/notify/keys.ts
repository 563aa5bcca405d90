/**
 * The keys that sign Security Event Tokens (R-NOTIFY-1): ES256 key pairs made with jose, kept in the
 * store with the private part sealed under the master key, one current at a time. A rotation makes
 * a new key current; the retired one stays in the published JWKS for a grace period, so that events
 * signed before the rotation (still being retried) verify at the receiver.
 *
 * The `kid` is the key's RFC 7638 thumbprint.
 */
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { Clock } from '../../core/clock.js';
import type { NotifyStore, SigningKeyRecord } from '../../core/ports.js';
import { SET_TYP, type SetClaims } from '../../core/security-events.js';

/** The public half of a key as the JWKS publishes it. */
export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** Signs with one key: what a relay takes for one pass. */
export interface SetSigner {
  readonly kid: string;
  sign(claims: SetClaims): Promise<string>;
}

export interface SigningKeys {
  /** The current key's kid, creating the first key if there is none (first start). */
  ensure(): Promise<string>;
  /** A new current key; the previous one is retired now and published for the grace period. */
  rotate(): Promise<{ kid: string; retired: string | null }>;
  /** The JWKS: the current key and the keys retired within the grace period. */
  jwks(): Promise<{ keys: PublicJwk[] }>;
  /** A signer bound to the current key (creating one if there is none). */
  signer(): Promise<SetSigner>;
}

export interface SigningKeysOptions {
  store: Pick<NotifyStore, 'signingKeys' | 'currentSigningKey' | 'addSigningKey'>;
  clock: Clock;
  /** How long a retired key stays published (default 7 days). */
  graceMs?: number;
}

export const DEFAULT_KEY_GRACE_MS = 7 * 86_400_000;

function publicJwk(record: SigningKeyRecord): PublicJwk {
  const { kty = 'EC', crv = 'P-256', x = '', y = '' } = record.publicJwk;
  return { kty, crv, x, y, kid: record.kid, alg: 'ES256', use: 'sig' };
}

async function newKey(createdAt: number): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256');
  const strings = (jwk: JWK): Record<string, string> =>
    Object.fromEntries(Object.entries(jwk).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    kid,
    alg: 'ES256',
    publicJwk: strings(pub),
    privateJwk: strings(priv),
    createdAt,
    retiredAt: null,
  };
}

/**
 * @example
 * const keys = createSigningKeys({ store: notifyStore, clock });
 * await keys.ensure();
 * const jwt = await (await keys.signer()).sign(claims); // header { alg: 'ES256', kid, typ: 'secevent+jwt' }
 */
export function createSigningKeys(options: SigningKeysOptions): SigningKeys {
  const { store, clock } = options;
  const graceMs = options.graceMs ?? DEFAULT_KEY_GRACE_MS;
  // Imported private keys by kid: a key never changes once made, so the cache never goes stale.
  const imported = new Map<string, ReturnType<typeof importJWK>>();

  async function current(): Promise<SigningKeyRecord> {
    const found = await store.currentSigningKey();
    if (found) return found;
    await store.addSigningKey(await newKey(clock.now()), { onlyIfNone: true });
    const made = await store.currentSigningKey();
    if (!made) throw new Error('no current signing key after creating one');
    return made;
  }

  return {
    async ensure() {
      return (await current()).kid;
    },

    async rotate() {
      const key = await newKey(clock.now());
      const { retired } = await store.addSigningKey(key);
      return { kid: key.kid, retired };
    },

    async jwks() {
      const keys = await store.signingKeys(clock.now() - graceMs);
      return { keys: keys.map(publicJwk) };
    },

    async signer() {
      const key = await current();
      let privateKey = imported.get(key.kid);
      if (!privateKey) {
        privateKey = importJWK(key.privateJwk as JWK, 'ES256');
        imported.set(key.kid, privateKey);
      }
      const resolved = await privateKey;
      return {
        kid: key.kid,
        sign: (claims) =>
          new SignJWT(claims as unknown as JWTPayload)
            .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: SET_TYP })
            .sign(resolved),
      };
    },
  };
}
