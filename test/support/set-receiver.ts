/**
 * A third-party app's RFC 8935 receiver, for real, on loopback: it verifies each pushed Security
 * Event Token against the service's published JWKS (jose `createRemoteJWKSet` + `jwtVerify` with
 * `typ: secevent+jwt`, the issuer, and the app id of its path as audience) and answers 202. It can
 * be told to misbehave as receivers do: answer 503 after reading the token, refuse with an RFC 8935
 * error body, or be down (the port closed: connection refused).
 *
 * It is the fake of something outside the system, behind the real interface (HTTP).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { listenLoopback, readBody } from './loopback.js';

export type ReceiverMode = 'up' | 'unavailable' | { err: string; status?: number };

export interface Receipt {
  appId: string;
  jwt: string;
  kid: string | undefined;
  claims: JWTPayload & Record<string, unknown>;
}

export interface SetReceiver {
  /** `http://127.0.0.1:<port>/events/<appId>` */
  url(appId: string): string;
  /** How the receiver answers, per app (default `up`). */
  mode(appId: string, mode: ReceiverMode): void;
  /** Every token the receiver read and verified, including those it answered with an error. */
  readonly seen: Receipt[];
  /** Tokens it accepted (202). */
  readonly accepted: Receipt[];
  /** POSTs that failed verification or were not SETs. */
  readonly rejected: { appId: string; reason: string }[];
  /** Close the port (connection refused) until `start`. */
  down(): Promise<void>;
  start(): Promise<void>;
  /** Verify a token against the service's JWKS as it is now (a fresh fetch). */
  verify(jwt: string, appId: string): Promise<Receipt>;
  close(): Promise<void>;
}

/**
 * Tokens by `jti`, each copy as its claims with `iat` zeroed: a redelivery is signed anew, so
 * copies of one event may differ in `iat` only (a receiver deduplicates them by `jti`, R-NOTIFY-1).
 * @example for (const copies of copiesByJti(receiver.accepted).values()) expect(new Set(copies).size).toBe(1);
 */
export function copiesByJti(receipts: readonly Receipt[]): Map<string, string[]> {
  const byJti = new Map<string, string[]>();
  for (const r of receipts) {
    const jti = String(r.claims.jti);
    (byJti.get(jti) ?? byJti.set(jti, []).get(jti)!).push(JSON.stringify({ ...r.claims, iat: 0 }));
  }
  return byJti;
}

export async function startReceiver(opts: { jwksUrl: string; issuer: string }): Promise<SetReceiver> {
  // cooldown 0: after a key rotation an unknown kid makes it fetch the JWKS again at once. A long
  // timeout: a loaded test machine must not turn a slow JWKS fetch into a refused event.
  const remoteJwks = () =>
    createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 0, timeoutDuration: 30_000 });
  const jwks = remoteJwks();
  const modes = new Map<string, ReceiverMode>();
  const seen: Receipt[] = [];
  const accepted: Receipt[] = [];
  const rejected: { appId: string; reason: string }[] = [];

  async function verifyWith(keySet: typeof jwks, jwt: string, appId: string): Promise<Receipt> {
    const { payload, protectedHeader } = await jwtVerify(jwt, keySet, {
      typ: 'secevent+jwt',
      issuer: opts.issuer,
      audience: appId,
      algorithms: ['ES256'],
    });
    return { appId, jwt, kid: protectedHeader.kid, claims: payload };
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const appId = decodeURIComponent((req.url ?? '').replace(/^\/events\//, ''));
      const send = (status: number, json?: object) => {
        res.writeHead(status, json ? { 'content-type': 'application/json' } : {});
        res.end(json ? JSON.stringify(json) : undefined);
      };
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/secevent+jwt') {
        rejected.push({ appId, reason: `${req.method} ${String(req.headers['content-type'])}` });
        return send(400, { err: 'invalid_request', description: 'not a SET' });
      }
      const jwt = await readBody(req);
      let receipt: Receipt;
      try {
        decodeProtectedHeader(jwt);
        receipt = await verifyWith(jwks, jwt, appId);
      } catch (error) {
        rejected.push({ appId, reason: (error as Error).message });
        return send(400, { err: 'invalid_key', description: (error as Error).message });
      }
      seen.push(receipt);
      const mode = modes.get(appId) ?? 'up';
      if (mode === 'unavailable') return send(503);
      if (typeof mode === 'object')
        return send(mode.status ?? 400, { err: mode.err, description: 'refused' });
      accepted.push(receipt);
      return send(202);
    })();
  };

  const server = await listenLoopback(handler);

  return {
    url: (appId) => `http://127.0.0.1:${server.port}/events/${encodeURIComponent(appId)}`,
    mode: (appId, mode) => void modes.set(appId, mode),
    seen,
    accepted,
    rejected,
    down: () => server.down(),
    start: () => server.up(),
    verify: (jwt, appId) => verifyWith(remoteJwks(), jwt, appId),
    close: () => server.close(),
  };
}
