/**
 * Idempotency-Key (SPEC §4): a mutating request sent again with the same key gets the first result
 * and does not act twice.
 *
 * The key is claimed in the store before the handler runs and completed with the response before the
 * response leaves, so a retry either replays that response, or is told the first attempt is still
 * running (409 + Retry-After), or — when the first attempt failed on our side (≥ 500), or its process
 * died before answering and the claim's lease ran out — runs again.
 * The claim is the store's atomic insert, which is what makes twenty concurrent replays run the
 * handler once.
 */
import { canonicalJson } from '../../core/policy/index.js';
import { createHash } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

import type { Clock } from '../../core/clock.js';
import { DomainError } from '../../core/errors/index.js';
import type { Store } from '../../core/ports.js';
import { FieldValidationError, PROBLEM_CONTENT_TYPE } from './errors.js';

/** The methods whose requests may carry an Idempotency-Key. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** 1–255 visible ASCII characters (no spaces, no control characters). */
const KEY_RE = /^[\x21-\x7E]{1,255}$/;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The fingerprint a key is bound to: sha256 (hex) of method, URL (path and query) and canonical body.
 *
 * @example
 * requestHash('POST', '/v1/accounts', { id: 'a1' })
 */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${url}\n${body === undefined ? '' : canonicalJson(body)}`, 'utf8')
    .digest('hex');
}

/** Options of {@link registerIdempotency}. */
export interface IdempotencyOptions {
  store: Pick<Store, 'claimIdempotency' | 'completeIdempotency' | 'releaseIdempotency'>;
  clock: Clock;
  /**
   * How long a claim still in progress is honoured (default 60 s, longer than any request runs):
   * after it, the claim is taken as abandoned by a process that died before answering, and a retry
   * runs the request again instead of being told IDEMPOTENCY_IN_PROGRESS for ever.
   */
  leaseMs?: number;
}

/** {@link IdempotencyOptions.leaseMs} by default. */
export const IDEMPOTENCY_LEASE_MS = 60_000;

interface Claim {
  scope: string;
  key: string;
  /** Completed or released already: onSend and onResponse must not both act. */
  settled: boolean;
}

type Hook<F> = F | F[] | undefined;
function append<F>(hooks: Hook<F>, hook: F): F[] {
  if (hooks === undefined) return [hook];
  return Array.isArray(hooks) ? [...hooks, hook] : [hooks, hook];
}

/**
 * Make every POST/PUT/PATCH/DELETE route registered after this call honour `Idempotency-Key`.
 *
 * The hooks are appended to each route's own hooks (through `onRoute`) rather than added globally, so
 * they run after the route's `requireScope` preHandler: the key is scoped to the authenticated key
 * id, and a request refused for want of credentials never claims a key.
 *
 * @example
 * registerIdempotency(app, { store, clock });
 */
export function registerIdempotency(app: FastifyInstance, opts: IdempotencyOptions): void {
  const { store, clock } = opts;
  const leaseMs = opts.leaseMs ?? IDEMPOTENCY_LEASE_MS;
  const claims = new WeakMap<FastifyRequest, Claim>();

  /**
   * Settle a claim (record the answer, or release the key) — and when the store is away (a database
   * restart), keep trying in the background, with backoff, for as long as the claim's lease: a client
   * that retries once the store is back gets its answer, or runs again, instead of
   * IDEMPOTENCY_IN_PROGRESS until the lease ends (found by the reliability suite). The timers pace
   * retries only and do not keep the process alive.
   */
  const settle = async (request: FastifyRequest, claim: Claim, write: () => Promise<void>, what: string) => {
    try {
      await write();
    } catch (err) {
      request.log.error({ err, idempotencyKey: claim.key }, `could not ${what}; retrying in the background`);
      const until = performance.now() + leaseMs;
      let delay = 250;
      const again = () => {
        write().catch((e: unknown) => {
          if (performance.now() + delay > until)
            return request.log.error({ err: e, idempotencyKey: claim.key }, `gave up trying to ${what}`);
          setTimeout(again, delay).unref();
          delay = Math.min(delay * 2, 5_000);
        });
      };
      setTimeout(again, delay).unref();
    }
  };

  const preHandler = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const key = request.headers['idempotency-key'];
    if (key === undefined) return undefined;
    // A repeated header arrives joined with ", ", which the pattern refuses as well.
    if (typeof key !== 'string' || !KEY_RE.test(key)) {
      throw new FieldValidationError([
        { path: 'headers.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    // A public route has nobody to scope the key to; mutating routes are never public.
    const principal = request.principal;
    if (principal === null) return undefined;

    const hash = requestHash(request.method, request.url, request.body);
    const now = clock.now();
    const existing = await store.claimIdempotency({
      scope: principal.keyId,
      key,
      requestHash: hash,
      createdAt: now,
      staleBefore: now - leaseMs,
    });
    if (existing === null) {
      claims.set(request, { scope: principal.keyId, key, settled: false });
      return undefined;
    }
    if (existing.requestHash !== hash) throw new DomainError('IDEMPOTENCY_KEY_REUSED');
    if (existing.status !== 'done' || existing.response === null) {
      reply.header('retry-after', '1');
      throw new DomainError('IDEMPOTENCY_IN_PROGRESS');
    }
    // The store keeps status and body only; every body we write is JSON, and problem+json from 400 on.
    const { status, body } = existing.response;
    reply.code(status).header('idempotent-replayed', 'true');
    if (body === '') return reply.send();
    return reply.type(status >= 400 ? PROBLEM_CONTENT_TYPE : JSON_CONTENT_TYPE).send(body);
  };

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const claim = claims.get(request);
    if (claim === undefined || claim.settled) return payload;
    claim.settled = true;
    const status = reply.statusCode;
    const body =
      typeof payload === 'string'
        ? payload
        : Buffer.isBuffer(payload)
          ? payload.toString('utf8')
          : payload === null || payload === undefined
            ? ''
            : null;
    // A failure on our side is not "the result": release the key so that a retry runs again. A
    // streamed body cannot be stored, so it is not replayable either. Either way the client gets its
    // real response now.
    if (status >= 500 || body === null)
      await settle(
        request,
        claim,
        () => store.releaseIdempotency(claim.scope, claim.key),
        'release the idempotency key',
      );
    else
      await settle(
        request,
        claim,
        () => store.completeIdempotency(claim.scope, claim.key, { status, body }),
        'record the idempotent response',
      );
    return payload;
  };

  const onResponse = async (request: FastifyRequest): Promise<void> => {
    // onSend did not run (hijacked reply, socket gone): do not leave the key in progress forever.
    const claim = claims.get(request);
    if (claim === undefined || claim.settled) return;
    claim.settled = true;
    await settle(
      request,
      claim,
      () => store.releaseIdempotency(claim.scope, claim.key),
      'release the idempotency key',
    );
  };

  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => m.toUpperCase());
    if (!methods.some((m) => MUTATING_METHODS.has(m))) return;
    route.preHandler = append(route.preHandler, preHandler);
    route.onSend = append(route.onSend, onSend);
    route.onResponse = append(route.onResponse, onResponse);
  });
}
