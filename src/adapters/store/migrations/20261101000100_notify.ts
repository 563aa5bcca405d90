/**
 * Third-party notification (R-NOTIFY-*): registered apps and their receivers, signing keys, grant
 * tokens for introspection, dead letters of the outbox and relay cursors.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);

  await d
    .createTable('apps')
    .addColumn('app_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('developer_id', 'text', (c) => c.notNull())
    .addColumn('receiver_url', 'text')
    .addColumn('sub_id_format', 'text', (c) => c.notNull())
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('updated_at', d.instantType, (c) => c.notNull())
    .execute();

  await d
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('public_jwk', d.jsonType, (c) => c.notNull())
    .addColumn('private_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('retired_at', d.instantType)
    .execute();
  // At most one current key, whatever races: two processes starting at once, two rotations.
  await db.schema
    .createIndex('signing_keys_one_current')
    .on('signing_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', sql.lit('current'))
    .execute();

  await d
    .createTable('grant_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('issued_at', d.instantType, (c) => c.notNull())
    .addColumn('expires_at', d.instantType, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('grant_tokens_grant')
    .on('grant_tokens')
    .columns(['account_id', 'app_id'])
    .execute();

  await db.schema.alterTable('outbox').addColumn('dead_at', d.instantType).execute();
  // The push relay's claim: live events of a topic by due time (delivered and dead ones drop out).
  await db.schema
    .createIndex('outbox_live_due')
    .on('outbox')
    .columns(['topic', 'next_attempt_at', 'id'])
    .where(sql<boolean>`delivered_at is null and dead_at is null`)
    .execute();
  // The admins' dead-letter list, by id.
  await db.schema
    .createIndex('outbox_dead')
    .on('outbox')
    .column('id')
    .where(sql.ref('dead_at'), 'is not', null)
    .execute();

  await d
    .createTable('relay_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_id', d.instantType, (c) => c.notNull())
    .addColumn('gaps', d.jsonType, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', d.instantType)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('relay_cursors').execute();
  await db.schema.dropIndex('outbox_dead').execute();
  await db.schema.dropIndex('outbox_live_due').execute();
  await db.schema.alterTable('outbox').dropColumn('dead_at').execute();
  await db.schema.dropTable('grant_tokens').execute();
  await db.schema.dropTable('signing_keys').execute();
  await db.schema.dropTable('apps').execute();
}
