/**
 * The PostgreSQL database of the store: a `pg` pool behind Kysely. Serialisation per account comes
 * from `SELECT … FOR UPDATE` on the account row (kysely-store.ts); the audit chain's from an advisory
 * lock (audit.ts).
 */
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { DomainError } from '../../core/errors/index.js';
import pg from 'pg';
import type { Database } from './schema.js';

export interface PostgresOpenOptions {
  /** `postgres://user@host:5432/db` */
  url: string;
  /**
   * Schema to work in (its tables, its migrations), set as the `search_path` of every pooled
   * connection. Tests give each file its own; production leaves the default (`public`).
   */
  schema?: string;
  /** Pool size (default 10). */
  poolSize?: number;
  log?: { warn(message: string): void };
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Network failures, and PostgreSQL's connection exceptions (class 08) and shutdowns (57P01–57P03). */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);

/**
 * Whether an error says the database cannot be reached now (it is restarting, down, or the
 * connection was cut), rather than that the request or the code is wrong.
 *
 * @example isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })) // true
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(error.message);
}

function notReady(error: unknown): Error {
  if (!isDatabaseUnavailable(error)) return error instanceof Error ? error : new Error(String(error));
  // 503 NOT_READY with Retry-After, the cause kept for the log: the client's request was not wrong
  // and may be sent again (found by the reliability suite: it was a 500 while PostgreSQL restarted).
  return Object.assign(
    new DomainError('NOT_READY', { detail: 'the database cannot be reached', retryAfterSeconds: 1 }),
    {
      cause: error,
    },
  );
}

/** The pool as Kysely sees it, with "the database cannot be reached" turned into NOT_READY. */
function answeringUnavailable(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw notReady(error);
      }
      const query = ((...args: unknown[]) => {
        const r: unknown = (client.query.bind(client) as (...a: unknown[]) => unknown)(...args);
        // A cursor (streaming) is returned as it is; a query's promise has its failure translated.
        return r instanceof Promise ? r.catch((error: unknown) => Promise.reject(notReady(error))) : r;
      }) as PostgresPoolClient['query'];
      return { query, release: () => client.release() };
    },
    end: () => pool.end(),
  };
}

/**
 * Open a pool on the database at `url`.
 *
 * @example
 * const db = openPostgres({ url: 'postgres://postgres@127.0.0.1:5432/realname' });
 */
export function openPostgres(options: PostgresOpenOptions): Kysely<Database> {
  const { url, schema, poolSize = 10, log = console } = options;
  // The schema goes into a startup option string, not a bound parameter: accept plain identifiers only.
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: letters, digits and _ only`);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the
  // process. The next query gets a fresh connection, so a warning is enough.
  pool.on('error', (err) => log.warn(`postgres pool: idle connection error: ${err.message}`));
  // A client checked out (a transaction in progress) emits it on itself instead: unhandled, a
  // PostgreSQL restart under load killed the process (found by the reliability suite). Its query
  // fails on its own, and the pool discards a client that is no longer queryable.
  pool.on('connect', (client) => {
    client.on('error', (err) => log.warn(`postgres pool: connection error: ${err.message}`));
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: answeringUnavailable(pool) }) });
}
