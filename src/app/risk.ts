/**
 * Risk control acting on its decisions (SPEC §3.11, R-RISK-1/2/3). Every operation start that the
 * preflight allowed, with its evidence complete, and every identity bind, is assessed by the pure
 * risk core (core/risk) inside the account's transaction, from the facts and the risk history the
 * store gathers; the decision acts at once:
 *
 * - `allow`: the operation goes ahead.
 * - `step_up`: refused with RISK_STEP_UP_REQUIRED naming the extra verification — a face
 *   verification of the holder (`liveness_video`), one more than the operation asks for anyway. The
 *   same start with it goes ahead (the decision is taken again and the extra item is counted).
 * - `deny`: refused with RISK_DENIED: a code and a remediation, never the score or the signals.
 * - `review`: the operation is created and held in `risk_review` (core/flows `hold`) for the review
 *   queue; with a detected abuse route (R-RISK-2) and `risk.freezeAccountOnAbuse`, the account is
 *   frozen too (`frozenReason` `risk:<detector>`). A reviewer releases it (its effect then runs as if
 *   it had just started, and a freeze risk control set is lifted) or rejects it. An AML hold
 *   (R-RISK-3) is a review like any other: the user sees the same RISK_REVIEW_HELD code (never that
 *   it is an AML case); the reviewer sees the inflows.
 *
 * Every decision is recorded (risk_decisions) in the same transaction with what it read — masked
 * facts, risk history, request without document numbers — so that it can be decided again under a
 * candidate policy: beside the live one on every decision (shadow mode, REALNAME_SHADOW_POLICY_FILE:
 * recorded, never enforced) and afterwards over the whole history (`realname backtest`). A start the
 * preflight refused is recorded too (without an assessment): a candidate policy may allow it.
 */
import { withinRollingDays } from '../core/calendar.js';
import type { WorkingDayCalendar } from '../core/calendar.js';
import { DAY_MS } from '../core/clock.js';
import { blocker, type Blocker } from '../core/errors/index.js';
import type { AccountFacts, OperationKind, OperationRequest, RequestContext } from '../core/model.js';
import { phoneCountry } from '../core/phone-country.js';
import type { Policy, RegionRules } from '../core/policy/index.js';
import type {
  AccountTx,
  FactKind,
  OperationRecord,
  RiskDecisionQuery,
  RiskDecisionRecord,
  RiskEvaluation,
  RiskSnapshot,
  RiskStore,
} from '../core/ports.js';
import {
  OPERATIONS,
  createPreflight,
  missingEvidence,
  type EvidenceKind,
  type Preflight,
} from '../core/preflight.js';
import {
  assessRisk,
  riskLookbackDays,
  type AppealClaim,
  type RiskAssessment,
  type RiskDecision,
  type RiskHistory,
} from '../core/risk/index.js';
import { NO_TELEMETRY, type Actor, type AppDeps } from './deps.js';
import { move } from './steps.js';

/**
 * The fact tables every assessment reads besides the operation's own (R-RISK-1: device change age,
 * abnormal logins). Reading more tables than the rules need changes no preflight (the property test
 * of core/preflight proves an operation decides the same on all tables as on its own).
 */
export const RISK_FACT_READS: readonly FactKind[] = ['devices', 'logins'];

/** The fact tables a start of `kind` reads: its rules' and the risk assessment's. */
export function riskReads(kind: OperationKind): FactKind[] {
  return [...new Set([...OPERATIONS[kind].reads, ...RISK_FACT_READS])];
}

/**
 * R-RISK-1 step-up: a face verification of the holder (the liveness video every face check
 * records), one more than the operation asks for. It exists for every operation kind and, unlike a
 * second code to the bound phone, it is not in the hands of whoever holds the phone.
 */
export const STEP_UP_EVIDENCE: EvidenceKind = 'liveness_video';

/** The frozen reason risk control sets (R-RISK-2), and the only freeze a reviewer's release lifts. */
export const RISK_FREEZE_PREFIX = 'risk:';

/** What a decision is taken on (the snapshot is built from it). */
export interface RiskRequest {
  /** The facts as read for the start (masked, as everywhere). */
  facts: AccountFacts;
  /** The request without any document number (a change's new number masked). */
  request: OperationRequest;
  /** A change's new document failed its check (DOCUMENT_INVALID). */
  documentInvalid?: boolean;
  context: RequestContext;
  appealClaim: AppealClaim | null;
  /** The keyed hash of the document involved: a change's or bind's new one, else the identity's. */
  documentKey: string | null;
  /** Distinct evidence items supplied, by kind. */
  evidence: Partial<Record<EvidenceKind, number>>;
  now: number;
}

/** A decision taken and not yet recorded: what it read, the live outcome, the shadow one. */
export interface RiskCheck {
  snapshot: RiskSnapshot;
  documentKey: string | null;
  live: RiskEvaluation;
  policyVersion: string;
  /** The blockers of a refusal, rendered (R-UX-1), for the 422 answer. */
  blockers: Blocker[];
  shadow: (RiskEvaluation & { policyVersion: string }) | null;
}

/** What a reviewer sees of the risk decision of an operation (R-RISK-1: reasons visible to reviewers). */
export interface RiskCaseView {
  decisionId: number;
  at: number;
  policyVersion: string;
  outcome: RiskEvaluation['outcome'];
  decision: RiskDecision | null;
  because: RiskAssessment['because'] | null;
  score: number | null;
  signals: RiskAssessment['signals'];
  detections: RiskAssessment['detections'];
  /** R-RISK-3: the AML hold with the inflows that made it. */
  aml: RiskAssessment['aml'];
  stepUp: RiskEvaluation['stepUp'];
  /** What the decision read of the account's past (PII-free: aliases, codes, country codes). */
  history: RiskHistory;
  shadow: { policyVersion: string; outcome: RiskEvaluation['outcome']; decision: RiskDecision | null } | null;
}

/** A recorded decision as the admin and reviewer listings show it (the snapshot left out). */
export interface RiskDecisionView {
  id: number;
  operationId: string | null;
  accountId: string;
  kind: OperationKind;
  at: number;
  outcome: RiskEvaluation['outcome'];
  decision: RiskDecision | null;
  because: RiskAssessment['because'] | null;
  score: number | null;
  signals: RiskAssessment['signals'];
  detections: RiskAssessment['detections'];
  aml: RiskAssessment['aml'];
  blockers: RiskEvaluation['blockers'];
  policyVersion: string;
  shadow: {
    policyVersion: string;
    outcome: RiskEvaluation['outcome'];
    decision: RiskDecision | null;
    blockers: RiskEvaluation['blockers'];
    detections: string[];
  } | null;
  disagreement: boolean;
}

/** R-CHG-3 as the change rules see the document (history.documentLimit). */
function documentLimit(
  usage: { changesAt: number[]; cooldownUntil?: number | null },
  rules: RegionRules,
  now: number,
): NonNullable<RiskHistory['documentLimit']> {
  const { perDocumentLimit, perDocumentWindowDays } = rules.change;
  return {
    changesInWindow: usage.changesAt.filter((at) => withinRollingDays(at, now, perDocumentWindowDays)).length,
    limit: perDocumentLimit,
    cooldownUntil: usage.cooldownUntil ?? null,
  };
}

/** The request the preflight decides again from a snapshot (the number is not kept; see RiskSnapshot). */
function replayRequest(snapshot: RiskSnapshot): OperationRequest {
  const r = snapshot.request;
  // A valid new document passed its check once (it does not depend on the policy): without the
  // number the check is skipped; an invalid one is replayed masked, which fails it again.
  if (r.kind === 'realname.change' && !snapshot.documentInvalid) return { ...r, newDocument: null };
  return r;
}

/**
 * One policy's decision of one request (R-RISK-1/2/3), pure: the preflight's blockers and the
 * missing evidence first (the risk step runs once the preflight allowed), then the assessment and
 * what it does. `preflight` is the live start's own (which saw the document number); shadow mode
 * and the backtest decide the snapshot again under their policy.
 *
 * @example
 * const { evaluation } = decideSnapshot(record.snapshot, candidate, calendar);
 * evaluation.outcome; // 'allowed' | 'refused' | 'held'
 */
export function decideSnapshot(
  snapshot: RiskSnapshot,
  policy: Policy,
  calendar: WorkingDayCalendar,
  preflight?: Preflight,
): { evaluation: RiskEvaluation; blockers: Blocker[] } {
  const pf =
    preflight ??
    createPreflight({ policy, calendar })({
      facts: snapshot.facts,
      request: replayRequest(snapshot),
      now: snapshot.now,
      context: snapshot.context,
    });
  const refused = [...pf.blockers, ...missingEvidence(pf.requiredEvidence, snapshot.evidence)];
  const codes = (bs: Blocker[]) => bs.map((b) => ({ code: b.code, rule: b.rule }));
  if (refused.length > 0)
    return {
      evaluation: { outcome: 'refused', blockers: codes(refused), assessment: null, stepUp: null },
      blockers: refused,
    };
  const assessment = assessRisk(
    {
      facts: snapshot.facts,
      history: snapshot.history,
      request: snapshot.request,
      context: snapshot.context,
      appealClaim: snapshot.appealClaim,
      now: snapshot.now,
    },
    policy.rulesFor(snapshot.facts.account.region),
  );
  switch (assessment.decision) {
    case 'allow':
      return { evaluation: { outcome: 'allowed', blockers: [], assessment, stepUp: null }, blockers: [] };
    case 'review':
      return { evaluation: { outcome: 'held', blockers: [], assessment, stepUp: null }, blockers: [] };
    case 'deny': {
      const b = [blocker('RISK_DENIED')];
      return {
        evaluation: { outcome: 'refused', blockers: codes(b), assessment, stepUp: null },
        blockers: b,
      };
    }
    case 'step_up': {
      const asked = pf.requiredEvidence.find((e) => e.kind === STEP_UP_EVIDENCE)?.min ?? 0;
      const required = asked + 1;
      const provided = snapshot.evidence[STEP_UP_EVIDENCE] ?? 0;
      const stepUp = { evidence: STEP_UP_EVIDENCE, required, provided, satisfied: provided >= required };
      if (stepUp.satisfied)
        return { evaluation: { outcome: 'allowed', blockers: [], assessment, stepUp }, blockers: [] };
      const b = [blocker('RISK_STEP_UP_REQUIRED', { evidence: STEP_UP_EVIDENCE, required, provided })];
      return { evaluation: { outcome: 'refused', blockers: codes(b), assessment, stepUp }, blockers: b };
    }
  }
}

/** Whether two decisions of one request differ (shadow mode): another outcome or risk decision. */
export function disagree(a: RiskEvaluation, b: RiskEvaluation): boolean {
  return a.outcome !== b.outcome || (a.assessment?.decision ?? null) !== (b.assessment?.decision ?? null);
}

/** What a recorded decision says of its live assessment, as the reviewer and admin views show it. */
function assessmentFields(r: RiskDecisionRecord) {
  const a = r.live.assessment;
  return {
    outcome: r.live.outcome,
    decision: a?.decision ?? null,
    because: a?.because ?? null,
    score: a?.score ?? null,
    signals: a?.signals ?? [],
    detections: a?.detections ?? [],
    aml: a?.aml ?? null,
  };
}

function view(r: RiskDecisionRecord): RiskDecisionView {
  return {
    id: r.id,
    operationId: r.operationId,
    accountId: r.accountId,
    kind: r.requestKind,
    at: r.at,
    ...assessmentFields(r),
    blockers: r.live.blockers,
    policyVersion: r.policyVersion,
    shadow: r.shadow
      ? {
          policyVersion: r.shadow.policyVersion,
          outcome: r.shadow.outcome,
          decision: r.shadow.assessment?.decision ?? null,
          blockers: r.shadow.blockers,
          detections: (r.shadow.assessment?.detections ?? []).map((d) => d.detector),
        }
      : null,
    disagreement: r.disagreement,
  };
}

export interface RiskServiceDeps extends AppDeps {
  riskStore: RiskStore;
  /** A candidate policy decided beside the live one on every decision (shadow mode), or null. */
  shadowPolicy?: Policy | null;
}

export function createRiskService(deps: RiskServiceDeps) {
  const { riskStore, policy, calendar } = deps;
  const shadowPolicy = deps.shadowPolicy ?? null;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;

  return {
    /**
     * Decide one request inside the account's transaction (R-RISK-1/2/3): read the risk history
     * through `tx`, decide under the live policy (with the live start's own preflight) and, in
     * shadow mode, under the candidate. Nothing is written: {@link record} does, with the operation.
     */
    async decide(tx: AccountTx, input: RiskRequest, preflight: Preflight): Promise<RiskCheck> {
      const rules = policy.rulesFor(input.facts.account.region);
      const { now } = input;
      const { signals, aml } = rules.risk;
      const failureWindow = signals.failed_attempts_document.windowDays;
      // Inflows only matter within the AML and large-inflow windows (R-RISK-1/3).
      const inflowWindow = Math.max(aml.windowDays, signals.large_inflows.windowDays);
      const history = await riskStore.riskHistory(
        tx.accountId,
        input.documentKey,
        now - riskLookbackDays(rules.risk) * DAY_MS,
        {
          documentFailuresSince: now - failureWindow * DAY_MS,
          inflowsSince: now - inflowWindow * DAY_MS,
        },
      );
      // The document's change limit (R-CHG-3) matters to a bind or a change only (the overseas
      // re-registration route, R-RISK-2): a change brings its usage, read under the document's lock.
      const r = input.request;
      const usage =
        r.kind === 'realname.change'
          ? (r.documentUsage ?? null)
          : r.kind === 'identity.bind' && input.documentKey !== null
            ? await tx.documentUsage(input.documentKey)
            : null;
      if (usage) history.documentLimit = documentLimit(usage, rules, now);
      const snapshot: RiskSnapshot = {
        facts: input.facts,
        history,
        request: input.request,
        context: { deviceId: input.context.deviceId ?? null },
        appealClaim: input.appealClaim,
        evidence: input.evidence,
        documentInvalid: input.documentInvalid ?? false,
        now,
      };
      const live = decideSnapshot(snapshot, policy, calendar, preflight);
      const shadow = shadowPolicy
        ? {
            ...decideSnapshot(snapshot, shadowPolicy, calendar).evaluation,
            policyVersion: shadowPolicy.version,
          }
        : null;
      return {
        snapshot,
        documentKey: input.documentKey,
        live: live.evaluation,
        policyVersion: policy.version,
        blockers: live.blockers,
        shadow,
      };
    },

    /**
     * Record a decision in the account's transaction, with what it lets happen: the decision row
     * (linked to the operation when one was created), the risk events the history reads later — a
     * refusal with its codes (a step-up not yet passed too: risk control refused that start), a
     * started operation, an appeal with its claim — and an audit record of any decision but a plain
     * allow.
     */
    async record(tx: AccountTx, check: RiskCheck, operationId: string | null, actor: Actor): Promise<number> {
      const { snapshot, live } = check;
      const kind = snapshot.request.kind;
      const at = snapshot.now;
      const id = await riskStore.recordRiskDecision(tx, {
        operationId,
        requestKind: kind,
        at,
        live,
        policyVersion: check.policyVersion,
        snapshot,
        shadow: check.shadow,
        disagreement: check.shadow !== null && disagree(live, check.shadow),
      });
      if (live.outcome === 'refused') {
        await riskStore.recordRiskEvent(tx, {
          kind: 'refusal',
          opKind: kind,
          documentKey: check.documentKey,
          at,
          detail: { codes: live.blockers.map((b) => b.code) },
        });
      }
      if (live.outcome !== 'refused') {
        await riskStore.recordRiskEvent(tx, {
          kind: 'operation',
          opKind: kind,
          documentKey: check.documentKey,
          at,
          detail: { operationId },
        });
        if (kind === 'appeal.submit')
          await riskStore.recordRiskEvent(tx, {
            kind: 'appeal',
            opKind: kind,
            documentKey: check.documentKey,
            at,
            detail: { operationId, claim: snapshot.appealClaim },
          });
      }
      const a = live.assessment;
      if (a && (a.decision !== 'allow' || a.detections.length > 0 || a.aml !== null)) {
        await tx.audit({
          at,
          actor: actor.id,
          action: 'risk.decided',
          operationId,
          data: {
            decisionId: id,
            kind,
            decision: a.decision,
            because: a.because,
            outcome: live.outcome,
            score: a.score,
            detectors: a.detections.map((d) => d.detector),
            aml: a.aml !== null,
            policyVersion: check.policyVersion,
          },
        });
      }
      return id;
    },

    /**
     * R-RISK-1/2/3: hold a just-created operation for a reviewer (`hold` → `risk_review`); with a
     * detected abuse route and the policy's `freezeAccountOnAbuse`, freeze the account as well
     * (R-RISK-2). The timeline says RISK_REVIEW_HELD under R-RISK-1 whatever held it: what the
     * reviewer sees (detections, AML inflows) is not told to the user.
     */
    async hold(tx: AccountTx, op: OperationRecord, check: RiskCheck, actor: Actor): Promise<void> {
      const now = check.snapshot.now;
      const a = check.live.assessment;
      await move(
        tx,
        op,
        'hold',
        { by: 'system', actor: 'system', now, data: { code: 'RISK_REVIEW_HELD' }, deadline: null },
        telemetry,
      );
      const detector = a?.detections[0]?.detector ?? null;
      const frozen =
        detector !== null && a?.freezeAccount === true && check.snapshot.facts.account.status === 'active';
      if (frozen) {
        const reason = `${RISK_FREEZE_PREFIX}${detector}`;
        await tx.updateAccount({ status: 'frozen', frozenReason: reason });
        await tx.audit({
          at: now,
          actor: 'system',
          action: 'account.frozen',
          operationId: op.id,
          data: { reason, rule: 'R-RISK-2' },
        });
        await tx.outbox({
          topic: 'account.frozen',
          key: `${op.id}:frozen`,
          payload: { accountId: op.accountId, operationId: op.id, reason },
        });
      }
      await tx.audit({
        at: now,
        actor: actor.id,
        action: 'risk.held',
        operationId: op.id,
        data: {
          kind: op.kind,
          because: a?.because ?? null,
          detectors: a?.detections.map((d) => d.detector) ?? [],
          aml: a?.aml != null,
          accountFrozen: frozen,
        },
      });
      await tx.outbox({
        topic: 'risk.case_opened',
        key: `${op.id}:held`,
        payload: { accountId: op.accountId, operationId: op.id, kind: op.kind },
      });
    },

    /**
     * R-RISK-2: at a reviewer's release, lift the freeze risk control set (and only that one: a
     * freeze by the platform or the user's own lock stays). True when one was lifted.
     */
    async liftFreeze(tx: AccountTx, operationId: string, actor: Actor, now: number): Promise<boolean> {
      const { account } = await tx.facts([]);
      if (account.status !== 'frozen' || !account.frozenReason?.startsWith(RISK_FREEZE_PREFIX)) return false;
      await tx.updateAccount({ status: 'active', frozenReason: null });
      await tx.audit({
        at: now,
        actor: actor.id,
        action: 'account.unfrozen',
        operationId,
        data: { reason: account.frozenReason, rule: 'R-RISK-2' },
      });
      return true;
    },

    /**
     * R-RISK-2: a change of the bound phone's country, recorded in the transaction of the change
     * (the account's country at creation is the `from` of its first change, or its country now).
     */
    async phoneChanged(
      tx: AccountTx,
      before: { phoneMasked: string; region: AccountFacts['account']['region'] },
      after: { phoneMasked: string; region: AccountFacts['account']['region'] },
      now: number,
    ): Promise<void> {
      const from = phoneCountry(before.phoneMasked, before.region);
      const to = phoneCountry(after.phoneMasked, after.region);
      if (to === null || to === from) return;
      await riskStore.recordRiskEvent(tx, {
        kind: 'phone_country',
        opKind: null,
        documentKey: null,
        at: now,
        detail: { from, to },
      });
    },

    /** The risk decision of an operation for its reviewer: signals with weights, detections, AML inflows. */
    async caseOf(operationId: string): Promise<RiskCaseView | null> {
      const [r] = await riskStore.riskDecisions({ operationId, limit: 1, newestFirst: true });
      if (!r) return null;
      return {
        decisionId: r.id,
        at: r.at,
        policyVersion: r.policyVersion,
        ...assessmentFields(r),
        stepUp: r.live.stepUp,
        history: r.snapshot.history,
        shadow: r.shadow
          ? {
              policyVersion: r.shadow.policyVersion,
              outcome: r.shadow.outcome,
              decision: r.shadow.assessment?.decision ?? null,
            }
          : null,
      };
    },

    /**
     * Recorded decisions, by id (keyset), for reviewers and admins; `disagreement: true` lists what
     * the shadow policy would have decided otherwise.
     * @example await risk.decisions({ accountId: 'acc_1', limit: 50 }) // { items, nextCursor }
     */
    async decisions(
      query: Omit<RiskDecisionQuery, 'newestFirst'>,
    ): Promise<{ items: RiskDecisionView[]; nextCursor: number | null }> {
      const rows = await riskStore.riskDecisions({ ...query, limit: query.limit + 1, newestFirst: true });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(view),
        nextCursor: rows.length > query.limit && last ? last.id : null,
      };
    },

    /** The shadow policy's version, or null when shadow mode is off. */
    shadowPolicyVersion: shadowPolicy?.version ?? null,
  };
}

export type RiskService = ReturnType<typeof createRiskService>;
