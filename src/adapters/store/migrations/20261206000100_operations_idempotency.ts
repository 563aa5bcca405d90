/**
 * An operation start under an Idempotency-Key first looks for the operation this key already
 * started on the account (a retry after a crash, SPEC §4). Accounts collect operations for ever —
 * every card unbind is one — so the lookup goes by (account, key) rather than reading them all.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('operations_idempotency')
    .on('operations')
    .columns(['account_id', 'idempotency_key'])
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('operations_idempotency').execute();
}
