/**
 * `npm run bench -- revoke`: the revocation saga end to end (R-REV-3) on the embedded store —
 * the start (the account's locked transaction with the preflight), then the saga with its 6
 * built-in participants (each prepare and commit a durable write to its own ledger), the decision
 * and the final transaction that revokes 20 grants and writes 20 notices to the outbox — against
 * `plain-transactions`: the same number of transactions the saga performs (16 per revocation),
 * each a plain account transaction (the account lock, one audit record, one outbox row), in the
 * same run, same store, same concurrency.
 *
 *   ratio = revocations/s ÷ (plain transactions/s ÷ 16)   — target ≥ 0.33 (the saga costs at most 3×)
 *
 * Then the notices: one Security Event Token per app per revocation, signed (ES256) and pushed by the
 * relay (concurrency 8) to 20 receivers on loopback that answer 202 — `events delivered/s` against
 * `plain-http-post`: the same number of POSTs of a body of the same size to the same receivers with
 * the same concurrency, with no outbox, no claim and no signature.
 *
 * On stderr: where the time goes (mean ms per phase, from the saga's own step records).
 * Runs on SQLite and, when reachable, PostgreSQL (one JSON line each, with `dialect`).
 * Knobs: BENCH_REVOKE_ACCOUNTS (default 300), BENCH_REVOKE_CONCURRENCY (default 8),
 * BENCH_REVOKE_DIALECTS (default `sqlite,postgres`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { demoIdNumber } from '../src/adapters/cli/demo.js';
import { DAY_MS } from '../src/core/clock.js';
import { benchDialects, compare, printLines, type Comparison } from './lib.js';
import type { DialectName } from '../test/support/dialects.js';
import { startService, type Service } from '../test/support/service.js';

const ACCOUNTS = Number(process.env.BENCH_REVOKE_ACCOUNTS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_REVOKE_CONCURRENCY ?? 8);
const APPS = 20;
/** Transactions one revocation performs: start, lease, 6 prepares, decision, 6 commits, final. */
const TX_PER_REVOCATION = 16;
const actor = { id: 'platform:bench' };
const say = (msg: string) => console.error(`# ${msg}`);

async function seed(s: Service, prefix: string, n: number): Promise<{ id: string; ref: string }[]> {
  const { accounts, verifications } = s.rn.services;
  const out: { id: string; ref: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}${i}`;
    await accounts.create({ id, region: 'CN', phone: '+86 13812345678' }, actor);
    await accounts.bindIdentity(
      id,
      { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(1000 + i) },
      actor,
    );
    await accounts.putFact(
      id,
      'devices',
      {
        id: 'dev_primary',
        platform: 'android',
        osVersion: '14',
        primary: true,
        addedAt: s.clock.now() - 400 * DAY_MS,
      },
      actor,
    );
    for (let a = 0; a < APPS; a++) {
      await accounts.grant(
        id,
        {
          appId: `app_${a}`,
          appName: `App ${a}`,
          developerId: `dev_${a % 4}`,
          active: true,
          grantedAt: s.clock.now() - DAY_MS,
        },
        actor,
      );
    }
    // The step-up code is requested and verified before the clock starts: it is not the saga.
    const c = await verifications.request(id, { purpose: 'realname.revoke' }, actor);
    const code = s.rn.sms.lastCode(id, 'realname.revoke') as string;
    await verifications.verify(id, c.challengeId, code, actor);
    out.push({ id, ref: c.challengeId });
  }
  return out;
}

/** Run `fn` over `items` with `concurrency` workers; returns items per second. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
  return (items.length * 1000) / (performance.now() - started);
}

/** 20 receivers on loopback answering 202 (RFC 8935) after reading the body. */
async function receivers(
  n: number,
): Promise<{ urls: string[]; received: () => number; close: () => Promise<void> }> {
  let count = 0;
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        count++;
        res.writeHead(202).end();
      });
    });
    srv.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    servers.push(srv);
    urls.push(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/events`);
  }
  return {
    urls,
    received: () => count,
    close: async () => {
      for (const srv of servers) {
        srv.closeAllConnections();
        await new Promise((r) => srv.close(r));
      }
    },
  };
}

async function runDialect(dialect: DialectName): Promise<Comparison[]> {
  say(`── ${dialect}`);
  const s = await startService(dialect);
  const rx = await receivers(APPS);
  try {
    for (let a = 0; a < APPS; a++) {
      await s.rn.services.apps.register(
        {
          appId: `app_${a}`,
          name: `App ${a}`,
          developerId: `dev_${a % 4}`,
          receiverUrl: rx.urls[a],
        },
        actor,
      );
    }
    say(`seeding ${ACCOUNTS} revocable accounts with ${APPS} grants each`);
    const targets = await seed(s, 'acc_rv_', ACCOUNTS);
    const plainIds = targets.map((t) => t.id);

    // Reference first on the same accounts (it changes nothing a revocation reads).
    let k = 0;
    const plainPerSec = await pool(
      Array.from({ length: ACCOUNTS * TX_PER_REVOCATION }, (_, i) => plainIds[i % plainIds.length] as string),
      CONCURRENCY,
      async (id) => {
        const n = k++;
        await s.rn.store.withAccount(id, async (tx) => {
          await tx.facts([]);
          await tx.audit({ at: s.clock.now(), actor: 'system', action: 'bench.plain', data: { n } });
          await tx.outbox({ topic: 'bench.plain', key: `plain:${n}`, payload: { n } });
        });
      },
    );
    say(`plain transactions: ${Math.round(plainPerSec)}/s`);

    const { operations, saga } = s.rn.services;
    const opIds: string[] = [];
    const revocationsPerSec = await pool(targets, CONCURRENCY, async (t) => {
      const op = await operations.start(
        t.id,
        {
          request: { kind: 'realname.revoke' },
          context: { deviceId: 'dev_primary' },
          evidence: [{ kind: 'sms_code', ref: t.ref }],
        },
        actor,
      );
      opIds.push(op.id);
      const outcome = await saga.run(op.id);
      if (outcome !== 'revoked') throw new Error(`revocation ${op.id} ended ${outcome}`);
    });
    say(
      `revocations: ${revocationsPerSec.toFixed(1)}/s (${ACCOUNTS} accounts × ${APPS} apps, concurrency ${CONCURRENCY})`,
    );

    // Where the time goes: the saga's own records of each participant call.
    const byPhase = new Map<string, number[]>();
    for (const id of opIds.slice(0, 50)) {
      for (const st of await s.rn.store.sagaSteps(id)) {
        const key = `${st.participant} commit`;
        byPhase.set(key, [...(byPhase.get(key) ?? []), st.elapsedMs]);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    say(
      `participant commit calls (mean ms): ${[...byPhase]
        .map(([k2, xs]) => `${k2.split(' ')[0]} ${mean(xs).toFixed(2)}`)
        .join(', ')}`,
    );
    const notices = await s.rn.store.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('topic', '=', 'secevent')
      .executeTakeFirstOrThrow();
    say(`notices written: ${Number(notices.n)} (expected ${ACCOUNTS * APPS})`);

    // Delivery: the relay drains the outbox to the receivers.
    const events = Number(notices.n);
    const before = rx.received();
    const t0 = performance.now();
    let delivered = 0;
    for (;;) {
      const r = await s.rn.notify.push.runOnce();
      delivered += r.delivered;
      if (r.delivered + r.retried + r.dead === 0) break;
    }
    const deliveredPerSec = (delivered * 1000) / (performance.now() - t0);
    if (delivered !== events || rx.received() - before !== events)
      throw new Error(`delivered ${delivered}, received ${rx.received() - before}, expected ${events}`);
    say(
      `events delivered: ${Math.round(deliveredPerSec)}/s (${delivered} SETs, signed, to ${APPS} receivers)`,
    );

    // Reference: the same POSTs, same size, same receivers, same concurrency, nothing else.
    const body = 'x'.repeat(900);
    const plainPostPerSec = await pool(
      Array.from({ length: events }, (_, i) => rx.urls[i % APPS] as string),
      8,
      async (url) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt' },
          body,
        });
        await res.arrayBuffer();
      },
    );
    say(`plain HTTP POSTs: ${Math.round(plainPostPerSec)}/s`);

    return [
      {
        ...compare(
          'revoke',
          'revoke',
          revocationsPerSec,
          'revocations/s',
          'plain-transactions',
          plainPerSec / TX_PER_REVOCATION,
        ),
        dialect,
      } as Comparison,
      {
        ...compare('revoke', 'deliver', deliveredPerSec, 'events/s', 'plain-http-post', plainPostPerSec),
        dialect,
      } as Comparison,
    ];
  } finally {
    await s.stop();
    await rx.close();
  }
}

export async function main(): Promise<void> {
  const lines: Comparison[] = [];
  for (const dialect of await benchDialects('BENCH_REVOKE_DIALECTS'))
    lines.push(...(await runDialect(dialect)));
  printLines(lines);
}
