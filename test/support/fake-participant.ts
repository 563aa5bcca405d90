/**
 * An external participant of the revocation saga (R-REV-3), for real, on loopback, behind the HTTP
 * participant protocol Realname speaks (src/adapters/participants/http.ts): `POST {url}/prepare|
 * commit|abort`, signed with HMAC-SHA256 over "<timestamp>.<body>". It keeps a record per operation
 * as a real downstream store would — prepared, committed or aborted — and enforces the protocol: a
 * prepare after an abort is refused (a slow prepare cannot hold an identity), a commit needs a
 * prepare, nothing moves back from a decision. Anything else is recorded as a violation.
 *
 * Its behaviour is set per call (`behave`): answer normally, refuse a prepare (409), fail (500),
 * answer slowly, or hang past the caller's timeout — the faults of a flaky third party.
 *
 * It is the fake of something outside the system, behind the real interface (HTTP).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readBody } from './loopback.js';
import { verifyParticipantRequest } from '../../src/adapters/participants/http.js';

export type Phase = 'prepare' | 'commit' | 'abort';

/** What to do with one call: `ok` (apply), `refuse` (409, prepare only), `fail` (500), a delay then ok, or hang. */
export type Behaviour = 'ok' | 'refuse' | 'fail' | { delayMs: number } | 'hang';

export interface ParticipantCall {
  phase: Phase;
  operationId: string;
  accountId: string;
  idempotencyKey: string;
  signatureValid: boolean;
  status: number;
}

export interface FakeParticipant {
  name: string;
  /** The base URL to configure (`name=url` in REALNAME_HTTP_PARTICIPANTS). */
  url: string;
  /** Decide the behaviour of each call (default: always `ok`). */
  behave(fn: (phase: Phase, body: { operationId: string; accountId: string }) => Behaviour): void;
  /** The record per operation: its current phase. */
  readonly records: Map<string, 'prepared' | 'committed' | 'aborted'>;
  readonly calls: ParticipantCall[];
  /** Protocol violations seen (bad signature, commit without prepare, abort after commit, …). */
  readonly violations: string[];
  /** Close the port (connection refused) until `up`; the records stay, as a real store's would. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** @example const bureau = await startFakeParticipant('credit_bureau', SECRET); */
export async function startFakeParticipant(name: string, secret: string): Promise<FakeParticipant> {
  const records = new Map<string, 'prepared' | 'committed' | 'aborted'>();
  const calls: ParticipantCall[] = [];
  const violations: string[] = [];
  let decide: (phase: Phase, body: { operationId: string; accountId: string }) => Behaviour = () => 'ok';
  const hanging = new Set<ServerResponse>();

  /** Apply a call to the record; the HTTP status of the answer. */
  function apply(phase: Phase, op: string): number {
    const now = records.get(op);
    if (phase === 'prepare') {
      if (now === 'aborted') return 409; // too late: the revocation was aborted meanwhile
      if (now === undefined) records.set(op, 'prepared');
      return 200;
    }
    if (phase === 'commit') {
      if (now === 'prepared' || now === 'committed') {
        records.set(op, 'committed');
        return 200;
      }
      violations.push(`${name}: commit of ${op} while ${now ?? 'never prepared'}`);
      return 409;
    }
    if (now === 'committed') {
      violations.push(`${name}: abort of ${op} after its commit`);
      return 409;
    }
    records.set(op, 'aborted');
    return 200;
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const text = await readBody(req);
      const phase = (req.url ?? '').split('/').pop() as Phase;
      let body: { operationId: string; accountId: string };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        violations.push(`${name}: a body that is not JSON`);
        return res.writeHead(400).end();
      }
      const signatureValid = verifyParticipantRequest(
        secret,
        {
          timestamp: req.headers['x-realname-timestamp'] as string | undefined,
          signature: req.headers['x-realname-signature'] as string | undefined,
        },
        text,
        Math.floor(Date.now() / 1000),
      );
      const idempotencyKey = String(req.headers['idempotency-key']);
      const record = (status: number) =>
        calls.push({
          phase,
          operationId: body.operationId,
          accountId: body.accountId,
          idempotencyKey,
          signatureValid,
          status,
        });
      if (!signatureValid) {
        violations.push(`${name}: a ${phase} with a bad signature`);
        record(401);
        return res.writeHead(401).end();
      }
      if (idempotencyKey !== `${body.operationId}:${phase}`)
        violations.push(`${name}: idempotency key ${idempotencyKey}`);
      const behaviour = decide(phase, body);
      if (behaviour === 'hang') {
        // Never answered; the socket is closed with the server.
        hanging.add(res);
        record(0);
        return;
      }
      if (behaviour === 'fail') {
        record(500);
        return res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      }
      if (behaviour === 'refuse' && phase === 'prepare') {
        record(409);
        return res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"open dispute"}');
      }
      if (typeof behaviour === 'object') await new Promise((r) => setTimeout(r, behaviour.delayMs));
      // Applied when the answer is written: a slow prepare that arrives after the abort is refused.
      const status = apply(phase, body.operationId);
      record(status);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        phase === 'prepare' && status === 200
          ? JSON.stringify({ reservation: `${name}:${body.operationId}` })
          : '{}',
      );
    })();
  };
  const server = await listenLoopback(handler, () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  });
  return {
    name,
    url: `http://127.0.0.1:${server.port}/${name}`,
    behave: (fn) => void (decide = fn),
    records,
    calls,
    violations,
    down: () => server.down(),
    up: () => server.up(),
    close: () => server.close(),
  };
}
