/** Administration routes: API keys and end-user tokens, the audit trail and its verification. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SCOPES, type AdminService } from '../../../app/admin.js';
import { requireScope } from '../auth.js';
import { actorOf } from './actor.js';
import { problemResponses } from '../errors.js';
import { Id, Instant } from './schemas.js';

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 429);

export function adminRoutes(app: FastifyInstance, admin: AdminService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin'];

  r.post(
    '/v1/keys',
    {
      schema: {
        tags,
        summary: 'Create an API key (scopes) or an end-user token (accountId); the secret is returned once',
        body: z.strictObject({
          name: z.string().min(1).max(100),
          scopes: z.array(z.enum([...SCOPES, 'user'])).default([]),
          accountId: Id.optional(),
        }),
        response: {
          201: z.object({
            id: z.string(),
            name: z.string(),
            scopes: z.array(z.string()),
            accountId: z.string().nullable(),
            secret: z.string(),
          }),
          ...problems,
        },
      },
      preHandler: requireScope('admin'),
    },
    async (req, reply) => reply.code(201).send(await admin.createKey(req.body, actorOf(req))),
  );

  const AuditEntry = z.object({
    seq: z.number(),
    at: Instant,
    actor: z.string(),
    action: z.string(),
    accountId: z.string().nullable(),
    operationId: z.string().nullish(),
    data: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  });

  r.get(
    '/v1/audit',
    {
      schema: {
        tags,
        summary: 'Read the audit trail (append-only, hash-chained, no raw PII)',
        querystring: z.strictObject({
          accountId: Id.optional(),
          afterSeq: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.array(AuditEntry), ...problems },
      },
      // SPEC §1: reviewers and compliance staff read the audit trail (admins too).
      preHandler: requireScope('reviews:write'),
    },
    async (req) => admin.auditTrail(req.query),
  );

  r.get(
    '/v1/audit/verify',
    {
      schema: {
        tags,
        summary: 'Verify the audit chain; names the first edited, removed or reordered record',
        response: {
          200: z.object({
            ok: z.boolean(),
            count: z.number(),
            lastHash: z.string().optional(),
            firstBadSeq: z.number().optional(),
            reason: z.string().optional(),
          }),
          ...problems,
        },
      },
      preHandler: requireScope('reviews:write'),
    },
    async () => admin.verifyAudit(),
  );
}
