/**
 * The policy's risk section (R-RISK-1/2/3): defaults, older policy files without it, its closed
 * schema, and region overlays that name single numbers.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  RISK_DEFAULTS,
  loadPolicy,
  validatePolicy,
  type PolicyDocument,
} from '../../../src/core/policy/index.js';
import { riskLookbackDays, SIGNAL_IDS, DETECTOR_IDS } from '../../../src/core/risk/index.js';
import { policyWith } from '../../support/risk.js';

const clone = <T>(v: T): T => structuredClone(v);

describe('policy: the risk section (R-RISK-1/2/3)', () => {
  it('R-RISK-1 R-RISK-2 every signal has a weight, a window and a threshold, every detector its parameters', () => {
    const risk = loadPolicy().rulesFor('CN').risk;
    expect(Object.keys(risk.signals).sort()).toEqual([...SIGNAL_IDS].sort());
    expect(Object.keys(risk.detectors).sort()).toEqual([...DETECTOR_IDS].sort());
    expect(risk.freezeAccountOnAbuse).toBe(true);
    expect(risk).toEqual(RISK_DEFAULTS);
  });

  it('R-RISK-1 a policy file written before the risk section existed is still valid and gets the defaults', () => {
    const doc = clone(DEFAULT_POLICY) as { defaults: Record<string, unknown> };
    delete doc.defaults.risk;
    expect(validatePolicy(doc).ok).toBe(true);
    const p = loadPolicy(doc);
    expect(p.rulesFor('CN').risk).toEqual(RISK_DEFAULTS);
    expect(p.version).toBe(loadPolicy().version);
    // The defaults object itself is never frozen or shared by a loaded policy.
    expect(Object.isFrozen(RISK_DEFAULTS)).toBe(false);
    expect(Object.isFrozen(p.rulesFor('CN').risk.signals)).toBe(true);
  });

  it('R-RISK-1 the thresholds must be ordered: stepUp <= review <= deny', () => {
    const doc = clone(DEFAULT_POLICY);
    doc.defaults.risk!.thresholds = { stepUp: 60, review: 50, deny: 80 };
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.issues).toEqual([
        { path: 'defaults.risk.thresholds', reason: 'expected stepUp <= review <= deny' },
      ]);
  });

  it('R-RISK-1 the section is closed: a misspelt signal or parameter is refused, naming it', () => {
    const doc = clone(DEFAULT_POLICY) as unknown as {
      defaults: { risk: { signals: Record<string, unknown>; aml: Record<string, unknown> } };
    };
    doc.defaults.risk.signals.device_changed = { weight: 1, windowDays: 1, atLeast: 1 };
    doc.defaults.risk.aml.thresold = 5;
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.issues).toContainEqual({
        path: 'defaults.risk.signals',
        reason: 'unknown key "device_changed"',
      });
      expect(v.issues).toContainEqual({ path: 'defaults.risk.aml', reason: 'unknown key "thresold"' });
    }
  });

  it('R-RISK-2 numbers are checked: negative weights, fractional amounts, bad calling codes', () => {
    const doc = clone(DEFAULT_POLICY);
    doc.defaults.risk!.signals.abnormal_logins.weight = -1;
    doc.defaults.risk!.aml.threshold = 1.5;
    doc.defaults.risk!.detectors.overseas_reregistration.homePhoneCountries.cn_id = ['+86'];
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.issues.map((i) => i.path)).toEqual([
        'defaults.risk.signals.abnormal_logins.weight',
        'defaults.risk.detectors.overseas_reregistration.homePhoneCountries.cn_id.0',
        'defaults.risk.aml.threshold',
      ]);
  });

  it('R-RISK-1 a region overlay names only what it changes; the rest stays the default, other regions are untouched', () => {
    const p = policyWith((doc) => {
      doc.overlays = {
        ...doc.overlays,
        SEA: {
          ...doc.overlays!.SEA,
          risk: {
            signals: { phone_country_changed: { weight: 5 } },
            detectors: { deliberate_failures: { minFailures: 8 } },
            aml: { windowDays: 14 },
            freezeAccountOnAbuse: false,
          },
        },
      };
    });
    const sea = p.rulesFor('SEA');
    expect(sea.risk.signals.phone_country_changed).toEqual({ weight: 5, windowDays: 90, atLeast: 1 });
    expect(sea.risk.signals.abnormal_logins).toEqual(RISK_DEFAULTS.signals.abnormal_logins);
    expect(sea.risk.detectors.deliberate_failures).toEqual({ windowHours: 48, minFailures: 8 });
    expect(sea.risk.aml).toEqual({ windowDays: 14, threshold: RISK_DEFAULTS.aml.threshold });
    expect(sea.risk.freezeAccountOnAbuse).toBe(false);
    // The other sections of the overlay still apply (R-REG-2), and CN is the default.
    expect(sea.region.digitalCurrencyRestricted).toBe(true);
    expect(p.rulesFor('CN').risk).toEqual(RISK_DEFAULTS);
  });

  it('R-RISK-1 an overlay gives the thresholds whole, so that their order is checked', () => {
    const doc: PolicyDocument = clone(DEFAULT_POLICY);
    doc.overlays = { HK: { risk: { thresholds: { deny: 90 } as never } } };
    const v = validatePolicy(doc);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => i.path)).toContain('overlays.HK.risk.thresholds.stepUp');
  });

  it('R-RISK-1 a risk number is part of the policy version', () => {
    const changed = clone(DEFAULT_POLICY);
    changed.defaults.risk!.signals.large_inflows.weight = 11;
    expect(loadPolicy(changed).version).not.toBe(loadPolicy().version);
  });

  it('R-RISK-1 the lookback a store needs: the longest window anything read can matter in (90 days by default)', () => {
    expect(riskLookbackDays(RISK_DEFAULTS)).toBe(90);
    const r = clone(RISK_DEFAULTS);
    r.signals.phone_country_changed.windowDays = 30;
    r.signals.identity_changed_recently.windowDays = 30;
    r.detectors.overseas_reregistration.refusedOnDocumentDays = 30;
    expect(riskLookbackDays(r)).toBe(37);
    r.aml.windowDays = 45;
    expect(riskLookbackDays(r)).toBe(45);
  });
});
