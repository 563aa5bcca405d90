/**
 * The append-only, tamper-evident audit trail (SPEC §4): each record's hash covers the previous
 * record's hash and its own content, so editing, removing or reordering a record breaks the chain at
 * that point, and {@link verifyAuditChain} names the first bad record.
 *
 *   hash = sha256(prevHash + canonicalJson({ seq, at, actor, action, accountId, operationId, data }))
 *
 * with prevHash = 64 zeros for the first record. Canonical JSON (sorted keys) makes the hash
 * independent of key order, and `data` is stored as that same canonical text, so verification
 * recomputes exactly the bytes that were hashed.
 *
 * What a chain cannot show on its own: the newest records cut off the end. Publishing the `lastHash`
 * of {@link verifyAuditChain} elsewhere from time to time (an anchor) closes that gap.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../core/policy/index.js';
import type { AuditEntry, AuditVerification, StoredAuditEntry } from '../../core/ports.js';
import type { Dialect } from './ddl.js';
import { toNumber, type AuditRow, type Database } from './schema.js';

export const GENESIS_HASH = '0'.repeat(64);

/** Advisory-lock class of the audit chain ('RNAU'); the schema's hash is the second key. */
const AUDIT_LOCK_CLASS = 0x524e4155;

/** `data` of an audit entry holds raw PII: a programming error, refused before anything is written. */
export class AuditPiiError extends Error {
  constructor(path: string, what: string) {
    super(
      `audit data at ${path} looks like ${what}: the audit trail must hold masked or non-personal data only`,
    );
    this.name = 'AuditPiiError';
  }
}

// A whole token only (not next to a letter or digit): an 18-character run inside a hash, a base64url
// id or a masked '1****…X' is not a document number. 17 digits + digit or X is GB 11643's shape.
const MAINLAND_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/u;
// A bare 11-digit number, or a mainland mobile written with +86 / 0086 and separators.
const PHONE =
  /(?<![0-9A-Za-z])(?:\d{11}|(?:(?:\+|00)86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![0-9A-Za-z])/u;

/**
 * Throw {@link AuditPiiError} if any string in `data` (values or keys, at any depth) is an unmasked
 * mainland ID number or phone number. Numbers are not inspected: amounts in ten-thousandths of a yuan
 * and epoch instants are 11–13 digit numbers, and phone numbers arrive as strings.
 *
 * @example
 * assertNoPii({ cardId: 'card_1', phone: '138****5678' }); // fine
 * assertNoPii({ phone: '13812345678' }); // throws AuditPiiError
 */
export function assertNoPii(data: unknown, path = 'data'): void {
  if (typeof data === 'string') {
    if (MAINLAND_ID.test(data)) throw new AuditPiiError(path, 'a mainland ID number');
    if (PHONE.test(data)) throw new AuditPiiError(path, 'an unmasked phone number');
    return;
  }
  if (data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    data.forEach((v, i) => assertNoPii(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(data)) {
    assertNoPii(k, `${path} (key ${JSON.stringify(k)})`);
    assertNoPii(v, `${path}.${k}`);
  }
}

/** The hashed content of one record. */
export interface AuditContent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  accountId: string | null;
  operationId: string | null;
  data: unknown;
}

/**
 * The hash of a record given its predecessor's hash.
 *
 * @example
 * auditHash(GENESIS_HASH, { seq: 1, at, actor: 'system', action: 'x', accountId: null, operationId: null, data: {} });
 */
export function auditHash(prevHash: string, content: AuditContent): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(content))
    .digest('hex');
}

/** `data` as plain JSON (toJSON applied, undefined dropped), the form that is stored and hashed. */
function plainData(data: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(data)) as unknown;
}

/** An entry checked and ready to chain (the guard runs when the entry is recorded, not at commit). */
export interface PreparedAudit {
  at: number;
  actor: string;
  action: string;
  accountId: string | null;
  operationId: string | null;
  data: unknown;
}

/**
 * Check an entry for PII and normalise it. Throws {@link AuditPiiError}.
 *
 * @example
 * const p = prepareAudit({ at, actor: 'system', action: 'key.created', accountId: null, data: { keyId } });
 */
export function prepareAudit(entry: AuditEntry): PreparedAudit {
  assertNoPii(entry.data);
  assertNoPii(entry.action, 'action');
  return {
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    accountId: entry.accountId,
    operationId: entry.operationId ?? null,
    data: plainData(entry.data),
  };
}

/**
 * Append entries to the chain inside the caller's transaction. On PostgreSQL a transaction-scoped
 * advisory lock is taken first, so two account transactions cannot both read the same last hash and
 * fork the chain; it is released at commit, after which the next holder's read sees this commit. The
 * lock's second key is the schema, so separate schemas (tenants, parallel test files) keep separate
 * chains without waiting for each other. On SQLite the writer lock of the transaction (BEGIN
 * IMMEDIATE) already serialises appends.
 *
 * @example
 * await appendAudit(trx, 'postgres', [prepareAudit(entry)]);
 */
export async function appendAudit(
  trx: Kysely<Database>,
  dialect: Dialect,
  entries: readonly PreparedAudit[],
): Promise<StoredAuditEntry[]> {
  if (entries.length === 0) return [];
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_LOCK_CLASS)}, hashtext(current_schema()))`.execute(
      trx,
    );
  }
  const last = await trx
    .selectFrom('audit')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = last ? toNumber(last.seq) : 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const stored: StoredAuditEntry[] = [];
  for (const e of entries) {
    seq += 1;
    const hash = auditHash(prevHash, { seq, ...e });
    stored.push({ seq, ...e, data: e.data as Record<string, unknown>, prevHash, hash });
    prevHash = hash;
  }
  await trx
    .insertInto('audit')
    .values(
      stored.map((s) => ({
        seq: s.seq,
        at: s.at,
        actor: s.actor,
        action: s.action,
        account_id: s.accountId,
        operation_id: s.operationId ?? null,
        data: canonicalJson(s.data),
        prev_hash: s.prevHash,
        hash: s.hash,
      })),
    )
    .execute();
  return stored;
}

function fromRow(r: AuditRow): StoredAuditEntry {
  return {
    seq: toNumber(r.seq),
    at: toNumber(r.at),
    actor: r.actor,
    action: r.action,
    accountId: r.account_id,
    operationId: r.operation_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * Read the trail in seq order (optionally one account's, after a seq), at most `limit` (default 100).
 *
 * @example
 * await readAuditTrail(db, { accountId: 'acc_1', afterSeq: 0, limit: 50 });
 */
export async function readAuditTrail(
  db: Kysely<Database>,
  opts: { accountId?: string; afterSeq?: number; limit?: number },
): Promise<StoredAuditEntry[]> {
  let q = db
    .selectFrom('audit')
    .selectAll()
    .orderBy('seq')
    .limit(opts.limit ?? 100);
  if (opts.accountId !== undefined) q = q.where('account_id', '=', opts.accountId);
  if (opts.afterSeq !== undefined) q = q.where('seq', '>', opts.afterSeq);
  return (await q.execute()).map(fromRow);
}

function selfHashOk(r: AuditRow): boolean {
  try {
    const seq = toNumber(r.seq);
    const content: AuditContent = {
      seq,
      at: toNumber(r.at),
      actor: r.actor,
      action: r.action,
      accountId: r.account_id,
      operationId: r.operation_id,
      data: JSON.parse(r.data) as unknown,
    };
    return auditHash(r.prev_hash, content) === r.hash;
  } catch {
    return false; // unparseable data or a non-integer column: the row was edited
  }
}

const VERIFY_BATCH = 1_000;

/**
 * Walk the whole chain in seq order (in batches, so memory stays flat) and name the first bad record:
 * - `removed`: a seq is missing (the missing seq is named), or a record no longer follows the one it
 *   was chained to and its own hash no longer matches (records removed and the rest renumbered);
 * - `reordered`: a record's prevHash is the hash of a record at another position;
 * - `edited`: a record's content no longer matches its hash, or it was rewritten with a recomputed
 *   hash (then the next record, which committed to the original, names it).
 *
 * @example
 * const v = await verifyAuditChain(db); // { ok: true, count, lastHash } or { ok: false, firstBadSeq, reason }
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<AuditVerification> {
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const bad = (firstBadSeq: number, reason: 'edited' | 'removed' | 'reordered'): AuditVerification => ({
    ok: false,
    count,
    firstBadSeq,
    reason,
  });
  for (;;) {
    const rows = await db
      .selectFrom('audit')
      .selectAll()
      .where('seq', '>', prevSeq)
      .orderBy('seq')
      .limit(VERIFY_BATCH)
      .execute();
    for (const r of rows) {
      const seq = toNumber(r.seq);
      if (seq !== prevSeq + 1) return bad(prevSeq + 1, 'removed');
      if (r.prev_hash !== prevHash) {
        // Only on the failure path: one lookup of where the record's predecessor went.
        const elsewhere = await db
          .selectFrom('audit')
          .select('seq')
          .where('hash', '=', r.prev_hash)
          .executeTakeFirst();
        if (elsewhere && toNumber(elsewhere.seq) !== prevSeq) return bad(seq, 'reordered');
        if (selfHashOk(r)) return bad(prevSeq > 0 ? prevSeq : seq, 'edited');
        return bad(seq, 'removed');
      }
      if (!selfHashOk(r)) return bad(seq, 'edited');
      prevSeq = seq;
      prevHash = r.hash;
      count += 1;
    }
    if (rows.length < VERIFY_BATCH) return { ok: true, count, lastHash: prevHash };
  }
}
