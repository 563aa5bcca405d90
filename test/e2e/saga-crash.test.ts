/**
 * Crash recovery of the revocation saga (R-REV-3): the service runs as a real process, is killed
 * with SIGKILL at each named step of a revocation (REALNAME_FAULT_KILL_AT, dev mode only), and is
 * started again on the same store. Once the lease of the dead run has passed, the sweep resumes the
 * saga and it ends as it must: revoked with every participant committed and each app told once, or
 * — when an external participant refuses — compensated with every participant aborted and no app
 * told anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { BUILTIN_PARTICIPANTS } from '../../src/adapters/participants/builtin.js';
import { dialects } from '../support/dialects.js';
import { freePort, PROCESS_ADMIN_KEY, processHome, type ProcessHome } from '../support/process.js';

const root = new URL('../..', import.meta.url).pathname;
const ADMIN = PROCESS_ADMIN_KEY;
const BUILTIN = Object.keys(BUILTIN_PARTICIPANTS);
const DAY = 86_400_000;

/** A small external participant in this process: accepts, or refuses every prepare. */
let external: Server;
let externalUrl = '';
let refuse = false;

interface Proc {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

describe.each(dialects().map((d) => d.name))('revocation saga crash recovery on %s', (dialect) => {
  let home: ProcessHome;
  let seq = 0;

  function env(killAt: string | null, port: number): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      ...home.env({
        REALNAME_SAGA_LEASE_MS: '5000',
        REALNAME_HTTP_PARTICIPANTS: `credit_bureau=${externalUrl}`,
        ...(killAt ? { REALNAME_FAULT_KILL_AT: killAt } : {}),
      }),
    };
  }

  async function start(killAt: string | null): Promise<Proc> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./src/adapters/cli/index.ts').then((m) => m.runCli(process.argv.slice(1)))",
        '--',
        'serve',
      ],
      { cwd: root, env: env(killAt, port), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) return { child, base, exited, stderr: () => err };
      } catch {
        /* not listening yet */
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`the service did not start: ${err}`);
  }

  async function call(
    p: Proc,
    method: string,
    path: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any route
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${p.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** A revocable account with 2 grants, through the API of the running process. */
  async function revocable(p: Proc): Promise<string> {
    const id = `acc_crash_${++seq}`;
    const now = Date.now();
    expect(
      (await call(p, 'POST', '/v1/accounts', { id, region: 'CN', phone: '+86 13812345678' })).status,
    ).toBe(201);
    const bound = await call(p, 'POST', `/v1/accounts/${id}/identity`, {
      name: '张三',
      documentType: 'cn_id',
      documentNumber: demoIdNumber(900 + seq),
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    await call(p, 'PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      platform: 'android',
      osVersion: '14',
      primary: true,
      addedAt: now - 400 * DAY,
    });
    for (const app of ['app_a', 'app_b'])
      await call(p, 'PUT', `/v1/accounts/${id}/grants/${app}`, {
        appName: app,
        developerId: 'dev_1',
        active: true,
        grantedAt: now - DAY,
      });
    return id;
  }

  /** Request and verify the step-up code (R-REV-2), then start the revocation: the process may die while answering. */
  async function startRevocation(p: Proc, id: string): Promise<void> {
    const req = await call(p, 'POST', `/v1/accounts/${id}/verifications`, { purpose: 'realname.revoke' });
    const sms = await call(p, 'GET', `/v1/dev/sms/${id}`);
    const code = sms.body.messages[0].code as string;
    await call(p, 'POST', `/v1/accounts/${id}/verifications/${req.body.challengeId}/verify`, { code });
    try {
      await call(p, 'POST', `/v1/accounts/${id}/operations/realname-revoke`, {
        deviceId: 'dev_primary',
        evidence: [{ kind: 'sms_code', ref: req.body.challengeId }],
      });
    } catch {
      /* killed before it answered: the start committed or not, the restart tells */
    }
  }

  beforeAll(async () => {
    external = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if ((req.url ?? '').endsWith('/prepare') && refuse) return res.writeHead(409).end('no');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
    externalUrl = `http://127.0.0.1:${(external.address() as AddressInfo).port}/rn`;
    home = await processHome(dialect);
  });
  afterAll(async () => {
    await new Promise((r) => external?.close(r));
    await home?.remove();
  });

  async function crashThenRecover(point: string, refusing: boolean) {
    refuse = refusing;
    const first = await start(point);
    const id = await revocable(first);
    await startRevocation(first, id);
    const code = await Promise.race([
      first.exited,
      new Promise<string>((r) => setTimeout(() => r('still running'), 30_000)),
    ]);
    if (code === 'still running') first.child.kill('SIGKILL');
    expect(code, `the process should have been killed at ${point}; ${first.stderr()}`).toBeNull();

    const ops = await home.query<{ id: string; state: string }>(
      "select id, state from operations where account_id = ? and kind = 'realname.revoke'",
      [id],
    );
    expect(ops).toHaveLength(1);
    const opId = ops[0]!.id;

    const second = await start(null);
    try {
      // The dead run's lease must pass before another run may take the saga over.
      await call(second, 'POST', '/v1/dev/clock', { advance: 'PT10S' });
      let op: {
        state: string;
        timeline: { event: string }[];
        saga: { participant: string; phase: string }[];
      } | null = null;
      for (let i = 0; i < 200; i++) {
        op = (await call(second, 'GET', `/v1/accounts/${id}/operations/${opId}`)).body;
        if (op && (op.state === 'revoked' || op.state === 'compensated')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const want = refusing ? 'compensated' : 'revoked';
      expect(op?.state, second.stderr()).toBe(want);
      const phase = refusing ? 'aborted' : 'committed';
      expect(op!.saga.map((x) => [x.participant, x.phase]).sort()).toEqual(
        [...BUILTIN, 'credit_bureau'].map((n) => [n, phase]).sort(),
      );
      // each transition once, whatever was replayed
      const events = op!.timeline.map((t) => t.event);
      expect(events).toEqual(
        refusing
          ? ['started', 'suspend_grants', 'abort', 'compensate']
          : ['started', 'suspend_grants', 'decide_commit', 'commit'],
      );
      const ledger = await home.query<{ participant: string; phase: string }>(
        'select participant, phase from participant_ledger where operation_id = ?',
        [opId],
      );
      expect(Object.fromEntries(ledger.map((r) => [r.participant, r.phase]))).toEqual(
        Object.fromEntries(BUILTIN.map((n) => [n, phase])),
      );
      const notices = await home.query<{ key: string }>(
        "select key from outbox where account_id = ? and topic = 'secevent'",
        [id],
      );
      expect(notices).toHaveLength(refusing ? 0 : 2);
      const account = (await call(second, 'GET', `/v1/accounts/${id}`)).body;
      expect(account.identity.status).toBe(refusing ? 'verified' : 'revoked');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }

  const COMMIT_POINTS = [
    'saga:started',
    'saga:prepared:payment',
    'saga:prepared:credit_reporting',
    'saga:decided',
    'saga:committed:payment',
    'saga:committed:credit_bureau',
    'saga:revoked',
  ];
  it.each(COMMIT_POINTS)(
    'R-REV-3 killed at %s: the restarted service finishes the revocation',
    async (point) => {
      await crashThenRecover(point, false);
    },
  );

  const ABORT_POINTS = [
    'saga:decided',
    'saga:aborted:payment',
    'saga:aborted:credit_bureau',
    'saga:compensated',
  ];
  it.each(ABORT_POINTS)(
    'R-REV-3 killed at %s while compensating a refusal: the restarted service finishes the compensation',
    async (point) => {
      await crashThenRecover(point, true);
    },
  );
});
