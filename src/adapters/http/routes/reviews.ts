/**
 * The review queue (R-ABN-2/3, R-CHG-4, R-MIN-3) for reviewers (`reviews:write`; admins too): list by
 * due date with the overdue flag, claim, read a case, open its evidence (decrypted, audited), decide.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REVIEW_DECISIONS, REVIEW_KINDS, REVIEW_STATES, type ReviewService } from '../../../app/reviews.js';
import { EVIDENCE_KINDS } from '../../../core/preflight.js';
import { requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { actorOf } from './actor.js';
import { evidenceView, EvidenceMetaSchema } from './evidence.js';
import { AccountFactsSchema, Id, Instant, OperationSchema } from './schemas.js';
import { RiskCaseSchema } from './risk.js';

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 409, 429);

const KindEnum = z.enum(REVIEW_KINDS as [string, ...string[]]);
const StateEnum = z.enum(REVIEW_STATES as [string, ...string[]]);

export const ReviewItemSchema = z
  .object({
    operationId: z.string(),
    accountId: z.string(),
    kind: KindEnum,
    state: z.string(),
    step: z
      .union([z.literal(1), z.literal(2)])
      .describe('2 for the second review step of a non-mainland change'),
    createdAt: Instant,
    dueAt: Instant.nullable(),
    overdue: z.boolean().describe('due before now'),
    workingDaysLeft: z
      .number()
      .int()
      .nullable()
      .describe('Chinese working days from today to the due day; negative once overdue (R-WIN-2)'),
    claimedBy: z.string().nullable(),
    claimedAt: Instant.nullable(),
  })
  .meta({ id: 'ReviewItem' });

const ReviewPageSchema = z.object({
  items: z.array(ReviewItemSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});

const ReviewCaseSchema = z.object({
  review: ReviewItemSchema,
  operation: OperationSchema,
  account: AccountFactsSchema,
  newSubject: z
    .object({ documentType: z.string(), documentMasked: z.string(), nameMasked: z.string() })
    .nullable()
    .describe('the new subject of a change, masked (R-CHG-4)'),
  evidence: z.array(
    EvidenceMetaSchema.extend({
      href: z.string().describe('GET it for the decrypted content; every access is audited'),
    }),
  ),
  verifications: z.array(z.object({ kind: z.enum(EVIDENCE_KINDS), ref: z.string() })),
  allowedDecisions: z.array(z.enum(REVIEW_DECISIONS)),
  risk: RiskCaseSchema.nullable().describe(
    'the risk decision (R-RISK-1/2/3): signals with weights, detections with evidence, AML inflows',
  ),
});

const ReviewParams = z.object({ operationId: Id });

const ListQuery = z.strictObject({
  kind: KindEnum.optional(),
  state: StateEnum.optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .describe('only cases past (true) or within (false) their due date'),
  claimedBy: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('a reviewer (as shown in claimedBy), `me`, or `none` for unclaimed cases'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

const DecisionBody = z.strictObject({
  decision: z
    .enum(REVIEW_DECISIONS)
    .describe(
      'appeal and minor revocation: accept | reject; non-mainland change: approve_step, then accept; or reject; a risk hold (risk_review, R-RISK-1/2/3): accept releases it, reject ends it',
    ),
  reason: z.string().trim().min(5).max(500).describe('why; the user sees it on the operation’s timeline'),
});

/** Inline for what a browser shows without running code; PDF (which can carry scripts) as a download. */
function disposition(contentType: string, id: string, name: string | null): string {
  const kind = contentType === 'application/pdf' ? 'attachment' : 'inline';
  const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'video/mp4': 'mp4', 'application/pdf': 'pdf' }[
    contentType
  ];
  const fallback = `evidence-${id}.${ext ?? 'txt'}`;
  const utf8 = name === null ? '' : `; filename*=UTF-8''${encodeURIComponent(name)}`;
  return `${kind}; filename="${fallback}"${utf8}`;
}

export function reviewRoutes(app: FastifyInstance, reviews: ReviewService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reviews'];
  const preHandler = requireScope('reviews:write');

  r.get(
    '/v1/reviews',
    {
      schema: {
        tags,
        summary: 'The review queue: open cases by due date, overdue ones flagged (R-ABN-2, R-CHG-4, R-MIN-3)',
        querystring: ListQuery,
        response: { 200: ReviewPageSchema, ...problems },
      },
      preHandler,
    },
    async (req) => {
      const q = req.query;
      return reviews.list(
        {
          kind: q.kind as (typeof REVIEW_KINDS)[number] | undefined,
          state: q.state,
          overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
          claimedBy: q.claimedBy,
          limit: q.limit,
          cursor: q.cursor,
        },
        actorOf(req),
      );
    },
  );

  r.post(
    '/v1/reviews/:operationId/claim',
    {
      schema: {
        tags,
        summary:
          'Claim a case (409 REVIEW_CLAIMED when another reviewer has it; your own claim again is a no-op)',
        params: ReviewParams,
        response: { 200: ReviewItemSchema, ...problems },
      },
      preHandler,
    },
    async (req) => reviews.claim(req.params.operationId, actorOf(req)),
  );

  r.get(
    '/v1/reviews/:operationId',
    {
      schema: {
        tags,
        summary: 'A case: the operation with its timeline, the account’s masked facts, its evidence list',
        params: ReviewParams,
        response: { 200: ReviewCaseSchema, ...problems },
      },
      preHandler,
    },
    async (req) => {
      const c = await reviews.get(req.params.operationId);
      return { ...c, evidence: c.evidence.map((e) => ({ ...evidenceView(e), href: e.href })) };
    },
  );

  r.get(
    '/v1/reviews/:operationId/evidence/:evidenceId',
    {
      schema: {
        tags,
        summary: 'The decrypted content of an evidence file of the case, in its own content type (audited)',
        params: z.object({ operationId: Id, evidenceId: Id }),
        response: {
          200: z.unknown().describe('the file’s bytes, with its content type'),
          ...problems,
        },
      },
      preHandler,
    },
    async (req, reply) => {
      const file = await reviews.viewEvidence(req.params.operationId, req.params.evidenceId, actorOf(req));
      return reply
        .header(
          'content-type',
          file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType,
        )
        .header('content-disposition', disposition(file.contentType, file.id, file.name))
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength));
    },
  );

  r.post(
    '/v1/reviews/:operationId/decision',
    {
      schema: {
        tags,
        summary:
          'Decide a case you claimed: through its state machine (409 ILLEGAL_TRANSITION changes nothing), with a reason',
        params: ReviewParams,
        body: DecisionBody,
        response: { 200: OperationSchema, ...problems },
      },
      preHandler,
    },
    async (req) => reviews.decide(req.params.operationId, req.body, actorOf(req)),
  );
}
