/**
 * The manual review queue (R-ABN-2/3, R-CHG-4, R-MIN-3): appeals, non-mainland subject changes (two
 * steps) and minors' revocations wait in a review state with a due date in Chinese working days
 * (R-WIN-2). A reviewer lists the queue by due date, claims a case, reads it (masked facts, the
 * evidence list; each opened evidence file is audited) and decides — through the operation's state
 * machine (`move`), in one transaction with the decision's effect, its audit record and its outbox
 * event.
 *
 * The two steps of a non-mainland change are two pairs of eyes: after the first approval the claim is
 * released, and the reviewer who approved step 1 cannot claim step 2.
 *
 * Operations held by risk control (R-RISK-1/2/3) wait in `risk_review`, of every kind: the case shows
 * the risk decision — signals with their weights, the abuse routes detected with their evidence, an
 * AML hold with the inflows — and `accept` releases the operation (its effect runs in the reviewer's
 * transaction exactly as if it had just started, and a freeze risk control set is lifted) while
 * `reject` ends it.
 */
import { FLOWS, RISK_REVIEW_STATE, canTransition, transition } from '../core/flows/index.js';
import { DomainError } from '../core/errors/index.js';
import { maskDocumentNumber, maskName } from '../core/mask.js';
import type { AccountFacts, OperationKind } from '../core/model.js';
import type {
  EvidenceMeta,
  OperationRecord,
  ReviewClaim,
  ReviewQueueRow,
  TimelineEntry,
} from '../core/ports.js';
import { isUploadable, type EvidenceReference } from './evidence.js';
import { NO_TELEMETRY, type Actor, type AppDeps } from './deps.js';
import { move } from './steps.js';
import { applySubjectChange } from './subject-change.js';
import { createEffects } from './operations.js';
import { riskReads, type RiskCaseView, type RiskService } from './risk.js';

export const REVIEW_DECISIONS = ['accept', 'reject', 'approve_step'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The events that put an operation in the queue: a review step, or a risk hold (R-RISK-1/2/3). */
const QUEUEING_EVENTS: ReadonlySet<string> = new Set(['queue_review', 'hold']);

/**
 * The states a case waits in for a reviewer, read from the state machines: a state entered by
 * `queue_review`, `hold` or a reviewer's own step (R-CHG-4's first approval) that a reviewer may
 * leave. (`started` is not one, though a reviewer may complete a change from it and a release
 * returns there: a start moves on at once.)
 */
export const REVIEW_STATES: readonly string[] = [
  ...new Set(
    Object.values(FLOWS).flatMap((f) => {
      const byReviewer = f.transitions.filter((t) => t.by.includes('reviewer'));
      const decidable = new Set(byReviewer.flatMap((t) => t.from));
      return f.transitions
        .filter((t) => QUEUEING_EVENTS.has(t.event) || t.by.includes('reviewer'))
        .map((t) => t.to)
        .filter((state) => decidable.has(state) && state !== f.initial);
    }),
  ),
];

/** The kinds of operation that can wait for a review. */
export const REVIEW_KINDS: readonly OperationKind[] = Object.values(FLOWS)
  .filter((f) => f.transitions.some((t) => t.by.includes('reviewer')))
  .map((f) => f.kind);

/** The event of the operation's flow each decision triggers; anything else is ILLEGAL_TRANSITION. */
const EVENT_OF: Partial<Record<OperationKind, Partial<Record<ReviewDecision, string>>>> = {
  'appeal.submit': { accept: 'accept', reject: 'reject' },
  // R-CHG-4: approve_step (step 1), then accept (step 2) completes the change.
  'realname.change': { approve_step: 'approve_step', accept: 'complete', reject: 'reject' },
  'realname.revoke': { accept: 'approve', reject: 'reject' },
};

/** R-RISK-1/2/3: a risk hold of any kind is released (accept) or rejected. */
const RISK_EVENT_OF: Partial<Record<ReviewDecision, string>> = { accept: 'release', reject: 'reject' };

const eventsOf = (op: Pick<OperationRecord, 'kind' | 'state'>) =>
  op.state === RISK_REVIEW_STATE ? RISK_EVENT_OF : EVENT_OF[op.kind];

const eventOf = (op: Pick<OperationRecord, 'kind' | 'state'>, decision: ReviewDecision): string =>
  eventsOf(op)?.[decision] ?? decision;

/** One case of the queue, as the list shows it. */
export interface ReviewItem {
  operationId: string;
  accountId: string;
  kind: OperationKind;
  state: string;
  /** 1, or 2 for the second review step of a non-mainland change (R-CHG-4). */
  step: 1 | 2;
  createdAt: number;
  dueAt: number | null;
  /** Due before now (the injected clock). */
  overdue: boolean;
  /** Chinese working days from today to the due day (negative once overdue), R-WIN-2. */
  workingDaysLeft: number | null;
  claimedBy: string | null;
  claimedAt: number | null;
}

export interface ReviewListQuery {
  kind?: OperationKind | undefined;
  state?: string | undefined;
  overdue?: boolean | undefined;
  /** A reviewer's actor id, `me`, or `none` for unclaimed cases. */
  claimedBy?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ReviewPage {
  items: ReviewItem[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface ReviewCase {
  review: ReviewItem;
  operation: OperationRecord & { timeline: TimelineEntry[] };
  /** The account's facts, masked as everywhere. */
  account: AccountFacts;
  /** The new subject of a change, masked (R-CHG-4); null for other kinds. */
  newSubject: { documentType: string; documentMasked: string; nameMasked: string } | null;
  /** Uploaded evidence the operation references: metadata, and where a reviewer opens each (audited). */
  evidence: (EvidenceMeta & { href: string })[];
  /** References to verifications (codes, face checks), as given at the start. */
  verifications: EvidenceReference[];
  /** What the case's state machine lets a reviewer decide now. */
  allowedDecisions: ReviewDecision[];
  /**
   * The operation's risk decision (R-RISK-1/2/3): signals with weights, detections with their
   * evidence, an AML hold with its inflows; null for an operation decided before risk control.
   */
  risk: RiskCaseView | null;
}

// The reason is shown to the user and kept on the timeline, which holds no raw PII: refuse an
// unmasked mainland ID or phone number in it (the same shapes the store's audit guard refuses).
const ID_LIKE = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/u;
const PHONE_LIKE =
  /(?<![0-9A-Za-z])(?:\d{11}|(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![0-9A-Za-z])/u;

function checkReason(reason: string): string {
  const r = reason.trim();
  if (r.length < 5 || r.length > 500)
    throw new DomainError('VALIDATION_FAILED', { detail: 'reason: 5 to 500 characters' });
  if (ID_LIKE.test(r) || PHONE_LIKE.test(r))
    throw new DomainError('VALIDATION_FAILED', {
      detail: 'reason: must not contain a document or phone number (the user and the audit trail read it)',
    });
  return r;
}

function encodeCursor(row: Pick<ReviewQueueRow, 'deadlineAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.deadlineAt, row.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { dueAt: number | null; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      (v[0] === null || Number.isSafeInteger(v[0])) &&
      typeof v[1] === 'string'
    )
      return { dueAt: v[0] as number | null, id: v[1] };
  } catch {
    /* refused below */
  }
  throw new DomainError('VALIDATION_FAILED', { detail: 'cursor: not a cursor this queue returned' });
}

const evidenceRefs = (op: OperationRecord): EvidenceReference[] =>
  Array.isArray(op.request.evidence) ? (op.request.evidence as EvidenceReference[]) : [];

/** Whether an operation ever entered the review queue (a mainland change or an adult's revocation did not). */
const wasQueued = (op: OperationRecord & { timeline: TimelineEntry[] }): boolean =>
  REVIEW_KINDS.includes(op.kind) && op.timeline.some((t) => QUEUEING_EVENTS.has(t.event));

export function createReviewService(deps: AppDeps, risk: RiskService) {
  const { store, clock, calendar } = deps;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const effects = createEffects(deps);

  function item(
    op: OperationRecord,
    claim: Pick<ReviewClaim, 'reviewer' | 'claimedAt'> | null,
    now: number,
  ): ReviewItem {
    const dueAt = op.deadlineAt;
    return {
      operationId: op.id,
      accountId: op.accountId,
      kind: op.kind,
      state: op.state,
      step: op.state === 'in_review_2' ? 2 : 1,
      createdAt: op.createdAt,
      dueAt,
      overdue: dueAt !== null && dueAt < now,
      workingDaysLeft: dueAt === null ? null : calendar.workingDaysBetween(now, dueAt),
      claimedBy: claim?.reviewer ?? null,
      claimedAt: claim?.claimedAt ?? null,
    };
  }

  /** A review case by operation id (with its timeline), or OPERATION_NOT_FOUND. */
  async function reviewCase(operationId: string) {
    const op = await store.operation(operationId);
    if (!op || !wasQueued(op)) throw new DomainError('OPERATION_NOT_FOUND', { operationId });
    return op;
  }

  function assertOpen(op: OperationRecord): void {
    if (op.outcome !== null || !REVIEW_STATES.includes(op.state))
      throw new DomainError('REVIEW_NOT_OPEN', { operationId: op.id, state: op.state });
  }

  function allowedDecisions(op: OperationRecord): ReviewDecision[] {
    if (op.outcome !== null) return [];
    return REVIEW_DECISIONS.filter(
      (d) => eventsOf(op)?.[d] !== undefined && canTransition(op.kind, op.state, eventOf(op, d), 'reviewer'),
    );
  }

  return {
    /**
     * The open cases, by due date; `overdue` flags those past it (R-ABN-2, R-WIN-2).
     * @example await reviews.list({ overdue: true, limit: 50 }, actor) // { items: [...], nextCursor: null }
     */
    async list(query: ReviewListQuery, actor: Actor): Promise<ReviewPage> {
      const now = clock.now();
      const claimedBy =
        query.claimedBy === undefined
          ? undefined
          : query.claimedBy === 'none'
            ? null
            : query.claimedBy === 'me'
              ? actor.id
              : query.claimedBy;
      const rows = await store.reviewQueue({
        states: REVIEW_STATES,
        ...(query.kind === undefined ? {} : { kind: query.kind }),
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.overdue === undefined ? {} : { overdue: { now, value: query.overdue } }),
        ...(claimedBy === undefined ? {} : { claimedBy }),
        after: query.cursor === undefined ? null : decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) =>
          item(r, r.claimedBy === null ? null : { reviewer: r.claimedBy, claimedAt: r.claimedAt ?? 0 }, now),
        ),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      };
    },

    /**
     * Claim a case. Claimed by another reviewer → REVIEW_CLAIMED (who, since when); your own claim
     * again is a no-op. The approver of step 1 of a change cannot claim step 2 (R-CHG-4).
     */
    async claim(operationId: string, actor: Actor): Promise<ReviewItem> {
      const found = await reviewCase(operationId);
      return store.withAccount(found.accountId, async (tx) => {
        const now = clock.now();
        const op = await reviewCase(operationId);
        assertOpen(op);
        const existing = await store.reviewClaim(op.id);
        if (existing && existing.reviewer !== actor.id)
          throw new DomainError('REVIEW_CLAIMED', {
            claimedBy: existing.reviewer,
            since: existing.claimedAt,
          });
        if (existing) return item(op, existing, now);
        if (op.state === 'in_review_2') {
          const first = [...op.timeline].reverse().find((t) => t.event === 'approve_step');
          if (first?.actor === actor.id)
            throw new DomainError('REVIEW_SECOND_REVIEWER_REQUIRED', { operationId: op.id });
        }
        const claim: ReviewClaim = { operationId: op.id, reviewer: actor.id, claimedAt: now };
        await tx.claimReview(claim);
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'review.claimed',
          operationId: op.id,
          data: { kind: op.kind, state: op.state },
        });
        return item(op, claim, now);
      });
    },

    /** The case: the operation and its timeline, the account's masked facts, its evidence list. */
    async get(operationId: string): Promise<ReviewCase> {
      const op = await reviewCase(operationId);
      const now = clock.now();
      const [facts, claim, subject, riskCase] = await Promise.all([
        store.facts(op.accountId),
        store.reviewClaim(op.id),
        op.kind === 'realname.change' || op.kind === 'identity.bind'
          ? store.pendingSubject(op.id)
          : Promise.resolve(null),
        risk.caseOf(op.id),
      ]);
      if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND');
      const refs = evidenceRefs(op);
      const uploaded = refs.filter((r) => isUploadable(r.kind)).map((r) => r.ref);
      const evidence = await store.evidence(op.accountId, [...new Set(uploaded)]);
      return {
        review: item(op, claim, now),
        operation: op,
        account: facts,
        newSubject: subject
          ? {
              documentType: subject.documentType,
              documentMasked: maskDocumentNumber(subject.documentNumber),
              nameMasked: maskName(subject.name),
            }
          : null,
        evidence: evidence.map((e) => ({ ...e, href: `/v1/reviews/${op.id}/evidence/${e.id}` })),
        verifications: refs.filter((r) => !isUploadable(r.kind)),
        allowedDecisions: allowedDecisions(op),
        risk: riskCase,
      };
    },

    /**
     * The decrypted content of one evidence file the case references, for a reviewer. The access is
     * audited (`evidence.viewed`: who, which file; never the content) before anything is decrypted.
     */
    async viewEvidence(
      operationId: string,
      evidenceId: string,
      actor: Actor,
    ): Promise<EvidenceMeta & { name: string | null; data: Uint8Array }> {
      const op = await reviewCase(operationId);
      const ref = evidenceRefs(op).find((r) => r.ref === evidenceId && isUploadable(r.kind));
      const [meta] = ref ? await store.evidence(op.accountId, [evidenceId]) : [];
      if (!ref || !meta)
        throw new DomainError('EVIDENCE_NOT_FOUND', { ref: evidenceId, kind: ref?.kind ?? '' });
      await store.auditSystem({
        at: clock.now(),
        actor: actor.id,
        action: 'evidence.viewed',
        accountId: op.accountId,
        operationId: op.id,
        data: { evidenceId, kind: meta.kind, reviewer: actor.id },
      });
      const item = await store.revealEvidence(op.accountId, evidenceId);
      if (!item) throw new DomainError('EVIDENCE_NOT_FOUND', { ref: evidenceId, kind: meta.kind });
      return item;
    },

    /**
     * Decide a case you claimed (REVIEW_NOT_CLAIMED otherwise): accept, reject or approve_step,
     * through the state machine (ILLEGAL_TRANSITION changes nothing), with a reason the user sees.
     * Appeal accepted → the freeze lifts (R-ABN-3); change approved twice → the new subject applies
     * (R-CHG-4/5), rejected → it is discarded; minor's revocation approved → pending_recycle (R-MIN-3).
     */
    async decide(
      operationId: string,
      input: { decision: ReviewDecision; reason: string },
      actor: Actor,
    ): Promise<OperationRecord & { timeline: TimelineEntry[] }> {
      const reason = checkReason(input.reason);
      const found = await reviewCase(operationId);
      await store.withAccount(found.accountId, async (tx) => {
        const now = clock.now();
        const op = await reviewCase(operationId);
        assertOpen(op);
        const claim = await store.reviewClaim(op.id);
        if (!claim || claim.reviewer !== actor.id)
          throw new DomainError('REVIEW_NOT_CLAIMED', { claimedBy: claim?.reviewer ?? 'nobody' });
        const from = op.state;
        const step = from === 'in_review_2' ? 2 : 1;
        const event = eventOf(op, input.decision);
        // Checked before any effect: an illegal decision changes nothing.
        transition(op.kind, from, event, 'reviewer');
        const data: Record<string, unknown> = { decision: input.decision, reason, step };
        const opts = { by: 'reviewer' as const, actor: actor.id, now };

        if (from === RISK_REVIEW_STATE && event === 'release') {
          // R-RISK-1/2/3: the hold is lifted (and a freeze risk control set with it); the operation
          // goes on from `started` exactly as a start that had been allowed.
          const unfrozen = await risk.liftFreeze(tx, op.id, actor, now);
          await move(tx, op, event, { ...opts, data: { ...data, freezeLifted: unfrozen } }, telemetry);
          const facts = await tx.facts(riskReads(op.kind));
          const subject =
            op.kind === 'realname.change' || op.kind === 'identity.bind'
              ? await store.pendingSubject(op.id)
              : null;
          await effects.run(tx, op, facts, now, subject);
        } else if (op.kind === 'appeal.submit' && event === 'accept') {
          // R-ABN-3: an accepted appeal lifts the freeze (or ban).
          const account = await store.account(op.accountId);
          const lifted = account?.status === 'frozen' || account?.status === 'banned';
          if (lifted) await tx.updateAccount({ status: 'active', frozenReason: null });
          await move(tx, op, event, { ...opts, data: { ...data, freezeLifted: lifted } }, telemetry);
        } else if (op.kind === 'realname.change' && event === 'complete') {
          // R-CHG-4/5: the second approval applies the new subject kept sealed since the start.
          const subject = await store.pendingSubject(op.id);
          if (!subject)
            throw new DomainError('CONFLICT', {
              detail: 'the new subject of this change is not on record; reject the change',
            });
          const facts = await tx.facts();
          await applySubjectChange(
            tx,
            op,
            subject,
            { grants: facts.grants, invoicesIssued: facts.wallet.invoicesIssued },
            event,
            { ...opts, data },
            telemetry,
          );
        } else if (op.kind === 'realname.revoke' && event === 'approve') {
          // R-MIN-3 → R-REV-3: the identity goes pending_recycle; the revocation saga continues.
          await tx.setIdentityStatus('pending_recycle', now);
          await move(tx, op, event, { ...opts, data, deadline: { at: now, kind: 'saga' } }, telemetry);
        } else {
          if ((op.kind === 'realname.change' || op.kind === 'identity.bind') && event === 'reject')
            await tx.deletePendingSubject(op.id);
          await move(tx, op, event, { ...opts, data }, telemetry);
        }
        // The claim ends with the decision; step 2 of a change is claimed afresh (by other eyes).
        await tx.releaseReview(op.id);
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'review.decided',
          operationId: op.id,
          data: { kind: op.kind, decision: input.decision, event, from, to: op.state, step },
        });
        await tx.outbox({
          topic: 'review.decided',
          key: `${op.id}:${event}`,
          payload: {
            accountId: op.accountId,
            operationId: op.id,
            kind: op.kind,
            decision: input.decision,
            state: op.state,
          },
        });
      });
      const decided = (await store.operation(operationId)) as OperationRecord & { timeline: TimelineEntry[] };
      // R-MIN-3 → R-REV-3: an approved minor's revocation continues with the saga.
      if (decided.kind === 'realname.revoke' && decided.state === 'pending_recycle')
        deps.kicks?.revocation(decided.id);
      return decided;
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
