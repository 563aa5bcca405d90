/**
 * The review console's dashboard (GET /v1/admin/stats) counts the operations created in a window:
 * without an index on when they were created, that read would scan every operation ever made.
 * (Its refusals are read through risk_decisions_at, which exists.)
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('operations_created').on('operations').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('operations_created').execute();
}
