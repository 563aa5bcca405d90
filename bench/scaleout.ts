/**
 * `npm run bench -- scaleout`: does `card.unbind` throughput grow with more API processes against
 * one PostgreSQL? (Issue 8 §2; PostgreSQL only: SQLite has one writer per file, whatever the
 * number of processes.)
 *
 * 1. One schema is loaded with BENCH_SCALEOUT_ACCOUNTS simulated accounts (default 10,000, by the
 *    real `realname simulate --load`) and BENCH_SCALEOUT_TARGETS of them (default 4,000) get 4
 *    more debit cards with a verified reserved-phone code each (as bench/scale.ts does).
 * 2. Four `realname serve --no-worker` processes (the built service) and one `realname worker`
 *    run against it, each with a pool of REALNAME_DB_POOL=BENCH_SCALEOUT_POOL connections
 *    (default 8, so that 4 processes stay well under the server's max_connections).
 * 3. For 1, 2 and 4 API processes, autocannon (in a worker thread of this process) spreads
 *    BENCH_SCALEOUT_CONNECTIONS connections (default 16) over the first 1, 2 or 4 processes, each
 *    request a distinct (account, card) unbind; rounds alternate between the three
 *    (BENCH_SCALEOUT_ROUNDS, default 3, of BENCH_SCALEOUT_SECONDS, default 5), each figure is the
 *    median of its rounds.
 * 4. During each run the CPU time of the API processes, of every PostgreSQL process and of this
 *    process (the load generator) is read from /proc, with the machine's busy share, and
 *    pg_stat_activity is sampled for sessions waiting on an advisory lock (the audit chain's): where
 *    the cores and the waits went, which says why the curve flattens.
 *
 * It prints one JSON line per process count: `unbind-<n>proc` (req/s; reference: 1 process;
 * ratio = the speed-up), with p50/p99 and the CPU split.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../test/support/dialects.js';
import { ROOT, stopChild } from '../test/support/process.js';
import { runLoad, type LoadResult } from './_http-load.js';
import { postgresUnreachable, printLines, type Comparison } from './lib.js';
import {
  ADMIN,
  buildService,
  createPopulation,
  drop,
  median,
  say,
  startService,
  type Population,
} from './scale.js';

const ACCOUNTS = Number(process.env.BENCH_SCALEOUT_ACCOUNTS ?? 10_000);
const TARGETS = Number(process.env.BENCH_SCALEOUT_TARGETS ?? 4_000);
const ROUNDS = Number(process.env.BENCH_SCALEOUT_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SCALEOUT_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_SCALEOUT_CONNECTIONS ?? 16);
const POOL = Number(process.env.BENCH_SCALEOUT_POOL ?? 8);
const PROCESS_COUNTS = [1, 2, 4] as const;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in seconds (0 when it is gone). */
function cpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Every PostgreSQL server process on this machine (shared: other clients' work counts too). */
function postgresPids(): string[] {
  return readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      return false;
    }
  });
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

interface CpuSplit {
  /** Cores used on average during the run by each group. */
  api: number;
  postgres: number;
  loadGenerator: number;
  /** Share of the machine's cores busy (everything, other users included). */
  machineBusy: number;
  /**
   * Mean number of database sessions waiting for an advisory lock (sampled every 50 ms): the audit
   * chain's append lock, which every write transaction holds from its audit insert to its commit.
   */
  advisoryWaiting: number;
  /** Mean number of sessions running a statement (not idle, not waiting for a lock). */
  running: number;
}

/** Sample pg_stat_activity until stopped: who waits for an advisory lock, who runs. */
async function sampleSessions(): Promise<() => Promise<{ advisoryWaiting: number; running: number }>> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  let n = 0;
  let waiting = 0;
  let running = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await c.query<{ advisory: string; running: string }>(
        `select count(*) filter (where wait_event_type = 'Lock' and wait_event = 'advisory') as advisory,
                count(*) filter (where state = 'active' and wait_event_type is distinct from 'Lock') - 1 as running
         from pg_stat_activity where datname = current_database()`,
      );
      n++;
      waiting += Number(r.rows[0]?.advisory ?? 0);
      running += Number(r.rows[0]?.running ?? 0);
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await c.end();
    return { advisoryWaiting: waiting / Math.max(1, n), running: running / Math.max(1, n) };
  };
}

async function measured(apiPids: number[], run: () => Promise<LoadResult>): Promise<[LoadResult, CpuSplit]> {
  const pgPids = postgresPids();
  const sum = (pids: (number | string)[]) => pids.reduce<number>((s, p) => s + cpuSeconds(p), 0);
  const before = { api: sum(apiPids), pg: sum(pgPids), self: cpuSeconds(process.pid), m: machineTicks() };
  const stopSampling = await sampleSessions();
  const t0 = performance.now();
  const result = await run();
  const sessions = await stopSampling();
  const wall = (performance.now() - t0) / 1000;
  const m = machineTicks();
  return [
    result,
    {
      api: (sum(apiPids) - before.api) / wall,
      postgres: (sum(pgPids) - before.pg) / wall,
      loadGenerator: (cpuSeconds(process.pid) - before.self) / wall,
      machineBusy: (m.busy - before.m.busy) / (m.total - before.m.total),
      ...sessions,
    },
  ];
}

function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['bin/realname.js', 'worker', '--interval', '1000'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function main(): Promise<void> {
  const why = await postgresUnreachable();
  if (why !== null) {
    say(`scaleout skipped: PostgreSQL unreachable (${why})`);
    return;
  }
  buildService();
  say(
    `${availableParallelism()} cores; ${ACCOUNTS} accounts, ${TARGETS} unbind targets, pool ${POOL} per process`,
  );

  let pop: Population | null = null;
  const procs: ChildProcess[] = [];
  try {
    pop = await createPopulation('postgres', ACCOUNTS, TARGETS);
    const env = { ...pop.env, REALNAME_DB_POOL: String(POOL) };
    const urls: string[] = [];
    for (let i = 0; i < Math.max(...PROCESS_COUNTS); i++) {
      const s = await startService(env, ['--no-worker']);
      procs.push(s.child);
      urls.push(s.base);
    }
    procs.push(startWorker(env));

    const runs = new Map<number, { load: LoadResult; cpu: CpuSplit }[]>(PROCESS_COUNTS.map((n) => [n, []]));
    // Each run takes its own share of the distinct pairs.
    const share = Math.floor(pop.unbinds.length / (ROUNDS * PROCESS_COUNTS.length));
    let slice = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const n of PROCESS_COUNTS) {
        const requests = pop.unbinds.slice(slice * share, (slice + 1) * share);
        slice++;
        const apiPids = procs.slice(0, n).map((p) => p.pid ?? 0);
        const [load, cpu] = await measured(apiPids, () =>
          runLoad({
            url: urls.slice(0, n),
            connections: CONNECTIONS,
            warmupSeconds: 0,
            seconds: SECONDS,
            headers: { authorization: `Bearer ${ADMIN}` },
            target: { kind: 'list', cycle: false, requests },
          }),
        );
        runs.get(n)!.push({ load, cpu });
        say(
          `round ${r + 1}, ${n} API process(es): ${load.okPerSec.toFixed(0)} unbinds/s, p50 ${load.p50} ms, p99 ${load.p99} ms; ` +
            `cores used: API ${cpu.api.toFixed(2)}, PostgreSQL ${cpu.postgres.toFixed(2)}, load generator ${cpu.loadGenerator.toFixed(2)}; ` +
            `machine ${(cpu.machineBusy * 100).toFixed(0)} % busy; sessions waiting for the audit lock ${cpu.advisoryWaiting.toFixed(1)}, running ${cpu.running.toFixed(1)}` +
            (load.non2xx || load.errors
              ? `; ${load.non2xx} non-2xx, ${load.errors} errors ${JSON.stringify(load.failures.slice(0, 2))}`
              : ''),
        );
      }
    }

    const rate = (n: number) => median(runs.get(n)!.map((x) => x.load.okPerSec));
    const out: (Comparison & Record<string, unknown>)[] = PROCESS_COUNTS.map((n) => {
      const rs = runs.get(n)!;
      const cpu = (k: keyof CpuSplit) => Math.round(median(rs.map((x) => x.cpu[k])) * 100) / 100;
      return {
        bench: 'scaleout',
        case: `unbind-${n}proc`,
        value: Math.round(rate(n)),
        unit: 'req/s',
        reference: 'unbind-1proc',
        referenceValue: Math.round(rate(1)),
        ratio: Math.round((rate(n) / rate(1)) * 100) / 100,
        p50: median(rs.map((x) => x.load.p50)),
        p99: median(rs.map((x) => x.load.p99)),
        connections: CONNECTIONS,
        cores: availableParallelism(),
        apiCores: cpu('api'),
        postgresCores: cpu('postgres'),
        loadGeneratorCores: cpu('loadGenerator'),
        machineBusy: cpu('machineBusy'),
        advisoryWaiting: cpu('advisoryWaiting'),
        runningSessions: cpu('running'),
      };
    });
    printLines(out);
  } finally {
    for (const p of procs) await stopChild(p);
    if (pop) await drop(pop);
  }
}
