/**
 * Accounts and every fact of SPEC §2: create, read, update; fact rows by kind; grants with derived
 * pairwise ids; transactions; identity verification (bind).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccountService } from '../../../app/accounts.js';
import type { FactKind, FactRows } from '../../../core/ports.js';
import { accountAccess, requireScope } from '../auth.js';
import { actorOf } from './actor.js';
import { problemResponses } from '../errors.js';
import {
  AccountFactsSchema,
  AccountIdParams,
  BindIdentityBody,
  CreateAccountBody,
  FACT_SCHEMAS,
  GrantInputSchema,
  GrantSchema,
  Id,
  TransactionBody,
  UpdateAccountBody,
} from './schemas.js';

/** Every error answer is problem+json (RFC 9457), declared once for the docs. */
const problems = problemResponses(400, 401, 403, 404, 409, 422, 429);

/** URL segment → store fact kind. */
const KIND_OF: Record<keyof typeof FACT_SCHEMAS, FactKind> = {
  devices: 'devices',
  logins: 'logins',
  cards: 'cards',
  subscriptions: 'subscriptions',
  loans: 'loans',
  'red-packets': 'red_packets',
  'pending-transactions': 'pending_transactions',
  'admin-roles': 'admin_roles',
  'enterprise-links': 'enterprise_links',
  'mini-programs': 'mini_programs',
};

export function accountRoutes(app: FastifyInstance, accounts: AccountService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];

  r.post(
    '/v1/accounts',
    {
      schema: {
        tags,
        summary: 'Create an account',
        body: CreateAccountBody,
        response: { 201: AccountFactsSchema, ...problems },
      },
      preHandler: requireScope('facts:write'),
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const facts = await accounts.create(
        { ...req.body, idempotencyKey: typeof key === 'string' ? key : null },
        actorOf(req),
      );
      return reply.code(201).send(facts);
    },
  );

  r.get(
    '/v1/accounts/:accountId',
    {
      schema: {
        tags,
        summary: 'Read an account with all its facts (PII masked)',
        params: AccountIdParams,
        response: { 200: AccountFactsSchema, ...problems },
      },
      preHandler: requireScope('facts:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return accounts.get(req.params.accountId);
    },
  );

  r.patch(
    '/v1/accounts/:accountId',
    {
      schema: {
        tags,
        summary: 'Update account-level facts (wallet balance, pay score, status by the platform, …)',
        params: AccountIdParams,
        body: UpdateAccountBody,
        response: { 200: AccountFactsSchema, ...problems },
      },
      preHandler: requireScope('facts:write'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return accounts.update(req.params.accountId, req.body, actorOf(req));
    },
  );

  r.post(
    '/v1/accounts/:accountId/identity',
    {
      schema: {
        tags: ['identity'],
        summary: 'Verify and bind a real-name identity (GB 11643 for mainland IDs); stored encrypted',
        params: AccountIdParams,
        body: BindIdentityBody,
        response: { 201: AccountFactsSchema, ...problems },
      },
      preHandler: requireScope('facts:write'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      return reply.code(201).send(await accounts.bindIdentity(req.params.accountId, req.body, actorOf(req)));
    },
  );

  r.post(
    '/v1/accounts/:accountId/transactions',
    {
      schema: {
        tags,
        summary:
          'Record a fund operation, checked against the capabilities (R-REV-5, R-MIN-5, R-REG-3); pending ones block deletion; verified ones count towards restoration (R-REV-7); one recorded during a revocation interrupts it (R-REV-4)',
        params: AccountIdParams,
        body: TransactionBody,
        response: {
          201: z.object({
            id: z.string(),
            interruptedOperationId: z
              .string()
              .optional()
              .describe('R-REV-4: the revocation this fund operation interrupted, if any'),
          }),
          ...problems,
        },
      },
      preHandler: requireScope('facts:write'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      return reply
        .code(201)
        .send(await accounts.recordTransaction(req.params.accountId, req.body, actorOf(req)));
    },
  );

  r.put(
    '/v1/accounts/:accountId/grants/:appId',
    {
      schema: {
        tags: ['apps'],
        summary: 'Record a grant to a third-party app; the pairwise OpenID and UnionID are derived',
        params: z.object({ accountId: Id, appId: Id }),
        body: GrantInputSchema.omit({ appId: true }),
        response: { 200: GrantSchema, ...problems },
      },
      preHandler: requireScope('facts:write'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      return accounts.grant(req.params.accountId, { ...req.body, appId: req.params.appId }, actorOf(req));
    },
  );

  r.get(
    '/v1/accounts/:accountId/grants',
    {
      schema: {
        tags: ['apps'],
        summary: 'List grants (every app that holds or held one)',
        params: AccountIdParams,
        response: { 200: z.array(GrantSchema), ...problems },
      },
      preHandler: requireScope('facts:read'),
    },
    async (req) => {
      accountAccess(req, req.params.accountId);
      await accounts.get(req.params.accountId);
      return accounts.list(req.params.accountId, 'grants');
    },
  );

  for (const [segment, schema] of Object.entries(FACT_SCHEMAS) as [
    keyof typeof FACT_SCHEMAS,
    (typeof FACT_SCHEMAS)[keyof typeof FACT_SCHEMAS],
  ][]) {
    const kind = KIND_OF[segment];
    const rowTags = ['facts'];
    r.get(
      `/v1/accounts/:accountId/${segment}`,
      {
        schema: {
          tags: rowTags,
          summary: `List ${segment}`,
          params: AccountIdParams,
          response: { 200: z.array(schema), ...problems },
        },
        preHandler: requireScope('facts:read'),
      },
      async (req) => {
        accountAccess(req, req.params.accountId);
        await accounts.get(req.params.accountId);
        return (await accounts.list(req.params.accountId, kind)) as z.infer<typeof schema>[];
      },
    );
    r.put(
      `/v1/accounts/:accountId/${segment}/:id`,
      {
        schema: {
          tags: rowTags,
          summary: `Record or replace one of ${segment}`,
          params: z.object({ accountId: Id, id: Id }),
          body: (schema as z.ZodObject).omit({ id: true }),
          response: { 200: schema, ...problems },
        },
        preHandler: requireScope('facts:write'),
      },
      async (req) => {
        accountAccess(req, req.params.accountId);
        const row = { ...(req.body as object), id: req.params.id } as FactRows[typeof kind];
        return (await accounts.putFact(req.params.accountId, kind, row, actorOf(req))) as z.infer<
          typeof schema
        >;
      },
    );
    r.delete(
      `/v1/accounts/:accountId/${segment}/:id`,
      {
        schema: {
          tags: rowTags,
          summary: `Delete one of ${segment}${segment === 'cards' ? ' (refused: cards go through the card.unbind operation)' : ''}`,
          params: z.object({ accountId: Id, id: Id }),
          response: { 204: z.null(), ...problems },
        },
        preHandler: requireScope('facts:write'),
      },
      async (req, reply) => {
        accountAccess(req, req.params.accountId);
        await accounts.deleteFact(req.params.accountId, kind, req.params.id, actorOf(req));
        return reply.code(204).send(null);
      },
    );
  }
}
