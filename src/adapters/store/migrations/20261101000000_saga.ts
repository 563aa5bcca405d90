/**
 * The revocation saga (R-REV-3): the steps of each participant for one operation, and the ledger the
 * built-in (in-process) participants keep of the identities they hold for revocation.
 */
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);
  await d
    .createTable('saga_steps')
    .addColumn('operation_id', 'text', (c) => c.notNull().references('operations.id'))
    .addColumn('participant', 'text', (c) => c.notNull())
    // preparing | prepared | committed | aborted | failed
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // What commit/abort need (the participant's prepare answer), PII-free.
    .addColumn('output', d.jsonType, (c) => c.notNull())
    .addColumn('error', 'text')
    // Milliseconds the last call of this step took (where the time goes).
    .addColumn('elapsed_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', d.instantType, (c) => c.notNull())
    .addPrimaryKeyConstraint('saga_steps_pk', ['operation_id', 'participant'])
    .execute();
  await d
    .createTable('participant_ledger')
    .addColumn('participant', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    // prepared | committed | aborted
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('data', d.jsonType, (c) => c.notNull())
    .addColumn('updated_at', d.instantType, (c) => c.notNull())
    .addPrimaryKeyConstraint('participant_ledger_pk', ['participant', 'operation_id'])
    .execute();
  await db.schema
    .createIndex('participant_ledger_account')
    .on('participant_ledger')
    .columns(['account_id', 'participant'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('participant_ledger').execute();
  await db.schema.dropTable('saga_steps').execute();
}
