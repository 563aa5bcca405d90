/**
 * Notices to third-party apps (R-NOTIFY-1): the one function the use cases call, inside the
 * account's transaction, when something an app must know happens — a deletion starts or is
 * cancelled, the account is purged, the real name is revoked or its subject changes, the phone
 * changes. It writes one outbox row per app (topic `secevent`, key = the SET's `jti`) holding
 * everything the Security Event Token needs, captured now: a purge or a revocation may erase the
 * data right after, in the same transaction, and the notice must not depend on it (the relay signs
 * and pushes it later, adapters/notify/push.ts).
 *
 * Every app that holds or ever held a grant for the account is told: grants are kept as rows, with
 * `active` false once ended. Ending grants is the caller's part (the saga, the purge): a notice
 * never changes the state it reports.
 */
import { randomBytes } from 'node:crypto';
import type { Grant } from '../core/model.js';
import type { AccountTx } from '../core/ports.js';
import {
  deriveJti,
  noticePayload,
  SECEVENT_TOPIC,
  type InitiatingEntity,
  type NoticeEvent,
} from '../core/security-events.js';

export type { NoticeEvent, InitiatingEntity } from '../core/security-events.js';

export interface NoticeAppsInput {
  event: NoticeEvent;
  /** The operation the notice comes from: its `txn`, and the seed of a stable `jti`. */
  operationId: string | null;
  /** Every grant of the account, active or ended (each app that ever held one is told). */
  grants: readonly Grant[];
  at: number;
  initiatingEntity: InitiatingEntity;
  /** Reason parameters (`until` of a deletion) and claim details (`documentType`); never PII. */
  params?: Record<string, unknown>;
}

/**
 * Write the notice of `event` for every app with a grant, in the caller's transaction. Returns how
 * many were written (one per app; the same notice of the same operation written twice is one row).
 *
 * @example
 * await noticeApps(tx, { event: 'deletion_started', operationId: op.id, grants: facts.grants, at: now,
 *   initiatingEntity: 'user', params: { until } }); // 2 (two apps)
 */
export async function noticeApps(tx: AccountTx, input: NoticeAppsInput): Promise<number> {
  const seen = new Set<string>();
  for (const grant of input.grants) {
    // One SET per receiver: a grant is per app, but a caller may pass a list with repeats.
    if (seen.has(grant.appId)) continue;
    seen.add(grant.appId);
    // Stable when there is an operation (a retried transaction writes the same row once); random
    // otherwise (a phone change has no operation: each one is its own event).
    const jti =
      input.operationId === null
        ? `set_${randomBytes(24).toString('base64url')}`
        : deriveJti(input.operationId, grant.appId, input.event);
    const payload = noticePayload(
      {
        event: input.event,
        at: input.at,
        initiatingEntity: input.initiatingEntity,
        ...(input.params ? { params: input.params } : {}),
      },
      { appId: grant.appId, openId: grant.openId },
      input.operationId ?? jti,
      jti,
    );
    await tx.outbox({ topic: SECEVENT_TOPIC, key: jti, payload: { ...payload } });
  }
  return seen.size;
}
