/**
 * Transactions (SPEC §4 "nothing is lost", R-CARD-5): a change, its audit record and its outbox event
 * commit or roll back together; idempotency claims are atomic; per-account serialisation makes
 * counting limits hold under concurrency — on every dialect, and across two pools on PostgreSQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkingDayCalendar } from '../../src/core/calendar.js';
import { DAY_MS } from '../../src/core/clock.js';
import { loadPolicy } from '../../src/core/policy/index.js';
import { createPreflight } from '../../src/core/preflight.js';
import type { Card } from '../../src/core/model.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import { NOON, identity, seedAccount } from './fixtures.js';

const preflight = createPreflight({ policy: loadPolicy(), calendar: defaultWorkingDayCalendar() });

function creditCard(i: number): Card {
  return {
    id: `card_${String(i).padStart(3, '0')}`,
    type: 'credit',
    last4: String(1000 + i).slice(-4),
    bank: 'CMB',
    reservedPhoneMasked: '138****5678',
    unbilled: 0,
    boundAt: NOON - 100 * DAY_MS,
  };
}

describe.each(dialects())('store contract on $name: transactions', ({ name, makeStore }) => {
  let h: StoreHandle;
  beforeAll(async () => {
    h = await makeStore();
  });
  afterAll(() => h.cleanup());

  it('writes the change, its audit record and its outbox event in one transaction', async () => {
    await seedAccount(h.store, 'acc_tx_ok');
    const auditBefore = (await h.store.auditTrail({ limit: 1_000 })).length;
    await h.store.withAccount('acc_tx_ok', async (tx) => {
      await tx.putFact('loans', { id: 'loan_1', product: 'Weilidai', outstanding: 0 });
      await tx.audit({
        at: NOON,
        actor: 'user:acc_tx_ok',
        action: 'loan.recorded',
        data: { loanId: 'loan_1' },
      });
      await tx.outbox({ topic: 'loan.recorded', key: 'loan_1', payload: { loanId: 'loan_1' } });
      await tx.outbox({ topic: 'loan.recorded', key: 'loan_1', payload: { loanId: 'loan_1' } }); // deduplicated
    });
    const trail = await h.store.auditTrail({ accountId: 'acc_tx_ok', limit: 10 });
    expect(trail.map((e) => e.action)).toEqual(['account.created', 'loan.recorded']);
    expect((await h.store.auditTrail({ limit: 1_000 })).length).toBe(auditBefore + 1);
    const outbox = (await h.store.pendingOutbox(100)).filter((e) => e.accountId === 'acc_tx_ok');
    expect(outbox).toMatchObject([
      {
        topic: 'loan.recorded',
        key: 'loan_1',
        payload: { loanId: 'loan_1' },
        attempts: 0,
        deliveredAt: null,
      },
    ]);
    expect(await h.store.listFacts('acc_tx_ok', 'loans')).toHaveLength(1);
  });

  it('rolls back the change, its audit record and its outbox event together when fn throws', async () => {
    await seedAccount(h.store, 'acc_tx_fail');
    const auditBefore = await h.store.auditTrail({ limit: 1_000 });
    const outboxBefore = await h.store.pendingOutbox(1_000);
    const boom = new Error('participant timed out');
    await expect(
      h.store.withAccount('acc_tx_fail', async (tx) => {
        await tx.putFact('cards', creditCard(1));
        await tx.updateAccount({ status: 'deactivating', balance: 99 });
        await tx.addHistory({ kind: 'card_bound', at: NOON });
        await tx.writeIdentity(identity(), NOON);
        await tx.createOperation({
          id: 'op_rolled_back',
          accountId: 'acc_tx_fail',
          kind: 'account.delete',
          state: 'started',
          request: {},
          policyVersion: 'v',
          idempotencyKey: null,
          createdAt: NOON,
          updatedAt: NOON,
          outcome: null,
          deadlineAt: NOON,
          deadlineKind: 'purge',
        });
        await tx.setDocumentCooldown('dk_rolled_back', NOON + DAY_MS);
        await tx.audit({ at: NOON, actor: 'system', action: 'should.vanish', data: {} });
        await tx.outbox({ topic: 'should.vanish', key: 'k1', payload: {} });
        throw boom;
      }),
    ).rejects.toBe(boom);
    const facts = (await h.store.facts('acc_tx_fail'))!;
    expect(facts.cards).toEqual([]);
    expect(facts.account.status).toBe('active');
    expect(facts.wallet.balance).toBe(0);
    expect(facts.identity).toBeNull();
    expect(facts.openOperations).toEqual([]);
    expect(await h.store.operation('op_rolled_back')).toBeNull();
    expect(await h.store.documentUsage('dk_rolled_back')).toEqual({ changesAt: [], cooldownUntil: null });
    expect(await h.store.auditTrail({ limit: 1_000 })).toEqual(auditBefore);
    expect(await h.store.pendingOutbox(1_000)).toEqual(outboxBefore);
    expect(await h.store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('delivers outbox events once, with failures counted and retried later', async () => {
    await seedAccount(h.store, 'acc_outbox');
    await h.store.withAccount('acc_outbox', (tx) =>
      tx.outbox({ topic: 'set.push', key: 'jti-1', payload: { jti: 'jti-1' } }),
    );
    const [event] = (await h.store.pendingOutbox(100)).filter((e) => e.key === 'jti-1');
    await h.store.recordOutboxFailure(event!.id, { error: 'HTTP 503', nextAttemptAt: NOON + 60_000 });
    expect((await h.store.pendingOutbox(100, NOON)).some((e) => e.key === 'jti-1')).toBe(false);
    const retried = (await h.store.pendingOutbox(100, NOON + 60_000)).find((e) => e.key === 'jti-1');
    expect(retried?.attempts).toBe(1);
    await h.store.markOutboxDelivered(event!.id, NOON + 61_000);
    await h.store.markOutboxDelivered(event!.id, NOON + 99_000); // a late duplicate ack changes nothing
    expect((await h.store.pendingOutbox(100)).some((e) => e.key === 'jti-1')).toBe(false);
    const row = await h.store.db
      .selectFrom('outbox')
      .select('delivered_at')
      .where('key', '=', 'jti-1')
      .executeTakeFirstOrThrow();
    expect(Number(row.delivered_at)).toBe(NOON + 61_000);
  });

  it('SPEC §4 idempotency: of 20 concurrent claims of one key exactly one wins', async () => {
    const claim = { scope: 'key_1', key: 'idem-concurrent', requestHash: 'h1', createdAt: NOON };
    const results = await Promise.all(Array.from({ length: 20 }, () => h.store.claimIdempotency(claim)));
    expect(results.filter((r) => r === null)).toHaveLength(1);
    expect(results.filter((r) => r !== null)).toEqual(
      Array.from({ length: 19 }, () => ({ requestHash: 'h1', status: 'in_progress', response: null })),
    );
    await h.store.completeIdempotency('key_1', 'idem-concurrent', { status: 201, body: '{"id":"op_1"}' });
    expect(await h.store.claimIdempotency({ ...claim, requestHash: 'h2' })).toEqual({
      requestHash: 'h1',
      status: 'done',
      response: { status: 201, body: '{"id":"op_1"}' },
    });
    // A completed record is never released; an in-progress one is, and can be claimed again.
    await h.store.releaseIdempotency('key_1', 'idem-concurrent');
    expect(await h.store.claimIdempotency(claim)).toMatchObject({ status: 'done' });
    const other = { ...claim, key: 'idem-released' };
    expect(await h.store.claimIdempotency(other)).toBeNull();
    await h.store.releaseIdempotency('key_1', 'idem-released');
    expect(await h.store.claimIdempotency(other)).toBeNull();
    // Keys are per scope.
    expect(await h.store.claimIdempotency({ ...claim, scope: 'key_2' })).toBeNull();
  });

  it('R-CARD-5 100 parallel credit-card unbinds on one day: exactly 3 succeed', async () => {
    const id = 'acc_card5';
    await seedAccount(h.store, id);
    const cards = Array.from({ length: 100 }, (_, i) => creditCard(i));
    await h.store.withAccount(id, async (tx) => {
      await tx.writeIdentity(identity(), NOON - 800 * DAY_MS);
      await tx.putFact('devices', {
        id: 'dev_primary',
        platform: 'android',
        osVersion: '14',
        primary: true,
        addedAt: NOON - 400 * DAY_MS,
      });
      for (const card of cards) await tx.putFact('cards', card);
    });
    const outcomes = await Promise.all(
      cards.map((card) =>
        h.store.withAccount(id, async (tx) => {
          const decision = preflight({
            facts: await tx.facts(),
            request: { kind: 'card.unbind', cardId: card.id },
            now: NOON,
            context: { deviceId: 'dev_primary' },
          });
          if (!decision.allowed) return decision.blockers.map((b) => b.code).join(',');
          await tx.deleteFact('cards', card.id);
          await tx.addHistory({ kind: 'card_unbind', at: NOON, cardType: 'credit' });
          await tx.audit({
            at: NOON,
            actor: `user:${id}`,
            action: 'card.unbind.completed',
            data: { cardId: card.id },
          });
          await tx.outbox({ topic: 'card.unbound', key: card.id, payload: { cardId: card.id } });
          return 'ok';
        }),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(new Set(outcomes.filter((o) => o !== 'ok'))).toEqual(new Set(['CREDIT_CARD_DAILY_LIMIT']));
    const facts = (await h.store.facts(id))!;
    expect(facts.cards).toHaveLength(97);
    expect(facts.history.cardUnbinds).toHaveLength(3);
    expect(
      (await h.store.auditTrail({ accountId: id, limit: 1_000 })).filter(
        (e) => e.action === 'card.unbind.completed',
      ),
    ).toHaveLength(3);
    expect((await h.store.pendingOutbox(1_000)).filter((e) => e.topic === 'card.unbound')).toHaveLength(3);
    expect(await h.store.verifyAudit()).toMatchObject({ ok: true });
  });

  it('chains audit appends from parallel transactions on different accounts without forking', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `acc_par_${i}`);
    for (const id of ids) await seedAccount(h.store, id);
    const stores = name === 'postgres' ? [h.store, await h.openAnother()] : [h.store];
    await Promise.all(
      ids.map((id, i) =>
        stores[i % stores.length]!.withAccount(id, async (tx) => {
          await tx.audit({ at: NOON, actor: `user:${id}`, action: 'parallel.step', data: { i } });
          await sleep(1);
          await tx.audit({
            at: NOON,
            actor: `user:${id}`,
            action: 'parallel.step',
            data: { i, second: true },
          });
        }),
      ),
    );
    const v = await h.store.verifyAudit();
    expect(v).toMatchObject({ ok: true });
    const steps = (await h.store.auditTrail({ limit: 10_000 })).filter((e) => e.action === 'parallel.step');
    expect(steps).toHaveLength(60);
    // One transaction's entries stay adjacent: they are chained together at commit.
    for (let k = 0; k < steps.length; k += 2) expect(steps[k + 1]!.seq).toBe(steps[k]!.seq + 1);
  });

  it.runIf(name === 'postgres')(
    'R-CARD-5 the account lock serialises two separate Store instances (two pools) on one database',
    async () => {
      const other = await h.openAnother();
      const id = 'acc_two_pools';
      await seedAccount(h.store, id);
      // A read-modify-write with a pause in the middle: without the row lock, interleaved
      // transactions would read the same balance and lose increments.
      const increment = (store: typeof other) =>
        store.withAccount(id, async (tx) => {
          const { balance } = (await tx.facts()).wallet;
          await sleep(2);
          await tx.updateAccount({ balance: balance + 1 });
          await tx.audit({
            at: NOON,
            actor: 'system',
            action: 'balance.incremented',
            data: { balance: balance + 1 },
          });
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 === 0 ? h.store : other)));
      expect((await other.facts(id))!.wallet.balance).toBe(40);
      // The audit chain did not fork across the two pools either.
      expect(await h.store.verifyAudit()).toMatchObject({ ok: true });
      const balances = (await h.store.auditTrail({ accountId: id, limit: 100 }))
        .filter((e) => e.action === 'balance.incremented')
        .map((e) => e.data.balance);
      expect(balances).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    },
  );
});
