/**
 * One state machine per operation (SPEC §3.2–3.10): its states, the allowed transitions, who may
 * trigger each (user, platform, reviewer, timer, system), the evidence a transition needs, and
 * the terminal states with their outcome. An operation's timeline records every transition; an
 * illegal one is refused with ILLEGAL_TRANSITION and changes nothing.
 */
import { DomainError } from '../errors/index.js';
import type { OperationKind } from '../model.js';
import type { EvidenceKind } from '../rules/types.js';

export type TriggerKind = 'user' | 'platform' | 'reviewer' | 'timer' | 'system';

export interface Transition {
  event: string;
  from: readonly string[];
  to: string;
  /** Who may trigger it. */
  by: readonly TriggerKind[];
  /**
   * Evidence the transition always needs. The preflight's `requiredEvidence` is what the start
   * checks: it holds these and adds what this account needs (a minor's guardian, the device's
   * step-up, the link's proof); a test keeps the two consistent.
   */
  evidence?: readonly EvidenceKind[];
  /** The SPEC rule behind it. */
  rule: string;
}

export interface Flow {
  kind: OperationKind;
  initial: string;
  /** Terminal states and the outcome each records. */
  terminal: Readonly<Record<string, 'completed' | 'cancelled' | 'rejected' | 'failed' | 'compensated'>>;
  transitions: readonly Transition[];
}

const PLATFORM_OR_USER: readonly TriggerKind[] = ['user', 'platform'];

/** The state an operation waits in while a reviewer looks at its risk decision (R-RISK-1/2/3). */
export const RISK_REVIEW_STATE = 'risk_review';

/**
 * R-RISK-1/2/3: the risk hold every flow has. `hold` by the system right after the start (the rule
 * recorded on the timeline is R-RISK-1 whatever held it: the user is not told whether it was a
 * detection or an AML case); `release` by a reviewer back to `started`, from where the operation's
 * effect runs; `reject` by a reviewer ends it.
 */
function withRiskHold(flow: Flow): Flow {
  return {
    ...flow,
    terminal: { ...flow.terminal, rejected: 'rejected' },
    transitions: [
      ...flow.transitions,
      { event: 'hold', from: [flow.initial], to: RISK_REVIEW_STATE, by: ['system'], rule: 'R-RISK-1' },
      { event: 'release', from: [RISK_REVIEW_STATE], to: flow.initial, by: ['reviewer'], rule: 'R-RISK-1' },
      { event: 'reject', from: [RISK_REVIEW_STATE], to: 'rejected', by: ['reviewer'], rule: 'R-RISK-1' },
    ],
  };
}

/** R-DEL-2/3/4: cooling-off, cancel at any time during it, purge at expiry. */
const deletion: Flow = {
  kind: 'account.delete',
  initial: 'started',
  terminal: { purged: 'completed', cancelled: 'cancelled' },
  transitions: [
    {
      event: 'start_cooling_off',
      from: ['started'],
      to: 'cooling_off',
      by: ['system'],
      evidence: ['sms_code'],
      rule: 'R-DEL-2',
    },
    { event: 'cancel', from: ['cooling_off'], to: 'cancelled', by: PLATFORM_OR_USER, rule: 'R-DEL-3' },
    { event: 'purge', from: ['cooling_off'], to: 'purged', by: ['timer'], rule: 'R-DEL-4' },
  ],
};

/** R-CARD-1..4: verified by an SMS code to the reserved phone, then done. */
const cardUnbind: Flow = {
  kind: 'card.unbind',
  initial: 'started',
  terminal: { completed: 'completed', cancelled: 'cancelled', failed: 'failed' },
  transitions: [
    {
      event: 'complete',
      from: ['started', 'awaiting_code'],
      to: 'completed',
      by: ['system', 'user', 'platform'],
      evidence: ['reserved_phone_code'],
      rule: 'R-CARD-1',
    },
    { event: 'await_code', from: ['started'], to: 'awaiting_code', by: ['system'], rule: 'R-CARD-1' },
    { event: 'cancel', from: ['awaiting_code'], to: 'cancelled', by: PLATFORM_OR_USER, rule: 'R-CARD-1' },
    { event: 'expire', from: ['awaiting_code'], to: 'failed', by: ['timer'], rule: 'R-CARD-1' },
  ],
};

/** R-CHG-*: mainland documents apply at once; non-mainland ones pass 2 review steps (R-CHG-4). */
const realnameChange: Flow = {
  kind: 'realname.change',
  initial: 'started',
  terminal: { completed: 'completed', rejected: 'rejected', cancelled: 'cancelled' },
  transitions: [
    {
      event: 'complete',
      from: ['started', 'in_review_2'],
      to: 'completed',
      by: ['system', 'reviewer'],
      evidence: ['document_front', 'document_back', 'liveness_video', 'phone_code', 'bank_reserved_info'],
      rule: 'R-CHG-5',
    },
    {
      event: 'queue_review',
      from: ['started'],
      to: 'in_review',
      by: ['system'],
      evidence: ['document_front', 'document_back', 'liveness_video', 'phone_code', 'bank_reserved_info'],
      rule: 'R-CHG-4',
    },
    { event: 'approve_step', from: ['in_review'], to: 'in_review_2', by: ['reviewer'], rule: 'R-CHG-4' },
    {
      event: 'reject',
      from: ['in_review', 'in_review_2'],
      to: 'rejected',
      by: ['reviewer'],
      rule: 'R-CHG-4',
    },
    {
      event: 'cancel',
      from: ['in_review', 'in_review_2'],
      to: 'cancelled',
      by: PLATFORM_OR_USER,
      rule: 'R-CHG-4',
    },
  ],
};

/**
 * R-REV-3: the identity goes `pending_recycle` (grants suspended), then the revocation saga runs
 * (app/saga.ts): every participant prepares; the decision is recorded (`committing`) and every
 * participant commits → `revoked`. A failed or timed-out prepare, or a fund operation recorded
 * meanwhile (R-REV-4), records the other decision (`compensating`): every prepared participant is
 * aborted → `compensated`, the identity back to `verified`. Minors are reviewed first (R-MIN-3).
 */
const realnameRevoke: Flow = {
  kind: 'realname.revoke',
  initial: 'started',
  terminal: {
    revoked: 'completed',
    compensated: 'compensated',
    rejected: 'rejected',
    cancelled: 'cancelled',
  },
  transitions: [
    { event: 'queue_review', from: ['started'], to: 'in_review', by: ['system'], rule: 'R-MIN-3' },
    { event: 'approve', from: ['in_review'], to: 'pending_recycle', by: ['reviewer'], rule: 'R-MIN-3' },
    { event: 'reject', from: ['in_review'], to: 'rejected', by: ['reviewer'], rule: 'R-MIN-3' },
    { event: 'cancel', from: ['in_review'], to: 'cancelled', by: PLATFORM_OR_USER, rule: 'R-MIN-3' },
    { event: 'suspend_grants', from: ['started'], to: 'pending_recycle', by: ['system'], rule: 'R-REV-3' },
    { event: 'decide_commit', from: ['pending_recycle'], to: 'committing', by: ['system'], rule: 'R-REV-3' },
    { event: 'commit', from: ['committing'], to: 'revoked', by: ['system'], rule: 'R-REV-3' },
    // A failed or timed-out prepare (R-REV-3), or a fund operation on the account (R-REV-4).
    {
      event: 'abort',
      from: ['pending_recycle'],
      to: 'compensating',
      by: ['system', 'timer'],
      rule: 'R-REV-3',
    },
    { event: 'compensate', from: ['compensating'], to: 'compensated', by: ['system'], rule: 'R-REV-3' },
  ],
};

const enterpriseDetach: Flow = {
  kind: 'enterprise.detach',
  initial: 'started',
  terminal: { completed: 'completed' },
  transitions: [{ event: 'complete', from: ['started'], to: 'completed', by: ['system'], rule: 'R-ENT-4' }],
};

/** R-ABN-2/3: the review queue decides; an accepted appeal lifts the freeze. */
const appeal: Flow = {
  kind: 'appeal.submit',
  initial: 'started',
  terminal: { accepted: 'completed', rejected: 'rejected', cancelled: 'cancelled' },
  transitions: [
    {
      event: 'queue_review',
      from: ['started'],
      to: 'in_review',
      by: ['system'],
      evidence: ['aux_verification', 'handheld_id_photo', 'statement'],
      rule: 'R-ABN-2',
    },
    { event: 'accept', from: ['in_review'], to: 'accepted', by: ['reviewer'], rule: 'R-ABN-3' },
    { event: 'reject', from: ['in_review'], to: 'rejected', by: ['reviewer'], rule: 'R-ABN-3' },
    { event: 'cancel', from: ['in_review'], to: 'cancelled', by: PLATFORM_OR_USER, rule: 'R-ABN-2' },
  ],
};

const simple = (kind: OperationKind, rule: string): Flow => ({
  kind,
  initial: 'started',
  terminal: { completed: 'completed' },
  transitions: [{ event: 'complete', from: ['started'], to: 'completed', by: ['system'], rule }],
});

/**
 * R-RISK-2: a bind held by risk control (overseas re-registration) is an operation of its own; the
 * reviewer's release binds the identity the user asked for, kept sealed meanwhile.
 */
const identityBind: Flow = simple('identity.bind', 'R-RISK-2');

export const FLOWS: { readonly [K in OperationKind]: Flow } = {
  'account.delete': withRiskHold(deletion),
  'card.unbind': withRiskHold(cardUnbind),
  'realname.change': withRiskHold(realnameChange),
  'realname.revoke': withRiskHold(realnameRevoke),
  'enterprise.detach': withRiskHold(enterpriseDetach),
  'appeal.submit': withRiskHold(appeal),
  'payment.restore': withRiskHold(simple('payment.restore', 'R-REV-7')),
  'data.export': withRiskHold(simple('data.export', 'R-EXP-1')),
  'identity.bind': withRiskHold(identityBind),
};

export interface Step {
  from: string;
  to: string;
  event: string;
  rule: string;
  /** The outcome when `to` is terminal, else null. */
  outcome: Flow['terminal'][string] | null;
}

/**
 * The next state for `event` from `state`, if `by` may trigger it; ILLEGAL_TRANSITION otherwise.
 * @example transition('account.delete', 'cooling_off', 'cancel', 'user') // { to: 'cancelled', outcome: 'cancelled', … }
 */
export function transition(kind: OperationKind, state: string, event: string, by: TriggerKind): Step {
  const flow = FLOWS[kind];
  const t = flow.transitions.find((x) => x.event === event && x.from.includes(state));
  if (!t || !t.by.includes(by)) {
    throw new DomainError('ILLEGAL_TRANSITION', { from: state, event, kind, by });
  }
  return { from: state, to: t.to, event, rule: t.rule, outcome: flow.terminal[t.to] ?? null };
}

/** Whether `event` is possible from `state` for `by` (to show allowed actions). */
export function canTransition(kind: OperationKind, state: string, event: string, by: TriggerKind): boolean {
  const t = FLOWS[kind].transitions.find((x) => x.event === event && x.from.includes(state));
  return Boolean(t && t.by.includes(by));
}

/** Events `by` may trigger from `state`. */
export function allowedEvents(kind: OperationKind, state: string, by: TriggerKind): string[] {
  return FLOWS[kind].transitions
    .filter((t) => t.from.includes(state) && t.by.includes(by))
    .map((t) => t.event);
}

export function isTerminal(kind: OperationKind, state: string): boolean {
  return state in FLOWS[kind].terminal;
}
