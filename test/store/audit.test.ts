/**
 * The audit trail (SPEC §4): append-only, hash-chained, verified record by record; tampering is
 * named at the first bad record, on every dialect; raw PII is refused before anything is written.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditPiiError, GENESIS_HASH, assertNoPii, auditHash } from '../../src/adapters/store/audit.js';
import type { AuditRow } from '../../src/adapters/store/schema.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import { DOCUMENT, NOON, PHONE_DIGITS, seedAccount } from './fixtures.js';

describe('audit PII guard', () => {
  it.each([
    ['a mainland ID number', { document: DOCUMENT }],
    ['a lowercase x ID number in a sentence', { note: `changed to 11010519491231002x today` }],
    ['an unmasked phone', { phone: PHONE_DIGITS }],
    ['an E.164 phone', { phone: '+8613812345678' }],
    ['a spaced phone, deep in an array', { list: [{ to: '+86 138 1234 5678' }] }],
    ['an ID number as a key', { [DOCUMENT]: true }],
  ])('refuses %s', (_what, data) => {
    expect(() => assertNoPii(data)).toThrow(AuditPiiError);
  });

  it('lets masked values, hashes, ids, instants and amounts through', () => {
    expect(() =>
      assertNoPii({
        phone: '+86 138****5678',
        document: '1****************X',
        hash: 'a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00',
        digitsInHash: 'ab123456789012345678cd',
        documentKey: 'dk_12345678901234567890123456789012345678901ab',
        at: NOON,
        amount: 13_800_000_000,
      }),
    ).not.toThrow();
  });

  it('chains from 64 zeros over canonical JSON (key order does not matter)', () => {
    const content = { seq: 1, at: NOON, actor: 'system', action: 'x', accountId: null, operationId: null };
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(auditHash(GENESIS_HASH, { ...content, data: { a: 1, b: 2 } })).toBe(
      auditHash(GENESIS_HASH, { ...content, data: { b: 2, a: 1 } }),
    );
    expect(auditHash(GENESIS_HASH, { ...content, data: {} })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe.each(dialects())('store contract on $name: audit chain', ({ makeStore }) => {
  let h: StoreHandle;
  let original: AuditRow[];

  const rows = (): Promise<AuditRow[]> => h.store.db.selectFrom('audit').selectAll().orderBy('seq').execute();
  const row = (seq: number): AuditRow => original.find((r) => Number(r.seq) === seq)!;
  /** Put the original records back exactly, whatever a tamper test did. */
  async function restore(): Promise<void> {
    await h.store.db.deleteFrom('audit').execute();
    for (const r of original) {
      await h.store.db
        .insertInto('audit')
        .values({ ...r, seq: Number(r.seq), at: Number(r.at) })
        .execute();
    }
  }

  beforeAll(async () => {
    h = await makeStore();
    await seedAccount(h.store, 'acc_audit'); // seq 1
    for (let i = 0; i < 4; i++) {
      await h.store.withAccount('acc_audit', (tx) =>
        tx.audit({
          at: NOON + i,
          actor: 'user:acc_audit',
          action: 'test.step',
          operationId: `op_${i}`,
          data: { i, note: `step ${i}` },
        }),
      ); // seq 2..5
    }
    await h.store.auditSystem({
      at: NOON + 10,
      actor: 'system',
      action: 'key.created',
      accountId: null,
      data: { keyId: 'key_1' },
    }); // seq 6
    original = await rows();
  });
  beforeEach(restore);
  afterAll(() => h.cleanup());

  it('appends in seq order from the genesis hash and verifies', async () => {
    expect(original.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(original[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < original.length; i++) expect(original[i]?.prev_hash).toBe(original[i - 1]?.hash);
    expect(await h.store.verifyAudit()).toEqual({ ok: true, count: 6, lastHash: original[5]?.hash });
    const trail = await h.store.auditTrail({ accountId: 'acc_audit', afterSeq: 2, limit: 2 });
    expect(trail.map((e) => [e.seq, e.action, e.operationId, e.data])).toEqual([
      [3, 'test.step', 'op_1', { i: 1, note: 'step 1' }],
      [4, 'test.step', 'op_2', { i: 2, note: 'step 2' }],
    ]);
    expect((await h.store.auditTrail({})).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses raw PII in audit data: a programming error, thrown before anything is written', async () => {
    await expect(
      h.store.withAccount('acc_audit', (tx) =>
        tx.audit({ at: NOON, actor: 'system', action: 'oops', data: { phone: PHONE_DIGITS } }),
      ),
    ).rejects.toBeInstanceOf(AuditPiiError);
    await expect(
      h.store.auditSystem({
        at: NOON,
        actor: 'system',
        action: 'oops',
        accountId: null,
        data: { doc: DOCUMENT },
      }),
    ).rejects.toBeInstanceOf(AuditPiiError);
    expect(await rows()).toHaveLength(6);
  });

  it('names an edited record (content changed, hash left alone)', async () => {
    await h.store.db
      .updateTable('audit')
      .set({ data: '{"i":1,"note":"nothing happened"}' })
      .where('seq', '=', 3)
      .execute();
    expect(await h.store.verifyAudit()).toEqual({ ok: false, count: 2, firstBadSeq: 3, reason: 'edited' });
  });

  it('names an edited record whose hash was recomputed (the next record still points at the original)', async () => {
    const r = row(3);
    const data = { i: 1, note: 'rewritten' };
    const hash = auditHash(r.prev_hash, {
      seq: 3,
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      accountId: r.account_id,
      operationId: r.operation_id,
      data,
    });
    await h.store.db
      .updateTable('audit')
      .set({ data: JSON.stringify(data), hash })
      .where('seq', '=', 3)
      .execute();
    expect(await h.store.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'edited' });
  });

  it('names a removed record (a gap in seq)', async () => {
    await h.store.db.deleteFrom('audit').where('seq', '=', 3).execute();
    expect(await h.store.verifyAudit()).toEqual({ ok: false, count: 2, firstBadSeq: 3, reason: 'removed' });
  });

  it('names a removed record when the rest were renumbered to hide the gap', async () => {
    await h.store.db.deleteFrom('audit').where('seq', '=', 3).execute();
    for (const seq of [4, 5, 6])
      await h.store.db
        .updateTable('audit')
        .set({ seq: seq - 1 })
        .where('seq', '=', seq)
        .execute();
    expect(await h.store.verifyAudit()).toEqual({ ok: false, count: 2, firstBadSeq: 3, reason: 'removed' });
  });

  it('names a reordered record (two records swapped positions)', async () => {
    const [a, b] = [row(3), row(4)];
    const { seq: _sa, ...contentA } = a;
    const { seq: _sb, ...contentB } = b;
    const asValues = (c: typeof contentA) => ({ ...c, at: Number(c.at) });
    await h.store.db.updateTable('audit').set(asValues(contentB)).where('seq', '=', 3).execute();
    await h.store.db.updateTable('audit').set(asValues(contentA)).where('seq', '=', 4).execute();
    expect(await h.store.verifyAudit()).toEqual({ ok: false, count: 2, firstBadSeq: 3, reason: 'reordered' });
  });

  it('names the first record when the genesis link is broken', async () => {
    await h.store.db
      .updateTable('audit')
      .set({ prev_hash: 'f'.repeat(64) })
      .where('seq', '=', 1)
      .execute();
    expect(await h.store.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 1 });
    await h.store.db.deleteFrom('audit').where('seq', '=', 1).execute();
    expect(await h.store.verifyAudit()).toEqual({ ok: false, count: 0, firstBadSeq: 1, reason: 'removed' });
  });

  it('verifies again once the records are restored, and keeps chaining after them', async () => {
    expect(await h.store.verifyAudit()).toMatchObject({ ok: true, count: 6 });
    await h.store.auditSystem({
      at: NOON + 20,
      actor: 'system',
      action: 'clock.moved',
      accountId: null,
      data: {},
    });
    const v = await h.store.verifyAudit();
    expect(v).toMatchObject({ ok: true, count: 7 });
    await h.store.db.deleteFrom('audit').where('seq', '=', 7).execute();
  });
});
