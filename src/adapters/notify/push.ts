/**
 * Push delivery of Security Event Tokens (R-NOTIFY-1, RFC 8935): a relay takes due `secevent`
 * events from the outbox, signs each as a SET for its app (issuer, audience and subject format
 * resolved now, from the apps table), POSTs it to the app's receiver and records the outcome.
 *
 * - Delivered: any 2xx (RFC 8935 answers 202; 200 and 204 are taken as well).
 * - Retried with exponential backoff and jitter (base · 2^(n-1), capped, then between half and all
 *   of it; a longer `Retry-After` is honoured): network errors and timeouts, 408, 425, 429, 5xx, and
 *   a 400 `invalid_key` — the receiver may hold a JWKS cached from before a key rotation, and will
 *   fetch it again.
 * - Dead-lettered at once (an admin fixes the cause, then retries it): the other 400 errors of RFC
 *   8935 §2.3 (`invalid_request`, `invalid_issuer`, `invalid_audience`, `authentication_failed`,
 *   `access_denied`, or an unreadable error body), 401, 403, any other 4xx, a redirect (not followed:
 *   the registered URL is the receiver), an app without a receiver URL, a payload that is not a
 *   notice. And after the last allowed attempt.
 *
 * Several relays (processes) may run at once: a claim pushes the events' next attempt to the end of
 * a lease in the same transaction (SKIP LOCKED on PostgreSQL), so one event is in one relay's hands
 * at a time; a relay that dies leaves its events due again when the lease ends. A receiver still
 * sees an event twice when an answer is lost (it deduplicates by `jti`, RFC 8935 §2.1).
 *
 * Time for backoff is the injected clock (tests move it); the HTTP timeout is real time.
 */
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import type { NotifyStore, StoredOutboxEvent } from '../../core/ports.js';
import {
  noReceiverError,
  parseNoticePayload,
  SECEVENT_TOPIC,
  SET_CONTENT_TYPE,
  setClaims,
} from '../../core/security-events.js';
import type { SigningKeys, SetSigner } from './keys.js';

export interface Backoff {
  /** Delay after the first failure. */
  baseMs: number;
  /** Longest delay between two attempts. */
  maxMs: number;
  /** Attempts before an event is dead-lettered. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 10_000, maxMs: 6 * 3_600_000, maxAttempts: 12 };

/**
 * The wait after the `failures`-th failed attempt: base · 2^(failures-1), capped at max, then
 * "equal jitter" (between half and all of it) so that many events failing together spread out.
 *
 * @example
 * backoffDelay(1, { baseMs: 1000, maxMs: 60_000 }, () => 1); // 1000
 * backoffDelay(3, { baseMs: 1000, maxMs: 60_000 }, () => 0); // 2000 (half of 4000)
 */
export function backoffDelay(
  failures: number,
  backoff: Pick<Backoff, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 40)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** RFC 8935 §2.3 error codes that no retry of the same SET can fix. */
const PERMANENT_ERRORS = new Set([
  'invalid_request',
  'invalid_issuer',
  'invalid_audience',
  'authentication_failed',
  'access_denied',
]);

export type DeliveryVerdict =
  | { kind: 'delivered' }
  | { kind: 'retry'; error: string; retryAfterMs: number | null }
  | { kind: 'dead'; error: string };

function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/**
 * What an HTTP answer of a receiver means for the event (see the module comment).
 *
 * @example
 * classifyResponse(202, '', null); // { kind: 'delivered' }
 * classifyResponse(400, '{"err":"invalid_audience"}', null); // { kind: 'dead', error: 'HTTP 400 invalid_audience' }
 */
export function classifyResponse(status: number, body: string, retryAfter: string | null): DeliveryVerdict {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 400) {
    let err = '';
    let description = '';
    try {
      const parsed = JSON.parse(body) as { err?: unknown; description?: unknown };
      err = typeof parsed.err === 'string' ? parsed.err : '';
      description = typeof parsed.description === 'string' ? parsed.description : '';
    } catch {
      /* not the JSON error body of RFC 8935 */
    }
    const error = `HTTP 400 ${err || 'without an RFC 8935 error code'}${description ? `: ${description}` : ''}`;
    if (err === 'invalid_key') return { kind: 'retry', error, retryAfterMs: null };
    return {
      kind: 'dead',
      error: PERMANENT_ERRORS.has(err) || err === '' ? error : `${error} (unknown code)`,
    };
  }
  if (status === 408 || status === 425 || status === 429 || status >= 500)
    return { kind: 'retry', error: `HTTP ${status}`, retryAfterMs: retryAfterMs(retryAfter) };
  if (status >= 300 && status < 400)
    return { kind: 'dead', error: `HTTP ${status}: the receiver redirected (redirects are not followed)` };
  return { kind: 'dead', error: `HTTP ${status}` };
}

export interface PushRelayOptions {
  store: Pick<
    NotifyStore,
    'claimOutbox' | 'app' | 'markOutboxDelivered' | 'recordOutboxFailure' | 'deadLetterOutbox'
  >;
  keys: Pick<SigningKeys, 'signer'>;
  clock: Clock;
  /** The SETs' `iss` (REALNAME_ISSUER). */
  issuer: string;
  backoff?: Backoff;
  /** Per POST (default 10 s). */
  timeoutMs?: number;
  /** How long a claim holds an event (default: 3 timeouts + 30 s). */
  leaseMs?: number;
  /** Events claimed at a time (default 50). */
  batch?: number;
  /** POSTs in flight at once (default 8). */
  concurrency?: number;
  fetch?: typeof fetch;
  random?: () => number;
  /** Prometheus registry for the delivery counters. */
  registry?: Registry;
  log?: { warn(message: string): void };
}

export interface PushResult {
  delivered: number;
  retried: number;
  dead: number;
}

export interface PushRelay {
  /** Deliver every event due now (in batches) and return what happened. */
  runOnce(): Promise<PushResult>;
}

/**
 * @example
 * const relay = createPushRelay({ store: notifyStore, keys, clock, issuer: 'https://realname.example' });
 * await relay.runOnce(); // { delivered: 3, retried: 1, dead: 0 }
 */
export function createPushRelay(options: PushRelayOptions): PushRelay {
  const { store, keys, clock, issuer } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? timeoutMs * 3 + 30_000;
  const batch = options.batch ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const fetchImpl = options.fetch ?? fetch;
  const random = options.random ?? Math.random;
  const counter = options.registry
    ? new Counter({
        name: 'realname_security_events_total',
        help: 'Security Event Token deliveries by outcome (delivered, retried, dead).',
        labelNames: ['outcome'] as const,
        registers: [options.registry],
      })
    : null;

  async function attempt(event: StoredOutboxEvent, signer: SetSigner): Promise<DeliveryVerdict> {
    const payload = parseNoticePayload(event.payload);
    if (!payload) return { kind: 'dead', error: 'not a security event payload' };
    // Resolved at delivery: an app that registers or changes its receiver gets what is still due.
    const app = await store.app(payload.appId);
    if (!app?.receiverUrl)
      return {
        kind: 'dead',
        error: noReceiverError(payload.appId),
      };
    const jwt = await signer.sign(setClaims(payload, { issuer, subIdFormat: app.subIdFormat }));
    let res: Response;
    try {
      res = await fetchImpl(app.receiverUrl, {
        method: 'POST',
        headers: { 'content-type': SET_CONTENT_TYPE, accept: 'application/json' },
        body: jwt,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const why =
        e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
      return { kind: 'retry', error: `network: ${why}`, retryAfterMs: null };
    }
    // Only a 400 carries a body worth reading (RFC 8935 §2.3); at most 4 KiB of it is kept.
    const body = res.status === 400 ? (await res.text().catch(() => '')).slice(0, 4096) : '';
    if (res.status !== 400) await res.body?.cancel().catch(() => undefined);
    return classifyResponse(res.status, body, res.headers.get('retry-after'));
  }

  async function settle(event: StoredOutboxEvent, verdict: DeliveryVerdict, result: PushResult) {
    const now = clock.now();
    if (verdict.kind === 'delivered') {
      await store.markOutboxDelivered(event.id, now);
      result.delivered++;
      counter?.inc({ outcome: 'delivered' });
      return;
    }
    const failures = event.attempts + 1;
    if (verdict.kind === 'retry' && failures < backoff.maxAttempts) {
      const delay = Math.min(
        backoff.maxMs,
        Math.max(backoffDelay(failures, backoff, random), verdict.retryAfterMs ?? 0),
      );
      await store.recordOutboxFailure(event.id, { error: verdict.error, nextAttemptAt: now + delay });
      result.retried++;
      counter?.inc({ outcome: 'retried' });
      return;
    }
    const error =
      verdict.kind === 'retry' ? `gave up after ${failures} attempts; last: ${verdict.error}` : verdict.error;
    await store.deadLetterOutbox(event.id, { error, at: now });
    result.dead++;
    counter?.inc({ outcome: 'dead' });
    options.log?.warn(`security event ${event.key} (outbox ${event.id}) dead-lettered: ${error}`);
  }

  return {
    async runOnce() {
      const result: PushResult = { delivered: 0, retried: 0, dead: 0 };
      for (;;) {
        const now = clock.now();
        const claimed = await store.claimOutbox({
          topic: SECEVENT_TOPIC,
          now,
          leaseUntil: now + leaseMs,
          limit: batch,
        });
        if (claimed.length === 0) return result;
        const signer = await keys.signer();
        const queue = [...claimed];
        const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
          for (let event = queue.shift(); event; event = queue.shift()) {
            let verdict: DeliveryVerdict;
            try {
              verdict = await attempt(event, signer);
            } catch (error) {
              verdict = {
                kind: 'retry',
                error: `relay: ${error instanceof Error ? error.message : String(error)}`,
                retryAfterMs: null,
              };
            }
            await settle(event, verdict, result);
          }
        });
        await Promise.all(workers);
        if (claimed.length < batch) return result;
      }
    },
  };
}
