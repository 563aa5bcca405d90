/**
 * `npm run bench -- http`: the whole service over real HTTP (Fastify on a loopback port, autocannon
 * in a worker thread, 50 connections), on SQLite and — when it is reachable — PostgreSQL, against
 * the raw driver doing the essential database work of the same request, in the same run:
 *
 * - `preflight-<dialect>`: GET the deletion preflight of one busy account (cards, subscriptions, a
 *   loan, a balance residue: several blockers rendered) vs `raw-point-select`, the point SELECT of
 *   that account's row by primary key through the raw driver (a pg Pool of 50 with 50 concurrent
 *   callers; on SQLite a synchronous better-sqlite3 loop on a read-only connection).
 * - `unbind-<dialect>`: POST card-unbind of a DEBIT card (no count limit, R-CARD-1), each request a
 *   distinct (account, card) pair spread over many accounts, only 2xx counted, vs `raw-transaction`:
 *   BEGIN; SELECT the account row (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite); DELETE the
 *   card; INSERT an audit row; INSERT an outbox row; COMMIT — on tables of its own (`bench_*`, in the
 *   service's schema on PostgreSQL, in a temporary file with the service's pragmas on SQLite), with 50
 *   concurrent workers on a pg Pool of 50, and a synchronous loop on SQLite (one writer).
 *
 * Each case prints req/s, p50 and p99 on stderr, and one JSON line per comparison on stdout with
 * p50/p99 (ms) added. On stderr too, for each HTTP run, what the server's thread saw: the server-side
 * time per request (parsed request → finished response; the rest of the client's latency is queueing
 * in front of a busy event loop) and the event-loop delay. The service runs with a rate limit high
 * enough never to bite.
 *
 * Knobs (environment): BENCH_HTTP_SECONDS (measured seconds per run, default 6),
 * BENCH_HTTP_DIALECTS (default `sqlite,postgres`), BENCH_HTTP_PROFILE=1 (CPU-profile the server's
 * thread during each HTTP run, print the top self-time functions and areas, and keep the
 * .cpuprofile files; the numbers of a profiled run are lower).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Profiler } from 'node:inspector';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { demoIdNumber } from '../src/adapters/cli/demo.js';
import { TEST_DATABASE_URL, type DialectName } from '../test/support/dialects.js';
import { ADMIN_KEY, startService, T0, type Service } from '../test/support/service.js';
import { runLoad, type LoadResult } from './_http-load.js';
import { benchDialects, compare, printLines, type Comparison } from './lib.js';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 50;
/** Accounts of the unbind run, and debit cards on each (the last one is never unbound). */
const ACCOUNTS = 400;
const CARDS_PER_ACCOUNT = 30;
/** Cards per account of the raw-transaction reference's own tables. */
const REF_CARDS_PER_ACCOUNT = 200;
const ACCOUNT_PREFIX = 'acc_u_';
const BUSY = 'acc_busy';
const DAY = 86_400_000;
const YUAN = 10_000;
const PROFILE = process.env.BENCH_HTTP_PROFILE === '1';

type Line = Comparison & { p50: number; p99: number; referenceP50: number; referenceP99: number };

/** compare() rounds the ratio to 2 decimals, which reads 0 for HTTP against a point select: 3 significant digits. */
function line(kase: string, r: LoadResult, reference: string, ref: Rate): Line {
  return {
    ...compare('http', kase, r.okPerSec, 'req/s', reference, ref.rate),
    ratio: Number((r.okPerSec / ref.rate).toPrecision(3)),
    p50: round2(r.p50),
    p99: round2(r.p99),
    referenceP50: round2(ref.p50),
    referenceP99: round2(ref.p99),
  };
}

const say = (msg: string) => console.error(`# ${msg}`);
const round2 = (x: number) => Math.round(x * 100) / 100;
const describeRate = (r: Rate) =>
  `${r.rate.toFixed(0)} ops/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;
/** Issue 3's latency target for the HTTP write path at CONNECTIONS connections. */
const P99_TARGET_MS = 20;

// ── Seeding (through the API where the request is small; cards in bulk, see below)

async function must(
  s: Service,
  method: string,
  url: string,
  body: unknown,
  expected: number,
): Promise<unknown> {
  const res = await s.call(method, url, { body });
  if (res.status !== expected)
    throw new Error(`${method} ${url}: expected ${expected}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function verifiedAccount(s: Service, id: string, seq: number): Promise<void> {
  await must(s, 'POST', '/v1/accounts', { id, region: 'CN', phone: '+86 13812345678' }, 201);
  await must(
    s,
    'POST',
    `/v1/accounts/${id}/identity`,
    { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(seq) },
    201,
  );
  await must(
    s,
    'PUT',
    `/v1/accounts/${id}/devices/dev_primary`,
    { platform: 'android', osVersion: '14', primary: true, addedAt: T0 - 400 * DAY },
    200,
  );
}

const debitCard = (id: string) => ({
  id,
  type: 'debit' as const,
  last4: '1234',
  bank: 'ICBC',
  reservedPhoneMasked: '138****5678',
  boundAt: T0 - 30 * DAY,
});

/** The busy account of the preflight run: every blocker below is rendered on each request. */
async function seedBusy(s: Service): Promise<string[]> {
  await verifiedAccount(s, BUSY, 1);
  await must(s, 'PATCH', `/v1/accounts/${BUSY}`, { balance: 12 * YUAN + 50 }, 200);
  for (let i = 0; i < 3; i++)
    await must(s, 'PUT', `/v1/accounts/${BUSY}/cards/d${i}`, debitCard(`d${i}`), 200);
  for (let i = 0; i < 3; i++)
    await must(
      s,
      'PUT',
      `/v1/accounts/${BUSY}/subscriptions/sub_${i}`,
      { merchant: 'Tencent Video', product: `VIP ${i}`, amount: 25 * YUAN, active: true },
      200,
    );
  await must(
    s,
    'PUT',
    `/v1/accounts/${BUSY}/loans/loan_1`,
    { product: 'Weilidai', outstanding: 3000 * YUAN },
    200,
  );
  const pre = (await must(
    s,
    'GET',
    `/v1/accounts/${BUSY}/operations/deletion/preflight`,
    undefined,
    200,
  )) as {
    blockers: { code: string }[];
  };
  return pre.blockers.map((b) => b.code);
}

/**
 * The unbind accounts: verified, a primary device, CARDS_PER_ACCOUNT debit cards. Accounts go through
 * the API; the cards of one account are written in ONE account transaction doing what
 * `PUT …/cards/:id` does for each (history `card_bound`, the row, the audit entry) — 12,000 single
 * PUTs would take most of the time budget.
 */
async function seedUnbindAccounts(s: Service): Promise<void> {
  const one = async (i: number) => {
    const id = `${ACCOUNT_PREFIX}${i}`;
    await verifiedAccount(s, id, i + 2);
    await s.rn.store.withAccount(id, async (tx) => {
      const now = s.clock.now();
      for (let j = 0; j < CARDS_PER_ACCOUNT; j++) {
        await tx.addHistory({ kind: 'card_bound', at: now });
        await tx.putFact('cards', debitCard(`d${j}`));
        await tx.audit({ at: now, actor: 'bench:seed', action: 'fact.cards.put', data: { id: `d${j}` } });
        // The user has already verified the SMS code to the card's reserved phone (R-CARD-1): the
        // benchmark measures the unbind request, which consumes that challenge in its transaction.
        const challenge = `vrf_${id}_d${j}`;
        await tx.createVerification({
          id: challenge,
          purpose: `card.unbind:d${j}`,
          channel: 'reserved_phone',
          codeHash: 'seeded',
          createdAt: now,
          expiresAt: now + 86_400_000,
        });
        await tx.markVerificationVerified(challenge, now);
      }
    });
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ACCOUNTS) await one(next++);
    }),
  );
}

// ── Rates of the references

/** `workers` concurrent loops of `op` for `ms`; completed ops per second. */
/** A reference's rate and the latency of one operation (ms) as its callers saw it. */
interface Rate {
  rate: number;
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function rateOf(n: number, elapsedMs: number, latencies: number[]): Rate {
  latencies.sort((a, b) => a - b);
  return { rate: (n * 1000) / elapsedMs, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/** `workers` concurrent callers of `op` for `ms`: ops per second and each op's latency. */
async function concurrentRate(workers: number, ms: number, op: () => Promise<unknown>): Promise<Rate> {
  let n = 0;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
        n++;
      }
    }),
  );
  return rateOf(n, performance.now() - start, latencies);
}

/** A synchronous `op` in a loop for `ms` (one caller: no queueing): ops per second and latency. */
function syncRate(ms: number, op: () => unknown): Rate {
  let n = 0;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) {
      const t = performance.now();
      op();
      latencies.push(performance.now() - t);
    }
    n += 16;
  }
  return rateOf(n, performance.now() - start, latencies);
}

/** The (account, card) pair of the k-th reference transaction, the same spread as the HTTP run. */
function refPair(k: number): { account: string; card: string; wrapped: boolean } {
  const usable = ACCOUNTS * REF_CARDS_PER_ACCOUNT;
  const j = k % usable;
  return {
    account: `${ACCOUNT_PREFIX}${j % ACCOUNTS}`,
    card: `d${Math.floor(j / ACCOUNTS)}`,
    wrapped: k >= usable,
  };
}

/** What the reference writes for its k-th transaction: an audit row (hash-chained shape) and an event. */
function refRows(k: number, account: string, card: string) {
  const op = `op_bench_${k}`;
  const data = JSON.stringify({ policyVersion: 'bench' });
  return {
    audit: {
      at: T0,
      actor: 'admin',
      action: 'card.unbind.started',
      account,
      op,
      data,
      prev: '0'.repeat(64),
      hash: createHash('sha256').update(`${k}${account}${card}${data}`).digest('hex'),
    },
    outbox: {
      topic: 'card.unbound',
      key: `${op}:unbound`,
      account,
      payload: JSON.stringify({ accountId: account, cardId: card, cardType: 'debit', lastCard: false }),
    },
  };
}

const REF_DDL = (serial: string, instant: string) => [
  `create table bench_accounts (id text primary key, status text not null)`,
  `create table bench_cards (account_id text not null references bench_accounts(id), id text not null,
     type text not null, last4 text not null, bank text not null, primary key (account_id, id))`,
  `create table bench_audit (seq ${serial}, at ${instant} not null, actor text not null, action text not null,
     account_id text, operation_id text, data text not null, prev_hash text not null, hash text not null)`,
  `create table bench_outbox (id ${serial}, topic text not null, key text not null, account_id text,
     payload text not null, created_at ${instant} not null, unique (topic, key))`,
];

// ── SQLite references

function sqliteReferences(serviceFile: string, tmp: string[]) {
  return {
    pointSelect(): Rate {
      const db = new Database(serviceFile, { readonly: true });
      try {
        const stmt = db.prepare('select * from accounts where id = ?');
        if (!stmt.get(BUSY))
          throw new Error('raw-point-select: the busy account is not in the service database');
        syncRate(WARMUP_SECONDS * 1000, () => stmt.get(BUSY));
        return syncRate(SECONDS * 1000, () => stmt.get(BUSY));
      } finally {
        db.close();
      }
    },
    transaction(): Rate {
      const dir = mkdtempSync(join(tmpdir(), 'realname-bench-http-'));
      tmp.push(dir);
      const db = new Database(join(dir, 'bench.db'));
      try {
        // The pragmas of the service's store (src/adapters/store/sqlite.ts).
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        db.pragma('secure_delete = ON');
        db.pragma('synchronous = FULL');
        for (const ddl of REF_DDL('integer primary key autoincrement', 'integer')) db.exec(ddl);
        db.exec(`
          with recursive a(i) as (select 0 union all select i + 1 from a where i + 1 < ${ACCOUNTS})
          insert into bench_accounts select '${ACCOUNT_PREFIX}' || i, 'active' from a;
          with recursive c(j) as (select 0 union all select j + 1 from c where j + 1 < ${REF_CARDS_PER_ACCOUNT})
          insert into bench_cards select a.id, 'd' || c.j, 'debit', '1234', 'ICBC' from bench_accounts a, c;`);
        const lock = db.prepare('select id from bench_accounts where id = ?');
        const del = db.prepare('delete from bench_cards where account_id = ? and id = ?');
        const audit = db.prepare(
          `insert into bench_audit (at, actor, action, account_id, operation_id, data, prev_hash, hash)
           values (?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        const outbox = db.prepare(
          'insert into bench_outbox (topic, key, account_id, payload, created_at) values (?, ?, ?, ?, ?)',
        );
        let k = 0;
        let wrapped = 0;
        const op = () => {
          const p = refPair(k);
          if (p.wrapped) wrapped++;
          const r = refRows(k++, p.account, p.card);
          db.exec('begin immediate');
          try {
            if (!lock.get(p.account)) throw new Error(`no account ${p.account}`);
            del.run(p.account, p.card);
            const a = r.audit;
            audit.run(a.at, a.actor, a.action, a.account, a.op, a.data, a.prev, a.hash);
            outbox.run(r.outbox.topic, r.outbox.key, r.outbox.account, r.outbox.payload, T0);
            db.exec('commit');
          } catch (error) {
            db.exec('rollback');
            throw error;
          }
        };
        syncRate(WARMUP_SECONDS * 1000, op);
        const rate = syncRate(SECONDS * 1000, op);
        if (wrapped) say(`raw-transaction (sqlite): ${wrapped} transactions found their card already gone`);
        return rate;
      } finally {
        db.close();
      }
    },
  };
}

// ── PostgreSQL references (in the service's schema, dropped with it)

function postgresReferences(schema: string) {
  const newPool = () =>
    new pg.Pool({
      connectionString: TEST_DATABASE_URL,
      max: CONNECTIONS,
      options: `-c search_path=${schema}`,
    });
  return {
    async pointSelect(): Promise<Rate> {
      const pool = newPool();
      try {
        const q = () => pool.query('select * from accounts where id = $1', [BUSY]);
        if ((await q()).rowCount !== 1)
          throw new Error('raw-point-select: the busy account is not in the schema');
        await concurrentRate(CONNECTIONS, WARMUP_SECONDS * 1000, q);
        return await concurrentRate(CONNECTIONS, SECONDS * 1000, q);
      } finally {
        await pool.end();
      }
    },
    async transaction(): Promise<Rate> {
      const pool = newPool();
      try {
        for (const ddl of REF_DDL('bigserial primary key', 'bigint')) await pool.query(ddl);
        await pool.query(
          `insert into bench_accounts select '${ACCOUNT_PREFIX}' || i, 'active' from generate_series(0, $1::int - 1) i`,
          [ACCOUNTS],
        );
        await pool.query(
          `insert into bench_cards select a.id, 'd' || j, 'debit', '1234', 'ICBC'
           from bench_accounts a, generate_series(0, $1::int - 1) j`,
          [REF_CARDS_PER_ACCOUNT],
        );
        await pool.query('analyze bench_accounts; analyze bench_cards');
        let k = 0;
        let wrapped = 0;
        const op = async () => {
          const p = refPair(k);
          if (p.wrapped) wrapped++;
          const r = refRows(k++, p.account, p.card);
          const c = await pool.connect();
          try {
            await c.query('begin');
            const locked = await c.query('select id from bench_accounts where id = $1 for update', [
              p.account,
            ]);
            if (locked.rowCount !== 1) throw new Error(`no account ${p.account}`);
            await c.query('delete from bench_cards where account_id = $1 and id = $2', [p.account, p.card]);
            const a = r.audit;
            await c.query(
              `insert into bench_audit (at, actor, action, account_id, operation_id, data, prev_hash, hash)
               values ($1, $2, $3, $4, $5, $6, $7, $8)`,
              [a.at, a.actor, a.action, a.account, a.op, a.data, a.prev, a.hash],
            );
            await c.query(
              'insert into bench_outbox (topic, key, account_id, payload, created_at) values ($1, $2, $3, $4, $5)',
              [r.outbox.topic, r.outbox.key, r.outbox.account, r.outbox.payload, T0],
            );
            await c.query('commit');
          } catch (error) {
            await c.query('rollback');
            throw error;
          } finally {
            c.release();
          }
        };
        await concurrentRate(CONNECTIONS, WARMUP_SECONDS * 1000, op);
        const rate = await concurrentRate(CONNECTIONS, SECONDS * 1000, op);
        if (wrapped) say(`raw-transaction (postgres): ${wrapped} transactions found their card already gone`);
        return rate;
      } finally {
        await pool.end();
      }
    },
  };
}

// ── Optional CPU profile of the server's thread (the load runs in a worker thread)

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const src = url.indexOf('/src/');
  if (src >= 0)
    return url
      .slice(src + 1)
      .split('/')
      .slice(0, 3)
      .join('/');
  return url;
}

function summariseProfile(label: string, nodes: Profiler.ProfileNode[], file: string): void {
  const total = nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url
      ? `${url.replace(/^.*\/(node_modules|src)\//, '$1/').replace(/\?.*$/, '')}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    const a = area(url.replace(/\?.*$/, ''), functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, k)
      .map(([name, hits]) => `    ${((hits * 100) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  console.error(
    `# profile ${label} (server thread, ${total} samples, ${file})\n  top self time:\n${top(byFn, 20)}\n  by area:\n${top(byArea, 15)}`,
  );
}

/**
 * Run an HTTP case, reporting what the server's thread saw meanwhile: its event-loop delay (stalls
 * show here) and the server-side time of each request, from the parsed request to the finished
 * response (the rest of autocannon's latency is queueing in front of a busy server).
 */
async function serverSide<T>(s: Service, label: string, fn: () => Promise<T>): Promise<T> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const inServer: number[] = [];
  const onRequest = (_req: IncomingMessage, res: ServerResponse) => {
    const t = performance.now();
    res.once('finish', () => inServer.push(performance.now() - t));
  };
  s.rn.server.server.prependListener('request', onRequest);
  loop.enable();
  try {
    return await profiled(label, fn);
  } finally {
    loop.disable();
    s.rn.server.server.off('request', onRequest);
    inServer.sort((a, b) => a - b);
    const at = (p: number) => (inServer[Math.floor((inServer.length - 1) * p)] ?? 0).toFixed(1);
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    say(
      `${label}: server side p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ` +
        `event-loop delay p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`,
    );
  }
}

async function profiled<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE) return fn();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await fn();
    const { profile } = await session.post('Profiler.stop');
    const file = join(tmpdir(), `realname-bench-http-${label}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    summariseProfile(label, profile.nodes, file);
    return result;
  } finally {
    session.disconnect();
  }
}

// ── The runs

function report(kase: string, r: LoadResult): void {
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  say(
    `${kase}: ${r.okPerSec.toFixed(0)} req/s (2xx ${r.ok} in ${r.seconds}s), p50 ${r.p50} ms, p99 ${r.p99} ms; status ${codes}`,
  );
  if (r.non2xx || r.errors || r.timeouts) {
    say(`${kase}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
    for (const f of r.failures) say(`  ${f.status} ${f.body}`);
  }
  if (r.exhausted) say(`${kase}: ${r.exhausted} requests ran past the seeded cards (duplicates, not 2xx)`);
  if (r.ok === 0) throw new Error(`${kase}: no 2xx response at all`);
}

async function runDialect(dialect: DialectName): Promise<Line[]> {
  const tmp: string[] = [];
  const t0 = performance.now();
  const s = await startService(dialect, { REALNAME_RATE_LIMIT: '100000000' });
  try {
    const blockers = await seedBusy(s);
    await seedUnbindAccounts(s);
    await s.rn.server.listen({ port: 0, host: '127.0.0.1' });
    const address = s.rn.server.server.address();
    if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
    const url = `http://127.0.0.1:${address.port}`;
    say(
      `${dialect}: seeded ${ACCOUNTS} accounts × ${CARDS_PER_ACCOUNT} debit cards and ${BUSY} ` +
        `(deletion blockers: ${blockers.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );

    const refs =
      dialect === 'postgres'
        ? postgresReferences(
            (await sql<{ s: string }>`select current_schema() as s`.execute(s.rn.store.db)).rows[0]!.s,
          )
        : sqliteReferences(join(s.rn.config.REALNAME_DATA_DIR, 'realname.db'), tmp);
    const base = {
      url,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    };
    const lines: Line[] = [];

    const preCase = `preflight-${dialect}`;
    const pre = await serverSide(s, preCase, () =>
      runLoad({
        ...base,
        target: { kind: 'get', path: `/v1/accounts/${BUSY}/operations/deletion/preflight` },
      }),
    );
    report(preCase, pre);
    const pointSelect = await refs.pointSelect();
    say(`${preCase}: raw-point-select ${describeRate(pointSelect)}`);
    lines.push(line(preCase, pre, 'raw-point-select', pointSelect));

    const unbindCase = `unbind-${dialect}`;
    const unbind = await serverSide(s, unbindCase, () =>
      runLoad({
        ...base,
        target: {
          kind: 'unbind',
          accountPrefix: ACCOUNT_PREFIX,
          accounts: ACCOUNTS,
          cardsPerAccount: CARDS_PER_ACCOUNT,
        },
      }),
    );
    report(unbindCase, unbind);
    say(
      `${unbindCase}: ${unbind.consumed} of ${ACCOUNTS * (CARDS_PER_ACCOUNT - 1)} (account, card) pairs used`,
    );
    const transaction = await refs.transaction();
    say(`${unbindCase}: raw-transaction ${describeRate(transaction)}`);
    // Little's law for a closed loop of N connections: mean latency = N / throughput, and a p99 is
    // never below the mean. So "p99 under 20 ms at 50 connections" needs more than 50 / 0.020 =
    // 2,500 req/s; the reference's own rate and latency at the same concurrency show whether the
    // database alone leaves room for that on this machine.
    say(
      `${unbindCase}: p99 < ${P99_TARGET_MS} ms at ${CONNECTIONS} connections needs > ${Math.round((CONNECTIONS * 1000) / P99_TARGET_MS)} req/s (Little's law); ` +
        `the raw transaction alone does ${transaction.rate.toFixed(0)}/s${dialect === 'sqlite' ? ' (one synchronous writer, no queue)' : ` with p99 ${transaction.p99.toFixed(1)} ms at ${CONNECTIONS} callers`}`,
    );
    lines.push(line(unbindCase, unbind, 'raw-transaction', transaction));
    return lines;
  } finally {
    await s.stop();
    for (const dir of tmp) rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const lines: Line[] = [];
  if (PROFILE)
    say('BENCH_HTTP_PROFILE=1: the server thread is profiled during the HTTP runs (lower numbers)');
  for (const dialect of await benchDialects('BENCH_HTTP_DIALECTS'))
    lines.push(...(await runDialect(dialect)));
  printLines(lines);
}
