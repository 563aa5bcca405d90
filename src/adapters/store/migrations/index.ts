/**
 * Migrations through Kysely's `Migrator`, with a static provider: the list is imported, not globbed
 * from the file system, so the compiled `dist/` works wherever it is copied. Names are timestamps
 * (ARCHITECTURE.md habit 9); Kysely runs them in name order and refuses a new one that sorts before
 * one already applied.
 */
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import type { Kysely, Migration, MigrationResultSet } from 'kysely';
import { dialectOf } from '../ddl.js';
import * as m20260601000000 from './20260601000000_accounts_identities_facts.js';
import * as m20260601000100 from './20260601000100_operations_audit_outbox.js';
import * as m20260701000000 from './20260701000000_evidence_reviews.js';
import * as m20260702000000 from './20260702000000_verifications.js';
import * as m20261101000000 from './20261101000000_saga.js';
import * as m20261101000100 from './20261101000100_notify.js';
import * as m20261101000200 from './20261101000200_receipts.js';
import * as m20261201000000 from './20261201000000_risk.js';
import * as m20261206000000 from './20261206000000_dashboard.js';
import * as m20261206000100 from './20261206000100_operations_idempotency.js';

/** Every migration, by name. Add new ones at the end with a later timestamp. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '20260601000000_accounts_identities_facts': m20260601000000,
  '20260601000100_operations_audit_outbox': m20260601000100,
  '20260701000000_evidence_reviews': m20260701000000,
  '20260702000000_verifications': m20260702000000,
  '20261101000000_saga': m20261101000000,
  '20261101000100_notify': m20261101000100,
  '20261101000200_receipts': m20261101000200,
  '20261201000000_risk': m20261201000000,
  '20261206000000_dashboard': m20261206000000,
  '20261206000100_operations_idempotency': m20261206000100,
};

async function migrator<DB>(db: Kysely<DB>): Promise<Migrator> {
  // On PostgreSQL, name the schema of the migration tables: Kysely otherwise looks for them in every
  // schema of the database, and one test schema (or tenant) would see another's and skip creating
  // its own.
  let migrationTableSchema: string | undefined;
  if (dialectOf(db) === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

function check(result: MigrationResultSet): MigrationResultSet {
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed`, { cause: result.error });
  }
  return result;
}

/**
 * Apply every pending migration. Throws (with the failing migration's name) on error.
 *
 * @example
 * const { results } = await migrateToLatest(db);
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  return check(await (await migrator(db)).migrateToLatest());
}

/**
 * Undo the latest applied migration (one step).
 *
 * @example
 * await migrateDown(db); // drops what the newest migration created
 */
export async function migrateDown<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  return check(await (await migrator(db)).migrateDown());
}

/**
 * Undo every migration: an empty database (tests, `realname db reset`).
 *
 * @example
 * await migrateDownAll(db);
 */
export async function migrateDownAll<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  return check(await (await migrator(db)).migrateTo(NO_MIGRATIONS));
}

/**
 * Which migrations are applied, and whether any is pending (for health checks).
 *
 * @example
 * const { pending } = await migrationStatus(db); // [] when current
 */
export async function migrationStatus<DB>(db: Kysely<DB>): Promise<{ applied: string[]; pending: string[] }> {
  const infos = await (await migrator(db)).getMigrations();
  return {
    applied: infos.filter((i) => i.executedAt !== undefined).map((i) => i.name),
    pending: infos.filter((i) => i.executedAt === undefined).map((i) => i.name),
  };
}
