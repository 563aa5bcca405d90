/**
 * A digest of everything a store holds, to prove that a refused request changed nothing (SPEC §4:
 * "a refused request changes nothing"): one hash per table of every row, on SQLite and PostgreSQL.
 *
 * Left out, by design, are the records a refusal itself is documented to write: the audit trail
 * (compared separately: only refusal records may be added), the idempotency keys (a refused request
 * with a key is the answer its replay gets), the risk decisions and events of refused starts
 * (R-RISK-1: every decision is recorded), one-time codes and the failed verifications of the history
 * (every wrong code is counted, a risk signal), and a document's R-CHG-3 cooldown (started by the
 * refused 4th change).
 *
 * @example
 * const before = await stateDigest(store);
 * … a refused request …
 * expect(diffDigest(before, await stateDigest(store))).toEqual([]);
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

export const REFUSAL_RECORD_TABLES: ReadonlySet<string> = new Set([
  'audit',
  'idempotency',
  'risk_decisions',
  'risk_events',
  'verifications',
  'document_usage',
]);

/**
 * Rows of other tables a refusal is documented to write: a wrong one-time code is a failed
 * verification in the account's history (a risk signal, R-RISK-1).
 */
export const REFUSAL_RECORD_ROWS: Readonly<Record<string, string>> = {
  history: "kind <> 'failed_verification'",
};

export interface Digest {
  /** Table → hash of its rows. */
  tables: Record<string, string>;
  /** The last audit record: seq and action of every record after a given seq are read from it. */
  auditSeq: number;
}

/** The store's tables, its migration bookkeeping left out. */
async function tablesOf(db: Kysely<unknown>, postgres: boolean): Promise<string[]> {
  const rows = postgres
    ? await sql<{
        name: string;
      }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
        db,
      )
    : await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows.rows
    .map((r) => r.name)
    .filter((n) => !n.startsWith('kysely_') && !REFUSAL_RECORD_TABLES.has(n))
    .sort();
}

const cache = new WeakMap<object, string[]>();
const where = (table: string): string =>
  REFUSAL_RECORD_ROWS[table] ? ` where ${REFUSAL_RECORD_ROWS[table]}` : '';

/** The digest of every table but the refusal records (one statement on PostgreSQL). */
export async function stateDigest(db: Kysely<unknown>, postgres: boolean): Promise<Digest> {
  let tables = cache.get(db);
  if (!tables) {
    tables = await tablesOf(db, postgres);
    cache.set(db, tables);
  }
  const out: Record<string, string> = {};
  if (postgres) {
    const cols = tables.map(
      (t) =>
        `(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from "${t}" x${where(t)}) as "${t}"`,
    );
    const row = (await sql.raw<Record<string, string>>(`select ${cols.join(', ')}`).execute(db)).rows[0]!;
    Object.assign(out, row);
  } else {
    for (const t of tables) {
      const rows = (await sql.raw(`select * from "${t}"${where(t)}`).execute(db)).rows.map((r) =>
        JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v)),
      );
      out[t] = createHash('sha1').update(rows.sort().join('|')).digest('hex');
    }
  }
  const seq = (await sql<{ seq: number | string | null }>`select max(seq) as seq from audit`.execute(db))
    .rows[0]?.seq;
  return { tables: out, auditSeq: Number(seq ?? 0) };
}

/** The tables whose content differs. */
export function diffDigest(before: Digest, after: Digest): string[] {
  return Object.keys({ ...before.tables, ...after.tables }).filter(
    (t) => before.tables[t] !== after.tables[t],
  );
}

/** The audit actions a refusal may write (the refusal itself, a wrong code, a failed bank check). */
export function isRefusalAudit(action: string): boolean {
  return (
    action.endsWith('.refused') ||
    action === 'verification.failed' ||
    action === 'verification.bank_check_failed' ||
    action === 'verification.send_failed'
  );
}

/** Audit actions written after `seq`. */
export async function auditActionsAfter(db: Kysely<unknown>, seq: number): Promise<string[]> {
  const rows = await sql<{
    action: string;
  }>`select action from audit where seq > ${seq} order by seq`.execute(db);
  return rows.rows.map((r) => r.action);
}
