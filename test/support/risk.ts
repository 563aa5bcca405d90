/**
 * Risk inputs for the risk-core tests: an account of `cleanFacts` (old, verified, its registration
 * phone, nothing recent) with an empty risk history, at NOON; tests add exactly the events they probe.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/core/clock.js';
import { DEFAULT_POLICY, loadPolicy, type PolicyDocument } from '../../src/core/policy/index.js';
import {
  assessRisk,
  emptyRiskHistory,
  type RiskAssessment,
  type RiskHistory,
  type RiskInput,
  type SignalId,
} from '../../src/core/risk/index.js';
import { cleanFacts, NOON, YUAN } from './facts.js';

export { NOON, YUAN, DAY_MS, HOUR_MS, MINUTE_MS };

export const policy = loadPolicy();
export const CN = policy.rulesFor('CN');
export const RISK = CN.risk;

export const daysAgo = (d: number) => NOON - d * DAY_MS;
export const hoursAgo = (h: number) => NOON - h * HOUR_MS;

/** An input for a request of `cleanFacts` at NOON, with an empty risk history (+86 phone). */
export function riskInput(
  request: RiskInput['request'] = { kind: 'data.export' },
  history: Partial<RiskHistory> = {},
): RiskInput {
  return { facts: cleanFacts(NOON), history: { ...emptyRiskHistory('86'), ...history }, request, now: NOON };
}

export function assess(input: RiskInput, rules = CN): RiskAssessment {
  return assessRisk(input, rules);
}

export function signal(a: RiskAssessment, id: SignalId) {
  const s = a.signals.find((x) => x.id === id);
  if (!s) throw new Error(`no signal ${id}`);
  return s;
}

/** A policy document with the risk section changed by `edit` (for thresholds, windows, overlays). */
export function policyWith(edit: (doc: PolicyDocument) => void) {
  const doc = structuredClone(DEFAULT_POLICY);
  edit(doc);
  return loadPolicy(doc);
}
