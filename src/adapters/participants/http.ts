/**
 * A participant of the revocation saga that is an external service (R-REV-3), reached over HTTP:
 * `POST {url}/prepare`, `POST {url}/commit`, `POST {url}/abort`, each with a JSON body
 * `{ operationId, accountId, region, minor, at, prepared? }`, the operation id as the idempotency key
 * (`Idempotency-Key: <operationId>:<phase>`), and a signature over the timestamp and body:
 *
 *   X-Realname-Timestamp: <epoch seconds>
 *   X-Realname-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * A 2xx answers yes (prepare's JSON body, if any, is what commit and abort get back); 409 or 422 to a
 * prepare is a refusal; anything else, or no answer within the timeout, is a failure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Participant, RevocationCall } from '../../core/ports.js';

export interface HttpParticipantOptions {
  name: string;
  /** Base URL; the phases are appended (`/prepare`, `/commit`, `/abort`). */
  url: string;
  /** Shared secret for the request signature. */
  secret: string;
  /** The fetch to use (the global one by default). */
  fetch?: typeof fetch;
}

/** The signature header value for a body sent at `timestamp` (seconds). */
export function signParticipantRequest(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Check a request's signature, for services implementing the participant side (and the tests).
 * `toleranceSeconds` bounds replays.
 */
export function verifyParticipantRequest(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds || !headers.signature)
    return false;
  const expected = Buffer.from(signParticipantRequest(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** @example httpParticipant({ name: 'credit_bureau', url: 'https://bureau.example/realname', secret }) */
export function httpParticipant(options: HttpParticipantOptions): Participant {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');

  async function post(
    phase: 'prepare' | 'commit' | 'abort',
    call: RevocationCall,
    prepared: Record<string, unknown> | null,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const body = JSON.stringify({
      operationId: call.operationId,
      accountId: call.accountId,
      region: call.region,
      minor: call.minor,
      at: call.at,
      ...(phase === 'prepare' ? {} : { prepared }),
    });
    // The wall clock here is the transport's (signature freshness), not a domain decision.
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await doFetch(`${base}/${phase}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'idempotency-key': `${call.operationId}:${phase}`,
        'x-realname-timestamp': String(timestamp),
        'x-realname-signature': signParticipantRequest(options.secret, timestamp, body),
      },
      body,
      signal,
    });
    const text = await res.text();
    if (res.ok) {
      if (!text) return {};
      try {
        const parsed = JSON.parse(text) as unknown;
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : {};
      } catch {
        return {};
      }
    }
    const detail = text.slice(0, 200).replace(/\s+/g, ' ');
    if (phase === 'prepare' && (res.status === 409 || res.status === 422))
      throw new Error(`refused (${res.status})${detail ? `: ${detail}` : ''}`);
    throw new Error(`HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
  }

  return {
    name: options.name,
    prepare: (call, signal) => post('prepare', call, null, signal),
    commit: async (call, prepared, signal) => {
      await post('commit', call, prepared, signal);
    },
    abort: async (call, prepared, signal) => {
      await post('abort', call, prepared, signal);
    },
  };
}

/**
 * Parse `REALNAME_HTTP_PARTICIPANTS`: `name=url` pairs separated by commas.
 * @example parseHttpParticipants('credit_bureau=https://bureau.example/realname') // [{ name: 'credit_bureau', url: '…' }]
 */
export function parseHttpParticipants(value: string | undefined): { name: string; url: string }[] {
  if (!value?.trim()) return [];
  return value.split(',').map((pair) => {
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    const url = pair.slice(i + 1).trim();
    if (i < 1 || !/^[a-z][a-z0-9_]*$/.test(name))
      throw new Error(`REALNAME_HTTP_PARTICIPANTS: "${pair}" is not name=url (name: lower case, digits, _)`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`REALNAME_HTTP_PARTICIPANTS: the URL of "${name}" is not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new Error(`REALNAME_HTTP_PARTICIPANTS: the URL of "${name}" must be http(s): ${url}`);
    return { name, url };
  });
}
