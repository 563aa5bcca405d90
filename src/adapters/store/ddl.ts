/**
 * The one place where DDL differs by dialect (ARCHITECTURE.md: one helper, not two migration
 * trees). Migrations ask this helper for column types and key shapes; everything else in them is
 * plain Kysely schema building that both dialects accept.
 */
import { PostgresAdapter, SqliteAdapter, sql } from 'kysely';
import type { ColumnDataType, CreateTableBuilder, Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The dialect of a Kysely instance, from its adapter (the store's own SQLite adapter subclasses
 * Kysely's, so `instanceof` still holds).
 *
 * @example
 * dialectOf(db); // 'sqlite'
 */
export function dialectOf<DB>(db: Kysely<DB>): Dialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error(`unsupported SQL dialect: ${adapter.constructor.name}`);
}

export interface Ddl {
  readonly dialect: Dialect;
  /** Epoch milliseconds. */
  readonly instantType: ColumnDataType;
  /** Integer ten-thousandths of a yuan (can exceed 32 bits). */
  readonly moneyType: ColumnDataType;
  /** Booleans as 0/1 on both dialects (schema.ts explains why). */
  readonly flagType: ColumnDataType;
  readonly jsonType: ColumnDataType;
  /** Bytes (sealed evidence files): `bytea` on PostgreSQL, `blob` on SQLite. */
  readonly binaryType: ColumnDataType;
  /** `create table`, declared STRICT on SQLite so a value of the wrong type is refused, not coerced. */
  createTable(name: string): CreateTableBuilder<string, never>;
  /** Add an autoincrement primary key `id` that is never reused. */
  autoIncrementPk<T extends string, C extends string>(
    builder: CreateTableBuilder<T, C>,
  ): CreateTableBuilder<T, C | 'id'>;
}

/**
 * DDL helpers for the dialect of `db`.
 *
 * @example
 * const d = ddl(db);
 * await d.autoIncrementPk(d.createTable('history')).addColumn('at', d.instantType, (c) => c.notNull()).execute();
 */
export function ddl(db: Kysely<unknown>): Ddl {
  const dialect = dialectOf(db);
  const pg = dialect === 'postgres';
  const int64: ColumnDataType = pg ? 'bigint' : 'integer';
  return {
    dialect,
    instantType: int64,
    moneyType: int64,
    flagType: 'integer',
    jsonType: 'text',
    binaryType: pg ? 'bytea' : 'blob',
    createTable(name) {
      const builder = db.schema.createTable(name);
      return pg ? builder : builder.modifyEnd(sql`strict`);
    },
    autoIncrementPk(builder) {
      // SQLite: AUTOINCREMENT (not a bare rowid alias) so an id is never handed out twice, even after
      // the newest rows are deleted — consumers deduplicate outbox events by id. PostgreSQL: an
      // identity column (the SQL-standard successor of serial).
      return pg
        ? builder.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    },
  };
}
