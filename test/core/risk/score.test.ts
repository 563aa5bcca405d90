/**
 * R-RISK-1: the weighted signals become a score and the policy's thresholds a decision, at and around
 * each threshold; the decision's precedence (abuse, AML hold, score).
 */
import { describe, expect, it } from 'vitest';
import { decisionFor, RISK_DECISIONS } from '../../../src/core/risk/index.js';
import { assess, daysAgo, hoursAgo, policyWith, RISK, riskInput } from '../../support/risk.js';

describe('R-RISK-1 score → decision', () => {
  const t = RISK.thresholds;

  it('R-RISK-1 the default thresholds: step-up at 25, review at 50, deny at 80', () => {
    expect(t).toEqual({ stepUp: 25, review: 50, deny: 80 });
  });

  it('R-RISK-1 each threshold is inclusive: one under takes the milder decision', () => {
    expect(decisionFor(0, t)).toBe('allow');
    expect(decisionFor(t.stepUp - 1, t)).toBe('allow');
    expect(decisionFor(t.stepUp, t)).toBe('step_up');
    expect(decisionFor(t.review - 1, t)).toBe('step_up');
    expect(decisionFor(t.review, t)).toBe('review');
    expect(decisionFor(t.deny - 1, t)).toBe('review');
    expect(decisionFor(t.deny, t)).toBe('deny');
    expect(decisionFor(10_000, t)).toBe('deny');
  });

  it('R-RISK-1 equal thresholds skip a decision: stepUp = review goes straight to review', () => {
    expect(decisionFor(30, { stepUp: 30, review: 30, deny: 90 })).toBe('review');
    expect(RISK_DECISIONS).toEqual(['allow', 'step_up', 'review', 'deny']);
  });

  /** A thief on the account now: new device, abnormal login, wrong codes, the phone moved abroad. */
  function takeover() {
    const input = riskInput({ kind: 'data.export' }, { phoneCountry: '852' });
    input.facts.devices.push({ id: 'dev_thief', platform: 'android', primary: false, addedAt: hoursAgo(6) });
    input.facts.logins.push({ at: hoursAgo(6), deviceId: 'dev_thief', abnormal: true });
    for (let k = 0; k < 5; k++)
      input.history.failedVerifications.push({ at: hoursAgo(5 - k), purpose: 'data.export' });
    input.history.phoneCountryChanges.push({ at: hoursAgo(4), from: '86', to: '852' });
    return input;
  }

  it('R-RISK-1 a takeover in progress scores 80 from five signals and is denied, each contribution recorded', () => {
    const a = assess(takeover());
    expect(a.because).toBe('score');
    expect(a.score).toBe(80);
    expect(a.decision).toBe('deny');
    expect(a.signals.filter((s) => s.contribution > 0).map((s) => [s.id, s.contribution])).toEqual([
      ['device_change_recent', 15],
      ['abnormal_logins', 15],
      ['failed_attempts_account', 15],
      ['failed_attempts_document', 20],
      ['phone_country_changed', 15],
    ]);
    expect(a.detections).toEqual([]);
    expect(a.aml).toBeNull();
  });

  it('R-RISK-1 the same events under a region whose deny threshold is 81 go to review instead', () => {
    const p = policyWith((doc) => {
      doc.overlays = {
        ...doc.overlays,
        EU: { ...doc.overlays!.EU, risk: { thresholds: { stepUp: 25, review: 50, deny: 81 } } },
      };
    });
    const input = takeover();
    expect(assess(input, p.rulesFor('EU')).decision).toBe('review');
    expect(assess(input, p.rulesFor('CN')).decision).toBe('deny');
  });

  it('R-RISK-1 a weight of 0 switches a signal off: it is still measured and shown', () => {
    const p = policyWith((doc) => {
      doc.defaults.risk!.signals.phone_country_changed.weight = 0;
    });
    const a = assess(takeover(), p.rulesFor('CN'));
    expect(a.score).toBe(65);
    expect(a.decision).toBe('review');
    expect(a.signals.find((s) => s.id === 'phone_country_changed')).toMatchObject({
      value: 1,
      weight: 0,
      contribution: 0,
    });
  });

  it('R-RISK-1 a new device alone is allowed; with an abnormal login it steps up', () => {
    const input = riskInput({ kind: 'card.unbind', cardId: 'card_1' });
    input.facts.devices[0]!.addedAt = daysAgo(1);
    expect(assess(input)).toMatchObject({ score: 15, decision: 'allow' });
    input.facts.logins.push({ at: daysAgo(1), deviceId: 'dev_primary', abnormal: true });
    expect(assess(input)).toMatchObject({ score: 30, decision: 'step_up' });
  });

  it('R-RISK-1 precedence: a detection outranks an AML hold, which outranks the score', () => {
    const input = takeover();
    input.request = { kind: 'realname.revoke' };
    input.history.inflows.push({ at: daysAgo(1), amount: RISK.aml.threshold });
    const held = assess(input);
    expect(held).toMatchObject({ decision: 'review', because: 'aml_hold', score: 90 });
    input.history.failedVerifications.forEach((f) => (f.purpose = 'realname.revoke'));
    const abuse = assess(input);
    expect(abuse).toMatchObject({ decision: 'review', because: 'abuse_detected', freezeAccount: true });
    expect(abuse.aml).not.toBeNull();
    expect(abuse.detections.map((d) => d.detector)).toEqual(['deliberate_failures']);
  });
});
