/**
 * Envelope encryption of PII (SPEC §4, R-DEL-4).
 *
 * Every account has its own random 256-bit data key; each PII field (phone, email, identity name and
 * document number) is sealed under it with AES-256-GCM. The data key itself is stored wrapped
 * (AES-256-GCM) under the master key. Destroying the wrapped data key — crypto-shredding — makes
 * that one account's PII undecryptable, wherever copies of the ciphertext went, without touching
 * anyone else's.
 *
 * Sealed values are `v1:` + base64url(iv ‖ tag ‖ ciphertext). The version prefix lets a later
 * format (another cipher, a key id for master-key rotation) live next to this one. The additional
 * authenticated data binds each value to its account and field, so a ciphertext copied into another
 * account's row — or from the name column into the document column — fails to open instead of
 * revealing someone else's data under the wrong name.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A key of 32 bytes that never prints itself (logs, errors, JSON, `util.inspect`). */
export class MasterKey {
  readonly #bytes: Buffer;
  /** True for the generated development key (loadMasterKey warns about it). */
  readonly development: boolean;

  constructor(bytes: Uint8Array, development = false) {
    if (bytes.length !== KEY_BYTES)
      throw new RangeError(`a master key is ${KEY_BYTES} bytes, got ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.development = development;
  }

  /** The raw key, for this module's ciphers only. */
  bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): string {
    return '[MasterKey]';
  }

  toString(): string {
    return '[MasterKey]';
  }

  [inspect.custom](): string {
    return '[MasterKey]';
  }
}

/** The account's data key was destroyed (crypto-shredding, R-DEL-4): its PII is gone for good. */
export class DataKeyDestroyedError extends Error {
  readonly code = 'DATA_KEY_DESTROYED';
  constructor(readonly accountId: string) {
    super(
      `the data key of account ${accountId} was destroyed (crypto-shredded): its PII cannot be decrypted`,
    );
    this.name = 'DataKeyDestroyedError';
  }
}

/** A sealed value failed to open: wrong key, wrong account or field, or tampered bytes. */
export class DecryptionError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`cannot decrypt ${what}: wrong key, moved to another account or field, or tampered`, options);
    this.name = 'DecryptionError';
  }
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

function open(key: Buffer, sealed: string, aad: string, what: string): Buffer {
  if (!sealed.startsWith(`${VERSION}:`)) throw new DecryptionError(`${what} (unknown format)`);
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new DecryptionError(`${what} (truncated)`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new DecryptionError(what, { cause });
  }
}

// Domain-separated AAD: a wrapped key can never be opened as a field and vice versa.
const wrapAad = (accountId: string): string => `realname/data-key/${VERSION}\u0000${accountId}`;
const fieldAad = (accountId: string, field: PiiField): string =>
  `realname/pii/${VERSION}\u0000${accountId}\u0000${field}`;

/** The PII fields sealed under an account's data key (each its own AAD). */
export type PiiField =
  | 'phone'
  | 'email'
  | 'identity.name'
  | 'identity.document'
  /** The new subject of a change waiting for its reviews (R-CHG-4). */
  | 'pending.name'
  | 'pending.document'
  /** Uploaded evidence: its file name and its bytes (R-CHG-1, R-MIN-3, R-ABN-2). */
  | 'evidence.name'
  | 'evidence.data';

/**
 * A fresh random data key for a new account.
 *
 * @example
 * const wrapped = wrapDataKey(master, 'acc_1', newDataKey());
 */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * Wrap a data key under the master key, bound to its account.
 *
 * @example
 * const wrapped = wrapDataKey(master, 'acc_1', newDataKey()); // 'v1:…'
 */
export function wrapDataKey(master: MasterKey, accountId: string, dataKey: Buffer): string {
  return seal(master.bytes(), dataKey, wrapAad(accountId));
}

/**
 * Unwrap an account's data key; `null` (the column after crypto-shredding) throws
 * {@link DataKeyDestroyedError}.
 *
 * @example
 * const key = unwrapDataKey(master, 'acc_1', row.data_key_wrapped);
 */
export function unwrapDataKey(master: MasterKey, accountId: string, wrapped: string | null): Buffer {
  if (wrapped === null) throw new DataKeyDestroyedError(accountId);
  return open(master.bytes(), wrapped, wrapAad(accountId), `the data key of account ${accountId}`);
}

/**
 * Seal one PII value under the account's data key.
 *
 * @example
 * const sealed = encryptField(key, 'acc_1', 'identity.name', '张三'); // 'v1:…'
 */
export function encryptField(dataKey: Buffer, accountId: string, field: PiiField, plaintext: string): string {
  return seal(dataKey, Buffer.from(plaintext, 'utf8'), fieldAad(accountId, field));
}

/**
 * Open one PII value; throws {@link DecryptionError} if it belongs to another account or field.
 *
 * @example
 * decryptField(key, 'acc_1', 'identity.name', sealed); // '张三'
 */
export function decryptField(dataKey: Buffer, accountId: string, field: PiiField, sealed: string): string {
  return open(dataKey, sealed, fieldAad(accountId, field), `${field} of account ${accountId}`).toString(
    'utf8',
  );
}

/** Binary envelopes (evidence files) start with this version byte instead of the `v1:` text prefix. */
const BINARY_VERSION = 0x01;

/**
 * Seal bytes (an evidence file) under the account's data key: version byte ‖ iv ‖ tag ‖ ciphertext,
 * kept as binary because a base64 text envelope would add a third to files of up to tens of MiB.
 *
 * @example
 * const sealed = encryptBytes(key, 'acc_1', 'evidence.data', jpegBytes); // Buffer
 */
export function encryptBytes(
  dataKey: Buffer,
  accountId: string,
  field: PiiField,
  plaintext: Uint8Array,
): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(fieldAad(accountId, field), 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(BINARY_VERSION), iv, cipher.getAuthTag(), ct]);
}

/**
 * Open bytes sealed by {@link encryptBytes}; throws {@link DecryptionError} on another account or
 * field, a wrong key or tampered bytes.
 *
 * @example
 * decryptBytes(key, 'acc_1', 'evidence.data', row.data_enc); // the original bytes
 */
export function decryptBytes(
  dataKey: Buffer,
  accountId: string,
  field: PiiField,
  sealed: Uint8Array,
): Buffer {
  const what = `${field} of account ${accountId}`;
  const raw = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (raw[0] !== BINARY_VERSION) throw new DecryptionError(`${what} (unknown format)`);
  if (raw.length < 1 + IV_BYTES + TAG_BYTES) throw new DecryptionError(`${what} (truncated)`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(fieldAad(accountId, field), 'utf8'));
    decipher.setAuthTag(raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new DecryptionError(what, { cause });
  }
}

/** Sealing and opening for one account: the data key is unwrapped once, lazily, and only when needed. */
export interface AccountCipher {
  encrypt(field: PiiField, plaintext: string): string;
  decrypt(field: PiiField, sealed: string): string;
  /** Bytes (evidence files), sealed as binary. */
  encryptBytes(field: PiiField, plaintext: Uint8Array): Buffer;
  decryptBytes(field: PiiField, sealed: Uint8Array): Buffer;
}

/**
 * The cipher of one account, from its wrapped data key (null after shredding: every call throws
 * {@link DataKeyDestroyedError}).
 *
 * @example
 * const c = accountCipher(master, row.id, row.data_key_wrapped);
 * c.decrypt('phone', row.phone_enc);
 */
export function accountCipher(master: MasterKey, accountId: string, wrapped: string | null): AccountCipher {
  let key: Buffer | undefined;
  const dataKey = (): Buffer => (key ??= unwrapDataKey(master, accountId, wrapped));
  return {
    encrypt: (field, plaintext) => encryptField(dataKey(), accountId, field, plaintext),
    decrypt: (field, sealed) => decryptField(dataKey(), accountId, field, sealed),
    encryptBytes: (field, plaintext) => encryptBytes(dataKey(), accountId, field, plaintext),
    decryptBytes: (field, sealed) => decryptBytes(dataKey(), accountId, field, sealed),
  };
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one '=' of padding (optional); base64url also accepted.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Parse a master key written as 64 hex characters or as base64 / base64url of 32 bytes. Anything
 * else is refused with a message that says what is expected — and never repeats the value.
 *
 * @example
 * parseMasterKey(randomBytes(32).toString('base64'));
 */
export function parseMasterKey(text: string, source = 'REALNAME_MASTER_KEY'): MasterKey {
  const t = text.trim();
  if (HEX_KEY.test(t)) return new MasterKey(Buffer.from(t, 'hex'));
  if (BASE64_KEY.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return new MasterKey(bytes);
  }
  throw new Error(
    `${source} must be exactly 32 random bytes, written as 64 hex characters or as base64 (44 characters with ` +
      `padding); got ${t.length} characters that are neither. Generate one with: ` +
      `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
  );
}

export interface LoadMasterKeyOptions {
  /** The environment (`process.env` in production); only REALNAME_MASTER_KEY is read. */
  env: Readonly<Record<string, string | undefined>>;
  /** Where the development key file lives (`./data` by default). */
  dataDir?: string;
  log?: { warn(message: string): void };
}

const DEV_KEY_FILE = 'master.key';

/**
 * The master key: REALNAME_MASTER_KEY when set (and valid — an invalid one is an error, never a
 * silent fallback), else a development key generated once into `<dataDir>/master.key` (mode 0600)
 * with a loud warning on every start, because PII sealed under a key that sits next to the database
 * is not protected by it.
 *
 * @example
 * const masterKey = loadMasterKey({ env: process.env, dataDir: './data', log: logger });
 */
export function loadMasterKey(options: LoadMasterKeyOptions): MasterKey {
  const { env, dataDir = './data', log = console } = options;
  const fromEnv = env.REALNAME_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseMasterKey(fromEnv);

  const file = join(dataDir, DEV_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' creates the file only if it does not exist: two processes starting at once cannot both
    // generate a key and leave data sealed under the one that lost the race.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = parseMasterKey(readFileSync(file, 'utf8'), file);
  const bar = '!'.repeat(78);
  log.warn(
    [
      bar,
      `!!! DEVELOPMENT MASTER KEY in ${file}`,
      '!!! PII is encrypted under a key stored next to the data: this protects NOTHING in production.',
      '!!! Set REALNAME_MASTER_KEY (32 random bytes, base64 or hex) from a secret store before real use.',
      bar,
    ].join('\n'),
  );
  return new MasterKey(key.bytes(), true);
}
