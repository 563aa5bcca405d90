/**
 * The PostgreSQL database of the store: a `pg` pool behind Kysely. Serialisation per account comes
 * from `SELECT … FOR UPDATE` on the account row (kysely-store.ts); the audit chain's from an advisory
 * lock (audit.ts).
 */
import { Kysely, PostgresDialect } from 'kysely';
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
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
