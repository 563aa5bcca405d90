import type { WorkingDayCalendar } from '../calendar.js';
import type { Blocker, Consequence, Localized, Warning } from '../errors/index.js';
import type { AccountFacts, OperationKind, OperationRequest, RequestContext } from '../model.js';
import type { FactKind } from '../ports.js';
import type { EffectiveRules } from '../policy/index.js';

/** Everything a rule may read: the facts, the request, the moment and the rules in force. */
export interface RuleInput<R extends OperationRequest = OperationRequest> {
  readonly facts: AccountFacts;
  readonly request: R;
  readonly now: number;
  readonly rules: EffectiveRules;
  readonly context: RequestContext;
  readonly calendar: WorkingDayCalendar;
}

/**
 * One rule of the SPEC, as data (its id) plus a function that appends every blocker it finds.
 * Appending to a shared array rather than returning one keeps the hot path free of allocations when
 * nothing blocks.
 */
export interface Rule<R extends OperationRequest = OperationRequest> {
  readonly id: string;
  readonly describe: string;
  check(input: RuleInput<R>, out: Blocker[]): void;
}

export const EVIDENCE_KINDS = [
  'document_front',
  'document_back',
  'liveness_video',
  'phone_code',
  'bank_reserved_info',
  'sms_code',
  'reserved_phone_code',
  'guardian_face',
  'guardianship_proof',
  'notarised_guardianship',
  'guardian_handheld_id_video',
  'household_register_proof',
  'school_enrolment_certificate',
  'resignation_certificate',
  'customer_data_migrated',
  'finance_reconciliation',
  'aux_verification',
  'handheld_id_photo',
  'statement',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** A piece of evidence the operation needs when it is started, with the rule that asks for it. */
export interface EvidenceRequirement {
  kind: EvidenceKind;
  /** How many distinct items (3 auxiliary verifications for an appeal, R-ABN-2). */
  min: number;
  rule: string;
  label: Localized;
}

/** Extra verification before the operation may run (R-REV-2, R-CARD-1, R-MIN-1). */
export interface StepUp {
  method: 'face_id' | 'sms' | 'sms_twice';
  channel: 'bound_phone' | 'reserved_phone' | 'device';
  /** A minor's guardian must verify by face as well (R-MIN-1). */
  guardianFace: boolean;
  rule: string;
}

/** The answer to "may this run now, and what would it do?" (SPEC §3). */
export interface Preflight {
  kind: OperationKind;
  accountId: string;
  allowed: boolean;
  blockers: Blocker[];
  warnings: Warning[];
  consequences: Consequence[];
  requiredEvidence: EvidenceRequirement[];
  stepUp: StepUp | null;
  /** Earliest moment a time-based blocker lifts, when every blocker is time-based. */
  retryAfter: number | null;
  policyVersion: string;
  evaluatedAt: number;
}

/** The parts of one operation: its rules, and what it asks for and changes when allowed. */
export interface OperationSpec<R extends OperationRequest = OperationRequest> {
  readonly kind: R['kind'];
  /**
   * The fact tables this operation's rules, consequences and effects read, beyond the account,
   * identity, history and open operations (always there). The store loads only these; a property
   * test proves the decision is the same as with every table loaded.
   */
  readonly reads: readonly FactKind[];
  readonly rules: readonly Rule<R>[];
  warnings(input: RuleInput<R>): Warning[];
  consequences(input: RuleInput<R>): Consequence[];
  evidence(input: RuleInput<R>): EvidenceRequirement[];
  stepUp(input: RuleInput<R>): StepUp | null;
}
