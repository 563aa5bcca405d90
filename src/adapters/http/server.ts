/**
 * The HTTP server's plumbing, with no resource routes: the composition root builds it, then mounts
 * the resources on it. Everything it needs is passed in (store, clock, metrics, limits, keys); nothing
 * here reads the environment or a global.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger, { type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyBodyParser,
  type FastifyInstance,
  type FastifyRequest,
  type FastifySchema,
  type preHandlerAsyncHookHandler,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { DestinationStream, LoggerOptions } from 'pino';

import type { Clock, ManualClock } from '../../core/clock.js';
import { DomainError } from '../../core/errors/index.js';
import type { Store } from '../../core/ports.js';
import { bearerSecret, hashSecret, registerAuth } from './auth.js';
import { devClockRoutes } from './dev-clock.js';
import { FieldValidationError, frameworkErrorHandler, registerErrorHandling } from './errors.js';
import { healthRoutes } from './health.js';
import { MUTATING_METHODS, registerIdempotency } from './idempotency.js';
import { registerMetrics, type Metrics } from './metrics.js';

/** The deepest nesting of arrays and objects a JSON body may have (no route takes more than a few). */
export const MAX_JSON_DEPTH = 64;

/**
 * Why a parsed JSON body is refused before any route sees it, or null: nested deeper than `maxDepth`
 * (a recursive walk over it would overflow the stack), or a string or key holding U+0000 (PostgreSQL
 * text cannot store it: the insert failed as a 500, where SQLite took it). Iterative: nothing to
 * overflow here. Both found by the fuzz suite.
 */
export function jsonBodyProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'holds a NUL character (U+0000)';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > maxDepth) return `nested deeper than ${maxDepth} levels`;
    for (const [k, child] of Object.entries(v)) {
      if (k.includes('\u0000')) return 'holds a NUL character (U+0000)';
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

/** 1 MiB: the largest body any route accepts (evidence images are uploaded elsewhere). */
export const BODY_LIMIT = 1024 * 1024;

/** The Fastify instance `buildServer` returns, with the zod type provider. */
export type RealnameServer = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** The store methods the plumbing itself uses (resources get the whole store from main.ts). */
export type ServerStore = Pick<
  Store,
  'findApiKey' | 'claimIdempotency' | 'completeIdempotency' | 'releaseIdempotency' | 'health'
>;

/** Options of {@link buildServer}. */
export interface ServerOptions {
  /** pino options (redaction of credentials and PII is always added), or false for no logs. */
  logger: (LoggerOptions & { stream?: DestinationStream }) | false;
  store: ServerStore;
  clock: Clock;
  /** Development/test only: the clock `POST /v1/dev/clock` moves. Null or absent: the route is a 404. */
  devClock?: ManualClock | null;
  metrics: Metrics;
  /** Per principal (bearer token), falling back to the client IP. Absent: no rate limiting. */
  rateLimit?: { max: number; timeWindowMs: number };
  /** A bootstrap admin secret, accepted besides the stored keys. */
  adminKey?: string | null;
  /** The service version, shown in the OpenAPI document. */
  version: string;
  /** Passed to Fastify's `trustProxy` (behind a load balancer, so `request.ip` is the client's). */
  trustProxy?: boolean | string | string[];
}

const PII_FIELDS = ['documentNumber', 'name', 'phone', 'email', 'evidence'];

/**
 * What is never written to a log: credentials, and PII wherever it sits in a logged object (pino's
 * `*` covers one level, so the common depths are spelled out).
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  ...PII_FIELDS.flatMap((f) => [`*.${f}`, `*.*.${f}`, `*.*.*.${f}`, `*.*.*.*.${f}`]),
];

// Opaque ids of upstream proxies and clients (UUIDs, ULIDs, trace ids); anything else is replaced,
// so a header cannot inject text into our logs.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** 11 digits or more in a row: a phone number or an ID number (15 or 18 characters), never an opaque id. */
const LONG_DIGITS = /\d{11,}[Xx]?/;

/**
 * The request id: the caller's `X-Request-Id` when it is a safe token, else a random UUID. A token
 * that holds a phone or ID number is not taken: it would be written to every log line of the request
 * (found by the PII-in-logs suite).
 *
 * @example
 * genReqId({ headers: { 'x-request-id': 'abc-123' } } as IncomingMessage) // 'abc-123'
 */
export function genReqId(req: Pick<IncomingMessage, 'headers'>): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) && !LONG_DIGITS.test(incoming)
    ? incoming
    : randomUUID();
}

/**
 * A request URL as the log may keep it: the query's values dropped (no route takes personal data in
 * a query; a client that puts it there must not have it logged), a path segment that is not a plain
 * ASCII id (percent-encoded: a name) masked, and runs of 11 digits or more (a phone, an ID number)
 * masked. Found by the PII-in-logs suite: `/v1/accounts/<an ID number>` and `?name=<a name>` were
 * logged as sent.
 *
 * @example
 * logSafeUrl('/v1/accounts/110105199003074514?name=%E5%BC%A0') // '/v1/accounts/[masked]?name=…'
 */
export function logSafeUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const safePath = path
    .split('/')
    .map((segment) => (segment.includes('%') || LONG_DIGITS.test(segment) ? '[masked]' : segment))
    .join('/');
  if (q < 0) return safePath;
  const keys = query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const key = pair.split('=')[0] ?? '';
      return `${key.includes('%') || LONG_DIGITS.test(key) ? '[masked]' : key}=…`;
    });
  return `${safePath}?${keys.join('&')}`;
}

/** Fastify's request serializer, with the URL made safe for the log (logSafeUrl). */
function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: logSafeUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket.remotePort,
  };
}

function loggerOptions(
  logger: ServerOptions['logger'],
): (LoggerOptions & { stream?: DestinationStream }) | false {
  if (logger === false) return false;
  const own = logger.redact;
  const paths = [...REDACT_PATHS, ...(Array.isArray(own) ? own : (own?.paths ?? []))];
  const extra = Array.isArray(own) || own === undefined ? {} : own;
  return {
    ...logger,
    redact: { censor: '[redacted]', ...extra, paths },
    serializers: { req: serializeRequest, ...logger.serializers },
  };
}

/**
 * Build the server with its plumbing: zod validation and serialization, OpenAPI 3.1 at
 * `/openapi.json` and docs at `/docs`, helmet, request ids, problem+json errors, bearer auth,
 * Idempotency-Key, rate limiting, metrics at `/metrics`, `/healthz`, `/readyz` and the dev clock.
 * Register resource routes on the result (they inherit all of it), then `listen` or `inject`.
 *
 * @example
 * const app = await buildServer({ logger: { level: 'info' }, store, clock, metrics: createMetrics(), version });
 * await app.register(accountRoutes, { prefix: '/v1', services });
 * await app.listen({ port: 8080 });
 */
export async function buildServer(opts: ServerOptions): Promise<RealnameServer> {
  const app = Fastify({
    logger: loggerOptions(opts.logger),
    bodyLimit: BODY_LIMIT,
    // A malformed URL or an over-long path segment, refused by the router itself: problem+json too.
    frameworkErrors: frameworkErrorHandler({ bodyLimit: BODY_LIMIT }),
    // The id is ours to vet (genReqId), not copied blindly from a header.
    requestIdHeader: false,
    genReqId,
    trustProxy: opts.trustProxy ?? false,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON only: text/plain would otherwise reach the body schema as a string and fail as a 400,
  // when the truth is a 415. `application/*+json` (merge-patch, problem) parse as JSON.
  app.removeContentTypeParser('text/plain');
  // Valid JSON that no route can take is refused here, before anything walks it (jsonBodyProblem).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const checkedJson: FastifyBodyParser<string> = (request, body, done) =>
    parseJson(request, body, (error, value: unknown) => {
      if (error) return done(error);
      const problem = jsonBodyProblem(value);
      if (problem !== null) return done(new FieldValidationError([{ path: 'body', message: problem }]));
      done(null, value);
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, checkedJson);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'string' }, checkedJson);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  let notFoundPreHandler: preHandlerAsyncHookHandler | undefined;
  if (opts.rateLimit) {
    await app.register(rateLimit, {
      global: true,
      max: opts.rateLimit.max,
      timeWindow: opts.rateLimit.timeWindowMs,
      // Per caller, not per connection: the hash of the presented token (never the token itself, the
      // key table of the limiter must not hold secrets), or the IP for anonymous requests.
      keyGenerator: (request: FastifyRequest) => {
        const secret = bearerSecret(request);
        return secret === null ? `ip:${request.ip}` : `key:${hashSecret(secret)}`;
      },
      errorResponseBuilder: (_request, context) =>
        new DomainError('RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
    // Unknown URLs are limited too, or they are a free oracle for probing which paths exist.
    notFoundPreHandler = app.rateLimit();
  }
  registerErrorHandling(app, { bodyLimit: BODY_LIMIT }, notFoundPreHandler);

  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        // Swagger UI loads only its own scripts and styles from /docs/static, and fetches the spec
        // from this origin; its React styling needs inline style attributes.
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        // The web pages show evidence a reviewer fetched with its token as blob: URLs.
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        // TLS ends at the load balancer; forcing https here breaks the docs on plain-http dev hosts.
        'upgrade-insecure-requests': null,
      },
    },
  });

  registerAuth(app, { store: opts.store, adminKey: opts.adminKey ?? null });
  registerIdempotency(app, { store: opts.store, clock: opts.clock });
  registerMetrics(app, opts.metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Realname',
        version: opts.version,
        description:
          'Lifecycle of a verified real-name identity (实名认证). Errors are application/problem+json ' +
          '(RFC 9457) with a stable `code`; every mutating request accepts `Idempotency-Key`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A platform, reviewer or admin API key, or an end-user token.',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: (doc) =>
      documentBodyProblems(
        documentIdempotencyKey(jsonSchemaTransform(doc), doc.route.method),
        doc.route.method,
      ),
    transformObject: (doc) => dropUnusedInputCopies(jsonSchemaTransformObject(doc)),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // No calls to the public validator badge: the docs work offline and leak nothing.
    uiConfig: { deepLinking: true, validatorUrl: null },
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(healthRoutes, { store: opts.store });
  await app.register(devClockRoutes, { devClock: opts.devClock ?? null });

  return app;
}

const IDEMPOTENCY_KEY_HEADER = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7E]+$',
  description:
    'Makes the request safe to retry: a replay with the same key and body returns the first response ' +
    '(with `Idempotent-Replayed: true`) without acting twice; the same key with another body is a 409.',
};

/** Add the optional `Idempotency-Key` header to the documentation of every mutating route. */
function documentIdempotencyKey(
  out: { schema: FastifySchema; url: string },
  method: string | string[],
): { schema: FastifySchema; url: string } {
  const methods = (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase());
  // The zod transform hands back `schema: undefined` for a route that declared none, whatever its type says.
  const schema = (out.schema as FastifySchema | undefined) ?? {};
  if (schema.hide === true || !methods.some((m) => MUTATING_METHODS.has(m))) return out;
  const headers = (schema.headers ?? { type: 'object', properties: {} }) as {
    properties?: Record<string, unknown>;
  };
  return {
    ...out,
    schema: {
      ...schema,
      headers: {
        ...headers,
        properties: { ...headers.properties, 'idempotency-key': IDEMPOTENCY_KEY_HEADER },
      },
    },
  };
}

/**
 * A request with a body can be refused by the plumbing before its route runs: 413 (over the body
 * limit) and 415 (not JSON). Document both on every mutating route, in the form of its own 400
 * (found by the fuzz suite: 41 routes answered a 415 or a 413 they did not declare).
 */
function documentBodyProblems(
  out: { schema: FastifySchema; url: string },
  method: string | string[],
): { schema: FastifySchema; url: string } {
  const methods = (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase());
  const schema = (out.schema as FastifySchema | undefined) ?? {};
  const response = schema.response as Record<string, unknown> | undefined;
  if (schema.hide === true || !methods.some((m) => MUTATING_METHODS.has(m)) || !response?.['400']) return out;
  const added = Object.fromEntries(
    ['413', '415'].filter((s) => !(s in response)).map((s) => [s, response['400']]),
  );
  return { ...out, schema: { ...schema, response: { ...response, ...added } } };
}

/**
 * The zod transform emits every registered schema twice, as `X` (output) and `XInput` (input). Keep
 * an input copy only when a request actually references it, so the document lists what it uses.
 */
function dropUnusedInputCopies(doc: ReturnType<SwaggerTransformObject>): ReturnType<SwaggerTransformObject> {
  const { components, ...rest } = doc as { components?: { schemas?: Record<string, unknown> } };
  const schemas = components?.schemas;
  if (schemas === undefined) return doc;
  const isCopy = (id: string) => id.endsWith('Input') && id.slice(0, -'Input'.length) in schemas;
  const kept = Object.fromEntries(Object.entries(schemas).filter(([id]) => !isCopy(id)));
  // A kept schema may reference an input copy in turn: repeat until nothing new is referenced.
  for (let changed = true; changed;) {
    changed = false;
    const used = JSON.stringify([rest, kept]);
    for (const [id, schema] of Object.entries(schemas)) {
      if (!(id in kept) && used.includes(`"#/components/schemas/${id}"`)) {
        kept[id] = schema;
        changed = true;
      }
    }
  }
  return { ...doc, components: { ...components, schemas: kept } } as ReturnType<SwaggerTransformObject>;
}
