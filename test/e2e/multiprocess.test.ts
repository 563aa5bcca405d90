/**
 * Several Realname processes on one PostgreSQL (issue 8 scale-out): real `realname serve
 * --no-worker` and `realname worker` processes (the CLI through tsx, as an operator runs it) share
 * one schema, and
 * - every due timer fires exactly once and every security event of the outbox reaches its app
 *   exactly once while three workers race for them (R-DEL-4, R-NOTIFY-1);
 * - the counting limits stay exact across processes: 100 parallel credit-card unbinds spread over
 *   three API processes, exactly 3 succeed (R-CARD-2, R-CARD-5).
 *
 * PostgreSQL only (DIALECTS=…,postgres): that is the store several processes share. The facts are
 * set up through an in-process service on the same schema, whose clock the test sets; the spawned
 * processes keep their own clocks (the workers the real one, the API processes the dev clock, set
 * over HTTP).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { DAY_MS } from '../../src/core/clock.js';
import { SECEVENT_TOPIC } from '../../src/core/security-events.js';
import { realnameArgv } from '../support/cli.js';
import { dialects } from '../support/dialects.js';
import { freePort, httpCall, ROOT, stopChild } from '../support/process.js';
import {
  ADMIN_KEY,
  homeEnv,
  startService,
  T0,
  verifiedCode,
  type Service,
  type ServiceHome,
} from '../support/service.js';
import { startReceiver, type SetReceiver } from '../support/set-receiver.js';

const ISSUER = 'https://realname.test';
const API_PROCESSES = 3;
const WORKERS = 3;

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
}

/** `realname <args>` as a process through tsx (no build needed), ready once `ready` is printed. */
async function spawnRealname(env: Record<string, string>, args: string[], ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, realnameArgv(...args), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: 'pipe',
  });
  const p: Proc = { child, out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (p.err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (ready.test(p.out)) resolve();
      else if (child.exitCode !== null) reject(new Error(`realname ${args[0]} exited: ${p.err}`));
      else setTimeout(check, 50);
    };
    check();
  });
  return p;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.runIf(dialects().some((d) => d.name === 'postgres'))('several processes on one PostgreSQL', () => {
  let s: Service & { home: ServiceHome };
  let receiver: SetReceiver;
  const apis: { proc: Proc; url: string }[] = [];
  const workers: Proc[] = [];

  beforeAll(async () => {
    s = await startService('postgres', { REALNAME_ISSUER: ISSUER });
    const env = {
      ...homeEnv(s.home),
      REALNAME_ADMIN_KEY: ADMIN_KEY,
      REALNAME_ISSUER: ISSUER,
      REALNAME_LOG_LEVEL: 'warn',
      REALNAME_DB_POOL: '4',
    };
    const ports = await Promise.all(Array.from({ length: API_PROCESSES }, freePort));
    const [started, sweeping] = await Promise.all([
      Promise.all(
        ports.map((port) =>
          spawnRealname(
            { ...env, REALNAME_DEV_CLOCK: '1' },
            ['serve', '--no-worker', '--port', String(port)],
            /listening on/,
          ),
        ),
      ),
      // The workers run on the real clock: the timers below fall due in real time.
      Promise.all(
        Array.from({ length: WORKERS }, () =>
          spawnRealname(env, ['worker', '--interval', '100'], /timer worker running/),
        ),
      ),
    ]);
    started.forEach((proc, i) => apis.push({ proc, url: `http://127.0.0.1:${ports[i]!}` }));
    workers.push(...sweeping);
    receiver = await startReceiver({ jwksUrl: `${apis[0]!.url}/.well-known/jwks.json`, issuer: ISSUER });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...apis.map((a) => a.proc), ...workers].map((p) => stopChild(p.child)));
    await receiver?.close();
    await s?.stop();
  }, 30_000);

  it('R-DEL-4 R-NOTIFY-1 three workers race for due purges: each timer fires once, each security event reaches its app once', async () => {
    const apps = ['app_mp_a', 'app_mp_b'];
    for (const appId of apps) {
      const r = await s.call('POST', '/v1/apps', {
        body: {
          appId,
          name: appId,
          developerId: 'dev_mp',
          receiverUrl: receiver.url(appId),
          subIdFormat: 'opaque',
        },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // Deletions whose 60-day cooling-off (R-DEL-2) ends two seconds from now, in real time: the
    // workers are already sweeping every 100 ms when they fall due, all at once.
    s.clock.set(Date.now() - 60 * DAY_MS + 2_000);
    const ops: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = `acc_mp_del_${i}`;
      expect(
        (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13912345678' } }))
          .status,
      ).toBe(201);
      const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
        body: { name: '欧阳娜娜', documentType: 'cn_id', documentNumber: demoIdNumber(900 + i, '19880808') },
      });
      expect(bound.status).toBe(201);
      for (const appId of apps) {
        const g = await s.call('PUT', `/v1/accounts/${id}/grants/${appId}`, {
          body: { appName: appId, developerId: 'dev_mp', active: true, grantedAt: s.clock.now() },
        });
        expect(g.status).toBe(200);
      }
      const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
        body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      ops.push(r.body.id as string);
    }

    const db = s.rn.store.db;
    await until('every purge fired', async () => {
      const open = await db
        .selectFrom('operations')
        .select('id')
        .where('id', 'in', ops)
        .where('outcome', 'is', null)
        .execute();
      return open.length === 0;
    });
    const secevents = () =>
      db
        .selectFrom('outbox')
        .select(['key', 'delivered_at', 'attempts'])
        .where('topic', '=', SECEVENT_TOPIC)
        .execute();
    await until('every security event delivered', async () =>
      (await secevents()).every((e) => e.delivered_at !== null),
    );

    // Each timer fired once: one purge transition and one purge audit record per operation.
    for (const op of ops) {
      const moves = await db
        .selectFrom('operation_timeline')
        .select('event')
        .where('operation_id', '=', op)
        .where('event', '=', 'purge')
        .execute();
      expect(moves, op).toHaveLength(1);
      const audits = await db
        .selectFrom('audit')
        .select('seq')
        .where('operation_id', '=', op)
        .where('action', '=', 'account.purged')
        .execute();
      expect(audits, op).toHaveLength(1);
      expect(await s.rn.store.operation(op), op).toMatchObject({ state: 'purged', outcome: 'completed' });
    }
    // Each event once: per account and app one "disabled" (cooling-off started) and one "purged".
    const events = await secevents();
    expect(events).toHaveLength(ops.length * apps.length * 2);
    const received = receiver.accepted.map((r) => r.claims.jti as string);
    expect(receiver.rejected).toEqual([]);
    expect(received.length).toBe(new Set(received).size);
    expect(new Set(received)).toEqual(new Set(events.map((e) => e.key)));
    // And the chain the racing writers appended to is whole.
    expect((await s.call('GET', '/v1/audit/verify')).body).toMatchObject({ ok: true });
  }, 150_000);

  it('R-CARD-2 R-CARD-5 100 parallel credit-card unbinds spread over three API processes: exactly 3 succeed', async () => {
    s.clock.set(T0);
    for (const a of apis) {
      const r = await httpCall(a.url, 'POST', '/v1/dev/clock', {
        key: ADMIN_KEY,
        body: { set: new Date(T0).toISOString() },
      });
      expect(r.status).toBe(200);
    }
    const id = 'acc_mp_cards';
    expect(
      (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } })).status,
    ).toBe(201);
    expect(
      (
        await s.call('POST', `/v1/accounts/${id}/identity`, {
          body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(990) },
        })
      ).status,
    ).toBe(201);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      body: { platform: 'android', osVersion: '14', primary: true, addedAt: T0 - 400 * DAY_MS },
    });
    const N = 100;
    const codes: string[] = [];
    for (let i = 0; i < N; i++) {
      const put = await s.call('PUT', `/v1/accounts/${id}/cards/c${i}`, {
        body: { type: 'credit', last4: '1234', bank: 'ICBC', reservedPhoneMasked: '138****5678', boundAt: 0 },
      });
      expect(put.status).toBeLessThan(300);
      codes.push(await verifiedCode(s, id, 'card.unbind', `c${i}`));
    }
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        httpCall(apis[i % apis.length]!.url, 'POST', `/v1/accounts/${id}/operations/card-unbind`, {
          key: ADMIN_KEY,
          body: { cardId: `c${i}`, evidence: [{ kind: 'reserved_phone_code', ref: codes[i]! }] },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 422);
    expect(refused).toHaveLength(N - 3);
    for (const r of refused)
      expect(r.body.blockers?.map((b: { code: string }) => b.code)).toEqual(['CREDIT_CARD_DAILY_LIMIT']);
    const facts = await s.rn.store.facts(id);
    expect(facts?.cards).toHaveLength(N - 3);
    expect(facts?.history.cardUnbinds).toHaveLength(3);
  }, 120_000);
});
