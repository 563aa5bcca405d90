/**
 * Operations: for each operation of the core a `GET …/preflight` and a `POST` to start it (202 with
 * the operation, or 422 OPERATION_BLOCKED with the same blockers as the preflight); read an
 * operation with its timeline; cancel where the SPEC allows; the three-route comparison; account
 * check and lock (R-CHK-1); data export (R-EXP-1).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OperationService } from '../../../app/operations.js';
import { DomainError } from '../../../core/errors/index.js';
import type { OperationKind, OperationRequest } from '../../../core/model.js';
import { accountAccess, requireScope } from '../auth.js';
import { actorOf } from './actor.js';
import { problemResponses } from '../errors.js';
import {
  AccountFactsSchema,
  AccountIdParams,
  CheckSchema,
  ComparisonSchema,
  OPERATION_PATHS,
  OperationParams,
  OperationSchema,
  PreflightQuery,
  PreflightSchema,
  StartBody,
} from './schemas.js';

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 409, 422, 429);

type Target = { cardId?: string | undefined; linkId?: string | undefined };

/** Build the core request for a kind from the query or body, naming what is missing. */
function requestFor(
  kind: OperationKind,
  input: Target & {
    newDocument?:
      { type: 'cn_id' | 'hk_mo_permit' | 'tw_permit' | 'passport'; number: string; name: string } | undefined;
  },
): OperationRequest {
  switch (kind) {
    case 'card.unbind':
      if (!input.cardId)
        throw new DomainError('VALIDATION_FAILED', { detail: 'cardId is required for card.unbind' });
      return { kind, cardId: input.cardId };
    case 'enterprise.detach':
      if (!input.linkId)
        throw new DomainError('VALIDATION_FAILED', { detail: 'linkId is required for enterprise.detach' });
      return { kind, linkId: input.linkId };
    case 'realname.change':
      return { kind, newDocument: input.newDocument ?? null };
    default:
      return { kind };
  }
}

export function operationRoutes(app: FastifyInstance, operations: OperationService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['operations'];

  for (const [kind, segment] of Object.entries(OPERATION_PATHS) as [OperationKind, string][]) {
    r.get(
      `/v1/accounts/:accountId/operations/${segment}/preflight`,
      {
        schema: {
          tags,
          summary: `Preflight ${kind}: every blocker with its fix, warnings, consequences, evidence and step-up`,
          params: AccountIdParams,
          querystring: PreflightQuery,
          response: { 200: PreflightSchema, ...problems },
        },
        preHandler: requireScope('operations:read'),
      },
      async (req) => {
        accountAccess(req, req.params.accountId);
        const q = req.query;
        // A change's new document number is PII: it is checked at start (POST body), never put in a URL.
        return operations.preflight(req.params.accountId, requestFor(kind, q), {
          deviceId: q.deviceId ?? null,
        });
      },
    );

    r.post(
      `/v1/accounts/:accountId/operations/${segment}`,
      {
        schema: {
          tags,
          summary: `Start ${kind} (202 with the operation, or 422 with every blocker)`,
          params: AccountIdParams,
          body: StartBody,
          response: { 202: OperationSchema, ...problems },
        },
        preHandler: requireScope('operations:write'),
      },
      async (req, reply) => {
        accountAccess(req, req.params.accountId);
        const b = req.body;
        const op = await operations.start(
          req.params.accountId,
          {
            request: requestFor(kind, b),
            context: { deviceId: b.deviceId ?? null },
            evidence: b.evidence ?? [],
            idempotencyKey: idempotencyKeyOf(req),
            appealClaim: b.claim ?? null,
          },
          actorOf(req),
        );
        return reply.code(202).send(op);
      },
    );
  }

  r.get(
    '/v1/accounts/:accountId/operations',
    {
      schema: {
        tags,
        summary: 'List operations of an account',
        params: AccountIdParams,
        response: { 200: z.array(OperationSchema), ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.list(req.params.accountId);
    },
  );

  r.get(
    '/v1/accounts/:accountId/operations/:operationId',
    {
      schema: {
        tags,
        summary: 'Read an operation with its timeline',
        params: OperationParams,
        response: { 200: OperationSchema, ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.get(req.params.accountId, req.params.operationId);
    },
  );

  r.post(
    '/v1/accounts/:accountId/operations/:operationId/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancel an operation where the SPEC allows it (deletion during cooling-off, R-DEL-3; an appeal in review)',
        params: OperationParams,
        response: { 200: OperationSchema, ...problems },
      },
      preHandler: requireScope('operations:write'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.cancel(req.params.accountId, req.params.operationId, actorOf(req));
    },
  );

  r.get(
    '/v1/accounts/:accountId/comparison',
    {
      schema: {
        tags,
        summary: 'R-CMP-1: delete, unbind cards or change subject, side by side for this account',
        params: AccountIdParams,
        querystring: z.strictObject({ deviceId: z.string().max(64).optional() }),
        response: { 200: ComparisonSchema, ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.compare(req.params.accountId, { deviceId: req.query.deviceId ?? null });
    },
  );

  r.get(
    '/v1/accounts/:accountId/check',
    {
      schema: {
        tags: ['security'],
        summary: 'R-CHK-1 account check: real-name status, anomalies, open operations',
        params: AccountIdParams,
        response: { 200: CheckSchema, ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.check(req.params.accountId);
    },
  );

  r.post(
    '/v1/accounts/:accountId/lock',
    {
      schema: {
        tags: ['security'],
        summary: 'R-CHK-1 lock my account (frozen at once; an appeal lifts it)',
        params: AccountIdParams,
        response: { 200: AccountFactsSchema, ...problems },
      },
      preHandler: requireScope('operations:write'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return operations.lock(req.params.accountId, actorOf(req));
    },
  );

  r.get(
    '/v1/accounts/:accountId/export',
    {
      schema: {
        tags: ['privacy'],
        summary: 'R-EXP-1 export all data of the account as a machine-readable archive (masked)',
        params: AccountIdParams,
        response: { 200: z.record(z.string(), z.unknown()), ...problems },
      },
      preHandler: requireScope('operations:read'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      const archive = await operations.exportData(req.params.accountId);
      void reply.header(
        'Content-Disposition',
        `attachment; filename="realname-export-${req.params.accountId}.json"`,
      );
      return archive;
    },
  );
}

function idempotencyKeyOf(req: FastifyRequest): string | null {
  const h = req.headers['idempotency-key'];
  return typeof h === 'string' ? h : null;
}
