/**
 * Money received per account, for the daily receive limit after a revocation (R-REV-5): one row per
 * completed `receive` transaction, keyed by its id within the account (recording it twice counts it
 * once). The limit sums the rows since the start of the Asia/Shanghai day, hence the index on
 * (account, instant). Amounts and instants only, no PII; the purge (R-DEL-4) deletes them anyway.
 */
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);
  await d
    .createTable('receipts')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('amount', d.moneyType, (c) => c.notNull())
    .addPrimaryKeyConstraint('receipts_pk', ['account_id', 'id'])
    .execute();
  // receivedSince(since): the sum of one account's receipts from an instant on (R-REV-5).
  await db.schema.createIndex('receipts_account_at').on('receipts').columns(['account_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('receipts').execute();
}
