/**
 * The SQLite database of the store: one better-sqlite3 connection behind Kysely.
 *
 * Serialisation: Kysely's `SqliteDriver` holds ONE connection behind a mutex
 * (`ConnectionMutex` in kysely/dist/esm/dialect/sqlite/sqlite-driver.js): `acquireConnection()` waits
 * for the previous holder's `releaseConnection()`, and a transaction holds the connection from its
 * BEGIN to its COMMIT. So within one process, transactions run one after another — never
 * interleaved — which is what makes the counting limits hold (R-CARD-5). The store begins its write
 * transactions with BEGIN IMMEDIATE, which also takes the database's write lock up front: another
 * process on the same file waits (busy_timeout) instead of failing later when a read-then-write
 * transaction tries to upgrade.
 *
 * One store per file per process: a second connection in the same process would wait for the
 * first one's lock synchronously (better-sqlite3 blocks the thread), which cannot end.
 */
import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { DialectAdapter } from 'kysely';
import type { Database } from './schema.js';

/**
 * SQLite runs DDL inside transactions perfectly well; Kysely's adapter says it does not only to be
 * conservative, and then runs migrations without one. Saying yes makes each migration run atomic:
 * a failure half-way leaves the schema as it was.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class StoreSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface SqliteOpenOptions {
  /** A file path, or ':memory:'. */
  file: string;
  /** How long a writer waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number;
}

/**
 * Open (creating if needed) the SQLite database: WAL journal (readers do not block the writer),
 * `busy_timeout`, foreign keys on, `secure_delete` (deleted bytes are zeroed, so a shredded data key
 * does not linger in free pages) and `synchronous=FULL` (a committed transaction survives a power
 * cut: nothing is lost, SPEC §4).
 *
 * @example
 * const db = openSqlite({ file: './data/realname.db' });
 */
export function openSqlite(options: SqliteOpenOptions): Kysely<Database> {
  const { file, busyTimeoutMs = 5_000 } = options;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  if (file !== ':memory:') raw.pragma('journal_mode = WAL');
  raw.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  raw.pragma('foreign_keys = ON');
  raw.pragma('secure_delete = ON');
  raw.pragma('synchronous = FULL');
  return new Kysely<Database>({ dialect: new StoreSqliteDialect({ database: withStatementCache(raw) }) });
}

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL was a sixth of the server's
 * time under load (bench/http.ts). The store issues a small set of query shapes, so prepared
 * statements are kept by SQL text (bounded, oldest dropped first). Reusing a statement is safe here:
 * the driver's connection mutex means one statement runs at a time. Long statements (bulk inserts)
 * are not kept.
 */
function withStatementCache(
  db: BetterSqlite3.Database,
  max = 512,
  maxSqlLength = 8_192,
): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        // Native methods must run on the real connection, not on the proxy.
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string) => {
        // A multi-row INSERT of a bulk import is one of a kind and its compiled program is megabytes
        // of native memory that V8 does not see: 512 of them kept 1.1 GB alive during a 1M-account load.
        if (sql.length > maxSqlLength) return prepare(sql);
        let stmt = cache.get(sql);
        if (stmt === undefined) {
          stmt = prepare(sql);
          if (cache.size >= max) cache.delete(cache.keys().next().value as string);
          cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}
