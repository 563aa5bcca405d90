/**
 * How a risk decision acts (R-RISK-1/2/3), as pure functions of a recorded snapshot and a policy —
 * the code path of the live start, shadow mode and the backtest: the preflight first, then the
 * assessment and what each decision does; the step-up's extra face verification counted on top of
 * what the operation asks; the risk hold in every state machine and in the review queue; how far
 * back the history is read; what the backtest names as the cause of a change.
 */
import { describe, expect, it } from 'vitest';
import { REVIEW_STATES } from '../../src/app/reviews.js';
import { decideSnapshot, disagree, riskReads } from '../../src/app/risk.js';
import { causesOf } from '../../src/adapters/cli/backtest.js';
import { defaultWorkingDayCalendar } from '../../src/core/calendar.js';
import { DAY_MS } from '../../src/core/clock.js';
import { FLOWS, allowedEvents, transition } from '../../src/core/flows/index.js';
import { OPERATION_KINDS } from '../../src/core/model.js';
import { phoneCountry } from '../../src/core/phone-country.js';
import { DEFAULT_POLICY, loadPolicy, type Policy } from '../../src/core/policy/index.js';
import type { RiskEvaluation, RiskSnapshot } from '../../src/core/ports.js';
import { emptyRiskHistory } from '../../src/core/risk/index.js';
import { NOON, cleanFacts } from '../support/facts.js';

const calendar = defaultWorkingDayCalendar();

/** The default policy with other score thresholds (R-RISK-1). */
function withThresholds(stepUp: number, review: number, deny: number): Policy {
  const doc = structuredClone(DEFAULT_POLICY) as unknown as { defaults: { risk: { thresholds: object } } };
  doc.defaults.risk.thresholds = { stepUp, review, deny };
  return loadPolicy(doc);
}

/** A deletion (one SMS code) by an account with one abnormal login (abnormal_logins: weight 15). */
function snapshot(patch: Partial<RiskSnapshot> = {}): RiskSnapshot {
  const facts = cleanFacts();
  facts.logins.push({ at: NOON - DAY_MS, deviceId: 'dev_primary', abnormal: true });
  return {
    facts,
    history: emptyRiskHistory(),
    request: { kind: 'account.delete' },
    context: { deviceId: 'dev_primary' },
    appealClaim: null,
    evidence: { sms_code: 1 },
    documentInvalid: false,
    now: NOON,
    ...patch,
  };
}

describe('R-RISK-1 what a decision does', () => {
  it('R-RISK-1 allow goes ahead, review holds, deny refuses with RISK_DENIED only (never the score)', () => {
    expect(decideSnapshot(snapshot(), loadPolicy(), calendar).evaluation).toMatchObject({
      outcome: 'allowed',
      blockers: [],
      assessment: { decision: 'allow', score: 15 },
    });
    expect(decideSnapshot(snapshot(), withThresholds(5, 15, 90), calendar).evaluation).toMatchObject({
      outcome: 'held',
      assessment: { decision: 'review' },
    });
    const denied = decideSnapshot(snapshot(), withThresholds(5, 10, 15), calendar);
    expect(denied.evaluation).toMatchObject({
      outcome: 'refused',
      blockers: [{ code: 'RISK_DENIED', rule: 'R-RISK-1' }],
      assessment: { decision: 'deny' },
    });
    expect(denied.blockers[0]!.params).toEqual({});
    expect(JSON.stringify(denied.blockers)).not.toMatch(/score|15/);
  });

  it('R-RISK-1 at the step-up threshold exactly, a face verification is asked; one point below, not', () => {
    expect(decideSnapshot(snapshot(), withThresholds(15, 50, 80), calendar).evaluation.outcome).toBe(
      'refused',
    );
    expect(decideSnapshot(snapshot(), withThresholds(16, 50, 80), calendar).evaluation.outcome).toBe(
      'allowed',
    );
  });

  it('R-RISK-1 a step-up asks for one face verification more than the operation does, and lets the start through with it', () => {
    const policy = withThresholds(10, 50, 80);
    const asked = decideSnapshot(snapshot(), policy, calendar);
    expect(asked.evaluation).toMatchObject({
      outcome: 'refused',
      stepUp: { evidence: 'liveness_video', required: 1, provided: 0, satisfied: false },
    });
    expect(asked.blockers.map((b) => [b.code, b.params])).toEqual([
      ['RISK_STEP_UP_REQUIRED', { evidence: 'liveness_video', required: 1, provided: 0 }],
    ]);
    const given = decideSnapshot(
      snapshot({ evidence: { sms_code: 1, liveness_video: 1 } }),
      policy,
      calendar,
    );
    expect(given.evaluation).toMatchObject({ outcome: 'allowed', stepUp: { satisfied: true } });

    // a subject change asks for a liveness video anyway (R-CHG-1): the step-up asks for a second one
    const change = (liveness: number) =>
      snapshot({
        request: { kind: 'realname.change', newDocument: { type: 'cn_id', number: '4****************4' } },
        evidence: {
          document_front: 1,
          document_back: 1,
          liveness_video: liveness,
          phone_code: 1,
          bank_reserved_info: 1,
        },
      });
    expect(decideSnapshot(change(1), policy, calendar).evaluation).toMatchObject({
      outcome: 'refused',
      stepUp: { required: 2, provided: 1 },
    });
    expect(decideSnapshot(change(2), policy, calendar).evaluation.outcome).toBe('allowed');
  });

  it('R-UX-1 a preflight refusal comes first: the risk step does not run, and missing evidence counts as a refusal', () => {
    const frozen = snapshot();
    frozen.facts.account.status = 'frozen';
    expect(decideSnapshot(frozen, withThresholds(5, 10, 15), calendar).evaluation).toEqual({
      outcome: 'refused',
      blockers: [{ code: 'ACCOUNT_FROZEN', rule: 'R-ABN-1' }],
      assessment: null,
      stepUp: null,
    });
    const noCode = decideSnapshot(snapshot({ evidence: {} }), loadPolicy(), calendar).evaluation;
    expect(noCode.blockers).toEqual([{ code: 'EVIDENCE_MISSING', rule: 'R-UX-1' }]);
  });

  it('R-CHG-1 a recorded change replays without its number: a valid one passes, an invalid one is refused again', () => {
    const request = {
      kind: 'realname.change' as const,
      newDocument: { type: 'cn_id' as const, number: '4****************4' },
    };
    const evidence = {
      document_front: 1,
      document_back: 1,
      liveness_video: 1,
      phone_code: 1,
      bank_reserved_info: 1,
    };
    const valid = decideSnapshot(snapshot({ request, evidence }), loadPolicy(), calendar).evaluation;
    expect(valid.outcome).toBe('allowed');
    const invalid = decideSnapshot(
      snapshot({ request, evidence, documentInvalid: true }),
      loadPolicy(),
      calendar,
    ).evaluation;
    expect(invalid.blockers).toEqual([{ code: 'DOCUMENT_INVALID', rule: 'R-CHG-1' }]);
  });

  it('R-RISK-1 shadow disagreement: another outcome or another risk decision', () => {
    const e = (outcome: RiskEvaluation['outcome'], decision: 'allow' | 'step_up' | null): RiskEvaluation => ({
      outcome,
      blockers: [],
      stepUp: null,
      assessment: decision
        ? {
            decision,
            score: 0,
            signals: [],
            detections: [],
            aml: null,
            because: 'score',
            freezeAccount: false,
          }
        : null,
    });
    expect(disagree(e('allowed', 'allow'), e('allowed', 'allow'))).toBe(false);
    expect(disagree(e('refused', null), e('refused', null))).toBe(false);
    // a step-up the start had already satisfied: same outcome, another decision
    expect(disagree(e('allowed', 'allow'), e('allowed', 'step_up'))).toBe(true);
    expect(disagree(e('refused', null), e('allowed', 'allow'))).toBe(true);
  });
});

describe('R-RISK-1/2/3 the risk hold in every state machine and in the review queue', () => {
  it('R-RISK-1 every operation can be held by the system only, and released or rejected by a reviewer only', () => {
    for (const kind of OPERATION_KINDS) {
      expect(transition(kind, 'started', 'hold', 'system')).toMatchObject({
        to: 'risk_review',
        outcome: null,
      });
      for (const by of ['user', 'platform', 'reviewer', 'timer'] as const)
        expect(() => transition(kind, 'started', 'hold', by)).toThrow(/ILLEGAL_TRANSITION|cannot go/);
      expect(allowedEvents(kind, 'risk_review', 'reviewer').sort()).toEqual(['reject', 'release']);
      expect(allowedEvents(kind, 'risk_review', 'user')).toEqual([]);
      expect(transition(kind, 'risk_review', 'release', 'reviewer').to).toBe(FLOWS[kind].initial);
      expect(transition(kind, 'risk_review', 'reject', 'reviewer')).toMatchObject({
        to: 'rejected',
        outcome: 'rejected',
      });
    }
  });

  it('R-RISK-1 the queue holds risk_review cases, never a started operation', () => {
    expect(REVIEW_STATES).toContain('risk_review');
    expect(REVIEW_STATES).not.toContain('started');
    expect(REVIEW_STATES).toEqual(expect.arrayContaining(['in_review', 'in_review_2']));
  });

  it('R-RISK-1 a start reads its own fact tables and the devices and logins the signals need', () => {
    expect(riskReads('card.unbind')).toEqual(expect.arrayContaining(['cards', 'devices', 'logins']));
    expect(riskReads('appeal.submit').sort()).toEqual(['devices', 'logins']);
  });
});

describe('risk history and the backtest', () => {
  it('R-RISK-2 a phone’s country comes from its masked form, or the account’s region when written without one', () => {
    expect(phoneCountry('+852 ****4567', 'CN')).toBe('852');
    expect(phoneCountry('+1 202****1234', 'CN')).toBe('1');
    expect(phoneCountry('138****5678', 'CN')).toBe('86');
    expect(phoneCountry('****4567', 'SEA')).toBeNull();
    expect(phoneCountry('', 'CN')).toBeNull();
  });

  it('R-RISK-1 R-RISK-2 R-RISK-3 the backtest names what changed: the candidate’s new reason, or the recorded one that went', () => {
    const allowed: RiskEvaluation = { outcome: 'allowed', blockers: [], assessment: null, stepUp: null };
    const limit: RiskEvaluation = {
      outcome: 'refused',
      blockers: [{ code: 'DOCUMENT_CHANGE_LIMIT', rule: 'R-CHG-3' }],
      assessment: null,
      stepUp: null,
    };
    const held = (because: 'abuse_detected' | 'aml_hold' | 'score'): RiskEvaluation => ({
      outcome: 'held',
      blockers: [],
      stepUp: null,
      assessment: {
        decision: 'review',
        score: 60,
        signals: [],
        detections:
          because === 'abuse_detected'
            ? [{ detector: 'overseas_reregistration', rule: 'R-RISK-2', evidence: {} }]
            : [],
        aml: null,
        because,
        freezeAccount: true,
      },
    });
    expect([...causesOf(allowed, limit)]).toEqual([['R-CHG-3', 'rule']]);
    expect([...causesOf(limit, allowed)]).toEqual([['R-CHG-3', 'rule']]);
    expect([...causesOf(allowed, held('aml_hold'))]).toEqual([['R-RISK-3', 'aml']]);
    expect([...causesOf(held('abuse_detected'), allowed)]).toEqual([
      ['detector:overseas_reregistration', 'detector'],
    ]);
    // held → refused: what the candidate has that the record had not
    expect([...causesOf(held('score'), limit)]).toEqual([['R-CHG-3', 'rule']]);
  });
});
