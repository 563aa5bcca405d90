/**
 * Moving an operation through its state machine (core/flows): the transition is checked, then the
 * new state, the outcome when terminal, the deadline and the timeline entry are written in the
 * caller's transaction. One way to change an operation's state.
 */
import { transition, type TriggerKind } from '../core/flows/index.js';
import type { AccountTx, OperationRecord } from '../core/ports.js';
import type { Telemetry } from './deps.js';

export interface MoveOptions {
  by: TriggerKind;
  actor: string;
  now: number;
  data?: Record<string, unknown>;
  /** A durable timer for the new state, or null to clear it. Unset: cleared on a terminal state, kept otherwise. */
  deadline?: { at: number; kind: string } | null;
}

/**
 * @example await move(tx, op, 'cancel', { by: 'user', actor: 'user:acc_1', now }, telemetry)
 */
export async function move(
  tx: AccountTx,
  op: Pick<OperationRecord, 'id' | 'kind' | 'state'>,
  event: string,
  opts: MoveOptions,
  telemetry?: Telemetry,
): Promise<{ state: string; outcome: string | null }> {
  const step = transition(op.kind, op.state, event, opts.by);
  const deadline = opts.deadline === undefined ? (step.outcome ? null : undefined) : opts.deadline;
  await tx.updateOperation(op.id, {
    state: step.to,
    updatedAt: opts.now,
    ...(step.outcome ? { outcome: step.outcome } : {}),
    ...(deadline === undefined
      ? {}
      : { deadlineAt: deadline?.at ?? null, deadlineKind: deadline?.kind ?? null }),
  });
  await tx.addTimeline(op.id, {
    at: opts.now,
    state: step.to,
    event,
    actor: opts.actor,
    data: { rule: step.rule, ...(opts.data ?? {}) },
  });
  if (step.outcome) telemetry?.operationEnded(op.kind, step.outcome);
  op.state = step.to;
  return { state: step.to, outcome: step.outcome };
}

export interface OpenOperationInput {
  id: string;
  accountId: string;
  kind: OperationRecord['kind'];
  request: Record<string, unknown>;
  policyVersion: string;
  idempotencyKey?: string | null;
  actor: string;
  now: number;
  /** More data for the `started` timeline entry (the policy version is always there). */
  data?: Record<string, unknown>;
}

/**
 * Create an operation in its initial state with its `started` timeline entry: the one way an
 * operation begins (a start, a held identity bind, an automatic restoration).
 * @example const op = await openOperation(tx, { id, accountId, kind: 'payment.restore', request, policyVersion, actor: 'system', now }, telemetry)
 */
export async function openOperation(
  tx: AccountTx,
  input: OpenOperationInput,
  telemetry?: Telemetry,
): Promise<OperationRecord> {
  const op: OperationRecord = {
    id: input.id,
    accountId: input.accountId,
    kind: input.kind,
    state: 'started',
    request: input.request,
    policyVersion: input.policyVersion,
    idempotencyKey: input.idempotencyKey ?? null,
    createdAt: input.now,
    updatedAt: input.now,
    outcome: null,
    deadlineAt: null,
    deadlineKind: null,
  };
  await tx.createOperation(op);
  await tx.addTimeline(op.id, {
    at: input.now,
    state: 'started',
    event: 'started',
    actor: input.actor,
    data: { policyVersion: input.policyVersion, ...(input.data ?? {}) },
  });
  telemetry?.operationStarted(input.kind);
  return op;
}
