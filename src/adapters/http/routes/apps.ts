/**
 * Third-party apps and their security events (R-NOTIFY-1/2): the apps registry, grant tokens and
 * their RFC 7662 introspection, the JWKS of the SET signing keys and their rotation, and the dead
 * letters of the push relay.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_TOKEN_TTL_SECONDS, type AppsService } from '../../../app/apps.js';
import { accountAccess, requireScope } from '../auth.js';
import { problemResponses } from '../errors.js';
import { actorOf } from './actor.js';
import { Id, Instant } from './schemas.js';

const problems = problemResponses(400, 401, 403, 404, 409, 415, 429);

const SubIdFormat = z.enum(['opaque', 'iss_sub']);
const ReceiverUrl = z
  .string()
  .min(1)
  .max(2048)
  .describe('RFC 8935 push endpoint: https (or http to a loopback host); null for none');

const AppSchema = z.object({
  appId: z.string(),
  name: z.string(),
  developerId: z.string(),
  receiverUrl: z.string().nullable(),
  subIdFormat: SubIdFormat,
  createdAt: Instant,
  updatedAt: Instant,
});

const AppParams = z.object({ appId: Id });

const PublicJwkSchema = z.object({
  kty: z.string(),
  crv: z.string(),
  x: z.string(),
  y: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.string(),
});

const DeadLetterSchema = z.object({
  id: z.number(),
  topic: z.string(),
  key: z.string().describe('the SET jti for a security event'),
  accountId: z.string().nullable(),
  appId: z.string().nullable(),
  event: z.string().nullable(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  createdAt: Instant,
  deadAt: Instant,
});

const IntrospectionSchema = z.object({
  active: z.boolean(),
  client_id: z.string().optional(),
  sub: z.string().optional(),
  exp: z.number().optional(),
  iat: z.number().optional(),
  token_type: z.string().optional(),
});

export function appRoutes(app: FastifyInstance, apps: AppsService): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['apps'];

  r.post(
    '/v1/apps',
    {
      schema: {
        tags,
        summary: 'Register a third-party app and its security-event receiver (R-NOTIFY-1)',
        body: z.strictObject({
          appId: Id,
          name: z.string().min(1).max(200),
          developerId: Id,
          receiverUrl: ReceiverUrl.nullable().default(null),
          subIdFormat: SubIdFormat.default('opaque'),
        }),
        response: { 201: AppSchema, ...problems },
      },
      preHandler: requireScope('apps:write'),
    },
    async (req, reply) => reply.code(201).send(await apps.register(req.body, actorOf(req))),
  );

  r.get(
    '/v1/apps',
    {
      schema: {
        tags,
        summary: 'List registered apps by id',
        querystring: z.strictObject({
          after: Id.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(AppSchema), next: z.string().nullable() }), ...problems },
      },
      // The platform's registry: not for end-user tokens (their facts:read is for their own account).
      preHandler: requireScope('facts:read', { endUsers: false }),
    },
    async (req) => {
      const items = await apps.list({ after: req.query.after ?? null, limit: req.query.limit });
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.appId ?? null) : null };
    },
  );

  r.get(
    '/v1/apps/:appId',
    {
      schema: { tags, summary: 'Read an app', params: AppParams, response: { 200: AppSchema, ...problems } },
      preHandler: requireScope('facts:read', { endUsers: false }),
    },
    async (req) => apps.get(req.params.appId),
  );

  r.patch(
    '/v1/apps/:appId',
    {
      schema: {
        tags,
        summary: 'Change an app (events still due go to its new receiver)',
        params: AppParams,
        body: z
          .strictObject({
            name: z.string().min(1).max(200),
            developerId: Id,
            receiverUrl: ReceiverUrl.nullable(),
            subIdFormat: SubIdFormat,
          })
          .partial(),
        response: { 200: AppSchema, ...problems },
      },
      preHandler: requireScope('apps:write'),
    },
    async (req) => apps.update(req.params.appId, req.body, actorOf(req)),
  );

  r.post(
    '/v1/accounts/:accountId/grants/:appId/tokens',
    {
      schema: {
        tags,
        summary: 'Issue an opaque access token for an active grant (returned once; R-NOTIFY-2)',
        params: z.object({ accountId: Id, appId: Id }),
        body: z
          .strictObject({ expiresIn: z.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS) })
          .partial()
          .nullish(),
        response: {
          201: z.object({
            access_token: z.string(),
            token_type: z.literal('Bearer'),
            expires_in: z.number(),
            expires_at: Instant,
          }),
          ...problems,
        },
      },
      preHandler: requireScope('apps:write'),
    },
    async (req, reply) => {
      accountAccess(req, req.params.accountId);
      const t = await apps.issueToken(req.params.accountId, req.params.appId, req.body ?? {}, actorOf(req));
      return reply.code(201).send({
        access_token: t.accessToken,
        token_type: t.tokenType,
        expires_in: t.expiresIn,
        expires_at: t.expiresAt,
      });
    },
  );

  // RFC 7662 takes a form body: its parser is registered for this route's context only, so that
  // every other route keeps refusing anything but JSON.
  void app.register((child, _opts, done) => {
    child.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, next) => next(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    child.withTypeProvider<ZodTypeProvider>().post(
      '/v1/oauth/introspect',
      {
        schema: {
          tags,
          summary:
            'RFC 7662 token introspection: active only while the grant is (R-NOTIFY-2, R-REV-3); form or JSON body',
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          body: z.object({ token: z.string().max(4096), token_type_hint: z.string().max(64).optional() }),
          response: { 200: IntrospectionSchema, ...problems },
        },
        preHandler: requireScope('introspect'),
      },
      async (req, reply) => {
        // RFC 7662 §2.2: the answer must not be cached.
        reply.header('cache-control', 'no-store');
        return apps.introspect(req.body.token);
      },
    );
    done();
  });

  r.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags,
        summary: 'The keys that sign Security Event Tokens (current, and retired ones in their grace period)',
        security: [],
        response: { 200: z.object({ keys: z.array(PublicJwkSchema) }) },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      reply.type('application/jwk-set+json');
      return apps.jwks();
    },
  );

  r.post(
    '/v1/admin/signing-keys/rotate',
    {
      schema: {
        tags: ['admin'],
        summary: 'Rotate the SET signing key; the old key stays published for its grace period',
        response: { 200: z.object({ kid: z.string(), retired: z.string().nullable() }), ...problems },
      },
      preHandler: requireScope('admin'),
    },
    async (req) => apps.rotateKeys(actorOf(req)),
  );

  r.get(
    '/v1/admin/outbox/dead-letters',
    {
      schema: {
        tags: ['admin'],
        summary: 'Security events the relay gave up on, by id (R-NOTIFY-1)',
        querystring: z.strictObject({
          after: z.coerce.number().int().min(0).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({ items: z.array(DeadLetterSchema), next: z.number().nullable() }),
          ...problems,
        },
      },
      preHandler: requireScope('admin'),
    },
    async (req) => {
      const items = await apps.deadLetters({ after: req.query.after ?? null, limit: req.query.limit });
      return { items, next: items.length === req.query.limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  r.post(
    '/v1/admin/outbox/:id/retry',
    {
      schema: {
        tags: ['admin'],
        summary: 'Deliver an outbox event again now (a dead letter, once its cause is fixed)',
        params: z.object({ id: z.coerce.number().int().min(1) }),
        response: { 200: z.object({ id: z.number(), retried: z.literal(true) }), ...problems },
      },
      preHandler: requireScope('admin'),
    },
    async (req) => apps.retry(req.params.id, actorOf(req)),
  );
}
