/**
 * One way to fail over HTTP: every error the service, Fastify or a plugin raises leaves as an RFC 9457
 * `application/problem+json` body with a stable `code` from the catalogue (ARCHITECTURE.md habit 1),
 * the message in the client's language (habit 2) and the request id that finds it in the logs.
 */
import { STATUS_CODES } from 'node:http';

import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

import {
  CATALOGUE,
  DomainError,
  message,
  pickLocale,
  remediationText,
  type Blocker,
  type ErrorCode,
  type Params,
} from '../../core/errors/index.js';

/** Where the `type` URIs of our problems live; `<code>` becomes lower-case and dashed. */
export const PROBLEM_TYPE_BASE = 'https://realname.dev/problems/';

/** The media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const LocalizedSchema = z.object({ en: z.string(), 'zh-CN': z.string() });
const ParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/**
 * One blocker as the preflight returns it (R-UX-1): routes may reuse it for their preflight
 * responses so that a refusal and its preflight describe blockers with one schema.
 */
export const BlockerSchema = z.object({
  code: z.string(),
  rule: z.string(),
  params: ParamsSchema,
  message: LocalizedSchema,
  remediation: z.object({ action: z.string(), where: z.string(), message: LocalizedSchema }),
});

/** One bad field of a request that failed validation. */
export const FieldErrorSchema = z.object({
  path: z.string().describe('Where the value is, e.g. "body.card.id" or "querystring.limit".'),
  message: z.string(),
});

/**
 * The problem document (RFC 9457) every 4xx/5xx carries. Loose, so that a later extension member does
 * not get stripped by the response serializer of a route that declared this schema.
 *
 * @example
 * app.withTypeProvider<ZodTypeProvider>().get('/v1/x', {
 *   schema: { response: { 200: XSchema, ...problemResponses(401, 403, 404) } },
 * }, handler);
 */
export const ProblemSchema = z
  .looseObject({
    type: z.string().describe('https://realname.dev/problems/<code in lower case, dashed>'),
    title: z.string().describe('Short English summary of the problem type; the same for every occurrence.'),
    status: z.number().int(),
    code: z.string().describe('Stable error code from the catalogue (see the README error table).'),
    message: z.string().describe('Human-readable message in the language picked from Accept-Language.'),
    detail: z.string().optional(),
    remediation: z.string().optional().describe('What to do about it, in the same language.'),
    requestId: z.string(),
    instance: z.string().describe('The request URL.'),
    blockers: z.array(BlockerSchema).optional().describe('OPERATION_BLOCKED: every blocker with its fix.'),
    errors: z.array(FieldErrorSchema).optional().describe('VALIDATION_FAILED: each bad field.'),
    params: ParamsSchema.optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;

const problemResponse = {
  description: 'Problem (RFC 9457)',
  content: { 'application/problem+json': { schema: ProblemSchema } },
};

/**
 * Response declarations for the error statuses a route can answer, documented as
 * `application/problem+json` (the error handler writes the body itself, so these document and type
 * it; they never reshape it).
 *
 * @example
 * schema: { body: Body, response: { 201: Created, ...problemResponses(400, 401, 403, 409, 422) } }
 */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, typeof problemResponse> {
  const out = {} as Record<S, typeof problemResponse>;
  for (const status of statuses) out[status] = problemResponse;
  return out;
}

/** `OPERATION_BLOCKED` → `https://realname.dev/problems/operation-blocked`. */
export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}

function problemTitle(code: string): string {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the error handler needs to know to render one problem; everything else is derived. */
export interface ProblemFields {
  code: ErrorCode;
  /** Defaults to the catalogue status of `code`. */
  status?: number;
  params?: Params;
  detail?: string;
  blockers?: readonly Blocker[];
  errors?: FieldError[];
}

/**
 * Build the problem body for a request in the language its Accept-Language asks for.
 *
 * @example
 * buildProblem(request, { code: 'NOT_FOUND' }).message // 'Not found.' or '未找到。'
 */
export function buildProblem(request: FastifyRequest, input: ProblemFields): Problem {
  const locale = pickLocale(request.headers['accept-language']);
  const params = input.params ?? {};
  const problem: Problem = {
    type: problemType(input.code),
    title: problemTitle(input.code),
    status: input.status ?? CATALOGUE[input.code].status,
    code: input.code,
    message: message(locale, input.code, params),
    requestId: request.id,
    instance: request.url,
  };
  if (input.detail !== undefined) problem.detail = input.detail;
  const remediation = remediationText(locale, input.code, params);
  if (remediation !== undefined) problem.remediation = remediation;
  if (input.blockers !== undefined) problem.blockers = [...input.blockers];
  if (input.errors !== undefined) problem.errors = input.errors;
  if (Object.keys(params).length > 0) problem.params = { ...params };
  return problem;
}

/**
 * Write a problem as the reply. The body is serialized here, as a string, so that a route's own
 * response schema can never turn a 4xx into a 500 while the error is being reported.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  input: ProblemFields,
): FastifyReply {
  const problem = buildProblem(request, input);
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
  // A refusal that lifts by itself (maintenance window R-WIN-1, night window R-MIN-1, daily limits)
  // tells the client when to retry, in the standard header as well as in the body.
  const retryAfterSeconds = input.params?.retryAfterSeconds;
  if (typeof retryAfterSeconds === 'number' && retryAfterSeconds > 0)
    reply.header('retry-after', String(retryAfterSeconds));
  return reply
    .code(problem.status)
    .header('content-language', pickLocale(request.headers['accept-language']))
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

/** One bad field of a request, as `errors[]` of a VALIDATION_FAILED problem lists it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * VALIDATION_FAILED for checks a schema cannot express (a header's syntax, a cross-field rule),
 * rendered exactly like a schema failure: `detail` names each field and `errors[]` lists them.
 *
 * @example
 * throw new FieldValidationError([{ path: 'body.set', message: 'must not be before the epoch' }]);
 */
export class FieldValidationError extends DomainError {
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[]) {
    super('VALIDATION_FAILED', { detail: errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
    this.name = 'FieldValidationError';
    this.errors = errors;
  }
}

type Classified = ProblemFields & { log: 'info' | 'error' };

/**
 * The HTTP statuses Fastify and its plugins may attach to their own errors, mapped to our codes.
 * (403 is absent on purpose: FORBIDDEN names a scope, and only requireScope knows which.)
 */
const STATUS_CODE: Partial<Record<number, ErrorCode>> = {
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === 'string';
}

function fieldPath(context: string | undefined, instancePath: string): string {
  // Fastify reports "/card/id" (zod: the issue path joined by "/"); clients read "body.card.id".
  const parts = instancePath.split('/').filter((p) => p !== '');
  return [context ?? 'request', ...parts].join('.');
}

function validationFailed(detail: string): Classified {
  return { code: 'VALIDATION_FAILED', params: { detail }, detail, log: 'info' };
}

/** Decide what a thrown value means for the client: which code, which status, how loud to log it. */
export function classifyError(error: unknown, bodyLimit: number): Classified {
  if (error instanceof FieldValidationError) {
    const detail = String(error.params.detail);
    return {
      code: 'VALIDATION_FAILED',
      params: error.params,
      detail,
      errors: [...error.errors],
      log: 'info',
    };
  }
  if (error instanceof DomainError) {
    const input: Classified = {
      code: error.code,
      params: error.params,
      log: error.status >= 500 ? 'error' : 'info',
    };
    if (error.blockers !== undefined) input.blockers = error.blockers;
    return input;
  }
  // The zod compiler's errors, and Fastify's own (ajv) for a route that declared a JSON schema.
  const validation =
    hasZodFastifySchemaValidationErrors(error) || (isFastifyError(error) && Array.isArray(error.validation))
      ? error
      : null;
  if (validation !== null) {
    const errors = (validation.validation ?? []).map((v) => ({
      path: fieldPath(validation.validationContext, v.instancePath),
      message: v.message ?? 'is not valid',
    }));
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return { code: 'VALIDATION_FAILED', params: { detail }, detail, errors, log: 'info' };
  }
  if (isFastifyError(error)) {
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { code: 'MALFORMED_JSON', log: 'info' };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return { code: 'PAYLOAD_TOO_LARGE', params: { limit: bodyLimit }, log: 'info' };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { code: 'UNSUPPORTED_MEDIA_TYPE', log: 'info' };
      case 'FST_ERR_NOT_FOUND':
        return { code: 'NOT_FOUND', log: 'info' };
      // The router's own refusals (through frameworkErrors): never echo the URL, it may carry PII.
      case 'FST_ERR_BAD_URL':
        return validationFailed('the URL is not valid: a malformed percent-encoding');
      case 'FST_ERR_MAX_PARAM_LENGTH':
        return validationFailed('a path segment is longer than 100 characters');
      default:
        break;
    }
  }
  // Anything else that carries a 4xx status is still the client's mistake (a bad URL, a length that
  // does not match the body…): keep it a 4xx and say what Fastify said, never turn it into a 500.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = STATUS_CODE[status];
    if (code === 'PAYLOAD_TOO_LARGE') return { code, params: { limit: bodyLimit }, log: 'info' };
    if (code !== undefined) return { code, log: 'info' };
    const detail = error instanceof Error ? error.message : (STATUS_CODES[status] ?? 'Bad request');
    return { code: 'VALIDATION_FAILED', params: { detail }, detail, log: 'info' };
  }
  return { code: 'INTERNAL', log: 'error' };
}

/**
 * Fastify's `frameworkErrors` option: the router refuses a malformed URL or an over-long path
 * segment before any route or error handler runs; without this, those answers were Fastify's own
 * JSON (a 414 or 400 with no catalogue code). Found by the fuzz suite.
 *
 * @example
 * Fastify({ frameworkErrors: frameworkErrorHandler({ bodyLimit: 1 << 20 }) });
 */
export function frameworkErrorHandler(
  opts: ErrorHandlingOptions,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const { log: _log, ...input } = classifyError(error, opts.bodyLimit);
    request.log.info({ code: input.code, requestId: request.id }, 'request refused');
    sendProblem(request, reply, input);
  };
}

/** Options of {@link registerErrorHandling}. */
export interface ErrorHandlingOptions {
  /** The server's body limit, named in PAYLOAD_TOO_LARGE. */
  bodyLimit: number;
}

const ROUTE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Install the one error handler and the not-found handler on the root instance. Call it before any
 * route is registered; a child plugin must not set its own error handler.
 *
 * @example
 * registerErrorHandling(app, { bodyLimit: 1 << 20 }, app.rateLimit?.());
 */
export function registerErrorHandling(
  app: FastifyInstance,
  opts: ErrorHandlingOptions,
  notFoundPreHandler?: preHandlerAsyncHookHandler,
): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const { log, ...input } = classifyError(error, opts.bodyLimit);
    if (log === 'error') {
      // The client only sees INTERNAL and the request id; the cause stays in the logs.
      request.log.error({ err: error, requestId: request.id }, 'request failed');
    } else {
      request.log.info({ code: input.code, requestId: request.id }, 'request refused');
    }
    if (reply.sent || reply.raw.headersSent) return reply;
    if (input.code === 'RATE_LIMITED' && input.params === undefined) {
      const retryAfter = reply.getHeader('retry-after');
      input.params = { retryAfter: typeof retryAfter === 'number' ? retryAfter : Number(retryAfter ?? 1) };
    }
    return sendProblem(request, reply, input);
  });

  const notFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    // Fastify answers 404 for a known path with an unknown method; say 405 and list what is allowed.
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = ROUTE_METHODS.filter(
      (method) => method !== request.method && app.findRoute({ method, url: path }) !== null,
    );
    // A route of this very method sent us here (a static file that does not exist): a plain 404.
    const method = ROUTE_METHODS.find((m) => m === request.method);
    const own = method === undefined ? null : app.findRoute({ method, url: path });
    if (allowed.length > 0 && own === null) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(request, reply, { code: 'METHOD_NOT_ALLOWED' });
    }
    return sendProblem(request, reply, { code: 'NOT_FOUND' });
  };
  if (notFoundPreHandler) app.setNotFoundHandler({ preHandler: notFoundPreHandler }, notFound);
  else app.setNotFoundHandler(notFound);
}
