/**
 * The risk core's entry point (SPEC §3.11 R-RISK-1/2/3): signals → score → decision, with the abuse
 * detectors and the AML hold taking precedence. Pure: a function of (facts, risk history, request,
 * policy, time), like a preflight; the service runs it after the preflight allowed an operation.
 */
import type { RegionRules } from '../policy/index.js';
import { amlHold } from './aml.js';
import { detectAbuse } from './detectors.js';
import { decisionFor, scoreOf } from './score.js';
import { computeSignals, type RiskRules } from './signals.js';
import type { RiskAssessment, RiskInput } from './types.js';

export * from './types.js';
export { amlHold, AML_KINDS } from './aml.js';
export { detectAbuse, DETECTORS } from './detectors.js';
export { INTRUDER_CODES, isEscapableRefusal, isRiskControlRefusal } from './events.js';
export { decisionFor, scoreOf } from './score.js';
export { computeSignals, REGISTRATION_DEVICE_GRACE_MS, type RiskRules } from './signals.js';

/**
 * How far back (days) anything the assessment reads can matter under these rules: the longest
 * signal window (twice the appeal window: an appeal in it, and the refusal before that appeal), the
 * stolen-account appeal lookback plus its refusal window, the detectors' and the AML windows. A store
 * gathering the risk history reads from `now - riskLookbackDays(risk) * DAY_MS`; anything older never
 * changes a decision (the property test checks it).
 */
export function riskLookbackDays(risk: RiskRules): number {
  const d = risk.detectors;
  return Math.max(
    ...Object.values(risk.signals).map((s) => s.windowDays),
    2 * risk.signals.appeal_after_refusal.windowDays,
    d.stolen_account_appeal.appealLookbackDays + d.stolen_account_appeal.refusalWindowDays,
    d.overseas_reregistration.newAccountDays,
    d.overseas_reregistration.phoneChangeDays,
    d.overseas_reregistration.refusedOnDocumentDays,
    Math.ceil(d.deliberate_failures.windowHours / 24),
    risk.aml.windowDays,
  );
}

/**
 * Assess one request of one account at one moment under the region's rules (pure). In order of
 * precedence:
 * 1. a detected abuse route (R-RISK-2) → `review` because `abuse_detected`; the operation is frozen
 *    and, when `risk.freezeAccountOnAbuse`, the account too (`freezeAccount`);
 * 2. an AML hold (R-RISK-3) → `review` because `aml_hold` (the hold lists the inflows);
 * 3. otherwise the score against the thresholds (R-RISK-1) → `allow | step_up | review | deny`.
 * The signals, the score and the AML hold are always computed and returned, so a reviewer sees all of
 * them whatever decided.
 * @example assessRisk({ facts, history, request: { kind: 'realname.revoke' }, now }, policy.rulesFor('CN'))
 */
export function assessRisk(input: RiskInput, rules: RegionRules): RiskAssessment {
  const risk = rules.risk;
  const signals = computeSignals(input, risk);
  const score = scoreOf(signals);
  const detections = detectAbuse(input, rules);
  const aml = amlHold(input, risk);
  if (detections.length > 0) {
    return {
      decision: 'review',
      score,
      signals,
      detections,
      aml,
      because: 'abuse_detected',
      freezeAccount: risk.freezeAccountOnAbuse,
    };
  }
  if (aml) {
    return { decision: 'review', score, signals, detections, aml, because: 'aml_hold', freezeAccount: false };
  }
  return {
    decision: decisionFor(score, risk.thresholds),
    score,
    signals,
    detections,
    aml,
    because: 'score',
    freezeAccount: false,
  };
}
