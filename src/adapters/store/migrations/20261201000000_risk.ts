/**
 * Risk control (R-RISK-1/2/3). Two tables, PII-free:
 *
 * - `risk_events`: what the risk history needs that no other table records — refused starts (with
 *   their codes), started operations, appeals (with their claim), changes of the bound phone's
 *   country — each with the keyed hash of the document involved (never the number), so the accounts
 *   that share a document can be found (R-RISK-1 velocity, R-RISK-2 overseas re-registration).
 *   Written in the transaction of what it records.
 * - `risk_decisions`: one row per decision (live policy, and the shadow one beside it), with what it
 *   read (masked facts, risk history, request without document numbers) so that it can be decided
 *   again under a candidate policy (`realname backtest`).
 *
 * Both outlive an account's purge (R-DEL-4): they hold no personal data, and a document's past is
 * what the abuse routes of R-RISK-2 are about.
 */
import type { Kysely } from 'kysely';
import { ddl } from '../ddl.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = ddl(db);
  await d
    .autoIncrementPk(d.createTable('risk_events'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('document_key', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('op_kind', 'text')
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('detail', d.jsonType, (c) => c.notNull())
    .execute();
  // An account's history from an instant on; a document's other accounts.
  await db.schema
    .createIndex('risk_events_account_at')
    .on('risk_events')
    .columns(['account_id', 'at'])
    .execute();
  await db.schema
    .createIndex('risk_events_document')
    .on('risk_events')
    .columns(['document_key', 'account_id'])
    .execute();

  // A document's earlier holders (R-RISK-1/2): identities and document_changes are indexed by
  // document already, the identity history was not.
  await db.schema
    .createIndex('identity_history_document_key')
    .on('identity_history')
    .column('document_key')
    .execute();

  await d
    .autoIncrementPk(d.createTable('risk_decisions'))
    .addColumn('operation_id', 'text')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('request_kind', 'text', (c) => c.notNull())
    .addColumn('at', d.instantType, (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('decision', 'text')
    .addColumn('live', d.jsonType, (c) => c.notNull())
    .addColumn('policy_version', 'text', (c) => c.notNull())
    .addColumn('snapshot', d.jsonType, (c) => c.notNull())
    .addColumn('shadow_policy_version', 'text')
    .addColumn('shadow', d.jsonType)
    .addColumn('disagreement', d.flagType, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('risk_decisions_account')
    .on('risk_decisions')
    .columns(['account_id', 'id'])
    .execute();
  await db.schema
    .createIndex('risk_decisions_operation')
    .on('risk_decisions')
    .column('operation_id')
    .execute();
  await db.schema.createIndex('risk_decisions_at').on('risk_decisions').columns(['at', 'id']).execute();
  await db.schema
    .createIndex('risk_decisions_disagreement')
    .on('risk_decisions')
    .columns(['disagreement', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('risk_decisions').execute();
  await db.schema.dropIndex('identity_history_document_key').execute();
  await db.schema.dropTable('risk_events').execute();
}
