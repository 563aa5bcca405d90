/**
 * Accounts, identities (encrypted), document usage, the fact tables of `FactRows` and the history
 * the counting limits read.
 */
import type { CreateTableBuilder, Kysely } from 'kysely';
import { ddl } from '../ddl.js';

type Columns = (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, string>;

/** The fact tables, in creation order; `down` drops them in reverse. */
const FACT_TABLES = [
  'devices',
  'logins',
  'cards',
  'subscriptions',
  'loans',
  'red_packets',
  'pending_transactions',
  'admin_roles',
  'enterprise_links',
  'mini_programs',
  'grants',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);

  await d
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text', (c) => c.notNull())
    .addColumn('phone_masked', 'text', (c) => c.notNull())
    .addColumn('email_enc', 'text')
    .addColumn('email_masked', 'text')
    .addColumn('minor', d.flagType, (c) => c.notNull().defaultTo(0))
    .addColumn('guardian_account_id', 'text')
    .addColumn('created_at', d.instantType, (c) => c.notNull())
    .addColumn('frozen_reason', 'text')
    .addColumn('deactivating_until', d.instantType)
    .addColumn('balance', d.moneyType, (c) => c.notNull().defaultTo(0))
    .addColumn('pay_score_enabled', d.flagType, (c) => c.notNull().defaultTo(0))
    .addColumn('invoices_issued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('merchant', d.jsonType)
    .addColumn('api_quota_tier', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('declarations', d.jsonType, (c) => c.notNull().defaultTo('{}'))
    .addColumn('retired', d.flagType, (c) => c.notNull().defaultTo(0))
    .addColumn('data_key_wrapped', 'text')
    .execute();

  await d
    .createTable('identities')
    .addColumn('account_id', 'text', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('document_enc', 'text', (c) => c.notNull())
    .addColumn('name_masked', 'text', (c) => c.notNull())
    .addColumn('document_masked', 'text', (c) => c.notNull())
    .addColumn('document_key', 'text', (c) => c.notNull())
    .addColumn('verified_at', d.instantType)
    .addColumn('changed_at', d.instantType)
    .addColumn('status_at', d.instantType)
    .execute();
  // Re-registration of a known document on another account (R-RISK-2) looks identities up by key.
  await db.schema.createIndex('identities_document_key').on('identities').column('document_key').execute();

  await d
    .autoIncrementPk(d.createTable('identity_history'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('name_enc', 'text', (c) => c.notNull())
    .addColumn('document_enc', 'text', (c) => c.notNull())
    .addColumn('name_masked', 'text', (c) => c.notNull())
    .addColumn('document_masked', 'text', (c) => c.notNull())
    .addColumn('document_key', 'text', (c) => c.notNull())
    .addColumn('verified_at', d.instantType)
    .addColumn('changed_at', d.instantType)
    .execute();
  await db.schema
    .createIndex('identity_history_account')
    .on('identity_history')
    .columns(['account_id', 'id'])
    .execute();

  await d
    .createTable('document_usage')
    .addColumn('document_key', 'text', (c) => c.primaryKey())
    .addColumn('cooldown_until', d.instantType)
    .execute();
  await d
    .autoIncrementPk(d.createTable('document_changes'))
    .addColumn('document_key', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('at', d.instantType, (c) => c.notNull())
    .execute();
  // documentUsage(key) reads every change to one document (R-CHG-3), across accounts.
  await db.schema
    .createIndex('document_changes_key_at')
    .on('document_changes')
    .columns(['document_key', 'at'])
    .execute();

  // Each fact table is keyed by (account_id, id): the primary key's leading column is the account,
  // so "all facts of one account" is an index range scan without a separate index.
  const factColumns: Record<(typeof FACT_TABLES)[number], Columns> = {
    devices: (t) =>
      t
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('os_version', 'text')
        .addColumn('is_primary', d.flagType, (c) => c.notNull())
        .addColumn('added_at', d.instantType, (c) => c.notNull()),
    logins: (t) =>
      t
        .addColumn('at', d.instantType, (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('abnormal', d.flagType, (c) => c.notNull()),
    cards: (t) =>
      t
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('bank', 'text', (c) => c.notNull())
        .addColumn('reserved_phone_masked', 'text', (c) => c.notNull())
        .addColumn('unbilled', d.moneyType)
        .addColumn('cross_border_agreement', d.flagType)
        .addColumn('bound_at', d.instantType, (c) => c.notNull()),
    subscriptions: (t) =>
      t
        .addColumn('merchant', 'text', (c) => c.notNull())
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('amount', d.moneyType, (c) => c.notNull())
        .addColumn('active', d.flagType, (c) => c.notNull())
        .addColumn('next_charge_at', d.instantType),
    loans: (t) =>
      t
        .addColumn('product', 'text', (c) => c.notNull())
        .addColumn('outstanding', d.moneyType, (c) => c.notNull()),
    red_packets: (t) =>
      t
        .addColumn('amount', d.moneyType, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', d.instantType, (c) => c.notNull()),
    pending_transactions: (t) =>
      t
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount', d.moneyType, (c) => c.notNull())
        .addColumn('created_at', d.instantType, (c) => c.notNull()),
    admin_roles: (t) =>
      t.addColumn('kind', 'text', (c) => c.notNull()).addColumn('name', 'text', (c) => c.notNull()),
    enterprise_links: (t) =>
      t
        .addColumn('enterprise', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('active', d.flagType, (c) => c.notNull())
        .addColumn('admin_role', d.flagType, (c) => c.notNull())
        .addColumn('pending_approvals', 'integer', (c) => c.notNull()),
    mini_programs: (t) => t.addColumn('name', 'text', (c) => c.notNull()),
    grants: (t) =>
      t
        .addColumn('app_name', 'text', (c) => c.notNull())
        .addColumn('developer_id', 'text', (c) => c.notNull())
        .addColumn('open_id', 'text', (c) => c.notNull())
        .addColumn('union_id', 'text', (c) => c.notNull())
        .addColumn('active', d.flagType, (c) => c.notNull())
        .addColumn('granted_at', d.instantType, (c) => c.notNull()),
  };
  for (const name of FACT_TABLES) {
    const base = d
      .createTable(name)
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('id', 'text', (c) => c.notNull());
    await factColumns[name](base).addPrimaryKeyConstraint(`${name}_pk`, ['account_id', 'id']).execute();
  }
  // Token introspection and SET addressing find a grant by its OpenID (R-NOTIFY-1/2).
  await db.schema.createIndex('grants_open_id').on('grants').column('open_id').execute();

  await d
    .autoIncrementPk(d.createTable('history'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('card_type', 'text')
    .execute();
  // facts() reads history by account and kind, and counts since an instant (R-CARD-2/3, R-REV-7).
  await db.schema
    .createIndex('history_account_kind_at')
    .on('history')
    .columns(['account_id', 'kind', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Children before parents (foreign keys); indexes go with their tables.
  await db.schema.dropTable('history').execute();
  for (const name of [...FACT_TABLES].reverse()) await db.schema.dropTable(name).execute();
  await db.schema.dropTable('document_changes').execute();
  await db.schema.dropTable('document_usage').execute();
  await db.schema.dropTable('identity_history').execute();
  await db.schema.dropTable('identities').execute();
  await db.schema.dropTable('accounts').execute();
}
