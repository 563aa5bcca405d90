/**
 * Risk control for reviewers and admins (R-RISK-1/2/3): the recorded decisions — signals with their
 * weights, detections with their evidence, AML holds with their inflows, the shadow policy's
 * decision beside each — and the shadow policy's disagreements. Users never reach these: what a user
 * sees of a risk decision is a blocker code (RISK_STEP_UP_REQUIRED, RISK_DENIED) or a held state.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RiskService } from '../../../app/risk.js';
import { DomainError } from '../../../core/errors/index.js';
import { OPERATION_KINDS } from '../../../core/model.js';
import { DETECTOR_IDS, RISK_DECISIONS, SIGNAL_IDS } from '../../../core/risk/index.js';
import { requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { Id, Instant, Money } from './schemas.js';

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 429);

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const Outcome = z.enum(['allowed', 'refused', 'held']);

export const RiskSignalSchema = z
  .object({
    id: z.enum(SIGNAL_IDS),
    value: z.number().describe('what was measured: a count, or an amount for large_inflows'),
    weight: z.number(),
    contribution: z.number().describe('what it added to the score (0 when it did not fire)'),
    detail: z.record(z.string(), Scalar),
  })
  .meta({ id: 'RiskSignal' });

export const RiskDetectionSchema = z
  .object({
    detector: z.enum(DETECTOR_IDS),
    rule: z.string(),
    evidence: z.record(z.string(), z.union([Scalar, z.array(z.union([z.string(), z.number()])).readonly()])),
  })
  .meta({ id: 'RiskDetection' });

export const AmlHoldSchema = z
  .object({
    rule: z.string(),
    windowDays: z.number().int(),
    threshold: Money,
    total: Money,
    inflows: z.array(z.object({ at: Instant, amount: Money })),
  })
  .meta({ id: 'AmlHold', description: 'R-RISK-3: the inflows that held the operation' });

const StepUpSchema = z.object({
  evidence: z.string(),
  required: z.number().int(),
  provided: z.number().int(),
  satisfied: z.boolean(),
});

const RiskHistorySchema = z
  .object({
    phoneCountry: z.string().nullable(),
    phoneCountryChanges: z.array(z.object({ at: Instant, from: z.string().nullable(), to: z.string() })),
    refusals: z.array(z.object({ at: Instant, kind: z.string(), codes: z.array(z.string()) })),
    failedVerifications: z.array(z.object({ at: Instant, purpose: z.string() })),
    appeals: z.array(z.object({ at: Instant, claim: z.string().nullable() })),
    inflows: z.array(z.object({ at: Instant, amount: Money })),
    documentAccounts: z.array(
      z.object({
        alias: z.string().describe('another holder of the document, under an alias for this document'),
        createdAt: Instant,
        phoneCountry: z.string().nullable(),
        operations: z.array(z.object({ at: Instant, kind: z.string(), refused: z.boolean() })),
        failedVerifications: z.number().int(),
      }),
    ),
    documentLimit: z
      .object({
        changesInWindow: z.number().int(),
        limit: z.number().int(),
        cooldownUntil: Instant.nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'RiskHistory', description: 'what the decision read of the past, PII-free' });

/** The risk decision of a case, as GET /v1/reviews/{operationId} shows it. */
export const RiskCaseSchema = z
  .object({
    decisionId: z.number().int(),
    at: Instant,
    policyVersion: z.string(),
    outcome: Outcome,
    decision: z.enum(RISK_DECISIONS).nullable(),
    because: z.enum(['abuse_detected', 'aml_hold', 'score']).nullable(),
    score: z.number().nullable(),
    signals: z.array(RiskSignalSchema),
    detections: z.array(RiskDetectionSchema),
    aml: AmlHoldSchema.nullable(),
    stepUp: StepUpSchema.nullable(),
    history: RiskHistorySchema,
    shadow: z
      .object({ policyVersion: z.string(), outcome: Outcome, decision: z.enum(RISK_DECISIONS).nullable() })
      .nullable(),
  })
  .meta({ id: 'RiskCase' });

const CodeRule = z.object({ code: z.string(), rule: z.string() });

export const RiskDecisionSchema = z
  .object({
    id: z.number().int(),
    operationId: z.string().nullable(),
    accountId: z.string(),
    kind: z.enum(OPERATION_KINDS as [string, ...string[]]),
    at: Instant,
    outcome: Outcome,
    decision: z.enum(RISK_DECISIONS).nullable().describe('null when the preflight refused first'),
    because: z.enum(['abuse_detected', 'aml_hold', 'score']).nullable(),
    score: z.number().nullable(),
    signals: z.array(RiskSignalSchema),
    detections: z.array(RiskDetectionSchema),
    aml: AmlHoldSchema.nullable(),
    blockers: z.array(CodeRule),
    policyVersion: z.string(),
    shadow: z
      .object({
        policyVersion: z.string(),
        outcome: Outcome,
        decision: z.enum(RISK_DECISIONS).nullable(),
        blockers: z.array(CodeRule),
        detections: z.array(z.string()),
      })
      .nullable(),
    disagreement: z.boolean().describe('the shadow policy decided otherwise'),
  })
  .meta({ id: 'RiskDecision' });

const PageSchema = z.object({
  items: z.array(RiskDecisionSchema),
  nextCursor: z.number().int().nullable().describe('pass as `cursor` for the next (older) page'),
});

const PageQuery = {
  since: z
    .string()
    .optional()
    .describe('only decisions at or after this instant (ISO 8601, or epoch milliseconds)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
};

/** An ISO 8601 instant or epoch milliseconds, as the `since` filter takes it. */
function instantOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new DomainError('VALIDATION_FAILED', {
      detail: 'since: an ISO 8601 instant or epoch milliseconds',
    });
  return n;
}

export function riskRoutes(app: FastifyInstance, risk: RiskService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['risk'];

  r.get(
    '/v1/admin/risk/decisions',
    {
      schema: {
        tags,
        summary:
          'Recorded risk decisions, newest first (R-RISK-1/2/3): signals with weights, detections, AML inflows, the shadow decision',
        querystring: z.strictObject({
          accountId: Id.optional(),
          operationId: Id.optional(),
          ...PageQuery,
        }),
        response: { 200: PageSchema, ...problems },
      },
      preHandler: requireScope('reviews:write'),
    },
    async (req) => {
      const q = req.query;
      const since = instantOf(q.since);
      return risk.decisions({
        ...(q.accountId === undefined ? {} : { accountId: q.accountId }),
        ...(q.operationId === undefined ? {} : { operationId: q.operationId }),
        ...(since === undefined ? {} : { since }),
        afterId: q.cursor ?? null,
        limit: q.limit,
      });
    },
  );

  r.get(
    '/v1/admin/risk/shadow',
    {
      schema: {
        tags,
        summary:
          'Shadow mode: the decisions where the candidate policy (REALNAME_SHADOW_POLICY_FILE) disagreed with the live one, newest first; recorded, never enforced',
        querystring: z.strictObject({ accountId: Id.optional(), ...PageQuery }),
        response: {
          200: PageSchema.extend({
            shadowPolicyVersion: z.string().nullable().describe('null when shadow mode is off'),
          }),
          ...problems,
        },
      },
      preHandler: requireScope('admin'),
    },
    async (req) => {
      const q = req.query;
      const since = instantOf(q.since);
      const page = await risk.decisions({
        disagreement: true,
        ...(q.accountId === undefined ? {} : { accountId: q.accountId }),
        ...(since === undefined ? {} : { since }),
        afterId: q.cursor ?? null,
        limit: q.limit,
      });
      return { ...page, shadowPolicyVersion: risk.shadowPolicyVersion };
    },
  );
}
