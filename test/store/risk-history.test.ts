/**
 * Store contract for risk control (R-RISK-1/2/3) on every dialect of DIALECTS: risk events and
 * decisions are written in the account's transaction (and roll back with it), the risk history reads
 * an account's events, failed codes and inflows from an instant on, through the open transaction,
 * and finds the other holders of a document under aliases — never their ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskStore } from '../../src/adapters/store/risk-store.js';
import { DAY_MS } from '../../src/core/clock.js';
import type { RiskDecisionWrite, RiskStore } from '../../src/core/ports.js';
import { emptyRiskHistory } from '../../src/core/risk/index.js';
import { cleanFacts } from '../support/facts.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import { DOCUMENT, NOON, OTHER_DOCUMENT, docKey, identity, seedAccount } from './fixtures.js';

const KEY = docKey(DOCUMENT);
const OTHER_KEY = docKey(OTHER_DOCUMENT);

function decision(patch: Partial<RiskDecisionWrite> = {}): RiskDecisionWrite {
  const facts = cleanFacts();
  return {
    operationId: null,
    requestKind: 'realname.revoke',
    at: NOON,
    live: { outcome: 'allowed', blockers: [], assessment: null, stepUp: null },
    policyVersion: 'sha256:live',
    snapshot: {
      facts,
      history: emptyRiskHistory(),
      request: { kind: 'realname.revoke' },
      context: { deviceId: 'dev_1' },
      appealClaim: null,
      evidence: { sms_code: 1 },
      documentInvalid: false,
      now: NOON,
    },
    shadow: null,
    disagreement: false,
    ...patch,
  };
}

describe.each(dialects())('store contract on $name: risk history and decisions', ({ makeStore }) => {
  let h: StoreHandle;
  let risk: RiskStore;
  beforeAll(async () => {
    h = await makeStore();
    risk = createRiskStore({ store: h.store });
    // acc_r1 holds DOCUMENT; acc_r2 held it before a change; acc_r3 changed to it; acc_r4 was refused
    // a bind of it; acc_r5 holds another document.
    for (const id of ['acc_r1', 'acc_r2', 'acc_r3', 'acc_r4', 'acc_r5']) await seedAccount(h.store, id);
    await h.store.withAccount('acc_r1', (tx) => tx.writeIdentity(identity(DOCUMENT), NOON - 300 * DAY_MS));
    await h.store.withAccount('acc_r2', async (tx) => {
      await tx.writeIdentity(identity(DOCUMENT), NOON - 500 * DAY_MS);
      await tx.writeIdentity(identity(OTHER_DOCUMENT, 'Li Siguang', OTHER_KEY), NOON - 200 * DAY_MS);
    });
    await h.store.withAccount('acc_r3', async (tx) => {
      await tx.writeIdentity(identity(OTHER_DOCUMENT, 'Li Siguang', OTHER_KEY), NOON - 500 * DAY_MS);
      await tx.writeIdentity(identity(DOCUMENT), NOON - 100 * DAY_MS);
    });
    await h.store.withAccount('acc_r4', (tx) =>
      risk.recordRiskEvent(tx, {
        kind: 'refusal',
        opKind: 'identity.bind',
        documentKey: KEY,
        at: NOON - 2 * DAY_MS,
        detail: { codes: ['RISK_DENIED'] },
      }),
    );
    await h.store.withAccount('acc_r5', (tx) =>
      tx.writeIdentity(identity(OTHER_DOCUMENT, 'Li Siguang', OTHER_KEY), NOON - 100 * DAY_MS),
    );
  });
  afterAll(() => h.cleanup());

  it('R-RISK-1 reads the account’s refusals, appeals with their claim, phone moves, failed codes and inflows from `since` on', async () => {
    await h.store.withAccount('acc_r1', async (tx) => {
      await risk.recordRiskEvent(tx, {
        kind: 'refusal',
        opKind: 'realname.change',
        documentKey: KEY,
        at: NOON - 40 * DAY_MS,
        detail: { codes: ['DOCUMENT_CHANGE_LIMIT'] },
      });
      await risk.recordRiskEvent(tx, {
        kind: 'refusal',
        opKind: 'realname.revoke',
        documentKey: KEY,
        at: NOON - 3 * DAY_MS,
        detail: { codes: ['PENDING_TRANSACTION', 'BALANCE_NOT_ZERO'] },
      });
      await risk.recordRiskEvent(tx, {
        kind: 'operation',
        opKind: 'appeal.submit',
        documentKey: KEY,
        at: NOON - DAY_MS,
        detail: { operationId: 'op_a' },
      });
      await risk.recordRiskEvent(tx, {
        kind: 'appeal',
        opKind: 'appeal.submit',
        documentKey: KEY,
        at: NOON - DAY_MS,
        detail: { operationId: 'op_a', claim: 'account_stolen' },
      });
      await risk.recordRiskEvent(tx, {
        kind: 'phone_country',
        opKind: null,
        documentKey: null,
        at: NOON - 5 * DAY_MS,
        detail: { from: '86', to: '852' },
      });
      await tx.addHistory({ kind: 'failed_verification', at: NOON - 2 * DAY_MS, purpose: 'card.unbind:c1' });
      await tx.addHistory({
        kind: 'failed_verification',
        at: NOON - 60 * DAY_MS,
        purpose: 'realname.revoke',
      });
      await tx.recordReceipt({ id: 'tx_in_1', at: NOON - 2 * DAY_MS, amount: 300_000_000 });
      await tx.recordReceipt({ id: 'tx_in_old', at: NOON - 90 * DAY_MS, amount: 1 });
      await tx.updateAccount({ phone: '+852 9123 4567' });
    });
    const history = await risk.riskHistory('acc_r1', null, NOON - 30 * DAY_MS);
    expect(history).toEqual({
      phoneCountry: '852',
      phoneCountryChanges: [{ at: NOON - 5 * DAY_MS, from: '86', to: '852' }],
      refusals: [
        {
          at: NOON - 3 * DAY_MS,
          kind: 'realname.revoke',
          codes: ['PENDING_TRANSACTION', 'BALANCE_NOT_ZERO'],
        },
      ],
      failedVerifications: [{ at: NOON - 2 * DAY_MS, purpose: 'card.unbind:c1' }],
      appeals: [{ at: NOON - DAY_MS, claim: 'account_stolen' }],
      inflows: [{ at: NOON - 2 * DAY_MS, amount: 300_000_000 }],
      documentAccounts: [],
      documentLimit: null,
    });
    // `since` is inclusive: the refusal 40 days back is in a 40-day history
    const longer = await risk.riskHistory('acc_r1', null, NOON - 40 * DAY_MS);
    expect(longer.refusals.map((r) => r.codes[0])).toEqual(['DOCUMENT_CHANGE_LIMIT', 'PENDING_TRANSACTION']);
    // the inflows have a window of their own (an account that receives a lot carries only what counts)
    const inflowsOnly = await risk.riskHistory('acc_r1', null, NOON - 100 * DAY_MS, {
      inflowsSince: NOON - 30 * DAY_MS,
    });
    expect(inflowsOnly.inflows).toEqual([{ at: NOON - 2 * DAY_MS, amount: 300_000_000 }]);
    expect(inflowsOnly.failedVerifications).toHaveLength(2);
    expect((await risk.riskHistory('acc_r1', null, NOON - 100 * DAY_MS)).inflows).toHaveLength(2);
    await expect(risk.riskHistory('acc_nobody', null, 0)).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
  });

  it('R-RISK-1 R-RISK-2 finds the document’s other holders (identity, earlier identity, change target, refused bind) under aliases, never ids', async () => {
    await h.store.withAccount('acc_r2', async (tx) => {
      await risk.recordRiskEvent(tx, {
        kind: 'refusal',
        opKind: 'realname.revoke',
        documentKey: OTHER_KEY,
        at: NOON - 4 * DAY_MS,
        detail: { codes: ['NOT_PRIMARY_DEVICE'] },
      });
      await risk.recordRiskEvent(tx, {
        kind: 'operation',
        opKind: 'data.export',
        documentKey: OTHER_KEY,
        at: NOON - 400 * DAY_MS,
        detail: { operationId: 'op_old' },
      });
      // failed codes: one inside the counted window, one at its (exclusive) start
      await tx.addHistory({ kind: 'failed_verification', at: NOON - 6 * DAY_MS, purpose: 'account.delete' });
      await tx.addHistory({ kind: 'failed_verification', at: NOON - 7 * DAY_MS, purpose: 'account.delete' });
    });
    const since = NOON - 30 * DAY_MS;
    const history = await risk.riskHistory('acc_r3', KEY, since, {
      documentFailuresSince: NOON - 7 * DAY_MS,
    });
    const others = history.documentAccounts;
    expect(others).toHaveLength(3); // acc_r1, acc_r2, acc_r4; not acc_r3 itself nor acc_r5
    const text = JSON.stringify(others);
    for (const id of ['acc_r1', 'acc_r2', 'acc_r3', 'acc_r4', 'acc_r5']) expect(text).not.toContain(id);
    expect(new Set(others.map((a) => a.alias)).size).toBe(3);
    for (const a of others) expect(a.alias).toMatch(/^da_[A-Za-z0-9_-]{16}$/);
    const byOp = (at: number) => others.find((a) => a.operations.some((o) => o.at === at));
    expect(byOp(NOON - 4 * DAY_MS)).toMatchObject({
      phoneCountry: '86',
      operations: [{ at: NOON - 4 * DAY_MS, kind: 'realname.revoke', refused: true }],
      failedVerifications: 1,
    });
    expect(byOp(NOON - 2 * DAY_MS)).toMatchObject({
      operations: [{ at: NOON - 2 * DAY_MS, kind: 'identity.bind', refused: true }],
      failedVerifications: 0,
    });
    // acc_r1 moved its phone to +852 (previous test) and started things in the window; its failed
    // code 2 days back counts, the one 60 days back does not
    expect(others.find((a) => a.phoneCountry === '852')).toMatchObject({
      operations: [
        { at: NOON - 3 * DAY_MS, kind: 'realname.revoke', refused: true },
        { at: NOON - DAY_MS, kind: 'appeal.submit', refused: false },
      ],
      failedVerifications: 1,
    });
    // the alias is stable for one document and differs across documents
    const again = await risk.riskHistory('acc_r3', KEY, since);
    expect(again.documentAccounts.map((a) => a.alias).sort()).toEqual(others.map((a) => a.alias).sort());
    const other = await risk.riskHistory('acc_r5', OTHER_KEY, since);
    const shared = other.documentAccounts.map((a) => a.alias);
    expect(shared).toHaveLength(2); // acc_r2 (earlier identity), acc_r3 (earlier identity)
    for (const a of shared) expect(others.map((o) => o.alias)).not.toContain(a);
    // a document nobody else has
    expect((await risk.riskHistory('acc_r1', 'dk_unknown', since)).documentAccounts).toEqual([]);
  });

  it('reads and writes through the open account transaction, and rolls back with it', async () => {
    await expect(
      h.store.withAccount('acc_r5', async (tx) => {
        await risk.recordRiskEvent(tx, {
          kind: 'refusal',
          opKind: 'card.unbind',
          documentKey: null,
          at: NOON,
          detail: { codes: ['EVIDENCE_MISSING'] },
        });
        await risk.recordRiskDecision(tx, decision());
        // its own uncommitted writes are visible inside
        expect((await risk.riskHistory('acc_r5', null, 0)).refusals).toHaveLength(1);
        expect(await risk.riskDecisions({ accountId: 'acc_r5', limit: 10 })).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await risk.riskHistory('acc_r5', null, 0)).refusals).toEqual([]);
    expect(await risk.riskDecisions({ accountId: 'acc_r5', limit: 10 })).toEqual([]);
    // a write outside withAccount would escape the account's lock: refused
    const tx = { accountId: 'acc_r5' } as Parameters<RiskStore['recordRiskEvent']>[0];
    await expect(
      risk.recordRiskEvent(tx, { kind: 'refusal', opKind: null, documentKey: null, at: NOON, detail: {} }),
    ).rejects.toThrow(/outside withAccount/);
  });

  it('refuses raw PII in a risk event or a decision’s request', async () => {
    await expect(
      h.store.withAccount('acc_r5', (tx) =>
        risk.recordRiskEvent(tx, {
          kind: 'refusal',
          opKind: 'realname.change',
          documentKey: null,
          at: NOON,
          detail: { codes: [DOCUMENT] },
        }),
      ),
    ).rejects.toThrow(/mainland ID number/);
    // a change's new number must reach the snapshot masked
    const leaky = decision();
    leaky.snapshot.request = { kind: 'realname.change', newDocument: { type: 'cn_id', number: DOCUMENT } };
    await expect(h.store.withAccount('acc_r5', (tx) => risk.recordRiskDecision(tx, leaky))).rejects.toThrow(
      /mainland ID number/,
    );
  });

  it('R-RISK-1 records decisions with what they read, and lists them by account, operation, disagreement, instant and cursor', async () => {
    const ids: number[] = [];
    await h.store.withAccount('acc_r2', async (tx) => {
      ids.push(await risk.recordRiskDecision(tx, decision({ at: NOON - 2 * DAY_MS, operationId: 'op_1' })));
      ids.push(
        await risk.recordRiskDecision(
          tx,
          decision({
            at: NOON - DAY_MS,
            live: {
              outcome: 'refused',
              blockers: [{ code: 'RISK_DENIED', rule: 'R-RISK-1' }],
              assessment: {
                decision: 'deny',
                score: 85,
                signals: [],
                detections: [],
                aml: null,
                because: 'score',
                freezeAccount: false,
              },
              stepUp: null,
            },
            shadow: {
              outcome: 'allowed',
              blockers: [],
              assessment: null,
              stepUp: null,
              policyVersion: 'sha256:candidate',
            },
            disagreement: true,
          }),
        ),
      );
      ids.push(await risk.recordRiskDecision(tx, decision({ at: NOON, operationId: 'op_3' })));
    });
    expect(ids[1]! > ids[0]! && ids[2]! > ids[1]!).toBe(true);
    const all = await risk.riskDecisions({ accountId: 'acc_r2', limit: 10 });
    expect(all.map((d) => d.id)).toEqual(ids);
    expect(all[1]).toMatchObject({
      accountId: 'acc_r2',
      operationId: null,
      requestKind: 'realname.revoke',
      at: NOON - DAY_MS,
      live: { outcome: 'refused', assessment: { decision: 'deny', score: 85 } },
      shadow: { outcome: 'allowed', policyVersion: 'sha256:candidate' },
      disagreement: true,
    });
    expect(all[0]!.snapshot).toEqual(decision().snapshot);
    expect(all[0]!.shadow).toBeNull();
    expect((await risk.riskDecisions({ operationId: 'op_3', limit: 5 })).map((d) => d.id)).toEqual([ids[2]]);
    expect(
      (await risk.riskDecisions({ accountId: 'acc_r2', disagreement: true, limit: 5 })).map((d) => d.id),
    ).toEqual([ids[1]]);
    expect(
      (await risk.riskDecisions({ accountId: 'acc_r2', since: NOON - DAY_MS, limit: 5 })).map((d) => d.id),
    ).toEqual([ids[1], ids[2]]);
    const newest = await risk.riskDecisions({ accountId: 'acc_r2', limit: 2, newestFirst: true });
    expect(newest.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    const older = await risk.riskDecisions({
      accountId: 'acc_r2',
      limit: 2,
      newestFirst: true,
      afterId: ids[1]!,
    });
    expect(older.map((d) => d.id)).toEqual([ids[0]]);
    expect(await risk.countRiskDecisions({ since: NOON - DAY_MS })).toBeGreaterThanOrEqual(2);
    expect(await risk.countRiskDecisions({ since: NOON + DAY_MS })).toBe(0);
  });
});
