/**
 * R-RISK-3: a revocation or a deletion shortly after large inflows is held for an AML review, the
 * hold listing the inflows; at, under and over the threshold, inside and on the edge of the window.
 */
import { describe, expect, it } from 'vitest';
import { amlHold, type RiskInput } from '../../../src/core/risk/index.js';
import {
  assess,
  DAY_MS,
  daysAgo,
  hoursAgo,
  NOON,
  policyWith,
  RISK,
  riskInput,
  YUAN,
} from '../../support/risk.js';

const { windowDays, threshold } = RISK.aml;

/** Three transfers in this week adding up to `total`, then `kind`. */
function afterInflows(total: number, kind: RiskInput['request'] = { kind: 'realname.revoke' }): RiskInput {
  const third = Math.floor(total / 3);
  return riskInput(kind, {
    inflows: [
      { at: daysAgo(1), amount: third },
      { at: daysAgo(3), amount: third },
      { at: hoursAgo(5), amount: total - 2 * third },
    ],
  });
}

describe('R-RISK-3 AML hold', () => {
  it('R-RISK-3 the defaults: ¥50,000 within 7 days', () => {
    expect(threshold).toBe(50_000 * YUAN);
    expect(windowDays).toBe(7);
  });

  it('R-RISK-3 a revocation after inflows totalling exactly the threshold is held for review, showing the inflows oldest first', () => {
    const a = assess(afterInflows(threshold));
    expect(a.decision).toBe('review');
    expect(a.because).toBe('aml_hold');
    expect(a.freezeAccount).toBe(false);
    expect(a.detections).toEqual([]);
    const third = Math.floor(threshold / 3);
    expect(a.aml).toEqual({
      rule: 'R-RISK-3',
      windowDays,
      threshold,
      total: threshold,
      inflows: [
        { at: daysAgo(3), amount: third },
        { at: daysAgo(1), amount: third },
        { at: hoursAgo(5), amount: threshold - 2 * third },
      ],
    });
  });

  it('R-RISK-3 one ten-thousandth of a yuan under the threshold is not held (the score decides: the large-inflow signal alone allows)', () => {
    const a = assess(afterInflows(threshold - 1));
    expect(a.aml).toBeNull();
    expect(a.because).toBe('score');
    expect(a.decision).toBe('allow');
    expect(a.signals.find((s) => s.id === 'large_inflows')!.contribution).toBe(
      RISK.signals.large_inflows.weight,
    );
  });

  it('R-RISK-3 well over the threshold, an account deletion is held too', () => {
    const a = assess(afterInflows(480_000 * YUAN, { kind: 'account.delete' }));
    expect(a.because).toBe('aml_hold');
    expect(a.aml!.total).toBe(480_000 * YUAN);
  });

  it('R-RISK-3 the window: an inflow exactly 7 days ago has aged out; 1 ms younger it counts', () => {
    const input = riskInput(
      { kind: 'realname.revoke' },
      {
        inflows: [
          { at: NOON - windowDays * DAY_MS, amount: threshold / 2 },
          { at: daysAgo(1), amount: threshold / 2 },
        ],
      },
    );
    expect(amlHold(input, RISK)).toBeNull();
    input.history.inflows[0]!.at += 1;
    expect(amlHold(input, RISK)).toMatchObject({
      total: threshold,
      inflows: [{ amount: threshold / 2 }, { amount: threshold / 2 }],
    });
  });

  it('R-RISK-3 inflows after now (a clock skew) are not counted', () => {
    const input = riskInput({ kind: 'realname.revoke' }, { inflows: [{ at: NOON + 1, amount: threshold }] });
    expect(amlHold(input, RISK)).toBeNull();
  });

  it('R-RISK-3 only a revocation or a deletion is held: an unbind, a change or an export after the same inflows is not', () => {
    for (const request of [
      { kind: 'card.unbind', cardId: 'card_1' },
      { kind: 'realname.change' },
      { kind: 'data.export' },
    ] as const) {
      expect(assess(afterInflows(threshold * 2, request)).aml).toBeNull();
    }
  });

  it('R-RISK-3 a detected abuse takes precedence, and the hold is still shown to the reviewer', () => {
    const input = afterInflows(threshold);
    for (let k = 0; k < 5; k++)
      input.history.failedVerifications.push({ at: hoursAgo(k + 1), purpose: 'realname.revoke' });
    const a = assess(input);
    expect(a.because).toBe('abuse_detected');
    expect(a.aml).not.toBeNull();
  });

  it('R-RISK-3 the threshold and window are policy, per region; no inflow is never a hold, even at threshold 0', () => {
    const p = policyWith((doc) => {
      doc.overlays = { ...doc.overlays, HK: { ...doc.overlays!.HK, risk: { aml: { threshold: 0 } } } };
    });
    const hk = p.rulesFor('HK');
    expect(hk.risk.aml).toEqual({ windowDays: 7, threshold: 0 });
    expect(amlHold(riskInput({ kind: 'realname.revoke' }), hk.risk)).toBeNull();
    expect(
      amlHold(riskInput({ kind: 'realname.revoke' }, { inflows: [{ at: daysAgo(1), amount: 1 }] }), hk.risk),
    ).toMatchObject({ total: 1 });
    expect(p.rulesFor('CN').risk.aml.threshold).toBe(threshold);
  });
});
