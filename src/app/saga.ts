/**
 * The revocation saga (R-REV-3, R-REV-4): a two-phase run over every downstream participant.
 *
 *   pending_recycle ──(all prepared)──▶ committing ──(all committed)──▶ revoked (+ notices in the outbox)
 *         │
 *         └──(a prepare failed or timed out, or a fund operation arrived: R-REV-4)──▶ compensating ──▶ compensated
 *
 * The decision is the durable record: the transaction that moves the operation to `committing` or
 * `compensating` also records every participant's step. Before it, nothing is decided, and a crash
 * makes the next run prepare again (prepare is idempotent by operation id). After it, a run only
 * drives the recorded decision to its end: every participant is told to commit (or abort) until it
 * has, and the final transaction applies the account's side of the change with its audit record
 * and outbox events. Participant calls happen outside any account transaction; the account lock is
 * held only for the short decision and final transactions, so a fund operation (R-REV-4) can always
 * get in between and is serialised with the decision.
 *
 * A run holds a lease: the operation's timer (`deadlineKind: 'saga'`) is pushed `leaseMs` ahead while
 * it runs; if the process dies, the timer falls due and the sweep (app/timers.ts) resumes the saga.
 */
import { DomainError } from '../core/errors/index.js';
import { isTerminal } from '../core/flows/index.js';
import type {
  AccountTx,
  OperationRecord,
  Participant,
  RevocationCall,
  SagaStep,
  TimelineEntry,
} from '../core/ports.js';
import { NO_TELEMETRY, type AppDeps } from './deps.js';
import { noticeApps } from './notices.js';
import { move } from './steps.js';

/** Named instants of a run, for fault injection in tests (a dev-mode hook may kill the process there). */
export type SagaPoint =
  | 'saga:started'
  | `saga:prepared:${string}`
  | 'saga:decided'
  | `saga:committed:${string}`
  | 'saga:revoked'
  | `saga:aborted:${string}`
  | 'saga:compensated';

export interface SagaOptions {
  participants: readonly Participant[];
  /** How long a run owns the operation before another worker may resume it (default 30 s). */
  leaseMs?: number;
  /** Commit/abort attempts per run before the run gives up and leaves it to the next sweep (default 5). */
  attempts?: number;
  /** First retry delay of a commit or abort, doubled each time (default 200 ms). */
  retryBaseMs?: number;
  /** Called at each named point of a run (dev-mode fault injection). */
  at?: (point: SagaPoint) => void | Promise<void>;
  log?: { warn(msg: string): void };
  /** Real waiting between retries (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

export type SagaOutcome = 'revoked' | 'compensated' | 'pending' | 'not_running';

/** Why the saga compensated, as recorded on the `abort` timeline entry: a catalogue code and its params. */
interface AbortReason {
  reason: 'REVOCATION_PARTICIPANT_FAILED' | 'REVOCATION_PARTICIPANT_TIMEOUT';
  participant: string;
  detail?: string;
  timeoutMs?: number;
}

const SAGA_STATES = new Set(['pending_recycle', 'committing', 'compensating']);

class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Run `fn` with an AbortSignal that fires after `ms`; the race does not wait for a participant that ignores it. */
async function withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new TimeoutError(ms));
      reject(new TimeoutError(ms));
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * @example
 * const saga = createRevocationSaga(deps, { participants: builtinParticipants(store) });
 * await saga.run(operationId); // 'revoked' | 'compensated' | 'pending'
 */
export function createRevocationSaga(deps: AppDeps, options: SagaOptions) {
  const { store, clock, policy } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const participants = options.participants;
  const names = new Set<string>();
  for (const p of participants) {
    if (names.has(p.name)) throw new Error(`two revocation participants are named "${p.name}"`);
    names.add(p.name);
  }
  const leaseMs = options.leaseMs ?? 30_000;
  const attempts = options.attempts ?? 5;
  const retryBaseMs = options.retryBaseMs ?? 200;
  const at = options.at ?? (() => undefined);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  /** Runs in this process, by operation id: a second kick or sweep joins the running one. */
  const running = new Map<string, Promise<SagaOutcome>>();

  const sys = (now: number, data?: Record<string, unknown>) => ({
    by: 'system' as const,
    actor: 'system',
    now,
    ...(data ? { data } : {}),
  });

  /** Re-read the operation inside the account transaction; null when it is no longer a running saga. */
  async function current(
    operationId: string,
  ): Promise<(OperationRecord & { timeline: TimelineEntry[] }) | null> {
    const op = await store.operation(operationId);
    return op && op.kind === 'realname.revoke' && SAGA_STATES.has(op.state) ? op : null;
  }

  function step(
    operationId: string,
    participant: string,
    phase: SagaStep['phase'],
    fields: Partial<Pick<SagaStep, 'attempts' | 'output' | 'error' | 'elapsedMs'>> = {},
  ): SagaStep {
    return {
      operationId,
      participant,
      phase,
      attempts: fields.attempts ?? 1,
      output: fields.output ?? {},
      error: fields.error ?? null,
      elapsedMs: fields.elapsedMs ?? 0,
      updatedAt: clock.now(),
    };
  }

  /** Push the lease ahead; false when the operation is no longer a running saga. */
  async function claim(op: OperationRecord): Promise<OperationRecord | null> {
    return store.withAccount(op.accountId, async (tx) => {
      const now = clock.now();
      const fresh = await current(op.id);
      if (!fresh) return null;
      await tx.updateOperation(op.id, { deadlineAt: now + leaseMs, deadlineKind: 'saga', updatedAt: now });
      return fresh;
    });
  }

  function timeoutOf(region: RevocationCall['region'], name: string): number {
    const r = policy.rulesFor(region).revoke;
    return r.participantTimeoutsMs[name] ?? r.participantTimeoutMs;
  }

  /** Phase 1: every participant prepares, in parallel, each within its timeout. */
  async function prepareAll(
    call: RevocationCall,
  ): Promise<{ steps: SagaStep[]; failure: AbortReason | null }> {
    const results = await Promise.all(
      participants.map(async (p) => {
        const started = performance.now();
        const ms = timeoutOf(call.region, p.name);
        try {
          const output = await withTimeout(ms, (signal) => p.prepare(call, signal));
          const s = step(call.operationId, p.name, 'prepared', {
            output,
            elapsedMs: performance.now() - started,
          });
          await at(`saga:prepared:${p.name}`);
          return { step: s, failure: null };
        } catch (e) {
          const timedOut = e instanceof TimeoutError;
          const failure: AbortReason = timedOut
            ? { reason: 'REVOCATION_PARTICIPANT_TIMEOUT', participant: p.name, timeoutMs: ms }
            : {
                reason: 'REVOCATION_PARTICIPANT_FAILED',
                participant: p.name,
                detail: message(e).slice(0, 300),
              };
          return {
            step: step(call.operationId, p.name, 'failed', {
              error: timedOut ? `timeout after ${ms} ms` : message(e),
              elapsedMs: performance.now() - started,
            }),
            failure,
          };
        }
      }),
    );
    return {
      steps: results.map((r) => r.step),
      failure: results.find((r) => r.failure !== null)?.failure ?? null,
    };
  }

  /**
   * Phase 2: tell every participant the decision until each has taken it. Commits and aborts are
   * idempotent; a participant that keeps failing is retried with backoff, then left to the next run
   * (the lease timer): null is returned and nothing is finalised.
   */
  async function finishAll(
    call: RevocationCall,
    decision: 'commit' | 'abort',
    prepared: ReadonlyMap<string, SagaStep>,
  ): Promise<SagaStep[] | null> {
    const steps = await Promise.all(
      participants.map(async (p) => {
        const before = prepared.get(p.name);
        const output = before?.output ?? null;
        let lastError = '';
        for (let attempt = 1; attempt <= attempts; attempt++) {
          const started = performance.now();
          try {
            await withTimeout(timeoutOf(call.region, p.name), (signal) =>
              decision === 'commit' ? p.commit(call, output, signal) : p.abort(call, output, signal),
            );
            await at(decision === 'commit' ? `saga:committed:${p.name}` : `saga:aborted:${p.name}`);
            return step(call.operationId, p.name, decision === 'commit' ? 'committed' : 'aborted', {
              attempts: attempt,
              output: output ?? {},
              elapsedMs: performance.now() - started,
            });
          } catch (e) {
            lastError = message(e);
            if (attempt < attempts) await sleep(retryBaseMs * 2 ** (attempt - 1));
          }
        }
        options.log?.warn(
          `revocation ${call.operationId}: ${p.name} did not ${decision} after ${attempts} attempts (${lastError}); the next sweep retries`,
        );
        return null;
      }),
    );
    return steps.every((s) => s !== null) ? steps : null;
  }

  /** The decision, under the account lock: commit if everyone prepared and nothing interrupted (R-REV-4). */
  async function decide(op: OperationRecord, steps: SagaStep[], failure: AbortReason | null): Promise<void> {
    await store.withAccount(op.accountId, async (tx) => {
      const now = clock.now();
      const fresh = await current(op.id);
      if (!fresh || fresh.state !== 'pending_recycle') {
        // Interrupted meanwhile (a fund operation moved it to compensating, R-REV-4): keep what
        // was prepared on record, so the abort reaches each participant with its prepare answer.
        if (fresh?.state === 'compensating')
          await tx.putSagaSteps(steps.filter((s) => s.phase === 'prepared'));
        return;
      }
      await tx.putSagaSteps(steps);
      const lease = { at: now + leaseMs, kind: 'saga' };
      if (failure) {
        await move(tx, fresh, 'abort', { ...sys(now, { ...failure }), deadline: lease }, telemetry);
        await tx.audit({
          at: now,
          actor: 'system',
          action: 'realname.revoke.aborted',
          operationId: op.id,
          data: { ...failure },
        });
      } else {
        await move(
          tx,
          fresh,
          'decide_commit',
          { ...sys(now, { participants: steps.map((s) => s.participant) }), deadline: lease },
          telemetry,
        );
      }
    });
  }

  /** The account's side of a committed revocation (R-REV-5, R-NOTIFY-1), in the final transaction. */
  async function applyRevocation(tx: AccountTx, op: OperationRecord, steps: SagaStep[], now: number) {
    const facts = await tx.facts(['grants', 'subscriptions', 'mini_programs']);
    const rules = policy.rulesFor(facts.account.region);
    // R-NOTIFY-1: the notices are built from the grants as they are now, before they end.
    const notified = await noticeApps(tx, {
      event: 'realname_revoked',
      operationId: op.id,
      grants: facts.grants,
      at: now,
      initiatingEntity: 'user',
    });
    await tx.setIdentityStatus('revoked', now);
    await tx.addHistory({ kind: 'revoked', at: now });
    // R-REV-5 / R-NOTIFY-2: grants revoked (introspection answers inactive), auto-debits terminated,
    // open-platform quota to the test tier.
    let grantsRevoked = 0;
    for (const g of facts.grants) {
      if (!g.active) continue;
      await tx.putFact('grants', { ...g, active: false });
      grantsRevoked++;
    }
    let subscriptionsTerminated = 0;
    for (const sub of facts.subscriptions) {
      if (!sub.active) continue;
      await tx.putFact('subscriptions', { ...sub, active: false, nextChargeAt: null });
      subscriptionsTerminated++;
    }
    await tx.updateAccount({ apiQuotaTier: 'test' });
    await tx.putSagaSteps(steps);
    // R-REV-6: the merchant-account retention warning of the preflight, repeated in the outcome.
    const warnings = facts.merchant?.status === 'active' ? ['MERCHANT_RECORDS_RETAINED'] : [];
    const effects = {
      grantsRevoked,
      subscriptionsTerminated,
      miniProgramsToRequalify: facts.developerAssets.miniPrograms.length,
      dailyReceiveLimit: rules.effects.dailyReceiveLimitAfter,
      withdrawalsPausedUntil: now + rules.effects.withdrawalPauseHours * 3_600_000,
      paymentForceClosed: rules.region.paymentForceClosedOnRevoke,
      appsNotified: notified,
    };
    await move(tx, op, 'commit', sys(now, { effects, warnings }), telemetry);
    await tx.audit({
      at: now,
      actor: 'system',
      action: 'realname.revoke.completed',
      operationId: op.id,
      data: { ...effects, warnings, participants: steps.length },
    });
    await tx.outbox({
      topic: 'identity.revoked',
      key: `${op.id}:revoked`,
      payload: { accountId: op.accountId, operationId: op.id, effects },
    });
  }

  /** The reason recorded when the saga was aborted (the `abort` timeline entry). */
  function abortReason(op: OperationRecord & { timeline: TimelineEntry[] }): Record<string, unknown> {
    const entry = [...op.timeline].reverse().find((t) => t.event === 'abort');
    const { rule: _rule, ...data } = entry?.data ?? {};
    return data;
  }

  async function finalise(op: OperationRecord, decision: 'commit' | 'abort', steps: SagaStep[]) {
    await store.withAccount(op.accountId, async (tx) => {
      const now = clock.now();
      const fresh = await current(op.id);
      if (!fresh || fresh.state !== (decision === 'commit' ? 'committing' : 'compensating')) return;
      if (decision === 'commit') {
        await applyRevocation(tx, fresh, steps, now);
        return;
      }
      // Every participant has aborted: the identity is verified again and the grants, only
      // suspended while pending_recycle, answer active again. No app was told anything (R-REV-3).
      await tx.putSagaSteps(steps);
      const facts = await tx.facts([]);
      if (facts.identity?.status === 'pending_recycle') await tx.setIdentityStatus('verified', now);
      const reason = abortReason(fresh);
      await move(tx, fresh, 'compensate', sys(now, reason), telemetry);
      await tx.audit({
        at: now,
        actor: 'system',
        action: 'realname.revoke.compensated',
        operationId: op.id,
        data: reason,
      });
      await tx.outbox({
        topic: 'identity.revocation_rolled_back',
        key: `${op.id}:compensated`,
        payload: { accountId: op.accountId, operationId: op.id, reason: reason.reason ?? null },
      });
    });
  }

  async function runOnce(operationId: string): Promise<SagaOutcome> {
    const first = await store.operation(operationId);
    if (!first || first.kind !== 'realname.revoke') throw new DomainError('OPERATION_NOT_FOUND');
    if (isTerminal(first.kind, first.state)) return first.state === 'revoked' ? 'revoked' : 'compensated';
    if (!SAGA_STATES.has(first.state)) return 'not_running';
    const op = await claim(first);
    if (!op) return runOutcome(operationId);
    await at('saga:started');
    const account = await store.account(op.accountId);
    if (!account) throw new DomainError('ACCOUNT_NOT_FOUND');
    const call: RevocationCall = {
      operationId,
      accountId: op.accountId,
      region: account.region,
      minor: account.minor,
      at: op.createdAt,
    };
    if (op.state === 'pending_recycle') {
      const { steps, failure } = await prepareAll(call);
      await decide(op, steps, failure);
      await at('saga:decided');
    }
    const decided = await current(operationId);
    if (!decided) return runOutcome(operationId);
    const decision = decided.state === 'committing' ? 'commit' : 'abort';
    const recorded = new Map((await store.sagaSteps(operationId)).map((s) => [s.participant, s]));
    const steps = await finishAll(call, decision, recorded);
    if (!steps) return 'pending';
    await finalise(decided, decision, steps);
    await at(decision === 'commit' ? 'saga:revoked' : 'saga:compensated');
    return runOutcome(operationId);
  }

  async function runOutcome(operationId: string): Promise<SagaOutcome> {
    const op = await store.operation(operationId);
    if (!op) return 'not_running';
    if (op.state === 'revoked') return 'revoked';
    if (op.state === 'compensated') return 'compensated';
    return SAGA_STATES.has(op.state) ? 'pending' : 'not_running';
  }

  return {
    participants: participants.map((p) => p.name),

    /**
     * Run (or resume) the saga of one revocation to its end; joins a run already going in this
     * process. Safe to call from several processes: each transition is taken once, under the lock.
     */
    run(operationId: string): Promise<SagaOutcome> {
      let r = running.get(operationId);
      if (!r) {
        r = runOnce(operationId).finally(() => running.delete(operationId));
        running.set(operationId, r);
      }
      return r;
    },

    /** Start a run in the background (after the start's transaction committed); errors are logged, the sweep retries. */
    kick(operationId: string): void {
      this.run(operationId).catch((e: unknown) =>
        options.log?.warn(`revocation ${operationId}: run failed, the sweep retries: ${message(e)}`),
      );
    },

    /** Whether a run of this operation is going in this process (the sweep skips it). */
    isRunning(operationId: string): boolean {
      return running.has(operationId);
    },

    /** Wait for every run going in this process (shutdown). */
    async drain(): Promise<void> {
      await Promise.allSettled([...running.values()]);
    },
  };
}

export type RevocationSaga = ReturnType<typeof createRevocationSaga>;
