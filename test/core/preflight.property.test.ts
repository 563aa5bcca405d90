import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/core/clock.js';
import {
  ACCOUNT_STATUSES,
  CARD_TYPES,
  DEVICE_PLATFORMS,
  ENTERPRISE_LINK_KINDS,
  IDENTITY_STATUSES,
  REGIONS,
  type AccountFacts,
  type OperationRequest,
} from '../../src/core/model.js';
import { OPERATIONS, restrictFacts } from '../../src/core/preflight.js';
import { NOON } from '../support/facts.js';
import { run } from '../support/preflight.js';

const T0 = NOON - 800 * DAY_MS;
const instant = fc.integer({ min: T0, max: NOON + 30 * DAY_MS });
const money = fc.integer({ min: -1_000_000_000, max: 1_000_000_000_000 });
const id = fc.constantFrom('a', 'b', 'c', 'd');

const factsArb: fc.Arbitrary<AccountFacts> = fc.record({
  account: fc.record({
    id: fc.constant('acc_prop'),
    region: fc.constantFrom(...REGIONS),
    status: fc.constantFrom(...ACCOUNT_STATUSES),
    phoneMasked: fc.constant('+86 138****0000'),
    minor: fc.boolean(),
    createdAt: instant,
    deactivatingUntil: fc.option(instant),
  }),
  devices: fc.array(
    fc.record({
      id,
      platform: fc.constantFrom(...DEVICE_PLATFORMS),
      osVersion: fc.option(fc.constantFrom('15.3', '15.4', '17.0', '4.0', '14', 'weird')),
      primary: fc.boolean(),
      addedAt: instant,
    }),
    { maxLength: 3 },
  ),
  logins: fc.array(fc.record({ at: instant, deviceId: id, abnormal: fc.boolean() }), { maxLength: 5 }),
  identity: fc.option(
    fc.record({
      status: fc.constantFrom(...IDENTITY_STATUSES),
      documentType: fc.constantFrom('cn_id' as const, 'passport' as const),
      documentMasked: fc.constant('1****X'),
      nameMasked: fc.constant('*三'),
      documentKey: fc.constant('dk'),
      verifiedAt: fc.option(instant),
    }),
  ),
  wallet: fc.record({
    balance: money,
    pendingTransactions: fc.array(
      fc.record({
        id,
        kind: fc.constantFrom('payment' as const, 'transfer' as const),
        amount: money,
        createdAt: instant,
      }),
      { maxLength: 2 },
    ),
    payScoreEnabled: fc.boolean(),
    invoicesIssued: fc.nat(5),
  }),
  cards: fc.array(
    fc.record({
      id,
      type: fc.constantFrom(...CARD_TYPES),
      last4: fc.constant('1234'),
      bank: fc.constant('ICBC'),
      reservedPhoneMasked: fc.constant('138****0000'),
      unbilled: fc.option(money, { nil: undefined }),
      crossBorderAgreement: fc.option(fc.boolean(), { nil: undefined }),
      boundAt: instant,
    }),
    { maxLength: 4 },
  ),
  subscriptions: fc.array(
    fc.record({
      id,
      merchant: fc.constant('M'),
      product: fc.constant('P'),
      amount: money,
      active: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  loans: fc.array(fc.record({ id, product: fc.constant('L'), outstanding: money }), { maxLength: 2 }),
  redPackets: fc.array(
    fc.record({
      id,
      amount: money,
      status: fc.constantFrom('unclaimed' as const, 'claimed' as const),
      expiresAt: instant,
    }),
    { maxLength: 2 },
  ),
  merchant: fc.option(fc.record({ id, status: fc.constantFrom('active' as const, 'deregistered' as const) })),
  adminRoles: fc.array(
    fc.record({ id, kind: fc.constant('mini_program' as const), name: fc.constant('X') }),
    { maxLength: 2 },
  ),
  enterpriseLinks: fc.array(
    fc.record({
      id,
      enterprise: fc.constant('E'),
      kind: fc.constantFrom(...ENTERPRISE_LINK_KINDS),
      active: fc.boolean(),
      adminRole: fc.boolean(),
      pendingApprovals: fc.nat(3),
    }),
    { maxLength: 2 },
  ),
  developerAssets: fc.record({
    miniPrograms: fc.array(fc.record({ id, name: fc.constant('mp') }), { maxLength: 2 }),
    apiQuotaTier: fc.constantFrom('standard' as const, 'test' as const),
  }),
  grants: fc.array(
    fc.record({
      appId: id,
      appName: fc.constant('A'),
      developerId: id,
      openId: fc.constant('o1'),
      unionId: fc.constant('u1'),
      active: fc.boolean(),
      grantedAt: instant,
    }),
    { maxLength: 4 },
  ),
  openOperations: fc.array(
    fc.record({
      id,
      kind: fc.constantFrom('card.unbind' as const, 'realname.revoke' as const, 'data.export' as const),
      state: fc.constant('running'),
      startedAt: instant,
    }),
    { maxLength: 2 },
  ),
  history: fc.record({
    cardUnbinds: fc.array(fc.record({ at: instant, cardType: fc.constantFrom(...CARD_TYPES) }), {
      maxLength: 6,
    }),
    realnameChanges: fc.array(fc.record({ at: instant }), { maxLength: 3 }),
    identityModifications: fc.array(fc.record({ at: instant }), { maxLength: 3 }),
    revokedAt: fc.option(instant),
    verifiedTransactionsSinceRevocation: fc.nat(5),
    cardsBoundSinceRevocation: fc.nat(2),
  }),
  declarations: fc.record({
    fundFlowDeclaredAt: fc.option(instant),
    dataExportAgreementAt: fc.option(instant),
  }),
  openAppealId: fc.option(fc.constant('op_appeal')),
});

const requestArb: fc.Arbitrary<OperationRequest> = fc.oneof(
  fc.constant({ kind: 'account.delete' as const }),
  id.map((cardId) => ({ kind: 'card.unbind' as const, cardId })),
  fc.record({
    kind: fc.constant('realname.change' as const),
    newDocument: fc.option(
      fc.record({
        type: fc.constantFrom('cn_id' as const, 'passport' as const, 'hk_mo_permit' as const),
        number: fc.string(),
      }),
    ),
    documentUsage: fc.option(
      fc.record({ changesAt: fc.array(instant, { maxLength: 5 }), cooldownUntil: fc.option(instant) }),
    ),
  }),
  fc.constant({ kind: 'realname.revoke' as const }),
  id.map((linkId) => ({ kind: 'enterprise.detach' as const, linkId })),
  fc.constant({ kind: 'appeal.submit' as const }),
  fc.constant({ kind: 'payment.restore' as const }),
  fc.constant({ kind: 'data.export' as const }),
);

/** Changes that can only add a reason to refuse (they never remove a fact that allowed something). */
const worsen: fc.Arbitrary<(f: AccountFacts) => void> = fc.constantFrom(
  (f: AccountFacts) =>
    f.subscriptions.push({ id: 'w', merchant: 'W', product: 'W', amount: 1, active: true }),
  (f: AccountFacts) => f.loans.push({ id: 'w', product: 'W', outstanding: 1 }),
  (f: AccountFacts) => f.redPackets.push({ id: 'w', amount: 1, status: 'unclaimed', expiresAt: NOON }),
  (f: AccountFacts) => f.adminRoles.push({ id: 'w', kind: 'official_account', name: 'W' }),
  (f: AccountFacts) =>
    f.wallet.pendingTransactions.push({ id: 'w', kind: 'payment', amount: 1, createdAt: NOON }),
  (f: AccountFacts) => (f.wallet.payScoreEnabled = true),
  (f: AccountFacts) => f.logins.push({ at: NOON - 1, deviceId: 'a', abnormal: true }),
  (f: AccountFacts) => f.history.realnameChanges.push({ at: NOON - 1 }),
  (f: AccountFacts) => f.history.cardUnbinds.push({ at: NOON - 1, cardType: 'overseas' }),
  (f: AccountFacts) => {
    for (let i = 0; i < 3; i++) f.history.cardUnbinds.push({ at: NOON - 1, cardType: 'credit' });
  },
  (f: AccountFacts) =>
    f.openOperations.push({ id: 'w', kind: 'realname.revoke', state: 'running', startedAt: NOON }),
  // Freezing is a blocker for everything except the appeal, which exists for frozen accounts.
  (f: AccountFacts) => {
    if (f.account.status === 'active') f.account.status = 'frozen';
  },
  (f: AccountFacts) =>
    f.enterpriseLinks.push({
      id: 'w',
      enterprise: 'W',
      kind: 'attendance',
      active: true,
      adminRole: false,
      pendingApprovals: 0,
    }),
);

const contextArb = fc.record({ deviceId: fc.option(id) });
const nowArb = fc.integer({ min: NOON - 400 * DAY_MS, max: NOON + 400 * DAY_MS });

describe('preflight properties', () => {
  it('R-UX-1 a preflight never throws on any well-typed fact set, and is consistent', () => {
    fc.assert(
      fc.property(factsArb, requestArb, nowArb, contextArb, (facts, request, now, context) => {
        const r = run(facts, request, now, context);
        expect(r.allowed).toBe(r.blockers.length === 0);
        for (const b of r.blockers) {
          expect(b.message.en).not.toMatch(/\{\w+/);
          expect(b.message['zh-CN']).not.toMatch(/\{\w+/);
        }
        if (r.retryAfter !== null) expect(r.retryAfter).toBeGreaterThan(now - 1);
      }),
      { numRuns: 1500 },
    );
  });

  it('R-UX-1 adding a blocker condition never turns a refusal into an allowance, nor removes a blocker', () => {
    fc.assert(
      fc.property(
        factsArb,
        requestArb,
        nowArb,
        contextArb,
        worsen,
        (facts, request, now, context, change) => {
          const before = run(facts, request, now, context);
          const worse = structuredClone(facts);
          change(worse);
          if (request.kind === 'appeal.submit' && worse.account.status !== facts.account.status) return;
          const after = run(worse, request, now, context);
          if (!before.allowed) expect(after.allowed).toBe(false);
          const afterCodes = new Set(after.blockers.map((b) => b.code));
          for (const b of before.blockers) {
            // R-ABN-1: freezing replaces nothing else; every earlier code is still reported
            expect(afterCodes.has(b.code)).toBe(true);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('an operation decides the same on the fact tables it declares it reads as on all of them', () => {
    fc.assert(
      fc.property(factsArb, requestArb, nowArb, contextArb, (facts, request, now, context) => {
        const reads = OPERATIONS[request.kind].reads;
        expect(run(restrictFacts(facts, reads), request, now, context)).toEqual(
          run(facts, request, now, context),
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('a preflight is a pure function of (facts, request, time, policy)', () => {
    fc.assert(
      fc.property(factsArb, requestArb, nowArb, contextArb, (facts, request, now, context) => {
        const copy = structuredClone(facts);
        const a = run(facts, request, now, context);
        expect(facts).toEqual(copy);
        expect(run(facts, request, now, context)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });
});
