/**
 * Applying a new real-name subject (R-CHG-5): the one place it is written, whether a mainland change
 * applies at once (operations.ts), a non-mainland one after its second review (reviews.ts, R-CHG-4),
 * or a change released from a risk hold. The old subject goes to the encrypted history, the counting
 * limits get their history, the operation completes with the bills and invoices to update listed,
 * and the apps are told their identity claims no longer hold (R-NOTIFY-1).
 */
import { maskDocumentNumber } from '../core/mask.js';
import type { Grant } from '../core/model.js';
import type { AccountTx, OperationRecord, PendingSubject } from '../core/ports.js';
import type { Telemetry } from './deps.js';
import { noticeApps } from './notices.js';
import { move, type MoveOptions } from './steps.js';

/**
 * @example await applySubjectChange(tx, op, subject, { grants, invoicesIssued }, 'complete', { by: 'system', actor: 'system', now }, telemetry)
 */
export async function applySubjectChange(
  tx: AccountTx,
  op: Pick<OperationRecord, 'id' | 'kind' | 'state' | 'accountId'>,
  subject: PendingSubject,
  facts: { grants: readonly Grant[]; invoicesIssued: number },
  event: string,
  opts: MoveOptions,
  telemetry?: Telemetry,
): Promise<void> {
  const now = opts.now;
  await tx.writeIdentity({ ...subject, status: 'verified', verifiedAt: now, changedAt: now }, now);
  // A subject kept sealed (review, risk hold) is not kept once applied.
  await tx.deletePendingSubject(op.id);
  await tx.addHistory({ kind: 'realname_change', at: now });
  await tx.addHistory({ kind: 'identity_modification', at: now });
  await move(
    tx,
    op,
    event,
    {
      ...opts,
      data: {
        ...(opts.data ?? {}),
        documentType: subject.documentType,
        documentMasked: maskDocumentNumber(subject.documentNumber),
        invoicesToUpdate: facts.invoicesIssued,
      },
    },
    telemetry,
  );
  await tx.outbox({
    topic: 'identity.subject_changed',
    key: `${op.id}:changed`,
    payload: { accountId: op.accountId, operationId: op.id },
  });
  await noticeApps(tx, {
    event: 'subject_changed',
    operationId: op.id,
    grants: facts.grants,
    at: now,
    initiatingEntity: 'user',
    params: { documentType: subject.documentType },
  });
}
