/**
 * Durable timers: a deadline is data on the operation (`deadlineAt`, `deadlineKind`); a sweep fires
 * the due ones. Each firing runs in the account's locked transaction and re-reads the operation
 * there, so when several workers race for one timer (several processes on PostgreSQL) exactly one
 * of them fires it and the others find it already handled. A timer that fell due while the service
 * was down fires at the next sweep, which runs at start.
 */
import type { OperationRecord } from '../core/ports.js';
import { NO_TELEMETRY, type AppDeps } from './deps.js';
import type { RevocationSaga } from './saga.js';
import { move } from './steps.js';
import { noticeApps } from './notices.js';

/**
 * Timer kinds the sweep acts on; others (e.g. review_due) are due dates the queue shows. `saga` is
 * the lease of a revocation saga run (R-REV-3): due when no run holds it (not started yet, its
 * process died, or a fund operation interrupted it, R-REV-4), and the sweep resumes it.
 */
export const ACTIONABLE_TIMERS = ['purge', 'saga'] as const;

export interface SweepResult {
  fired: { operationId: string; kind: string; timer: string }[];
  /** Timers another worker fired first (or that were cancelled in between). */
  skipped: number;
}

export function createTimerService(deps: AppDeps, saga?: Pick<RevocationSaga, 'run' | 'isRunning'>) {
  const { store, clock } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;

  /**
   * R-DEL-4: at the end of the cooling-off, erase real-name data and content (the data key is
   * destroyed: crypto-shredding), retire the identifiers, revoke grants, tell the apps through the
   * outbox and keep a PII-free audit record.
   */
  async function purge(op: OperationRecord, now: number): Promise<boolean> {
    return store.withAccount(op.accountId, async (tx) => {
      const current = await store.operation(op.id);
      if (
        !current ||
        current.outcome !== null ||
        current.deadlineKind !== 'purge' ||
        (current.deadlineAt ?? Infinity) > now
      ) {
        return false;
      }
      const facts = await tx.facts();
      const apps = facts.grants.map((g) => ({
        appId: g.appId,
        developerId: g.developerId,
        openId: g.openId,
        unionId: g.unionId,
      }));
      // Counts only: the audit record of a purge holds no personal data.
      const erased = {
        identity: facts.identity !== null,
        cards: facts.cards.length,
        devices: facts.devices.length,
        grants: facts.grants.length,
      };
      // R-NOTIFY-1: the SETs are captured from the grants read above, before the erasure.
      await noticeApps(tx, {
        event: 'purged',
        operationId: op.id,
        grants: facts.grants,
        at: now,
        initiatingEntity: 'policy',
      });
      await tx.erasePersonalData();
      await tx.updateAccount({ status: 'deleted', deactivatingUntil: null });
      await move(tx, current, 'purge', { by: 'timer', actor: 'timer', now, data: { erased } }, telemetry);
      await tx.audit({
        at: now,
        actor: 'timer',
        action: 'account.purged',
        operationId: op.id,
        data: { erased, appsNotified: apps.length },
      });
      // The apps are told from the outbox; the notice is built now, before anything is forgotten (R-NOTIFY-1).
      await tx.outbox({
        topic: 'account.purged',
        key: `${op.id}:purged`,
        payload: { accountId: op.accountId, operationId: op.id, apps },
      });
      return true;
    });
  }

  const handlers: Record<
    (typeof ACTIONABLE_TIMERS)[number],
    (op: OperationRecord, now: number) => Promise<boolean>
  > = {
    purge,
    // A run going in this process is left to finish; otherwise this sweep runs the saga to its end
    // (or until a participant keeps failing: its timer then brings it back).
    async saga(op) {
      if (!saga || saga.isRunning(op.id)) return false;
      try {
        const outcome = await saga.run(op.id);
        return outcome === 'revoked' || outcome === 'compensated';
      } catch {
        // One failing saga does not stop the sweep of the others; its timer brings it back.
        return false;
      }
    },
  };

  return {
    /**
     * Fire every due timer (in batches). Safe to run from several processes at once.
     * @example await timers.sweep() // { fired: [{ operationId, kind: 'account.delete', timer: 'purge' }], skipped: 0 }
     */
    async sweep(batch = 100): Promise<SweepResult> {
      const result: SweepResult = { fired: [], skipped: 0 };
      for (;;) {
        const now = clock.now();
        const due = await store.dueOperations(now, batch, ACTIONABLE_TIMERS);
        for (const op of due) {
          const handler = handlers[op.deadlineKind as (typeof ACTIONABLE_TIMERS)[number]];
          if (await handler(op, now))
            result.fired.push({ operationId: op.id, kind: op.kind, timer: op.deadlineKind as string });
          else result.skipped++;
        }
        if (due.length < batch) return result;
      }
    },
  };
}

export type TimerService = ReturnType<typeof createTimerService>;
