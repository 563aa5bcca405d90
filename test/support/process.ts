/**
 * The service as a real process, for the reliability suites: `node bin/realname.js serve` from the
 * build (`ensureBuilt` compiles it when dist/ is missing or older than src/), on a fixed port so that a
 * restarted process answers where the old one did, its stdout and stderr appended to one log file
 * across restarts. It can be killed with SIGKILL at any moment and started again on the same store.
 *
 * @example
 * const home = await processHome('sqlite');
 * const p = await startProcess({ env: home.env({ REALNAME_LOG_LEVEL: 'info' }), logFile });
 * await p.call('GET', '/v1/accounts/acc_1');
 * await p.kill(); // SIGKILL, waits for the exit
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createSchema, dropSchema, schemaUrl, TEST_DATABASE_URL, type DialectName } from './dialects.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const PROCESS_ADMIN_KEY = 'rn_reliability_admin_0123456789abcdef';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compile the service (`tsc -p tsconfig.build.json`) when dist/ is missing or a file under src/ is
 * newer than it. Returns what it did, for the suite's log.
 */
export function ensureBuilt(): 'fresh' | 'built' {
  const entry = join(ROOT, 'dist/adapters/cli/index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'))) return 'fresh';
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  // tsc emits even when it reports type errors; a missing entry is the failure that matters here.
  if (!existsSync(entry)) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  return 'built';
}

/** A free TCP port on loopback (closed again at once; the caller binds it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Where a process keeps its data across restarts: a directory, a master key, a PostgreSQL schema. */
export interface ProcessHome {
  dialect: DialectName;
  dir: string;
  masterKey: string;
  /** PostgreSQL: the schema of this home on `databaseUrl`. */
  schema: string | null;
  databaseUrl: string | null;
  /** The service's environment for this home, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Read the store directly (`?` placeholders on both dialects), e.g. to check invariants. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drop the directory and the schema. */
  remove(): Promise<void>;
}

/**
 * A fresh home: a temporary directory, and on PostgreSQL a fresh schema on `databaseUrl` (the shared
 * test server by default; the fault suite passes its private server).
 */
export async function processHome(
  dialect: DialectName,
  databaseUrl = TEST_DATABASE_URL,
): Promise<ProcessHome> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-proc-'));
  const masterKey = randomBytes(32).toString('base64');
  const schema = dialect === 'postgres' ? await createSchema(databaseUrl) : null;
  return {
    dialect,
    dir,
    masterKey,
    schema,
    databaseUrl: schema ? databaseUrl : null,
    env: (extra = {}) => ({
      REALNAME_DATA_DIR: dir,
      REALNAME_MASTER_KEY: masterKey,
      REALNAME_ADMIN_KEY: PROCESS_ADMIN_KEY,
      REALNAME_DEV_CLOCK: '1',
      REALNAME_LOG_LEVEL: 'silent',
      ...(schema
        ? {
            REALNAME_DATABASE_URL: schemaUrl(schema, databaseUrl),
            REALNAME_DB_POOL: '8',
          }
        : {}),
      ...extra,
    }),
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      if (schema) {
        const c = new pg.Client({ connectionString: databaseUrl });
        await c.connect();
        try {
          await c.query(`set search_path = ${schema}`);
          let n = 0;
          return (
            await c.query(
              sql.replace(/\?/g, () => `$${++n}`),
              params,
            )
          ).rows as T[];
        } finally {
          await c.end();
        }
      }
      const db = new Database(join(dir, 'realname.db'), { readonly: true });
      try {
        return db.prepare(sql).all(...params) as T[];
      } finally {
        db.close();
      }
    },
    async remove() {
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema, databaseUrl);
    },
  };
}

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any route
  body: any;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Bearer key; null for none (default: the admin key). */
  key?: string | null;
  headers?: Record<string, string>;
  /** Abort after this many ms (default 30 s). */
  timeoutMs?: number;
}

/** One HTTP call to a running service, JSON in and out. Throws on a network error (the process is down). */
export async function httpCall(
  base: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const key = opts.key === undefined ? PROCESS_ADMIN_KEY : opts.key;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.headers ?? {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers, text };
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  base: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), and wait for the exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The service's environment (PATH and HOME are added). */
  env: Record<string, string>;
  /** Listen here (default: a free port). Reuse it across restarts. */
  port?: number;
  /** Append stdout and stderr here (default: discarded). */
  logFile?: string;
  /** More arguments after `serve`. */
  args?: string[];
  /** Wait for /readyz at most this long (default 60 s). */
  readyTimeoutMs?: number;
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(kill);
}

/** Start `node bin/realname.js serve` and wait until /readyz answers 200. */
export async function startProcess(opts: StartOptions): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort());
  const fd = opts.logFile ? openSync(opts.logFile, 'a') : null;
  const child = spawn(process.execPath, [join(ROOT, 'bin/realname.js'), 'serve', ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...opts.env },
    stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
  });
  if (fd !== null) closeSync(fd);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      if ((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok) {
        ready = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(
      `the service did not become ready on port ${port}${opts.logFile ? ` (log: ${opts.logFile})` : ''}`,
    );
  }
  const waitExit = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    port,
    base,
    exited,
    call: (method, path, o) => httpCall(base, method, path, o),
    kill: () => waitExit('SIGKILL'),
    stop: () => waitExit('SIGTERM'),
  };
}
