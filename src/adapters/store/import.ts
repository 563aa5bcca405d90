/**
 * Bulk import of whole accounts (`realname simulate --load`, the scale benchmark): the rows each
 * account would have after being recorded fact by fact — the account with its own wrapped data key
 * and sealed phone, the sealed identity, every fact row, the history the counting limits read, the
 * risk events and receipts the risk history reads — written with multi-row INSERTs, one statement
 * per table per chunk, so that a million accounts load in minutes instead of hours.
 *
 * The row shapes come from the same codecs and ciphers as the single writes (facts.ts `factRow`,
 * crypto.ts `encryptField`, mask.ts), so an imported account reads back exactly like a recorded one
 * (tested in test/e2e/import.test.ts).
 */
import type { Insertable, Kysely } from 'kysely';
import { maskDocumentNumber, maskEmail, maskName, maskPhone } from '../../core/mask.js';
import { FACT_KINDS, type AccountImport, type FactKind, type FactRows } from '../../core/ports.js';
import { encryptField, newDataKey, wrapDataKey, type MasterKey } from './crypto.js';
import { factRow, insertFactRows, type AnyFactRow } from './facts.js';
import { assertNoPii } from './audit.js';
import { flag, type Database } from './schema.js';

/**
 * Rows per INSERT: under SQLite's 32,766 bound parameters and PostgreSQL's 65,535 for the widest
 * table (accounts, 21 columns), and large enough that statement overhead stops mattering.
 */
const MAX_PARAMS = 30_000;

function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Every table an import writes rows into (for `refreshStatistics`). */
export const IMPORTED_TABLES: readonly string[] = [
  'accounts',
  'identities',
  ...FACT_KINDS,
  'history',
  'risk_events',
  'receipts',
];

type Tables = {
  accounts: Insertable<Database['accounts']>[];
  identities: Insertable<Database['identities']>[];
  history: Insertable<Database['history']>[];
  risk_events: Insertable<Database['risk_events']>[];
  receipts: Insertable<Database['receipts']>[];
};

/**
 * The rows of a batch, table by table. The clear data key of each account lives only inside this
 * function (zeroed before it returns).
 */
function rowsOf(
  batch: readonly AccountImport[],
  masterKey: MasterKey,
): { tables: Tables; facts: Map<FactKind, AnyFactRow[]> } {
  const tables: Tables = { accounts: [], identities: [], history: [], risk_events: [], receipts: [] };
  const facts = new Map<FactKind, AnyFactRow[]>(FACT_KINDS.map((k) => [k, []]));
  for (const a of batch) {
    const id = a.account.id;
    const dataKey = newDataKey();
    try {
      const email = a.account.email?.trim() || null;
      tables.accounts.push({
        id,
        region: a.account.region,
        status: a.account.status,
        phone_enc: encryptField(dataKey, id, 'phone', a.account.phone),
        phone_masked: maskPhone(a.account.phone),
        email_enc: email === null ? null : encryptField(dataKey, id, 'email', email),
        email_masked: email === null ? null : maskEmail(email),
        minor: flag(a.account.minor ?? false),
        guardian_account_id: a.account.guardianAccountId ?? null,
        created_at: a.account.createdAt,
        frozen_reason: a.account.frozenReason ?? null,
        deactivating_until: a.account.deactivatingUntil ?? null,
        balance: a.account.balance,
        pay_score_enabled: flag(a.account.payScoreEnabled),
        invoices_issued: a.account.invoicesIssued,
        merchant: a.account.merchant === null ? null : JSON.stringify(a.account.merchant),
        api_quota_tier: a.account.apiQuotaTier,
        declarations: JSON.stringify(a.account.declarations),
        retired: 0,
        data_key_wrapped: wrapDataKey(masterKey, id, dataKey),
      });
      const idn = a.identity;
      if (idn) {
        tables.identities.push({
          account_id: id,
          status: idn.status,
          document_type: idn.documentType,
          name_enc: encryptField(dataKey, id, 'identity.name', idn.name),
          document_enc: encryptField(dataKey, id, 'identity.document', idn.documentNumber),
          name_masked: maskName(idn.name),
          document_masked: maskDocumentNumber(idn.documentNumber),
          document_key: idn.documentKey,
          verified_at: idn.verifiedAt,
          changed_at: idn.changedAt ?? null,
          status_at: idn.statusAt,
        });
      }
    } finally {
      dataKey.fill(0);
    }
    for (const kind of FACT_KINDS) {
      const list = (a.facts[kind] ?? []) as readonly FactRows[typeof kind][];
      const out = facts.get(kind) as AnyFactRow[];
      for (const f of list) out.push(factRow(id, kind, f));
    }
    for (const h of a.history) {
      tables.history.push({
        account_id: id,
        kind: h.kind,
        at: h.at,
        card_type: h.kind === 'card_unbind' ? h.cardType : null,
        detail: h.kind === 'failed_verification' ? h.purpose : null,
      });
    }
    for (const e of a.riskEvents) {
      assertNoPii(e.detail, 'risk event detail');
      tables.risk_events.push({
        account_id: id,
        document_key: e.documentKey,
        kind: e.kind,
        op_kind: e.opKind,
        at: e.at,
        detail: JSON.stringify(e.detail),
      });
    }
    for (const r of a.receipts)
      tables.receipts.push({ account_id: id, id: r.id, at: r.at, amount: r.amount });
  }
  return { tables, facts };
}

/**
 * Insert the rows of `batch` in the caller's transaction (the store checks ids and audits). Parents
 * first: the fact tables reference accounts.
 *
 * @example
 * await insertImportedAccounts(trx, masterKey, batch);
 */
export async function insertImportedAccounts(
  trx: Kysely<Database>,
  masterKey: MasterKey,
  batch: readonly AccountImport[],
): Promise<void> {
  if (batch.length === 0) return;
  const { tables, facts } = rowsOf(batch, masterKey);
  const insert = async <T extends keyof Tables>(table: T) => {
    const rows: readonly object[] = tables[table];
    if (rows.length === 0) return;
    const width = Object.keys(rows[0] as object).length;
    for (const part of chunks(rows, width)) {
      await (trx as unknown as Kysely<Record<T, object>>)
        .insertInto(table)
        .values(part as never)
        .execute();
    }
  };
  await insert('accounts');
  await insert('identities');
  for (const [kind, rows] of facts) {
    if (rows.length === 0) continue;
    const width = Object.keys(rows[0] as object).length;
    for (const part of chunks(rows, width)) await insertFactRows(trx, kind, part);
  }
  await insert('history');
  await insert('risk_events');
  await insert('receipts');
}
