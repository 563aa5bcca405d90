/**
 * The risk core's entry point (R-RISK-1/2/3). PLACEHOLDER by the lead so that the integration can
 * be built against the signature: the risk-core helper replaces the body (signals, scoring,
 * detectors, AML) and may split it into files; the exported signature stays.
 */
import type { RegionRules } from '../policy/index.js';
import type { RiskAssessment, RiskInput } from './types.js';

export * from './types.js';

/**
 * Assess one request of one account at one moment under the region's rules (pure).
 * @example assessRisk({ facts, history, request: { kind: 'realname.revoke' }, now }, policy.rulesFor('CN'))
 */
export function assessRisk(input: RiskInput, rules: RegionRules): RiskAssessment {
  void input;
  void rules;
  return {
    decision: 'allow',
    score: 0,
    signals: [],
    detections: [],
    aml: null,
    because: 'score',
    freezeAccount: false,
  };
}
