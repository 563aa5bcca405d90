/**
 * PII at rest (SPEC §4) and crypto-shredding (R-DEL-4): envelope encryption, AAD binding, the master
 * key loader, and — on every dialect — what the database actually holds.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DataKeyDestroyedError,
  DecryptionError,
  MasterKey,
  accountCipher,
  decryptField,
  encryptField,
  loadMasterKey,
  newDataKey,
  parseMasterKey,
  unwrapDataKey,
  wrapDataKey,
} from '../../src/adapters/store/crypto.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import {
  DOCUMENT,
  EMAIL,
  NAME,
  NOON,
  OTHER_DOCUMENT,
  PHONE_DIGITS,
  identity,
  seedAccount,
} from './fixtures.js';

describe('envelope encryption (crypto.ts)', () => {
  const master = new MasterKey(randomBytes(32));

  it('seals each value as v1: + base64url(iv|tag|ct), fresh iv every time', () => {
    const key = newDataKey();
    const a = encryptField(key, 'acc_1', 'identity.name', NAME);
    const b = encryptField(key, 'acc_1', 'identity.name', NAME);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(decryptField(key, 'acc_1', 'identity.name', a)).toBe(NAME);
  });

  it('binds a value to its account and field (AAD), and a wrapped key to its account', () => {
    const key = newDataKey();
    const sealed = encryptField(key, 'acc_1', 'identity.document', DOCUMENT);
    expect(() => decryptField(key, 'acc_2', 'identity.document', sealed)).toThrow(DecryptionError);
    expect(() => decryptField(key, 'acc_1', 'identity.name', sealed)).toThrow(DecryptionError);
    const wrapped = wrapDataKey(master, 'acc_1', key);
    expect(unwrapDataKey(master, 'acc_1', wrapped).equals(key)).toBe(true);
    expect(() => unwrapDataKey(master, 'acc_2', wrapped)).toThrow(DecryptionError);
    expect(() => unwrapDataKey(new MasterKey(randomBytes(32)), 'acc_1', wrapped)).toThrow(DecryptionError);
    // A flipped bit anywhere is caught by the GCM tag.
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => decryptField(key, 'acc_1', 'identity.document', `v1:${raw.toString('base64url')}`)).toThrow(
      DecryptionError,
    );
    expect(() => decryptField(key, 'acc_1', 'identity.document', 'v0:abc')).toThrow(/unknown format/);
  });

  it('a destroyed data key fails every decryption with a clear error', () => {
    const cipher = accountCipher(master, 'acc_9', null);
    expect(() => cipher.decrypt('phone', 'v1:AAAA')).toThrow(DataKeyDestroyedError);
    expect(() => cipher.encrypt('phone', PHONE_DIGITS)).toThrow(/crypto-shredded/);
  });

  it('never prints the master key', () => {
    const text = `${String(master)} ${JSON.stringify({ master })}`;
    expect(text).toBe('[MasterKey] {"master":"[MasterKey]"}');
  });

  it('parses REALNAME_MASTER_KEY as hex or base64 of 32 bytes and refuses anything else clearly', () => {
    const bytes = randomBytes(32);
    for (const text of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
      expect(parseMasterKey(text).bytes().equals(bytes)).toBe(true);
    }
    for (const bad of [
      'short',
      randomBytes(16).toString('hex'),
      randomBytes(31).toString('base64'),
      `${'g'.repeat(64)}`,
    ]) {
      expect(() =>
        loadMasterKey({ env: { REALNAME_MASTER_KEY: bad }, log: { warn: () => undefined } }),
      ).toThrow(/REALNAME_MASTER_KEY must be exactly 32 random bytes/);
    }
    // The refusal never repeats the value.
    const secret = 'z'.repeat(50);
    expect(() => parseMasterKey(secret)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) }),
    );
  });

  it('generates ./data/master.key once (mode 0600) and warns loudly that it is a development key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-key-'));
    try {
      const warnings: string[] = [];
      const log = { warn: (m: string) => warnings.push(m) };
      const first = loadMasterKey({ env: {}, dataDir: dir, log });
      const second = loadMasterKey({ env: { REALNAME_MASTER_KEY: '' }, dataDir: dir, log });
      expect(first.development).toBe(true);
      expect(second.bytes().equals(first.bytes())).toBe(true);
      expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/DEVELOPMENT MASTER KEY/);
      expect(warnings[0]).toMatch(/REALNAME_MASTER_KEY/);
      // An explicit key wins and does not warn.
      const explicit = loadMasterKey({
        env: { REALNAME_MASTER_KEY: randomBytes(32).toString('hex') },
        dataDir: dir,
        log,
      });
      expect(explicit.development).toBe(false);
      expect(warnings).toHaveLength(2);
      // A corrupted key file is refused, not replaced (data sealed under it would be lost).
      writeFileSync(join(dir, 'master.key'), 'garbage\n');
      expect(() => loadMasterKey({ env: {}, dataDir: dir, log })).toThrow(/master\.key must be exactly 32/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every byte the SQLite database holds on disk: the main file and the WAL. */
function sqliteBytes(file: string): Buffer {
  return Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

describe.each(dialects())(
  'store contract on $name: PII at rest and crypto-shredding',
  ({ name, makeStore }) => {
    let h: StoreHandle;
    beforeAll(async () => {
      h = await makeStore();
    });
    afterAll(() => h.cleanup());

    it('encrypts name, document number, phone and email at rest; facts show them masked', async () => {
      await seedAccount(h.store, 'acc_pii');
      await h.store.withAccount('acc_pii', (tx) => tx.writeIdentity(identity(), NOON));
      const row = await h.store.db
        .selectFrom('identities')
        .selectAll()
        .where('account_id', '=', 'acc_pii')
        .executeTakeFirstOrThrow();
      const account = await h.store.db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', 'acc_pii')
        .executeTakeFirstOrThrow();
      const rawText = JSON.stringify([row, account]);
      for (const clear of [NAME, DOCUMENT, PHONE_DIGITS, '138 1234 5678', EMAIL])
        expect(rawText).not.toContain(clear);
      expect(row.name_enc).toMatch(/^v1:/);
      expect(row.document_enc).toMatch(/^v1:/);
      expect(account.phone_enc).toMatch(/^v1:/);
      // With the master key, and only through the account's data key, they open.
      const cipher = accountCipher(h.masterKey, 'acc_pii', account.data_key_wrapped);
      expect(cipher.decrypt('identity.document', row.document_enc)).toBe(DOCUMENT);
      expect(cipher.decrypt('email', account.email_enc!)).toBe(EMAIL);
      expect(cipher.decrypt('phone', account.phone_enc)).toBe('+86 138 1234 5678');

      const facts = (await h.store.facts('acc_pii'))!;
      expect(facts.identity).toMatchObject({ nameMasked: '**丰', documentMasked: '1****************X' });
      expect(JSON.stringify(facts)).not.toContain(DOCUMENT);
      expect(JSON.stringify(facts)).not.toContain(NAME);

      if (name === 'sqlite') {
        const bytes = sqliteBytes(h.file!);
        for (const clear of [NAME, DOCUMENT, PHONE_DIGITS, EMAIL])
          expect(bytes.includes(Buffer.from(clear, 'utf8'))).toBe(false);
      }
    });

    it('binds ciphertexts to their account: copied into another account row, they fail to open', async () => {
      await seedAccount(h.store, 'acc_aad_a');
      await seedAccount(h.store, 'acc_aad_b');
      await h.store.withAccount('acc_aad_a', (tx) => tx.writeIdentity(identity(), NOON));
      await h.store.withAccount('acc_aad_b', (tx) =>
        tx.writeIdentity(identity(OTHER_DOCUMENT, 'Li Siguang'), NOON),
      );
      const a = await h.store.db
        .selectFrom('identities')
        .selectAll()
        .where('account_id', '=', 'acc_aad_a')
        .executeTakeFirstOrThrow();
      await h.store.db
        .updateTable('identities')
        .set({ name_enc: a.name_enc, document_enc: a.document_enc })
        .where('account_id', '=', 'acc_aad_b')
        .execute();
      await expect(h.store.revealIdentity('acc_aad_b')).rejects.toBeInstanceOf(DecryptionError);
      // Even the data key itself: B's wrapped key in A's row does not unwrap.
      const b = await h.store.db
        .selectFrom('accounts')
        .select('data_key_wrapped')
        .where('id', '=', 'acc_aad_b')
        .executeTakeFirstOrThrow();
      await h.store.db
        .updateTable('accounts')
        .set({ data_key_wrapped: b.data_key_wrapped })
        .where('id', '=', 'acc_aad_a')
        .execute();
      await expect(h.store.revealIdentity('acc_aad_a')).rejects.toBeInstanceOf(DecryptionError);
    });

    it('R-DEL-4 crypto-shredding: after destroyDataKey nothing of the PII can be recovered', async () => {
      await seedAccount(h.store, 'acc_shred');
      await h.store.withAccount('acc_shred', async (tx) => {
        await tx.writeIdentity(identity(), NOON - 10);
        await tx.writeIdentity(identity(OTHER_DOCUMENT, 'Li Siguang', 'dk_shred_2'), NOON);
      });
      expect((await h.store.revealIdentity('acc_shred'))?.current?.documentNumber).toBe(OTHER_DOCUMENT);
      const before = await h.store.db
        .selectFrom('accounts')
        .select('data_key_wrapped')
        .where('id', '=', 'acc_shred')
        .executeTakeFirstOrThrow();
      const row = await h.store.db
        .selectFrom('identities')
        .selectAll()
        .where('account_id', '=', 'acc_shred')
        .executeTakeFirstOrThrow();
      const oldWrapped = before.data_key_wrapped!;
      // The check below can fail: before shredding, the wrapped key is on disk.
      if (name === 'sqlite')
        expect(sqliteBytes(h.file!).includes(Buffer.from(oldWrapped, 'utf8'))).toBe(true);

      await h.store.withAccount('acc_shred', async (tx) => {
        await tx.destroyDataKey();
        // Inside the same transaction, PII can no longer be written either.
        await expect(tx.updateAccount({ phone: '+86 139 0000 0000' })).rejects.toBeInstanceOf(
          DataKeyDestroyedError,
        );
      });

      expect(await h.store.revealIdentity('acc_shred')).toBeNull();
      const after = await h.store.db
        .selectFrom('accounts')
        .select('data_key_wrapped')
        .where('id', '=', 'acc_shred')
        .executeTakeFirstOrThrow();
      expect(after.data_key_wrapped).toBeNull();
      // A raw attempt with the master key: there is no data key left to unwrap, and the master key
      // itself does not open the field.
      expect(() => unwrapDataKey(h.masterKey, 'acc_shred', after.data_key_wrapped)).toThrow(
        DataKeyDestroyedError,
      );
      expect(() =>
        decryptField(h.masterKey.bytes(), 'acc_shred', 'identity.document', row.document_enc),
      ).toThrow(DecryptionError);
      // The masked view stays (until the purge removes it); the account still works.
      expect((await h.store.facts('acc_shred'))!.identity?.documentMasked).toBe('4****************4');

      if (name === 'sqlite') {
        // Neither the clear values nor the old wrapped key are anywhere in the database files: the WAL
        // was checkpointed and truncated, and secure_delete zeroed the freed bytes.
        const bytes = sqliteBytes(h.file!);
        for (const clear of [NAME, DOCUMENT, OTHER_DOCUMENT, PHONE_DIGITS]) {
          expect(bytes.includes(Buffer.from(clear, 'utf8')), clear).toBe(false);
        }
        expect(bytes.includes(Buffer.from(oldWrapped, 'utf8')), 'old wrapped key').toBe(false);
      }
    });
  },
);
