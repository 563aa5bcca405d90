/**
 * Store contract: accounts, fact rows, identities, history, operations, document usage and API keys
 * round-trip exactly, and `facts()` has the shape model.ts defines — on every dialect of DIALECTS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/clock.js';
import { DomainError } from '../../src/core/errors/index.js';
import type { AccountFacts } from '../../src/core/model.js';
import { FACT_KINDS, type FactKind, type OperationRecord } from '../../src/core/ports.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import {
  DOCUMENT,
  NOON,
  OTHER_DOCUMENT,
  OTHER_NAME,
  docKey,
  identity,
  sampleFacts,
  seedAccount,
} from './fixtures.js';

const idOf = (row: object): string =>
  'appId' in row ? String(row.appId) : String((row as { id: string }).id);
const byId = <T extends object>(rows: T[]): T[] => [...rows].sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1));

function operation(id: string, accountId: string, patch: Partial<OperationRecord> = {}): OperationRecord {
  return {
    id,
    accountId,
    kind: 'account.delete',
    state: 'started',
    request: { kind: 'account.delete' },
    policyVersion: 'sha256:test',
    idempotencyKey: null,
    createdAt: NOON,
    updatedAt: NOON,
    outcome: null,
    deadlineAt: null,
    deadlineKind: null,
    ...patch,
  };
}

describe.each(dialects())('store contract on $name: accounts and facts', ({ makeStore }) => {
  let h: StoreHandle;
  beforeAll(async () => {
    h = await makeStore();
  });
  afterAll(() => h.cleanup());

  it('creates an account once (ACCOUNT_EXISTS after) and reads it back masked', async () => {
    await seedAccount(h.store, 'acc_create');
    await expect(seedAccount(h.store, 'acc_create')).rejects.toMatchObject({ code: 'ACCOUNT_EXISTS' });
    expect(await h.store.account('acc_create')).toEqual({
      id: 'acc_create',
      region: 'CN',
      status: 'active',
      phoneMasked: '+86 138****5678',
      emailMasked: 'z***@example.com',
      minor: false,
      guardianAccountId: null,
      createdAt: NOON - 900 * DAY_MS,
      frozenReason: null,
      deactivatingUntil: null,
    });
    expect(await h.store.account('acc_nobody')).toBeNull();
    expect(await h.store.facts('acc_nobody')).toBeNull();
  });

  it('withAccount on an unknown account is ACCOUNT_NOT_FOUND and runs nothing', async () => {
    let ran = false;
    const err: unknown = await h.store
      .withAccount('acc_nobody', () => {
        ran = true;
        return Promise.resolve();
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
    expect(ran).toBe(false);
  });

  it('updates every field of the account; a deleted account keeps its id retired', async () => {
    await seedAccount(h.store, 'acc_update');
    await seedAccount(h.store, 'acc_guardian');
    await h.store.withAccount('acc_update', (tx) =>
      tx.updateAccount({
        region: 'HK',
        status: 'frozen',
        phone: '+852 9123 4567',
        email: null,
        minor: true,
        guardianAccountId: 'acc_guardian',
        frozenReason: 'risk',
        deactivatingUntil: NOON + 60 * DAY_MS,
        balance: 50,
        payScoreEnabled: true,
        invoicesIssued: 4,
        merchant: { id: 'mch_1', status: 'active' },
        apiQuotaTier: 'enterprise',
        declarations: { fundFlowDeclaredAt: NOON, dataExportAgreementAt: null },
      }),
    );
    const f = (await h.store.facts('acc_update'))!;
    expect(f.account).toEqual({
      id: 'acc_update',
      region: 'HK',
      status: 'frozen',
      phoneMasked: '+852 ****4567',
      emailMasked: null,
      minor: true,
      guardianAccountId: 'acc_guardian',
      createdAt: NOON - 900 * DAY_MS,
      frozenReason: 'risk',
      deactivatingUntil: NOON + 60 * DAY_MS,
    });
    expect(f.wallet).toEqual({
      balance: 50,
      pendingTransactions: [],
      payScoreEnabled: true,
      invoicesIssued: 4,
    });
    expect(f.merchant).toEqual({ id: 'mch_1', status: 'active' });
    expect(f.developerAssets.apiQuotaTier).toBe('enterprise');
    expect(f.declarations).toEqual({ fundFlowDeclaredAt: NOON, dataExportAgreementAt: null });

    await h.store.withAccount('acc_update', (tx) => tx.updateAccount({ status: 'deleted', merchant: null }));
    const raw = await h.store.db
      .selectFrom('accounts')
      .select('retired')
      .where('id', '=', 'acc_update')
      .executeTakeFirstOrThrow();
    expect(Number(raw.retired)).toBe(1);
    await expect(seedAccount(h.store, 'acc_update')).rejects.toMatchObject({ code: 'ACCOUNT_EXISTS' });
  });

  it('round-trips every fact kind exactly: insert, replace by id, delete', async () => {
    await seedAccount(h.store, 'acc_rows');
    await seedAccount(h.store, 'acc_rows_other');
    const sample = sampleFacts();
    await h.store.withAccount('acc_rows', async (tx) => {
      for (const kind of FACT_KINDS) for (const row of sample[kind]) await tx.putFact(kind, row);
    });
    // Same ids on another account: keyed by (account, id), nothing collides.
    await h.store.withAccount('acc_rows_other', (tx) => tx.putFact('cards', sample.cards[0]!));
    for (const kind of FACT_KINDS) {
      expect(await h.store.listFacts('acc_rows', kind), kind).toEqual(byId(sample[kind] as object[]));
    }
    // Replace: the same id overwrites the row, optional fields included.
    const card = { ...sample.cards[0]!, unbilled: 0, bank: 'CMB Credit' };
    await h.store.withAccount('acc_rows', async (tx) => {
      await tx.putFact('cards', card);
      await tx.putFact('grants', { ...sample.grants[0]!, active: false });
    });
    const cards = await h.store.listFacts('acc_rows', 'cards');
    expect(cards.find((c) => c.id === 'card_a')).toEqual(card);
    expect(cards).toHaveLength(3);
    expect((await h.store.listFacts('acc_rows', 'grants'))[0]?.active).toBe(false);
    // Delete: true once, then false; the other account's row with the same id stays.
    const deleted = await h.store.withAccount('acc_rows', async (tx) => [
      await tx.deleteFact('cards', 'card_a'),
      await tx.deleteFact('cards', 'card_a'),
      await tx.deleteFact('grants', 'app_a'),
    ]);
    expect(deleted).toEqual([true, false, true]);
    expect(await h.store.listFacts('acc_rows_other', 'cards')).toEqual([sample.cards[0]]);
  });

  it('assembles facts() exactly as model.ts defines it', async () => {
    await seedAccount(h.store, 'acc_shape');
    const sample = sampleFacts();
    await h.store.withAccount('acc_shape', async (tx) => {
      for (const kind of FACT_KINDS) for (const row of sample[kind]) await tx.putFact(kind, row);
      await tx.writeIdentity(identity(), NOON - 800 * DAY_MS);
      await tx.updateAccount({ balance: 56, merchant: { id: 'mch_9', status: 'deregistered' } });
      await tx.createOperation(
        operation('op_shape_appeal', 'acc_shape', { kind: 'appeal.submit', state: 'in_review' }),
      );
      await tx.createOperation(operation('op_shape_done', 'acc_shape', { outcome: 'completed' }));
    });
    const facts = await h.store.withAccount('acc_shape', (tx) => tx.facts());
    const expected: AccountFacts = {
      account: {
        id: 'acc_shape',
        region: 'CN',
        status: 'active',
        phoneMasked: '+86 138****5678',
        emailMasked: 'z***@example.com',
        minor: false,
        guardianAccountId: null,
        createdAt: NOON - 900 * DAY_MS,
        frozenReason: null,
        deactivatingUntil: null,
      },
      devices: sample.devices,
      logins: sample.logins.map(({ at, deviceId, abnormal }) => ({ at, deviceId, abnormal })),
      identity: {
        status: 'verified',
        documentType: 'cn_id',
        documentMasked: '1****************X',
        nameMasked: '**丰',
        documentKey: docKey(DOCUMENT),
        verifiedAt: NOON - 800 * DAY_MS,
        changedAt: null,
      },
      wallet: {
        balance: 56,
        pendingTransactions: sample.pending_transactions,
        payScoreEnabled: false,
        invoicesIssued: 0,
      },
      cards: sample.cards,
      subscriptions: sample.subscriptions,
      loans: sample.loans,
      redPackets: sample.red_packets,
      merchant: { id: 'mch_9', status: 'deregistered' },
      adminRoles: sample.admin_roles,
      enterpriseLinks: sample.enterprise_links,
      developerAssets: { miniPrograms: sample.mini_programs, apiQuotaTier: 'standard' },
      grants: sample.grants,
      openOperations: [{ id: 'op_shape_appeal', kind: 'appeal.submit', state: 'in_review', startedAt: NOON }],
      history: {
        cardUnbinds: [],
        realnameChanges: [],
        identityModifications: [],
        revokedAt: null,
        verifiedTransactionsSinceRevocation: 0,
        cardsBoundSinceRevocation: 0,
        paymentRestoredAt: null,
      },
      declarations: {},
      openAppealId: 'op_shape_appeal',
    };
    expect(facts).toEqual(expected);
    // The unlocked read gives the same snapshot.
    expect(await h.store.facts('acc_shape')).toEqual(expected);
  });

  it('builds history from its table: lists, latest revocation, counts strictly after it, latest restoration (R-REV-7)', async () => {
    await seedAccount(h.store, 'acc_hist');
    const t = NOON - 30 * DAY_MS;
    await h.store.withAccount('acc_hist', async (tx) => {
      await tx.addHistory({ kind: 'card_unbind', at: t + 2, cardType: 'credit' });
      await tx.addHistory({ kind: 'card_unbind', at: t + 1, cardType: 'overseas' });
      await tx.addHistory({ kind: 'realname_change', at: t + 3 });
      await tx.addHistory({ kind: 'identity_modification', at: t + 4 });
      await tx.addHistory({ kind: 'revoked', at: t + 10 });
      await tx.addHistory({ kind: 'verified_transaction', at: t + 5 }); // before the latest revocation
      await tx.addHistory({ kind: 'revoked', at: t + 20 });
      await tx.addHistory({ kind: 'verified_transaction', at: t + 20 }); // at it: not after
      await tx.addHistory({ kind: 'verified_transaction', at: t + 21 });
      await tx.addHistory({ kind: 'verified_transaction', at: t + 22 });
      await tx.addHistory({ kind: 'card_bound', at: t + 23 });
      await tx.addHistory({ kind: 'payment_restored', at: t + 15 }); // of the earlier revocation
      await tx.addHistory({ kind: 'payment_restored', at: t + 24 });
    });
    expect((await h.store.facts('acc_hist'))!.history).toEqual({
      cardUnbinds: [
        { at: t + 1, cardType: 'overseas' },
        { at: t + 2, cardType: 'credit' },
      ],
      realnameChanges: [{ at: t + 3 }],
      identityModifications: [{ at: t + 4 }],
      revokedAt: t + 20,
      verifiedTransactionsSinceRevocation: 2,
      cardsBoundSinceRevocation: 1,
      paymentRestoredAt: t + 24,
    });
  });

  it('keeps old subjects in the identity history and counts document changes across accounts (R-CHG-3)', async () => {
    await seedAccount(h.store, 'acc_doc_a');
    await seedAccount(h.store, 'acc_doc_b');
    const target = identity(OTHER_DOCUMENT, OTHER_NAME, 'dk_target');
    await h.store.withAccount('acc_doc_a', async (tx) => {
      await tx.writeIdentity(identity(DOCUMENT, '张三丰', 'dk_a'), NOON - 500 * DAY_MS); // a first bind: no change
      await tx.writeIdentity({ ...target, changedAt: NOON - 100 * DAY_MS }, NOON - 100 * DAY_MS);
    });
    await h.store.withAccount('acc_doc_b', async (tx) => {
      await tx.writeIdentity(identity('11010519491231003X', '王五', 'dk_b'), NOON - 400 * DAY_MS);
      await tx.writeIdentity(target, NOON - DAY_MS);
      await tx.writeIdentity(target, NOON); // the same document again: not a change
    });
    expect(await h.store.documentUsage('dk_target')).toEqual({
      changesAt: [NOON - 100 * DAY_MS, NOON - DAY_MS],
      cooldownUntil: null,
    });
    expect(await h.store.documentUsage('dk_a')).toEqual({ changesAt: [], cooldownUntil: null });

    await h.store.withAccount('acc_doc_b', async (tx) => {
      await tx.setDocumentCooldown('dk_target', NOON + 180 * DAY_MS);
      // Read inside the account's transaction, where the R-CHG-3 decision is taken.
      expect((await tx.documentUsage('dk_target')).cooldownUntil).toBe(NOON + 180 * DAY_MS);
    });
    expect((await h.store.documentUsage('dk_target')).cooldownUntil).toBe(NOON + 180 * DAY_MS);

    const a = await h.store.revealIdentity('acc_doc_a');
    expect(a).toEqual({
      current: { name: OTHER_NAME, documentType: 'cn_id', documentNumber: OTHER_DOCUMENT },
      history: [{ name: '张三丰', documentType: 'cn_id', documentNumber: DOCUMENT, at: NOON - 100 * DAY_MS }],
    });
    expect((await h.store.facts('acc_doc_a'))!.identity).toMatchObject({
      nameMasked: 'L* S******',
      documentMasked: '4****************4',
      changedAt: NOON - 100 * DAY_MS,
    });

    // Status changes and removal; the removed subject goes to history too.
    await h.store.withAccount('acc_doc_a', async (tx) => {
      await tx.setIdentityStatus('pending_recycle', NOON);
      expect((await tx.facts()).identity?.status).toBe('pending_recycle');
      await tx.writeIdentity(null, NOON + 1);
    });
    const after = await h.store.revealIdentity('acc_doc_a');
    expect(after?.current).toBeNull();
    expect(after?.history.map((x) => x.at)).toEqual([NOON - 100 * DAY_MS, NOON + 1]);
    await expect(
      h.store.withAccount('acc_doc_a', (tx) => tx.setIdentityStatus('verified', NOON)),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('records operations with their timeline, timers and ownership', async () => {
    await seedAccount(h.store, 'acc_ops');
    await seedAccount(h.store, 'acc_ops_other');
    await h.store.withAccount('acc_ops', async (tx) => {
      await tx.createOperation(operation('op_1', 'acc_ops', { idempotencyKey: 'idem-1' }));
      await tx.createOperation(operation('op_2', 'acc_ops', { kind: 'card.unbind', createdAt: NOON + 1 }));
      await tx.addTimeline('op_1', {
        at: NOON,
        state: 'started',
        event: 'started',
        actor: 'user:acc_ops',
        data: { n: 1 },
      });
      await tx.updateOperation('op_1', {
        state: 'cooling_off',
        deadlineAt: NOON + 60 * DAY_MS,
        deadlineKind: 'purge',
        updatedAt: NOON + 5,
      });
      await tx.addTimeline('op_1', {
        at: NOON + 5,
        state: 'cooling_off',
        event: 'cooling_off_started',
        actor: 'system',
        data: {},
      });
      await tx.updateOperation('op_2', {
        state: 'completed',
        outcome: 'completed',
        deadlineAt: NOON - 1,
        updatedAt: NOON + 6,
      });
    });
    await expect(
      h.store.withAccount('acc_ops', (tx) => tx.createOperation(operation('op_1', 'acc_ops'))),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    // Another account cannot touch these operations.
    await expect(
      h.store.withAccount('acc_ops_other', (tx) => tx.updateOperation('op_1', { state: 'x' })),
    ).rejects.toMatchObject({ code: 'OPERATION_NOT_FOUND' });
    await expect(
      h.store.withAccount('acc_ops_other', (tx) =>
        tx.addTimeline('op_1', { at: NOON, state: 'x', event: 'x', actor: 'system', data: {} }),
      ),
    ).rejects.toMatchObject({ code: 'OPERATION_NOT_FOUND' });

    expect(await h.store.operation('op_1')).toEqual({
      ...operation('op_1', 'acc_ops', { idempotencyKey: 'idem-1' }),
      state: 'cooling_off',
      updatedAt: NOON + 5,
      deadlineAt: NOON + 60 * DAY_MS,
      deadlineKind: 'purge',
      timeline: [
        { at: NOON, state: 'started', event: 'started', actor: 'user:acc_ops', data: { n: 1 } },
        { at: NOON + 5, state: 'cooling_off', event: 'cooling_off_started', actor: 'system', data: {} },
      ],
    });
    expect(await h.store.operation('op_none')).toBeNull();
    expect((await h.store.operations('acc_ops')).map((o) => [o.id, o.outcome])).toEqual([
      ['op_1', null],
      ['op_2', 'completed'],
    ]);
    // Timers: only running operations, due at or before now; a completed one never fires.
    expect((await h.store.dueOperations(NOON + 60 * DAY_MS - 1, 10)).map((o) => o.id)).not.toContain('op_1');
    expect((await h.store.dueOperations(NOON + 60 * DAY_MS, 10)).map((o) => o.id)).toContain('op_1');
    expect((await h.store.dueOperations(NOON + 60 * DAY_MS, 10)).map((o) => o.id)).not.toContain('op_2');
    expect((await h.store.facts('acc_ops'))!.openOperations).toEqual([
      { id: 'op_1', kind: 'account.delete', state: 'cooling_off', startedAt: NOON },
    ]);
  });

  it('reads through the open transaction when called inside withAccount, and refuses nested writes', async () => {
    await seedAccount(h.store, 'acc_nested');
    const seen = await h.store.withAccount('acc_nested', async (tx) => {
      await tx.createOperation(operation('op_nested', 'acc_nested'));
      // Uncommitted, yet visible: the read goes through this transaction (no deadlock on SQLite).
      const op = await h.store.operation('op_nested');
      const err: unknown = await h.store
        .auditSystem({ at: NOON, actor: 'system', action: 'x', accountId: null, data: {} })
        .catch((e: unknown) => e);
      return { op: op?.id, err: err instanceof Error ? err.message : null };
    });
    expect(seen.op).toBe('op_nested');
    expect(seen.err).toMatch(/inside withAccount/);
    // A tx kept beyond its withAccount is refused, never run outside a transaction.
    let leaked: Parameters<Parameters<typeof h.store.withAccount>[1]>[0] | undefined;
    await h.store.withAccount('acc_nested', (tx) => {
      leaked = tx;
      return Promise.resolve();
    });
    await expect(leaked!.addHistory({ kind: 'revoked', at: NOON })).rejects.toThrow(/after its withAccount/);
  });

  it('stores API keys by hash', async () => {
    const key = {
      id: 'key_1',
      hash: 'a'.repeat(64),
      name: 'platform',
      scopes: ['facts:write', 'operations:write'],
      accountId: null,
      createdAt: NOON,
      revokedAt: null,
    };
    expect(await h.store.hasApiKeys()).toBe(false);
    await h.store.createApiKey(key);
    expect(await h.store.hasApiKeys()).toBe(true);
    await expect(h.store.createApiKey({ ...key, id: 'key_2' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await h.store.findApiKey(key.hash)).toEqual(key);
    expect(await h.store.findApiKey('b'.repeat(64))).toBeNull();
  });

  it('R-REV-5 records receipts once per transaction id and sums them from an instant on, per account; the purge erases them', async () => {
    await seedAccount(h.store, 'acc_rcpt');
    await seedAccount(h.store, 'acc_rcpt_other');
    const midnight = NOON - 12 * 3_600_000; // 2026-11-18 00:00 Asia/Shanghai
    const recorded = await h.store.withAccount('acc_rcpt', async (tx) => [
      await tx.recordReceipt({ id: 'tx_before', at: midnight - 1, amount: 7_000 }),
      await tx.recordReceipt({ id: 'tx_at', at: midnight, amount: 1_000 }),
      // above 2^31: money columns are 64-bit on both dialects
      await tx.recordReceipt({ id: 'tx_big', at: NOON, amount: 3_000_000_000 }),
      await tx.recordReceipt({ id: 'tx_at', at: NOON, amount: 999_999 }), // the same id again: ignored
    ]);
    expect(recorded).toEqual([true, true, true, false]);
    await h.store.withAccount('acc_rcpt_other', (tx) =>
      tx.recordReceipt({ id: 'tx_at', at: NOON, amount: 5 }),
    );
    const sums = await h.store.withAccount('acc_rcpt', async (tx) => [
      await tx.receivedSince(midnight),
      await tx.receivedSince(midnight + 1),
      await tx.receivedSince(midnight - 1),
      await tx.receivedSince(NOON + 1),
    ]);
    expect(sums).toEqual([3_000_001_000, 3_000_000_000, 3_000_008_000, 0]);
    expect(await h.store.withAccount('acc_rcpt_other', (tx) => tx.receivedSince(0))).toBe(5);
    // a receipt written in a transaction that fails is rolled back with it
    await expect(
      h.store.withAccount('acc_rcpt', async (tx) => {
        await tx.recordReceipt({ id: 'tx_rolled_back', at: NOON, amount: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await h.store.withAccount('acc_rcpt', (tx) => tx.receivedSince(NOON))).toBe(3_000_000_000);
    // R-DEL-4: the purge erases them with the other personal data; other accounts keep theirs
    await h.store.withAccount('acc_rcpt', (tx) => tx.erasePersonalData());
    expect(await h.store.withAccount('acc_rcpt', (tx) => tx.receivedSince(0))).toBe(0);
    expect(await h.store.withAccount('acc_rcpt_other', (tx) => tx.receivedSince(0))).toBe(5);
  });

  it('lists every fact kind the port names', () => {
    const kinds: FactKind[] = [...FACT_KINDS];
    expect(Object.keys(sampleFacts()).sort()).toEqual(kinds.sort());
  });
});
