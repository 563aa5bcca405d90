/**
 * Risk control and anti-money-laundering (SPEC §3.11, R-RISK-1/2/3): the types shared by the pure
 * risk core (signals, scoring, detectors, AML), the store that gathers what it reads, the use cases
 * that act on its decision, the simulator and the backtest. No I/O here.
 *
 * A risk assessment is, like a preflight, a pure function of (facts, risk history, request, policy,
 * time). It runs after the preflight allowed an operation (a blocked operation is refused for its
 * blockers first) and decides `allow | step_up | review | deny`, with the contributing signals and
 * their weights, the abuse routes detected, and an AML hold when it applies. The internal score and
 * weights are for reviewers; a user only ever sees a code and a remediation.
 */
import type {
  AccountFacts,
  DocumentType,
  Money,
  OperationKind,
  OperationRequest,
  RequestContext,
} from '../model.js';

export const RISK_DECISIONS = ['allow', 'step_up', 'review', 'deny'] as const;
export type RiskDecision = (typeof RISK_DECISIONS)[number];

/**
 * What the store adds to the account's facts for risk: the account's own risk-relevant history and
 * the cross-account view of its document (through the document's keyed hash, never the number).
 * Every list holds only entries within the policy's lookback windows (the store may return more;
 * the core filters by time itself, so a decision never depends on how much the store returned).
 */
export interface RiskHistory {
  /** Country calling code of the bound phone now, e.g. '86', '852', '1' (from the masked phone). */
  phoneCountry: string | null;
  /** Changes of the bound phone's country (re-registration and phone moves, R-RISK-2). */
  phoneCountryChanges: { at: number; from: string | null; to: string }[];
  /** Operation starts of this account that were refused (blockers or risk), newest last. */
  refusals: { at: number; kind: OperationKind; codes: string[] }[];
  /** Failed one-time-code attempts of this account (wrong, expired, reused, locked), with their purpose. */
  failedVerifications: { at: number; purpose: string }[];
  /** Appeals submitted by this account, with what they claim (`account_stolen` for a theft claim). */
  appeals: { at: number; claim: AppealClaim | null }[];
  /** Money received (completed receipts), for AML (R-RISK-3). */
  inflows: { at: number; amount: Money }[];
  /**
   * The other accounts that hold or held this account's document (the one of its identity, or the
   * new one of a change): when each was created, its phone country, and the operations started on
   * it. Empty when the account has no identity and the request names no document.
   */
  documentAccounts: {
    /** An opaque per-document alias of the account (the core never needs the real id). */
    alias: string;
    createdAt: number;
    phoneCountry: string | null;
    operations: { at: number; kind: OperationKind; refused: boolean }[];
    /**
     * Failed one-time codes on that account within the `failed_attempts_document` signal's window
     * (`risk.signals.failed_attempts_document.windowDays`): a count, so the store counts it.
     */
    failedVerifications: number;
  }[];
  /**
   * The document's change limit as the change rules see it (R-CHG-3): changes to it in the window
   * and its cooldown end. Null when no document is involved.
   */
  documentLimit: { changesInWindow: number; limit: number; cooldownUntil: number | null } | null;
}

export type AppealClaim = 'account_stolen' | 'other';

/** The signals of R-RISK-1. Each is computed from the facts and the risk history, then weighted. */
export const SIGNAL_IDS = [
  'device_change_recent',
  'abnormal_logins',
  'identity_changed_recently',
  'failed_attempts_account',
  'failed_attempts_document',
  'document_velocity',
  'phone_country_changed',
  'large_inflows',
  'appeal_after_refusal',
] as const;
export type SignalId = (typeof SIGNAL_IDS)[number];

export interface Signal {
  id: SignalId;
  /** The measured value (a count, hours since, an amount in ten-thousandths of a yuan…). */
  value: number;
  /** Its weight in the policy, and what it added to the score (0 when the signal did not fire). */
  weight: number;
  contribution: number;
  /** What a reviewer needs to see why it fired: PII-free. */
  detail: Record<string, string | number | boolean | null>;
}

/** The three abuse routes of the source documents (R-RISK-2). */
export const DETECTOR_IDS = [
  'stolen_account_appeal',
  'overseas_reregistration',
  'deliberate_failures',
] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

export interface Detection {
  detector: DetectorId;
  rule: 'R-RISK-2';
  /** The events that matched, for the case a reviewer opens: PII-free. */
  evidence: Record<string, string | number | boolean | null | readonly (string | number)[]>;
}

/** R-RISK-3: a revocation or deletion shortly after large inflows is held for an AML review. */
export interface AmlHold {
  rule: 'R-RISK-3';
  windowDays: number;
  threshold: Money;
  total: Money;
  inflows: { at: number; amount: Money }[];
}

export interface RiskAssessment {
  decision: RiskDecision;
  /** The weighted sum of the signals; thresholds from the policy turn it into a decision. */
  score: number;
  signals: Signal[];
  detections: Detection[];
  aml: AmlHold | null;
  /**
   * Why the decision is what it is, in order of precedence: 'abuse_detected' (a detector fired:
   * review, and by policy the account is frozen), 'aml_hold', 'score' (the thresholds).
   */
  because: 'abuse_detected' | 'aml_hold' | 'score';
  /** With a detection, whether the policy freezes the account too (R-RISK-2). */
  freezeAccount: boolean;
}

/**
 * The binding of an identity to an account, assessed too (the R-RISK-2 overseas re-registration
 * route binds a known document to a new account). `documentType` says which phone countries are
 * home for the document (`risk.detectors.overseas_reregistration.homePhoneCountries`); without it
 * the identity's type, then a mainland ID, is assumed.
 */
export interface IdentityBindRequest {
  kind: 'identity.bind';
  documentType?: DocumentType | null;
}

/** What an assessment reads. `request` may be an operation or the binding of an identity. */
export interface RiskInput {
  facts: AccountFacts;
  history: RiskHistory;
  request: OperationRequest | IdentityBindRequest;
  context?: RequestContext;
  /** What the appeal claims (R-RISK-2 stolen-account route), when the request is an appeal. */
  appealClaim?: AppealClaim | null;
  now: number;
}

/** A risk history with nothing in it: a convenience for adapters, tests and the simulator. */
export function emptyRiskHistory(phoneCountry: string | null = '86'): RiskHistory {
  return {
    phoneCountry,
    phoneCountryChanges: [],
    refusals: [],
    failedVerifications: [],
    appeals: [],
    inflows: [],
    documentAccounts: [],
    documentLimit: null,
  };
}
