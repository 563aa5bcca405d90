/**
 * What a browser client needs besides the resources: who the bearer token is (`GET /v1/session`),
 * how each evidence kind is provided (`GET /v1/evidence-kinds`), and — in demo mode only
 * (`serve --demo`) — the demo accounts and a sign-in that issues an end-user token for one of them
 * or a demo reviewer key. Without demo mode the demo routes are hidden and answer 404 NOT_FOUND.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEMO_REVIEWERS, type DemoService } from '../../../app/demo.js';
import { evidenceKinds } from '../../../app/evidence-kinds.js';
import { DomainError } from '../../../core/errors/index.js';
import { EVIDENCE_KINDS } from '../../../core/preflight.js';
import { ACCOUNT_STATUSES, REGIONS } from '../../../core/model.js';
import { principalOf, requireAuthenticated, requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { Id, LocalizedSchema } from './schemas.js';

const SessionSchema = z
  .object({
    kind: z.enum(['platform', 'user', 'reviewer', 'admin']),
    accountId: z.string().nullable().describe('set for an end-user token: the only account it reaches'),
    scopes: z.array(z.string()),
  })
  .meta({ id: 'Session' });

const EvidenceKindSchema = z.object({
  kind: z.enum(EVIDENCE_KINDS),
  provide: z
    .enum(['code', 'file', 'text'])
    .describe(
      'code: request a code and verify it, cite the challenge; file: upload; text: upload typed text',
    ),
  channel: z.enum(['reserved_phone', 'bound_phone', 'guardian']).nullable(),
  contentTypes: z.array(z.string()),
  maxBytes: z.number().int().nullable(),
  rule: z.string().nullable(),
});

const DemoAccountSchema = z.object({
  id: z.string(),
  title: LocalizedSchema,
  region: z.enum(REGIONS),
  status: z.enum(ACCOUNT_STATUSES),
});

const DemoSessionSchema = z
  .object({
    token: z.string().describe('send as `Authorization: Bearer <token>`'),
    kind: z.enum(['user', 'reviewer']),
    accountId: z.string().nullable(),
    scopes: z.array(z.string()),
  })
  .meta({ id: 'DemoSession' });

/**
 * @example sessionRoutes(server, demoMode ? services.demo : null);
 */
export function sessionRoutes(app: FastifyInstance, demo: DemoService | null): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Who the bearer token is: its kind, its account (an end-user token) and its scopes',
        response: { 200: SessionSchema, ...problemResponses(401, 429) },
      },
      preHandler: requireAuthenticated,
    },
    (req) => {
      const p = principalOf(req);
      return { kind: p.kind, accountId: p.accountId, scopes: p.scopes };
    },
  );

  r.get(
    '/v1/evidence-kinds',
    {
      schema: {
        tags: ['evidence'],
        summary: 'How each evidence kind is provided: a one-time code (and where it goes), a file, or text',
        response: { 200: z.array(EvidenceKindSchema), ...problemResponses(401, 403, 429) },
      },
      preHandler: requireScope('operations:read'),
    },
    () => evidenceKinds(),
  );

  const demoSchema = { tags: ['demo'], hide: demo === null };
  const disabled = (): never => {
    throw new DomainError('NOT_FOUND');
  };

  r.get(
    '/v1/demo/accounts',
    {
      schema: {
        ...demoSchema,
        summary: 'Demo mode only (`serve --demo`): the demo accounts to sign in as',
        security: [],
        response: { 200: z.array(DemoAccountSchema), ...problemResponses(404, 429) },
      },
    },
    async () => (demo ? demo.accounts() : disabled()),
  );

  r.post(
    '/v1/demo/sessions',
    {
      schema: {
        ...demoSchema,
        summary:
          'Demo mode only (`serve --demo`): an end-user token for a demo account, or a demo reviewer key (never any other account)',
        security: [],
        body: z.union([
          z.strictObject({ accountId: Id }),
          z.strictObject({ reviewer: z.enum(DEMO_REVIEWERS) }),
        ]),
        response: { 201: DemoSessionSchema, ...problemResponses(400, 404, 429) },
      },
    },
    async (req, reply) => (demo ? reply.code(201).send(await demo.signIn(req.body)) : disabled()),
  );
}
