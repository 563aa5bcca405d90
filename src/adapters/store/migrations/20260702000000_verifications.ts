/**
 * One-time code challenges for step-up (R-CARD-1, R-REV-2, …), and a detail column on the history so
 * a failed verification is recorded with its purpose (a risk signal, R-RISK-1).
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);
  await d
    .createTable('verifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) =>
      c.notNull().check(sql`channel in ('reserved_phone', 'bound_phone', 'guardian')`),
    )
    // Never the code: HMAC-SHA256 of (challenge id, code) under a per-deployment key.
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('expires_at', d.instantType, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('verified_at', d.instantType)
    .addColumn('consumed_at', d.instantType)
    .execute();
  // The resend cooldown reads the newest challenge of an account for one purpose.
  await db.schema
    .createIndex('verifications_account_purpose')
    .on('verifications')
    .columns(['account_id', 'purpose', 'created_at'])
    .execute();
  await db.schema.alterTable('history').addColumn('detail', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('history').dropColumn('detail').execute();
  await db.schema.dropTable('verifications').execute();
}
