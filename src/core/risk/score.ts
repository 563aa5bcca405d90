/**
 * R-RISK-1: the weighted signals become a score, and the policy's thresholds turn the score into a
 * decision. A score at or above `deny` denies, at or above `review` goes to a reviewer, at or above
 * `stepUp` asks for a stronger verification; below it the operation is allowed. The thresholds are
 * ordered (`stepUp <= review <= deny`, checked by the policy schema), so a higher score never takes a
 * milder decision.
 */
import type { RiskRules } from './signals.js';
import type { RiskDecision, Signal } from './types.js';

/** The score: the sum of what the fired signals contribute. */
export function scoreOf(signals: readonly Signal[]): number {
  let score = 0;
  for (const s of signals) score += s.contribution;
  return score;
}

/**
 * The decision a score takes under the policy's thresholds (R-RISK-1).
 * @example decisionFor(55, { stepUp: 25, review: 50, deny: 80 }) // 'review'
 */
export function decisionFor(score: number, thresholds: RiskRules['thresholds']): RiskDecision {
  if (score >= thresholds.deny) return 'deny';
  if (score >= thresholds.review) return 'review';
  if (score >= thresholds.stepUp) return 'step_up';
  return 'allow';
}
