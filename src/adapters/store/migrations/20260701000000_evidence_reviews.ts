/**
 * Evidence files (sealed under the account's data key), the sealed new subject of a non-mainland
 * change waiting for its reviews (R-CHG-4), and the claims of the review queue (R-ABN-2/3).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);

  await d
    .createTable('evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text')
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('data_enc', d.binaryType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_account').on('evidence').columns(['account_id', 'id']).execute();

  await d
    .createTable('pending_subjects')
    .addColumn('operation_id', 'text', (c) => c.primaryKey().references('operations.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('document_enc', 'text', (c) => c.notNull())
    .addColumn('document_key', 'text', (c) => c.notNull())
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pending_subjects_account')
    .on('pending_subjects')
    .column('account_id')
    .execute();

  await d
    .createTable('review_claims')
    .addColumn('operation_id', 'text', (c) => c.primaryKey().references('operations.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('claimed_at', d.instantType, (c) => c.notNull())
    .execute();

  // The review queue's query: open operations in a review state, by due date. Partial, like
  // operations_due, so it holds only what is still running.
  await db.schema
    .createIndex('operations_review_queue')
    .on('operations')
    .columns(['state', 'deadline_at'])
    .where(sql.ref('outcome'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('operations_review_queue').execute();
  for (const table of ['review_claims', 'pending_subjects', 'evidence'])
    await db.schema.dropTable(table).execute();
}
