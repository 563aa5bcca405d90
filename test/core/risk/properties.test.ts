/**
 * Properties of the risk assessment (R-RISK-1/2/3) over generated histories:
 * - it is a pure function: the same input gives the same assessment and is not changed by it;
 * - it is monotone in the history: one more event never lowers the score, never un-fires a signal,
 *   never clears a detection or an AML hold, and never turns a held or refused operation (review,
 *   deny) or a step-up into a milder decision;
 * - an event older than `riskLookbackDays` never changes anything (what a store must gather);
 * - higher thresholds never take a stricter decision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OperationKind } from '../../../src/core/model.js';
import {
  assessRisk,
  riskLookbackDays,
  type RiskAssessment,
  type RiskDecision,
  type RiskInput,
} from '../../../src/core/risk/index.js';
import { cleanFacts } from '../../support/facts.js';
import { CN, DAY_MS, HOUR_MS, NOON, policyWith, RISK, YUAN } from '../../support/risk.js';

/** Times around NOON, with the window edges (and one millisecond inside them) drawn often. */
const EDGES = [0, 1, 48 * HOUR_MS, 7 * DAY_MS, 30 * DAY_MS, 37 * DAY_MS, 90 * DAY_MS].flatMap((e) => [
  e,
  e - 1,
]);
const instant = fc.oneof(
  fc.integer({ min: -DAY_MS, max: 120 * DAY_MS }).map((ago) => NOON - ago),
  fc.constantFrom(...EDGES).map((ago) => NOON - ago),
);
const kind = fc.constantFrom<OperationKind>(
  'realname.change',
  'realname.revoke',
  'card.unbind',
  'account.delete',
  'appeal.submit',
  'data.export',
);
const code = fc.constantFrom(
  'NOT_PRIMARY_DEVICE',
  'ABNORMAL_LOGIN_RECENT',
  'BALANCE_RESIDUE',
  'REALNAME_CHANGE_TOO_SOON',
  'DOCUMENT_CHANGE_LIMIT',
  'UNKNOWN_RISK_CODE',
);
const country = fc.constantFrom('86', '852', '1');

const refusal = fc.record({ at: instant, kind, codes: fc.uniqueArray(code, { maxLength: 2 }) });
const failed = fc.record({
  at: instant,
  purpose: fc.constantFrom('realname.revoke', 'card.unbind:card_1', 'realname.change#bank', 'account.delete'),
});
const appeal = fc.record({
  at: instant,
  claim: fc.constantFrom('account_stolen' as const, 'other' as const, null),
});
const inflow = fc.record({ at: instant, amount: fc.integer({ min: 0, max: 80_000 * YUAN }) });
const phoneChange = fc.record({ at: instant, from: fc.constantFrom('86', '852', null), to: country });
const docOperation = fc.record({ at: instant, kind, refused: fc.boolean() });
const documentAccount = fc.record({
  alias: fc.constantFrom('doc_acc_1', 'doc_acc_2'),
  createdAt: instant,
  phoneCountry: fc.constantFrom('86', '852', null),
  operations: fc.array(docOperation, { maxLength: 3 }),
  failedVerifications: fc.integer({ min: 0, max: 4 }),
});
const login = fc.record({ at: instant, deviceId: fc.constant('dev_x'), abnormal: fc.boolean() });
const device = fc.record({
  id: fc.constant('dev_new'),
  platform: fc.constant('android' as const),
  primary: fc.boolean(),
  addedAt: instant,
});

const request = fc.constantFrom<RiskInput['request']>(
  { kind: 'identity.bind', documentType: 'cn_id' },
  { kind: 'identity.bind', documentType: 'passport' },
  { kind: 'identity.bind' },
  { kind: 'realname.change', newDocument: { type: 'cn_id', number: '11010519900101123X' } },
  {
    kind: 'realname.change',
    newDocument: { type: 'hk_mo_permit', number: 'H12345678' },
    documentUsage: { changesAt: [NOON - 10 * DAY_MS, NOON - 20 * DAY_MS, NOON - 30 * DAY_MS] },
  },
  { kind: 'realname.revoke' },
  { kind: 'account.delete' },
  { kind: 'card.unbind', cardId: 'card_1' },
  { kind: 'appeal.submit' },
  { kind: 'data.export' },
);

const input: fc.Arbitrary<RiskInput> = fc
  .record({
    createdAgoDays: fc.integer({ min: 0, max: 1_000 }),
    devices: fc.array(device, { maxLength: 2 }),
    logins: fc.array(login, { maxLength: 4 }),
    changes: fc.array(instant, { maxLength: 2 }),
    phoneCountry: fc.constantFrom('86', '852', '1', null),
    phoneCountryChanges: fc.array(phoneChange, { maxLength: 2 }),
    refusals: fc.array(refusal, { maxLength: 4 }),
    failedVerifications: fc.array(failed, { maxLength: 7 }),
    appeals: fc.array(appeal, { maxLength: 2 }),
    inflows: fc.array(inflow, { maxLength: 4 }),
    documentAccounts: fc.array(documentAccount, { maxLength: 2 }),
    documentLimit: fc.option(
      fc.record({
        changesInWindow: fc.integer({ min: 0, max: 4 }),
        limit: fc.constant(3),
        cooldownUntil: fc.option(instant, { nil: null }),
      }),
      { nil: null },
    ),
    request,
    appealClaim: fc.constantFrom('account_stolen' as const, 'other' as const, null, undefined),
  })
  .map((r) => {
    const facts = cleanFacts(NOON);
    facts.account.createdAt = NOON - r.createdAgoDays * DAY_MS;
    facts.devices.push(...r.devices);
    facts.logins.push(...r.logins);
    facts.history.realnameChanges = r.changes.map((at) => ({ at }));
    const out: RiskInput = {
      facts,
      history: {
        phoneCountry: r.phoneCountry,
        phoneCountryChanges: r.phoneCountryChanges,
        refusals: r.refusals,
        failedVerifications: r.failedVerifications,
        appeals: r.appeals,
        inflows: r.inflows,
        documentAccounts: r.documentAccounts,
        documentLimit: r.documentLimit,
      },
      request: r.request,
      now: NOON,
    };
    if (r.appealClaim !== undefined) out.appealClaim = r.appealClaim;
    return out;
  });

/** One more event of any kind the history records. */
type Event =
  | { type: 'refusal'; e: { at: number; kind: OperationKind; codes: string[] } }
  | { type: 'failed'; e: { at: number; purpose: string } }
  | { type: 'appeal'; e: { at: number; claim: 'account_stolen' | 'other' | null } }
  | { type: 'inflow'; e: { at: number; amount: number } }
  | { type: 'phone'; e: { at: number; from: string | null; to: string } }
  | { type: 'docAccount'; e: RiskInput['history']['documentAccounts'][number] }
  | { type: 'docOperation'; e: { at: number; kind: OperationKind; refused: boolean } }
  | { type: 'login'; e: { at: number; deviceId: string; abnormal: boolean } }
  | { type: 'device'; e: { id: string; platform: 'android'; primary: boolean; addedAt: number } }
  | { type: 'change'; e: number };

const event: fc.Arbitrary<Event> = fc.oneof(
  refusal.map((e) => ({ type: 'refusal' as const, e })),
  failed.map((e) => ({ type: 'failed' as const, e })),
  appeal.map((e) => ({ type: 'appeal' as const, e })),
  inflow.map((e) => ({ type: 'inflow' as const, e })),
  phoneChange.map((e) => ({ type: 'phone' as const, e })),
  documentAccount.map((e) => ({ type: 'docAccount' as const, e })),
  docOperation.map((e) => ({ type: 'docOperation' as const, e })),
  login.map((e) => ({ type: 'login' as const, e })),
  device.map((e) => ({ type: 'device' as const, e })),
  instant.map((e) => ({ type: 'change' as const, e })),
);

function withEvent(base: RiskInput, ev: Event): RiskInput {
  const i = structuredClone(base);
  const h = i.history;
  switch (ev.type) {
    case 'refusal':
      h.refusals.push(ev.e);
      break;
    case 'failed':
      h.failedVerifications.push(ev.e);
      break;
    case 'appeal':
      h.appeals.push(ev.e);
      break;
    case 'inflow':
      h.inflows.push(ev.e);
      break;
    case 'phone':
      h.phoneCountryChanges.push(ev.e);
      break;
    case 'docAccount':
      h.documentAccounts.push(ev.e);
      break;
    case 'docOperation':
      // An operation on the document's first other account (none: nothing to add it to).
      h.documentAccounts[0]?.operations.push(ev.e);
      break;
    case 'login':
      i.facts.logins.push(ev.e);
      break;
    case 'device':
      i.facts.devices.push(ev.e);
      break;
    case 'change':
      i.facts.history.realnameChanges.push({ at: ev.e });
      break;
  }
  return i;
}

/** How far the decision keeps the operation from simply going through. */
const RANK: Record<RiskDecision, number> = { allow: 0, step_up: 1, review: 2, deny: 2 };

const fired = (a: RiskAssessment) => a.signals.filter((s) => s.contribution > 0).map((s) => s.id);

describe('R-RISK-1 R-RISK-2 R-RISK-3 properties of assessRisk', () => {
  it('R-RISK-1 is deterministic and never changes its input', () => {
    fc.assert(
      fc.property(input, (i) => {
        const copy = structuredClone(i);
        const a = assessRisk(i, CN);
        expect(i).toEqual(copy);
        expect(assessRisk(copy, CN)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('R-RISK-1 R-RISK-2 R-RISK-3 one more event never makes the assessment milder', () => {
    fc.assert(
      fc.property(input, event, (i, ev) => {
        const a = assessRisk(i, CN);
        const b = assessRisk(withEvent(i, ev), CN);
        expect(b.score).toBeGreaterThanOrEqual(a.score);
        for (const id of fired(a)) expect(fired(b)).toContain(id);
        for (const d of a.detections) expect(b.detections.map((x) => x.detector)).toContain(d.detector);
        if (a.aml) expect(b.aml).not.toBeNull();
        expect(RANK[b.decision]).toBeGreaterThanOrEqual(RANK[a.decision]);
      }),
      { numRuns: 1_000 },
    );
  });

  it('R-RISK-1 an event older than riskLookbackDays changes nothing (the store may leave it out)', () => {
    const lookback = riskLookbackDays(RISK) * DAY_MS;
    const old = fc.integer({ min: 0, max: 400 * DAY_MS }).map((extra) => NOON - lookback - extra);
    const oldEvent = fc
      .tuple(event, old)
      .filter(([ev]) => ev.type !== 'docAccount')
      .map(([ev, at]): Event => {
        if (ev.type === 'change') return { type: 'change', e: at };
        if (ev.type === 'device') return { type: 'device', e: { ...ev.e, addedAt: at } };
        return { ...ev, e: { ...ev.e, at } } as Event;
      });
    fc.assert(
      fc.property(input, oldEvent, (i, ev) => {
        expect(assessRisk(withEvent(i, ev), CN)).toEqual(assessRisk(i, CN));
      }),
      { numRuns: 500 },
    );
  });

  it('R-RISK-1 higher thresholds never take a stricter decision', () => {
    const raised = policyWith((doc) => {
      doc.defaults.risk!.thresholds = { stepUp: 40, review: 70, deny: 100 };
    }).rulesFor('CN');
    const ORDER: Record<RiskDecision, number> = { allow: 0, step_up: 1, review: 2, deny: 3 };
    fc.assert(
      fc.property(input, (i) => {
        const a = assessRisk(i, CN);
        const b = assessRisk(i, raised);
        expect(b.score).toBe(a.score);
        if (a.because === 'score') expect(ORDER[b.decision]).toBeLessThanOrEqual(ORDER[a.decision]);
        else expect(b.decision).toBe(a.decision);
      }),
      { numRuns: 300 },
    );
  });
});
