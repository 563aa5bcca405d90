/**
 * Lifecycle operations: preflight, start, cancel, read; the route comparison; account check and
 * lock (R-CHK-1); data export (R-EXP-1). A start runs the core preflight inside the account's
 * locked transaction, so what was decided is what is applied (R-CARD-5), and writes the operation,
 * its timeline, the state change, the audit record and the outbox event together.
 *
 * Every start is decided by risk control too (R-RISK-1/2/3, app/risk.ts), in the same transaction,
 * once the preflight allowed it and its evidence is complete: it goes ahead, is refused
 * (RISK_STEP_UP_REQUIRED, RISK_DENIED) or is created and held for a reviewer, whose release runs
 * its effect (`createEffects`, the one place each operation's effect is written).
 */
import { withinRollingDays } from '../core/calendar.js';
import { DAY_MS } from '../core/clock.js';
import { compareRoutes, type Comparison } from '../core/compare.js';
import { validateDocument, type DocumentType } from '../core/document-number.js';
import { DomainError, type Blocker } from '../core/errors/index.js';
import { CATALOGUE, type Code } from '../core/errors/catalogue.js';
import { canonicalJson } from '../core/policy/index.js';
import { localized, localizedRemediation, type Localized, type Params } from '../core/errors/render.js';
import { documentKey, newId } from '../core/ids.js';
import { maskDocumentNumber, maskName } from '../core/mask.js';
import type { AccountFacts, OperationKind, OperationRequest, RequestContext } from '../core/model.js';
import type { AccountTx, OperationRecord, PendingSubject, SagaStep, TimelineEntry } from '../core/ports.js';
import { RISK_REVIEW_STATE, canTransition } from '../core/flows/index.js';
import type { AppealClaim } from '../core/risk/index.js';
import { move, openOperation } from './steps.js';
import { applySubjectChange } from './subject-change.js';
import { noticeApps } from './notices.js';
import {
  createPreflight,
  OPERATIONS,
  documentCooldownAfterRefusal,
  missingEvidence,
  type EvidenceKind,
  type Preflight,
} from '../core/preflight.js';
import { NO_TELEMETRY, type Actor, type AppDeps } from './deps.js';
import { assertEvidenceRefs } from './evidence.js';
import { writeBoundIdentity } from './accounts.js';
import { riskReads, type RiskService } from './risk.js';
import {
  bankCheckPurpose,
  isCodeEvidence,
  isVerificationPurpose,
  verificationPurpose,
} from './verifications.js';

/** Evidence supplied when an operation starts: references to uploaded items or verifications. */
export interface EvidenceRef {
  kind: EvidenceKind;
  ref: string;
}

export interface StartInput {
  request: OperationRequest;
  context?: RequestContext;
  evidence?: EvidenceRef[];
  idempotencyKey?: string | null;
  /** An appeal's claim (`account_stolen` for a theft claim): kept with it, read by risk control (R-RISK-2). */
  appealClaim?: AppealClaim | null;
}

export type OperationView = OperationRecord & { timeline: TimelineEntry[] };

/**
 * What an operation does once it may go ahead, from `started`: its first state and its effects. A
 * change or a held bind brings its new subject in clear (sealed in the store while it waits).
 */
type Effect = (
  tx: AccountTx,
  op: OperationRecord,
  facts: AccountFacts,
  now: number,
  subject: PendingSubject | null,
) => Promise<void>;

/** The request as stored: never the document number (PII). */
function storedRequest(request: OperationRequest, appealClaim: AppealClaim | null): Record<string, unknown> {
  if (request.kind === 'realname.change') {
    return { kind: request.kind, newDocumentType: request.newDocument?.type ?? null };
  }
  if (request.kind === 'appeal.submit' && appealClaim) return { ...request, claim: appealClaim };
  return { ...request };
}

/**
 * The request risk control decides and keeps (R-RISK-1): without any document number — a change's
 * new number masked, its cross-account use (R-CHG-3) kept.
 */
function riskRequest(request: OperationRequest): OperationRequest {
  if (request.kind !== 'realname.change' || !request.newDocument) return request;
  const { type, number } = request.newDocument;
  return { ...request, newDocument: { type, number: maskDocumentNumber(number.trim()) } };
}

/** The one-time codes an operation start consumes (app/verifications.ts). */
export interface CodeConsumer {
  consume(
    tx: AccountTx,
    accountId: string,
    evidenceKind: EvidenceKind,
    ref: string,
    purpose: string,
    actor?: Actor,
  ): Promise<string>;
}

/** The purpose a code must have been requested for, to be used by this operation. */
function codePurpose(request: OperationRequest): string {
  return isVerificationPurpose(request.kind)
    ? verificationPurpose(request.kind, request.kind === 'card.unbind' ? request.cardId : undefined)
    : request.kind;
}

/**
 * Every operation's effect, from `started` (one place each is written): run by the start once the
 * preflight and risk control let it go ahead, and by a reviewer's release of a risk hold
 * (app/reviews.ts), exactly as if it had just started.
 *
 * @example await createEffects(deps).run(tx, op, facts, now, null)
 */
export function createEffects(deps: AppDeps) {
  const { policy, calendar } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;

  const sys = (now: number, data?: Record<string, unknown>) => ({
    by: 'system' as const,
    actor: 'system',
    now,
    ...(data ? { data } : {}),
  });

  const effects: Record<OperationKind, Effect> = {
    // R-DEL-2: deactivating and frozen for the cooling-off; the purge timer is data on the operation.
    async 'account.delete'(tx, op, facts, now) {
      const rules = policy.rulesFor(facts.account.region);
      const days = facts.account.minor ? rules.deletion.minorCoolingOffDays : rules.deletion.coolingOffDays;
      const until = now + days * DAY_MS;
      await tx.updateAccount({ status: 'deactivating', deactivatingUntil: until });
      await move(
        tx,
        op,
        'start_cooling_off',
        { ...sys(now, { days, until }), deadline: { at: until, kind: 'purge' } },
        telemetry,
      );
      await tx.outbox({
        topic: 'account.deactivating',
        key: `${op.id}:deactivating`,
        payload: { accountId: op.accountId, operationId: op.id, until },
      });
      // R-NOTIFY-1: every app that holds or held a grant is told the account is disabled.
      await noticeApps(tx, {
        event: 'deletion_started',
        operationId: op.id,
        grants: facts.grants,
        at: now,
        initiatingEntity: 'user',
        params: { until },
      });
    },
    // R-CARD-1..4: the card goes; the last one takes the identity to pending_completion.
    async 'card.unbind'(tx, op, facts, now) {
      const request = op.request as { cardId: string };
      const card = facts.cards.find((c) => c.id === request.cardId);
      if (!card) throw new DomainError('CONFLICT', { detail: 'card vanished' });
      await tx.deleteFact('cards', card.id);
      await tx.addHistory({ kind: 'card_unbind', at: now, cardType: card.type });
      const last = facts.cards.length === 1;
      if (last && facts.identity?.status === 'verified')
        await tx.setIdentityStatus('pending_completion', now);
      await move(
        tx,
        op,
        'complete',
        sys(now, { cardType: card.type, last4: card.last4, lastCard: last }),
        telemetry,
      );
      await tx.outbox({
        topic: 'card.unbound',
        key: `${op.id}:unbound`,
        payload: { accountId: op.accountId, cardId: card.id, cardType: card.type, lastCard: last },
      });
    },
    // R-CHG-*: a mainland document is applied at once (R-CHG-5); a non-mainland one waits for its
    // 2 manual review steps (R-CHG-4) in the review queue.
    async 'realname.change'(tx, op, facts, now, doc) {
      const request = op.request as { newDocumentType?: string };
      if (!doc) {
        throw new DomainError('VALIDATION_FAILED', {
          detail: 'newDocument (type, number, name) is required to start a change',
        });
      }
      if (request.newDocumentType !== 'cn_id') {
        // R-CHG-4: the new subject waits for its reviews sealed in the store (it must survive a
        // restart); the second approval applies it (app/reviews.ts), a rejection or cancel drops it.
        await tx.putPendingSubject(op.id, doc, now);
        const rules = policy.rulesFor(facts.account.region).change;
        await move(
          tx,
          op,
          'queue_review',
          {
            ...sys(now, { steps: rules.nonMainlandReviewSteps }),
            deadline: { at: now + rules.nonMainlandReviewHours * 3_600_000, kind: 'review_due' },
          },
          telemetry,
        );
        return;
      }
      await applySubjectChange(
        tx,
        op,
        doc,
        { grants: facts.grants, invoicesIssued: facts.wallet.invoicesIssued },
        'complete',
        sys(now),
        telemetry,
      );
    },
    // R-MIN-3: a minor's revocation is reviewed by hand first (10–15 working days), games off while
    // pending. Otherwise R-REV-3 at once: pending_recycle, then the saga (app/saga.ts).
    async 'realname.revoke'(tx, op, facts, now) {
      if (facts.account.minor) {
        const r = policy.rulesFor(facts.account.region).minors.revocationReviewWorkingDays;
        const due = calendar.addWorkingDays(now, r.max);
        await move(
          tx,
          op,
          'queue_review',
          { ...sys(now, { dueBy: due, gamesDisabled: true }), deadline: { at: due, kind: 'review_due' } },
          telemetry,
        );
        return;
      }
      // R-REV-3: grants suspended (introspection answers inactive while pending_recycle); the saga
      // runs right after the commit (kick), and its timer, due now, lets the sweep run it if not.
      await tx.setIdentityStatus('pending_recycle', now);
      await move(tx, op, 'suspend_grants', { ...sys(now), deadline: { at: now, kind: 'saga' } }, telemetry);
    },
    async 'enterprise.detach'(tx, op, facts, now) {
      const request = op.request as { linkId: string };
      const link = facts.enterpriseLinks.find((l) => l.id === request.linkId);
      if (!link) throw new DomainError('CONFLICT', { detail: 'link vanished' });
      await tx.putFact('enterprise_links', { ...link, active: false, pendingApprovals: 0 });
      await move(
        tx,
        op,
        'complete',
        sys(now, { linkKind: link.kind, approvalsVoided: link.pendingApprovals }),
        telemetry,
      );
      await tx.outbox({
        topic: 'enterprise.detached',
        key: `${op.id}:detached`,
        payload: { accountId: op.accountId, linkId: link.id, kind: link.kind },
      });
    },
    // R-ABN-2: into the review queue with a due date in Chinese working days.
    async 'appeal.submit'(tx, op, facts, now) {
      const sla = policy.rulesFor(facts.account.region).appeals.slaWorkingDays;
      const due = calendar.addWorkingDays(now, sla.max);
      await move(
        tx,
        op,
        'queue_review',
        { ...sys(now, { dueBy: due }), deadline: { at: due, kind: 'review_due' } },
        telemetry,
      );
    },
    // R-REV-7: the restoration is history, so the capabilities show the payment restrictions lifted.
    async 'payment.restore'(tx, op, _facts, now) {
      await tx.addHistory({ kind: 'payment_restored', at: now });
      await move(tx, op, 'complete', sys(now), telemetry);
      await tx.outbox({
        topic: 'payment.restored',
        key: `${op.id}:restored`,
        payload: { accountId: op.accountId },
      });
    },
    async 'data.export'(tx, op, _facts, now) {
      await move(tx, op, 'complete', sys(now, { href: `/v1/accounts/${op.accountId}/export` }), telemetry);
    },
    // R-RISK-2: a bind risk control held, released by a reviewer: the subject kept sealed is bound.
    async 'identity.bind'(tx, op, facts, now, subject) {
      if (!subject)
        throw new DomainError('CONFLICT', {
          detail: 'the identity of this bind is not on record; reject the case',
        });
      const status = facts.identity?.status;
      if (status === 'verified' || status === 'pending_completion' || status === 'pending_recycle')
        throw new DomainError('CONFLICT', {
          detail: 'an identity was bound meanwhile; reject the case',
        });
      await writeBoundIdentity(tx, subject, now, 'system');
      await tx.deletePendingSubject(op.id);
      await move(tx, op, 'complete', sys(now, { documentType: subject.documentType }), telemetry);
    },
  };

  return {
    /** Run the effect of `op` (in `started`) in the caller's transaction. */
    run(
      tx: AccountTx,
      op: OperationRecord,
      facts: AccountFacts,
      now: number,
      subject: PendingSubject | null,
    ) {
      return effects[op.kind](tx, op, facts, now, subject);
    },
  };
}

export function createOperationService(deps: AppDeps, codes: CodeConsumer, risk: RiskService) {
  const { store, clock, policy, calendar } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const preflightFn = createPreflight({ policy, calendar });

  /**
   * The new subject of a change, checked and keyed once: its normalised number and the keyed hash
   * that counts its uses across accounts (R-CHG-3). Null when there is none or it is invalid (the
   * rule then reports DOCUMENT_INVALID).
   */
  function newSubject(
    request: OperationRequest,
  ): { type: DocumentType; number: string; key: string; name: string | null } | null {
    if (request.kind !== 'realname.change' || !request.newDocument) return null;
    const { type, number, name } = request.newDocument;
    const check = validateDocument(type, number);
    if (!check.ok) return null;
    return {
      type,
      number: check.normalized,
      key: documentKey(deps.idSecret, type, check.normalized),
      name: name?.trim() ?? null,
    };
  }

  /** The request enriched with what the store knows (cross-account document usage, R-CHG-3). */
  async function enrich(request: OperationRequest): Promise<OperationRequest> {
    const subject = newSubject(request);
    return subject
      ? ({ ...request, documentUsage: await store.documentUsage(subject.key) } as OperationRequest)
      : request;
  }

  const effects = createEffects(deps);

  /**
   * SPEC §4: the operation this caller already started with this Idempotency-Key and request, if
   * any. A process may die after the start committed and before its answer was recorded; the client's
   * retry (same key, same request) must get that operation, not a refusal of a second one. Read in
   * the account's transaction, so two retries cannot both miss it.
   */
  async function startedWithKey(
    accountId: string,
    request: OperationRequest,
    appealClaim: AppealClaim | null,
    key: string,
    actor: Actor,
  ): Promise<OperationView | null> {
    const wanted = canonicalJson(storedRequest(request, appealClaim));
    for (const op of await store.operationsWithIdempotencyKey(accountId, key)) {
      if (op.kind !== request.kind) continue;
      const { evidence: _evidence, ...stored } = op.request;
      if (canonicalJson(stored) !== wanted) continue;
      const view = await store.operation(op.id);
      if (view && view.timeline[0]?.actor === actor.id) return view;
    }
    return null;
  }

  return {
    preflightFn,

    /** @example await operations.preflight('acc_1', { kind: 'realname.revoke' }, { deviceId: 'dev_1' }) */
    async preflight(
      accountId: string,
      request: OperationRequest,
      context: RequestContext = {},
    ): Promise<Preflight> {
      const facts = await store.facts(accountId, OPERATIONS[request.kind].reads);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      return preflightFn({ facts, request: await enrich(request), now: clock.now(), context });
    },

    /**
     * Start an operation: 202 with the operation, or OPERATION_BLOCKED (422) with the same blockers
     * as the preflight plus any missing evidence. A refused 4th change with one document starts its
     * cooldown (R-CHG-3) — that write commits even though the start is refused.
     *
     * Then risk control (R-RISK-1/2/3): a `step_up` or `deny` refuses it the same way (with
     * RISK_STEP_UP_REQUIRED or RISK_DENIED), a `review` creates it held in `risk_review`. Every
     * decision, refusals included, is recorded in the transaction.
     */
    async start(accountId: string, input: StartInput, actor: Actor): Promise<OperationView> {
      let request = input.request;
      const appealClaim = input.appealClaim ?? null;
      if (appealClaim !== null && request.kind !== 'appeal.submit')
        throw new DomainError('VALIDATION_FAILED', { detail: 'claim is only for appeal.submit' });
      const subject = newSubject(request);
      const result = await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        if (input.idempotencyKey) {
          const prior = await startedWithKey(accountId, request, appealClaim, input.idempotencyKey, actor);
          if (prior) return { refused: null, operation: prior, retryAt: null };
        }
        // An uploadable kind must reference an uploaded item of this account and kind (R-CHG-1,
        // R-MIN-3, R-ABN-2): EVIDENCE_NOT_FOUND otherwise, before anything is decided or written.
        await assertEvidenceRefs(store, accountId, input.evidence ?? []);
        // The operation's own fact tables, and those risk control reads (R-RISK-1).
        const facts = await tx.facts(riskReads(request.kind));
        // R-CHG-3 counts across accounts: read the document's use under its lock, in this transaction.
        if (subject) {
          await tx.lockDocument(subject.key);
          request = { ...request, documentUsage: await tx.documentUsage(subject.key) } as OperationRequest;
        }
        const decision = preflightFn({ facts, request, now, context: input.context ?? {} });
        // Distinct items count: the same reference twice is one verification, not two (R-ABN-2 asks for 3).
        const provided: Partial<Record<EvidenceKind, number>> = {};
        const seen = new Set<string>();
        for (const e of input.evidence ?? []) {
          const key = `${e.kind}\u0000${e.ref}`;
          if (seen.has(key)) continue;
          seen.add(key);
          provided[e.kind] = (provided[e.kind] ?? 0) + 1;
        }
        const blockers: Blocker[] = [
          ...decision.blockers,
          ...missingEvidence(decision.requiredEvidence, provided),
        ];
        // R-RISK-1/2/3: decided on the preflight (a refused start is recorded too, unassessed).
        const check = await risk.decide(
          tx,
          {
            facts,
            request: riskRequest(request),
            documentInvalid: request.kind === 'realname.change' && !!request.newDocument && !subject,
            context: input.context ?? {},
            appealClaim,
            documentKey: subject?.key ?? facts.identity?.documentKey ?? null,
            evidence: provided,
            now,
          },
          decision,
        );
        if (check.live.outcome === 'refused') {
          const cooldown = documentCooldownAfterRefusal(
            decision.blockers,
            now,
            policy.rulesFor(facts.account.region),
          );
          if (cooldown !== null && subject) await tx.setDocumentCooldown(subject.key, cooldown);
          await risk.record(tx, check, null, actor);
          const refused = blockers.length > 0 ? blockers : check.blockers;
          await tx.audit({
            at: now,
            actor: actor.id,
            action: `${request.kind}.refused`,
            data: { codes: refused.map((b) => b.code), policyVersion: decision.policyVersion },
          });
          // Retry-after only when every reason lifts by itself (no evidence missing, nothing to fix,
          // no risk refusal).
          const retryAt =
            check.live.assessment === null && blockers.length === decision.blockers.length
              ? decision.retryAfter
              : null;
          return { refused, operation: null, retryAt };
        }
        // One-time codes (R-CARD-1 reserved phone, bound phone) are consumed in this transaction:
        // a code that is unknown, unverified, expired, used or for another purpose refuses the
        // start and nothing is written.
        const purpose = codePurpose(request);
        const auxPurposes = new Set<string>();
        for (const key of seen) {
          const [kind, ref] = key.split('\u0000') as [EvidenceKind, string];
          // R-CHG-1: a bank check counts for the new document it was made for, and no other.
          const p = kind === 'bank_reserved_info' && subject ? bankCheckPurpose(subject.key) : purpose;
          if (!isCodeEvidence(kind)) continue;
          const consumed = await codes.consume(tx, accountId, kind, ref, p, actor);
          // R-ABN-2: each auxiliary verification from another destination; the same phone twice is one.
          if (kind === 'aux_verification') {
            if (auxPurposes.has(consumed))
              throw new DomainError('VERIFICATION_REQUIRED', {
                evidence: kind,
                purpose: request.kind,
                reason: 'verification_same_destination',
                challengeId: ref,
              });
            auxPurposes.add(consumed);
          }
        }
        const op = await openOperation(
          tx,
          {
            id: newId('op', deps.random),
            accountId,
            kind: request.kind,
            request: {
              ...storedRequest(request, appealClaim),
              evidence: (input.evidence ?? []).map((e) => ({ kind: e.kind, ref: e.ref })),
            },
            policyVersion: decision.policyVersion,
            idempotencyKey: input.idempotencyKey ?? null,
            actor: actor.id,
            now,
          },
          telemetry,
        );
        await tx.audit({
          at: now,
          actor: actor.id,
          action: `${request.kind}.started`,
          operationId: op.id,
          data: { policyVersion: decision.policyVersion },
        });
        await risk.record(tx, check, op.id, actor);
        // The clear new subject of a change goes to its effect, never into the request.
        const clear: PendingSubject | null = subject?.name
          ? {
              name: subject.name,
              documentType: subject.type,
              documentNumber: subject.number,
              documentKey: subject.key,
            }
          : null;
        if (check.live.outcome === 'held') {
          // R-RISK-1/2/3: held for a reviewer; a change's new subject waits sealed for the release
          // (and must be complete now, as the effect would require).
          if (request.kind === 'realname.change' && !clear)
            throw new DomainError('VALIDATION_FAILED', {
              detail: 'newDocument (type, number, name) is required to start a change',
            });
          if (clear) await tx.putPendingSubject(op.id, clear, now);
          await risk.hold(tx, op, check, actor);
        } else {
          await effects.run(tx, op, facts, now, clear);
        }
        // Read back in this transaction (the store routes reads made inside withAccount through it):
        // the answer is exactly what commits, without a second transaction.
        const view = (await store.operation(op.id)) as OperationView;
        return { refused: null, operation: view, retryAt: null };
      });
      if (result.refused) {
        telemetry.refused(result.refused.map((b) => b.code));
        const params: Record<string, number> = { count: result.refused.length };
        if (result.retryAt !== null) {
          params.retryAt = result.retryAt;
          params.retryAfterSeconds = Math.max(1, Math.ceil((result.retryAt - clock.now()) / 1000));
        }
        throw new DomainError('OPERATION_BLOCKED', params, result.refused);
      }
      if (result.operation.kind === 'realname.revoke' && result.operation.state === 'pending_recycle')
        deps.kicks?.revocation(result.operation.id);
      return result.operation;
    },

    /**
     * An operation with its timeline; a revocation also with its saga steps (R-REV-3) and, when it
     * was rolled back, the reason in both languages with what to do (R-REV-3/4). An operation held
     * by risk control has the one reason RISK_REVIEW_HELD (R-RISK-1/2/3: never why it was held).
     */
    async get(
      accountId: string,
      operationId: string,
    ): Promise<
      OperationView & {
        saga?: SagaStep[];
        reason?: { code: string; message: Localized; remediation: Localized | null };
      }
    > {
      const op = await store.operation(operationId);
      if (!op || op.accountId !== accountId) throw new DomainError('OPERATION_NOT_FOUND');
      // R-RISK-1/2/3: a held operation shows its state and one code, never why it was held.
      const held = op.state === RISK_REVIEW_STATE ? 'RISK_REVIEW_HELD' : undefined;
      const aborted = op.timeline.find((t) => t.event === 'abort');
      const code = held ?? aborted?.data.reason;
      const params = (held ? {} : (aborted?.data ?? {})) as Params;
      const reason =
        typeof code === 'string' && code in CATALOGUE && CATALOGUE[code as Code].kind === 'reason'
          ? {
              code,
              message: localized(code as Code, params),
              remediation: localizedRemediation(code as Code, params) ?? null,
            }
          : undefined;
      if (op.kind !== 'realname.revoke') return reason ? { ...op, reason } : op;
      return { ...op, saga: await store.sagaSteps(operationId), ...(reason ? { reason } : {}) };
    },

    async list(accountId: string): Promise<OperationRecord[]> {
      if (!(await store.account(accountId))) throw new DomainError('ACCOUNT_NOT_FOUND');
      return store.operations(accountId);
    },

    /** R-DEL-3: cancel during the cooling-off; the account returns to active. */
    async cancel(accountId: string, operationId: string, actor: Actor): Promise<OperationView> {
      await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const op = await store.operation(operationId);
        if (!op || op.accountId !== accountId) throw new DomainError('OPERATION_NOT_FOUND');
        const by = actor.id.startsWith('user:') ? 'user' : 'platform';
        if (op.outcome !== null || !canTransition(op.kind, op.state, 'cancel', by)) {
          throw new DomainError('NOT_CANCELLABLE', { state: op.state });
        }
        if (op.kind === 'account.delete')
          await tx.updateAccount({ status: 'active', deactivatingUntil: null });
        // R-CHG-4: a cancelled change's sealed new subject is not kept.
        if (op.kind === 'realname.change') await tx.deletePendingSubject(op.id);
        await move(tx, op, 'cancel', { by, actor: actor.id, now }, telemetry);
        await tx.audit({
          at: now,
          actor: actor.id,
          action: `${op.kind}.cancelled`,
          operationId: op.id,
          data: {},
        });
        if (op.kind === 'account.delete') {
          await tx.outbox({
            topic: 'account.enabled',
            key: `${op.id}:cancelled`,
            payload: { accountId, operationId: op.id },
          });
          // R-NOTIFY-1: the apps told of the cooling-off are told it is over.
          await noticeApps(tx, {
            event: 'deletion_cancelled',
            operationId: op.id,
            grants: (await tx.facts(['grants'])).grants,
            at: now,
            initiatingEntity: 'user',
          });
        }
      });
      return (await store.operation(operationId)) as OperationView;
    },

    /** R-CMP-1: the three routes side by side for this account. */
    async compare(accountId: string, context: RequestContext = {}): Promise<Comparison> {
      const facts = await store.facts(accountId);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      return compareRoutes(preflightFn, policy, { facts, now: clock.now(), context });
    },

    /** R-CHK-1: real-name status, anomalies, open operations. */
    async check(accountId: string) {
      const facts = await store.facts(accountId);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      const now = clock.now();
      const rules = policy.rulesFor(facts.account.region);
      const abnormal = facts.logins.filter(
        (l) => l.abnormal && withinRollingDays(l.at, now, rules.revoke.abnormalLoginLookbackDays),
      );
      const newDevices = facts.devices.filter((d) =>
        withinRollingDays(d.addedAt, now, rules.revoke.deviceChangeLookbackDays),
      );
      return {
        accountId,
        status: facts.account.status,
        realname: facts.identity
          ? {
              status: facts.identity.status,
              documentType: facts.identity.documentType,
              documentMasked: facts.identity.documentMasked,
              nameMasked: facts.identity.nameMasked,
            }
          : { status: 'unverified' as const },
        anomalies: [
          ...abnormal.map((l) => ({ kind: 'abnormal_login' as const, at: l.at, deviceId: l.deviceId })),
          ...newDevices.map((d) => ({ kind: 'new_device' as const, at: d.addedAt, deviceId: d.id })),
        ],
        openOperations: facts.openOperations,
        canLock: facts.account.status === 'active',
        checkedAt: now,
      };
    },

    /** R-CHK-1 "lock my account": frozen at once; an appeal (R-ABN-2) lifts it. */
    async lock(accountId: string, actor: Actor): Promise<AccountFacts> {
      return store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const facts = await tx.facts();
        if (facts.account.status !== 'active')
          throw new DomainError('CONFLICT', { detail: `the account is ${facts.account.status}` });
        await tx.updateAccount({ status: 'frozen', frozenReason: 'locked_by_user' });
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'account.locked',
          data: { reason: 'locked_by_user' },
        });
        await tx.outbox({
          topic: 'account.locked',
          key: `account.locked:${accountId}:${now}`,
          payload: { accountId, at: now },
        });
        return tx.facts();
      });
    },

    /** R-EXP-1: everything about the account, masked, machine-readable. */
    async exportData(accountId: string) {
      const facts = await store.facts(accountId);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      const decision = preflightFn({ facts, request: { kind: 'data.export' }, now: clock.now() });
      if (!decision.allowed)
        throw new DomainError('OPERATION_BLOCKED', { count: decision.blockers.length }, decision.blockers);
      const reveal = await store.revealIdentity(accountId);
      return {
        format: 'realname-export/v1',
        exportedAt: clock.now(),
        profile: facts.account,
        identity: facts.identity,
        identityHistory: (reveal?.history ?? []).map((h) => ({
          at: h.at,
          documentType: h.documentType,
          documentMasked: maskDocumentNumber(h.documentNumber),
          nameMasked: maskName(h.name),
        })),
        cards: facts.cards,
        wallet: facts.wallet,
        subscriptions: facts.subscriptions,
        loans: facts.loans,
        devices: facts.devices,
        logins: facts.logins,
        grants: facts.grants,
        enterpriseLinks: facts.enterpriseLinks,
        operations: await store.operations(accountId),
      };
    },
  };
}

export type OperationService = ReturnType<typeof createOperationService>;
