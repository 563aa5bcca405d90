/** Operations with their timers and timeline, the audit chain, the outbox, API keys, idempotency. */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);

  await d
    .createTable('operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('request', d.jsonType, (c) => c.notNull())
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('updated_at', d.instantType, (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('deadline_at', d.instantType)
    .addColumn('deadline_kind', 'text')
    .execute();
  await db.schema
    .createIndex('operations_account')
    .on('operations')
    .columns(['account_id', 'created_at'])
    .execute();
  // The timer sweeper's query (dueOperations): only running operations have a live timer, so a
  // partial index stays as small as the set of open operations, not the whole history.
  await db.schema
    .createIndex('operations_due')
    .on('operations')
    .column('deadline_at')
    .where(sql.ref('outcome'), 'is', null)
    .execute();

  await d
    .autoIncrementPk(d.createTable('operation_timeline'))
    .addColumn('operation_id', 'text', (c) => c.notNull().references('operations.id'))
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('data', d.jsonType, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('operation_timeline_operation')
    .on('operation_timeline')
    .columns(['operation_id', 'id'])
    .execute();

  // seq is assigned as last + 1 under the chain lock (schema.ts says why), hence no autoincrement.
  // No foreign keys: the trail must outlive anything it mentions, and is never joined.
  await d
    .createTable('audit')
    .addColumn('seq', d.instantType, (c) => c.primaryKey())
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('operation_id', 'text')
    .addColumn('data', d.jsonType, (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_account_seq').on('audit').columns(['account_id', 'seq']).execute();

  await d
    .autoIncrementPk(d.createTable('outbox'))
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('payload', d.jsonType, (c) => c.notNull())
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', d.instantType)
    .addColumn('delivered_at', d.instantType)
    .addColumn('last_error', 'text')
    .addUniqueConstraint('outbox_topic_key', ['topic', 'key'])
    .execute();
  // The relay's query (pendingOutbox): undelivered events in id order; delivered ones drop out.
  await db.schema
    .createIndex('outbox_pending')
    .on('outbox')
    .column('id')
    .where(sql.ref('delivered_at'), 'is', null)
    .execute();

  await d
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', d.jsonType, (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('revoked_at', d.instantType)
    .execute();

  await d
    .createTable('idempotency')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_pk', ['scope', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['idempotency', 'api_keys', 'outbox', 'audit', 'operation_timeline', 'operations'])
    await db.schema.dropTable(table).execute();
}
