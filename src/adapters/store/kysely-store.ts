/**
 * The `Store` port (core/ports.ts) over Kysely, for SQLite and PostgreSQL with the same queries.
 *
 * Transactions:
 * - `withAccount` runs `fn` in ONE transaction that holds the account's lock. PostgreSQL: the first
 *   statement is `SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, so transactions on one account
 *   queue on its row while other accounts run in parallel; in READ COMMITTED each later statement
 *   sees what the previous holder committed. SQLite: BEGIN IMMEDIATE on the one connection, which
 *   Kysely's driver hands to one transaction at a time (sqlite.ts explains the mutex).
 * - Audit entries recorded in the transaction are checked for PII at once, and chained just before
 *   COMMIT: on PostgreSQL the chain's lock (audit.ts) is then held for microseconds, not for the
 *   whole of `fn`.
 * - Store methods called from inside `fn` (e.g. `store.operation(id)`) read through the open
 *   transaction — on SQLite a second transaction would wait for the first forever — and writing
 *   methods refuse with a clear error (they would escape the account lock and its rollback).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { DomainError } from '../../core/errors/index.js';
import { maskDocumentNumber, maskEmail, maskName, maskPhone } from '../../core/mask.js';
import type { AccountFacts, DocumentType, IdentityStatus } from '../../core/model.js';
import {
  factRowId,
  type AccountImport,
  type AccountPatch,
  type AccountTx,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditVerification,
  type EvidenceMeta,
  type EvidenceWrite,
  type PendingSubject,
  type Receipt,
  type ReviewClaim,
  type ReviewQueueQuery,
  type ReviewQueueRow,
  type FactKind,
  type FactRows,
  type HistoryEvent,
  type LedgerEntry,
  type SagaPhase,
  type SagaStep,
  type IdempotencyClaim,
  type IdempotencyRecord,
  type IdentitySecret,
  type IdentityWrite,
  type NewAccount,
  type OperationRecord,
  type OutboxEvent,
  type Store,
  type StoredAuditEntry,
  type StoredOutboxEvent,
  type TimelineEntry,
  type NewVerification,
  type VerificationChannel,
  type VerificationRecord,
} from '../../core/ports.js';
import { appendAudit, assertNoPii, prepareAudit, readAuditTrail, verifyAuditChain } from './audit.js';
import type { PreparedAudit } from './audit.js';
import {
  accountCipher,
  encryptField,
  newDataKey,
  wrapDataKey,
  type AccountCipher,
  type MasterKey,
} from './crypto.js';
import type { Dialect } from './ddl.js';
import {
  assembleFacts,
  deleteAllFactRows,
  deleteFactRow,
  listFactRows,
  putFactRow,
  toAccount,
  toOperation,
} from './facts.js';
import { migrateToLatest, migrationStatus } from './migrations/index.js';
import { openPostgres } from './postgres.js';
import {
  flag,
  toNullableNumber,
  toNumber,
  type AccountsTable,
  type Database,
  type OperationsTable,
  type VerificationsTable,
} from './schema.js';
import { openSqlite } from './sqlite.js';
import { IMPORTED_TABLES, insertImportedAccounts } from './import.js';

export interface StoreLog {
  warn(message: string): void;
}

export interface CreateStoreOptions {
  /**
   * `postgres://…` (or `postgresql://…`) for PostgreSQL; a SQLite file path, `sqlite:<path>`,
   * `file:` URL or `:memory:` for SQLite. Default: SQLite at `<dataDir>/realname.db`.
   */
  url?: string;
  /** Directory of the default SQLite file (default `./data`). */
  dataDir?: string;
  /** Wraps every account's data key (crypto.ts `loadMasterKey`). */
  masterKey: MasterKey;
  /** Stamps outbox rows; the composition root passes its clock (tests a ManualClock). */
  clock?: Clock;
  log?: StoreLog;
  /** PostgreSQL only: schema to work in (`search_path`). */
  schema?: string;
  /** PostgreSQL only: pool size (default 10). */
  poolSize?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** The account transaction of this store: the port's, plus reads the port does not have yet. */
export interface StoreAccountTx extends AccountTx {
  /** Cross-account use of a document, read inside the account's transaction (R-CHG-3). */
  documentUsage(documentKey: string): Promise<{ changesAt: number[]; cooldownUntil: number | null }>;
}

/** The store, plus what the outbox relay and tests need beyond the port. */
export interface KyselyStore extends Store {
  /** The Kysely instance: for migrations, the CLI and tests; use cases go through the port. */
  readonly db: Kysely<Database>;
  withAccount<T>(accountId: string, fn: (tx: StoreAccountTx) => Promise<T>): Promise<T>;
  /** Undelivered events, oldest first; with `now`, only those whose retry time has come. */
  pendingOutbox(limit: number, now?: number): Promise<StoredOutboxEvent[]>;
  /** A failed delivery: one more attempt counted, the error kept, the next try scheduled. */
  recordOutboxFailure(id: number, failure: { error: string; nextAttemptAt: number }): Promise<void>;
  /** Whether any API key exists (first start: the CLI bootstraps an admin key when none does). */
  hasApiKeys(): Promise<boolean>;
  /**
   * The account transaction open in this async context (inside `withAccount`), or undefined: for
   * store modules over the same database (risk-store.ts) that must read and write through it.
   */
  currentTransaction(): Kysely<Database> | undefined;
}

// The one place a wall clock is read, for callers that inject none (scripts); main.ts passes its own.
const systemClock: Clock = { now: () => Date.now() };

/** An open account transaction, as seen by store methods called from inside `fn`. */
interface TxContext {
  trx: Kysely<Database>;
  open: boolean;
}

interface TxDeps {
  dialect: Dialect;
  masterKey: MasterKey;
  clock: Clock;
}

class KyselyAccountTx implements StoreAccountTx {
  readonly accountId: string;
  /** Set when the data key was destroyed, so the store can scrub the SQLite WAL after commit. */
  shredded = false;
  readonly #trx: Kysely<Database>;
  readonly #deps: TxDeps;
  readonly #audits: PreparedAudit[] = [];
  #cipher: AccountCipher | undefined;
  #open = true;
  readonly #owned = new Set<string>();

  constructor(accountId: string, trx: Kysely<Database>, deps: TxDeps) {
    this.accountId = accountId;
    this.#trx = trx;
    this.#deps = deps;
  }

  #db(): Kysely<Database> {
    // A tx kept past its withAccount() would run statements outside any transaction (SQLite) or on
    // a finished one (PostgreSQL): refuse loudly instead.
    if (!this.#open) throw new Error(`AccountTx of ${this.accountId} used after its withAccount() ended`);
    return this.#trx;
  }

  async #cipherOf(): Promise<AccountCipher> {
    if (!this.#cipher) {
      const row = await this.#db()
        .selectFrom('accounts')
        .select('data_key_wrapped')
        .where('id', '=', this.accountId)
        .executeTakeFirstOrThrow();
      this.#cipher = accountCipher(this.#deps.masterKey, this.accountId, row.data_key_wrapped);
    }
    return this.#cipher;
  }

  /** Chain the recorded audit entries into the trail, inside the transaction, before COMMIT. */
  async flushAudit(): Promise<void> {
    await appendAudit(this.#db(), this.#deps.dialect, this.#audits.splice(0));
  }

  close(): void {
    this.#open = false;
  }

  async facts(only?: readonly FactKind[]): Promise<AccountFacts> {
    const facts = await assembleFacts(this.#db(), this.accountId, only);
    if (!facts) throw new DomainError('ACCOUNT_NOT_FOUND', { accountId: this.accountId });
    return facts;
  }

  async updateAccount(patch: AccountPatch): Promise<void> {
    const db = this.#db();
    const u: Updateable<AccountsTable> = {};
    if (patch.region !== undefined) u.region = patch.region;
    if (patch.status !== undefined) {
      u.status = patch.status;
      // R-DEL-4: a deleted account's identifiers are retired for good (the row stays, so its id
      // can never be created again); nothing sets it back.
      if (patch.status === 'deleted') u.retired = 1;
    }
    if (patch.phone !== undefined) {
      u.phone_enc = (await this.#cipherOf()).encrypt('phone', patch.phone);
      u.phone_masked = maskPhone(patch.phone);
    }
    if (patch.email !== undefined) {
      const email = patch.email?.trim() || null;
      u.email_enc = email === null ? null : (await this.#cipherOf()).encrypt('email', email);
      u.email_masked = email === null ? null : maskEmail(email);
    }
    if (patch.minor !== undefined) u.minor = flag(patch.minor);
    if (patch.guardianAccountId !== undefined) u.guardian_account_id = patch.guardianAccountId;
    if (patch.frozenReason !== undefined) u.frozen_reason = patch.frozenReason;
    if (patch.deactivatingUntil !== undefined) u.deactivating_until = patch.deactivatingUntil;
    if (patch.balance !== undefined) u.balance = patch.balance;
    if (patch.payScoreEnabled !== undefined) u.pay_score_enabled = flag(patch.payScoreEnabled);
    if (patch.invoicesIssued !== undefined) u.invoices_issued = patch.invoicesIssued;
    if (patch.merchant !== undefined)
      u.merchant = patch.merchant === null ? null : JSON.stringify(patch.merchant);
    if (patch.apiQuotaTier !== undefined) u.api_quota_tier = patch.apiQuotaTier;
    if (patch.declarations !== undefined) u.declarations = JSON.stringify(patch.declarations);
    if (Object.keys(u).length === 0) return;
    await db.updateTable('accounts').set(u).where('id', '=', this.accountId).execute();
  }

  async putFact<K extends FactKind>(kind: K, row: FactRows[K]): Promise<void> {
    await putFactRow(this.#db(), this.accountId, kind, factRowId(kind, row), row);
  }

  deleteFact(kind: FactKind, id: string): Promise<boolean> {
    return deleteFactRow(this.#db(), this.accountId, kind, id);
  }

  async addHistory(event: HistoryEvent): Promise<void> {
    await this.#db()
      .insertInto('history')
      .values({
        account_id: this.accountId,
        kind: event.kind,
        at: event.at,
        card_type: event.kind === 'card_unbind' ? event.cardType : null,
        detail: event.kind === 'failed_verification' ? event.purpose : null,
      })
      .execute();
  }

  async writeIdentity(identity: IdentityWrite | null, at: number): Promise<void> {
    const db = this.#db();
    const prev = await db
      .selectFrom('identities')
      .selectAll()
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    if (prev) {
      // R-CHG-5: the old subject is kept, still sealed: its ciphertexts move as they are (same
      // account, same fields, so the same AAD), which works even after the data key is gone.
      await db
        .insertInto('identity_history')
        .values({
          account_id: this.accountId,
          at,
          status: prev.status,
          document_type: prev.document_type,
          name_enc: prev.name_enc,
          document_enc: prev.document_enc,
          name_masked: prev.name_masked,
          document_masked: prev.document_masked,
          document_key: prev.document_key,
          verified_at: toNullableNumber(prev.verified_at),
          changed_at: toNullableNumber(prev.changed_at),
        })
        .execute();
    }
    if (identity === null) {
      if (prev) await db.deleteFrom('identities').where('account_id', '=', this.accountId).execute();
      return;
    }
    const cipher = await this.#cipherOf();
    const values = {
      status: identity.status,
      document_type: identity.documentType,
      name_enc: cipher.encrypt('identity.name', identity.name),
      document_enc: cipher.encrypt('identity.document', identity.documentNumber),
      name_masked: maskName(identity.name),
      document_masked: maskDocumentNumber(identity.documentNumber),
      document_key: identity.documentKey,
      verified_at: identity.verifiedAt,
      changed_at: identity.changedAt ?? null,
      status_at: at,
    };
    await db
      .insertInto('identities')
      .values({ account_id: this.accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
      .execute();
    // R-CHG-3 counts real-name changes TO a document across accounts: replacing a subject with
    // another document is such a change; a first bind, or rewriting the same document, is not.
    if (prev && prev.document_key !== identity.documentKey) {
      await db
        .insertInto('document_changes')
        .values({ document_key: identity.documentKey, account_id: this.accountId, at })
        .execute();
    }
  }

  async setIdentityStatus(status: IdentityStatus, at: number): Promise<void> {
    const res = await this.#db()
      .updateTable('identities')
      .set({ status, status_at: at })
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      throw new DomainError('CONFLICT', { detail: `account ${this.accountId} has no identity` });
  }

  async createOperation(op: OperationRecord): Promise<void> {
    if (op.accountId !== this.accountId)
      throw new Error(
        `operation ${op.id} belongs to ${op.accountId}, not to the locked account ${this.accountId}`,
      );
    assertNoPii(op.request, 'operation request');
    const res = await this.#db()
      .insertInto('operations')
      .values({
        id: op.id,
        account_id: op.accountId,
        kind: op.kind,
        state: op.state,
        request: JSON.stringify(op.request),
        policy_version: op.policyVersion,
        idempotency_key: op.idempotencyKey,
        created_at: op.createdAt,
        updated_at: op.updatedAt,
        outcome: op.outcome,
        deadline_at: op.deadlineAt,
        deadline_kind: op.deadlineKind,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0)
      throw new DomainError('CONFLICT', { detail: `operation ${op.id} already exists` });
    this.#owned.add(op.id);
  }

  async updateOperation(
    id: string,
    patch: Partial<Pick<OperationRecord, 'state' | 'outcome' | 'deadlineAt' | 'deadlineKind' | 'updatedAt'>>,
  ): Promise<void> {
    const u: Updateable<OperationsTable> = {};
    if (patch.state !== undefined) u.state = patch.state;
    if (patch.outcome !== undefined) u.outcome = patch.outcome;
    if (patch.deadlineAt !== undefined) u.deadline_at = patch.deadlineAt;
    if (patch.deadlineKind !== undefined) u.deadline_kind = patch.deadlineKind;
    if (patch.updatedAt !== undefined) u.updated_at = patch.updatedAt;
    if (Object.keys(u).length === 0) {
      await this.#ownOperation(id);
      return;
    }
    const res = await this.#db()
      .updateTable('operations')
      .set(u)
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new DomainError('OPERATION_NOT_FOUND', { operationId: id });
  }

  async #ownOperation(id: string): Promise<void> {
    // An operation created or already checked in this transaction is this account's.
    if (this.#owned.has(id)) return;
    const row = await this.#db()
      .selectFrom('operations')
      .select('id')
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    if (!row) throw new DomainError('OPERATION_NOT_FOUND', { operationId: id });
    this.#owned.add(id);
  }

  async addTimeline(operationId: string, entry: TimelineEntry): Promise<void> {
    assertNoPii(entry.data, 'timeline data');
    await this.#ownOperation(operationId);
    await this.#db()
      .insertInto('operation_timeline')
      .values({
        operation_id: operationId,
        at: entry.at,
        state: entry.state,
        event: entry.event,
        actor: entry.actor,
        data: JSON.stringify(entry.data),
      })
      .execute();
  }

  audit(entry: Omit<AuditEntry, 'accountId'>): Promise<void> {
    this.#db();
    // Checked now, so a PII mistake fails at the line that made it; chained at commit (flushAudit).
    this.#audits.push(prepareAudit({ ...entry, accountId: this.accountId }));
    return Promise.resolve();
  }

  async outbox(event: Omit<OutboxEvent, 'accountId'>): Promise<void> {
    // The same (topic, key) twice is one event: consumers deduplicate by key, and so does the table.
    await this.#db()
      .insertInto('outbox')
      .values({
        topic: event.topic,
        key: event.key,
        account_id: this.accountId,
        payload: JSON.stringify(event.payload),
        created_at: this.#deps.clock.now(),
      })
      .onConflict((oc) => oc.columns(['topic', 'key']).doNothing())
      .execute();
  }

  async setDocumentCooldown(documentKey: string, until: number): Promise<void> {
    await this.#db()
      .insertInto('document_usage')
      .values({ document_key: documentKey, cooldown_until: until })
      .onConflict((oc) => oc.column('document_key').doUpdateSet({ cooldown_until: until }))
      .execute();
  }

  async destroyDataKey(): Promise<void> {
    await this.#db()
      .updateTable('accounts')
      .set({ data_key_wrapped: null })
      .where('id', '=', this.accountId)
      .execute();
    // Later encryptions in this transaction fail too, with the same clear error as decryptions.
    this.#cipher = accountCipher(this.#deps.masterKey, this.accountId, null);
    this.shredded = true;
  }

  async putEvidence(item: EvidenceWrite): Promise<void> {
    const cipher = await this.#cipherOf();
    await this.#db()
      .insertInto('evidence')
      .values({
        id: item.id,
        account_id: this.accountId,
        kind: item.kind,
        content_type: item.contentType,
        size: item.size,
        sha256: item.sha256,
        name_enc: item.name === null ? null : cipher.encrypt('evidence.name', item.name),
        created_at: item.createdAt,
        data_enc: cipher.encryptBytes('evidence.data', item.data),
      })
      .execute();
  }

  async putPendingSubject(operationId: string, subject: PendingSubject, at: number): Promise<void> {
    await this.#ownOperation(operationId);
    const cipher = await this.#cipherOf();
    const values = {
      document_type: subject.documentType,
      name_enc: cipher.encrypt('pending.name', subject.name),
      document_enc: cipher.encrypt('pending.document', subject.documentNumber),
      document_key: subject.documentKey,
      created_at: at,
    };
    await this.#db()
      .insertInto('pending_subjects')
      .values({ operation_id: operationId, account_id: this.accountId, ...values })
      .onConflict((oc) => oc.column('operation_id').doUpdateSet(values))
      .execute();
  }

  async deletePendingSubject(operationId: string): Promise<boolean> {
    const res = await this.#db()
      .deleteFrom('pending_subjects')
      .where('operation_id', '=', operationId)
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async claimReview(claim: ReviewClaim): Promise<void> {
    await this.#ownOperation(claim.operationId);
    const values = { reviewer: claim.reviewer, claimed_at: claim.claimedAt };
    await this.#db()
      .insertInto('review_claims')
      .values({ operation_id: claim.operationId, account_id: this.accountId, ...values })
      .onConflict((oc) => oc.column('operation_id').doUpdateSet(values))
      .execute();
  }

  async releaseReview(operationId: string): Promise<void> {
    await this.#db()
      .deleteFrom('review_claims')
      .where('operation_id', '=', operationId)
      .where('account_id', '=', this.accountId)
      .execute();
  }

  documentUsage(documentKey: string): Promise<{ changesAt: number[]; cooldownUntil: number | null }> {
    return readDocumentUsage(this.#db(), documentKey);
  }

  async lockDocument(documentKey: string): Promise<void> {
    // SQLite has one writer at a time already; PostgreSQL takes a transaction-scoped advisory lock
    // keyed by the document (and the schema, like the audit chain's, so tenants do not collide).
    if (this.#deps.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(${documentKey}))`.execute(
      this.#db(),
    );
  }

  async erasePersonalData(): Promise<void> {
    const db = this.#db();
    await this.destroyDataKey();
    await db.deleteFrom('identities').where('account_id', '=', this.accountId).execute();
    await db.deleteFrom('identity_history').where('account_id', '=', this.accountId).execute();
    // Evidence files and the pending subjects of changes are sealed under the destroyed key already;
    // the rows go too, so not even their sizes and hashes outlive the account.
    await db.deleteFrom('evidence').where('account_id', '=', this.accountId).execute();
    await db.deleteFrom('pending_subjects').where('account_id', '=', this.accountId).execute();
    await db.deleteFrom('receipts').where('account_id', '=', this.accountId).execute();
    await deleteAllFactRows(db, this.accountId, ['grants']);
    await db.updateTable('grants').set({ active: 0 }).where('account_id', '=', this.accountId).execute();
    await db
      .updateTable('accounts')
      .set({
        phone_enc: '',
        phone_masked: '',
        email_enc: null,
        email_masked: null,
        balance: 0,
        merchant: null,
        frozen_reason: null,
      })
      .where('id', '=', this.accountId)
      .execute();
  }

  async createVerification(challenge: NewVerification): Promise<void> {
    await this.#db()
      .insertInto('verifications')
      .values({
        id: challenge.id,
        account_id: this.accountId,
        purpose: challenge.purpose,
        channel: challenge.channel,
        code_hash: challenge.codeHash,
        created_at: challenge.createdAt,
        expires_at: challenge.expiresAt,
        attempts: 0,
        verified_at: null,
        consumed_at: null,
      })
      .execute();
  }

  async verification(id: string): Promise<VerificationRecord | null> {
    const row = await this.#db()
      .selectFrom('verifications')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .executeTakeFirst();
    return row ? toVerification(row) : null;
  }

  async latestVerification(purpose: string): Promise<VerificationRecord | null> {
    const row = await this.#db()
      .selectFrom('verifications')
      .selectAll()
      .where('account_id', '=', this.accountId)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toVerification(row) : null;
  }

  async recordVerificationAttempt(id: string): Promise<number> {
    const row = await this.#db()
      .updateTable('verifications')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .returning('attempts')
      .executeTakeFirst();
    if (!row) throw new DomainError('VERIFICATION_NOT_FOUND', { challengeId: id });
    return row.attempts;
  }

  async markVerificationVerified(id: string, at: number): Promise<void> {
    const res = await this.#db()
      .updateTable('verifications')
      .set({ verified_at: at })
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .where('verified_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new DomainError('VERIFICATION_CODE_USED');
  }

  async consumeVerification(id: string, at: number): Promise<boolean> {
    // Conditional: of two consumptions of one challenge, only the first changes the row.
    const res = await this.#db()
      .updateTable('verifications')
      .set({ consumed_at: at })
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .where('verified_at', 'is not', null)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteVerification(id: string): Promise<void> {
    await this.#db()
      .deleteFrom('verifications')
      .where('id', '=', id)
      .where('account_id', '=', this.accountId)
      .execute();
  }

  async recordReceipt(receipt: Receipt): Promise<boolean> {
    const res = await this.#db()
      .insertInto('receipts')
      .values({ account_id: this.accountId, id: receipt.id, at: receipt.at, amount: receipt.amount })
      .onConflict((oc) => oc.columns(['account_id', 'id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async receivedSince(since: number): Promise<number> {
    const row = await this.#db()
      .selectFrom('receipts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string | bigint>('amount'), eb.lit(0)).as('total'))
      .where('account_id', '=', this.accountId)
      .where('at', '>=', since)
      .executeTakeFirstOrThrow();
    return toNumber(row.total);
  }

  async putSagaSteps(steps: readonly SagaStep[]): Promise<void> {
    for (const step of steps) {
      const row = {
        operation_id: step.operationId,
        participant: step.participant,
        phase: step.phase,
        attempts: step.attempts,
        output: JSON.stringify(step.output),
        error: step.error?.slice(0, 2_000) ?? null,
        elapsed_ms: Math.round(step.elapsedMs),
        updated_at: step.updatedAt,
      };
      await this.#db()
        .insertInto('saga_steps')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['operation_id', 'participant']).doUpdateSet({
            phase: row.phase,
            attempts: row.attempts,
            output: row.output,
            error: row.error,
            elapsed_ms: row.elapsed_ms,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    }
  }
}

function toVerification(r: Selectable<VerificationsTable>): VerificationRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    purpose: r.purpose,
    channel: r.channel as VerificationChannel,
    codeHash: r.code_hash,
    createdAt: toNumber(r.created_at),
    expiresAt: toNumber(r.expires_at),
    attempts: r.attempts,
    verifiedAt: toNullableNumber(r.verified_at),
    consumedAt: toNullableNumber(r.consumed_at),
  };
}

/** The due date the review queue sorts a case without one by: after every real instant. */
const NO_DUE_DATE = 8_640_000_000_000_000;

function toEvidenceMeta(r: {
  id: string;
  account_id: string;
  kind: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number | string | bigint;
}): EvidenceMeta {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind as EvidenceMeta['kind'],
    contentType: r.content_type,
    size: toNumber(r.size),
    sha256: r.sha256,
    createdAt: toNumber(r.created_at),
  };
}

async function readDocumentUsage(
  db: Kysely<Database>,
  documentKey: string,
): Promise<{ changesAt: number[]; cooldownUntil: number | null }> {
  const [changes, usage] = await Promise.all([
    db
      .selectFrom('document_changes')
      .select('at')
      .where('document_key', '=', documentKey)
      .orderBy('at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('document_usage')
      .select('cooldown_until')
      .where('document_key', '=', documentKey)
      .executeTakeFirst(),
  ]);
  return {
    changesAt: changes.map((c) => toNumber(c.at)),
    cooldownUntil: usage ? toNullableNumber(usage.cooldown_until) : null,
  };
}

class KyselyStoreImpl implements KyselyStore {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly #deps: TxDeps;
  readonly #log: StoreLog;
  readonly #context = new AsyncLocalStorage<TxContext>();

  constructor(db: Kysely<Database>, dialect: Dialect, options: CreateStoreOptions) {
    this.db = db;
    this.dialect = dialect;
    this.#deps = { dialect, masterKey: options.masterKey, clock: options.clock ?? systemClock };
    this.#log = options.log ?? console;
  }

  currentTransaction(): Kysely<Database> | undefined {
    return this.#current();
  }

  /** The account transaction open in this async context, if any. */
  #current(): Kysely<Database> | undefined {
    const ctx = this.#context.getStore();
    return ctx?.open ? ctx.trx : undefined;
  }

  #refuseInsideTx(method: string): void {
    if (this.#current())
      throw new Error(
        `Store.${method}() called inside withAccount(): use the AccountTx passed to fn — a second ` +
          'transaction would escape the account lock and its rollback (and deadlock SQLite)',
      );
  }

  /**
   * A read. Inside an account transaction it reads through it (its own writes included); otherwise
   * reads of several statements run in one read transaction so they see one consistent state.
   */
  #read<T>(fn: (db: Kysely<Database>) => Promise<T>, consistent: boolean): Promise<T> {
    const trx = this.#current();
    if (trx) return fn(trx);
    if (!consistent) return fn(this.db);
    if (this.dialect === 'postgres')
      return this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(fn);
    return this.db.transaction().execute(fn);
  }

  /** A write transaction (see the module comment for how each dialect serialises it). */
  async #write<T>(method: string, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    this.#refuseInsideTx(method);
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    // Kysely's SQLite driver only says BEGIN (deferred); BEGIN IMMEDIATE is issued by hand on the
    // connection Kysely reserves for us for the whole callback.
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        try {
          await sql`rollback`.execute(conn);
        } catch (rollbackError) {
          // SQLite rolls back by itself on some errors; then there is nothing left to roll back.
          this.#log.warn(`sqlite rollback after a failed transaction: ${String(rollbackError)}`);
        }
        throw error;
      }
    });
  }

  async createAccount(account: NewAccount, audit: Omit<AuditEntry, 'accountId'>): Promise<void> {
    const prepared = prepareAudit({ ...audit, accountId: account.id });
    const dataKey = newDataKey();
    try {
      const email = account.email?.trim() || null;
      const seal = (field: 'phone' | 'email', value: string): string =>
        encryptField(dataKey, account.id, field, value);
      await this.#write('createAccount', async (trx) => {
        const res = await trx
          .insertInto('accounts')
          .values({
            id: account.id,
            region: account.region,
            status: 'active',
            phone_enc: seal('phone', account.phone),
            phone_masked: maskPhone(account.phone),
            email_enc: email === null ? null : seal('email', email),
            email_masked: email === null ? null : maskEmail(email),
            minor: flag(account.minor ?? false),
            guardian_account_id: account.guardianAccountId ?? null,
            created_at: account.createdAt,
            frozen_reason: null,
            deactivating_until: null,
            balance: 0,
            pay_score_enabled: 0,
            invoices_issued: 0,
            merchant: null,
            api_quota_tier: 'standard',
            declarations: '{}',
            retired: 0,
            data_key_wrapped: wrapDataKey(this.#deps.masterKey, account.id, dataKey),
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        // Also refuses the id of a deleted account: its row stays, retired (R-DEL-4).
        if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0)
          throw new DomainError('ACCOUNT_EXISTS', { accountId: account.id });
        await appendAudit(trx, this.dialect, [prepared]);
      });
    } finally {
      dataKey.fill(0); // the clear data key lives only as long as this call
    }
  }

  async importAccounts(
    batch: readonly AccountImport[],
    audit: Omit<AuditEntry, 'accountId' | 'data'>,
  ): Promise<{ created: number; existing: number }> {
    if (batch.length === 0) return { created: 0, existing: 0 };
    return this.#write('importAccounts', async (trx) => {
      // Ids already there (an earlier run of the same import, or a live account) are left alone:
      // each batch commits whole, so an account is either fully imported or absent.
      const taken = new Set<string>();
      const ids = batch.map((a) => a.account.id);
      for (let i = 0; i < ids.length; i += 5_000) {
        const rows = await trx
          .selectFrom('accounts')
          .select('id')
          .where('id', 'in', ids.slice(i, i + 5_000))
          .execute();
        for (const r of rows) taken.add(r.id);
      }
      const fresh = batch.filter((a) => !taken.has(a.account.id));
      await insertImportedAccounts(trx, this.#deps.masterKey, fresh);
      if (fresh.length > 0) {
        const first = fresh[0]?.account.id ?? null;
        const last = fresh[fresh.length - 1]?.account.id ?? null;
        await appendAudit(trx, this.dialect, [
          prepareAudit({ ...audit, accountId: null, data: { count: fresh.length, first, last } }),
        ]);
      }
      return { created: fresh.length, existing: taken.size };
    });
  }

  async refreshStatistics(): Promise<void> {
    this.#refuseInsideTx('refreshStatistics');
    // Only the tables of this store, by name: a bare ANALYZE on PostgreSQL would walk every schema
    // of the database.
    const tables = sql.join(IMPORTED_TABLES.map((t) => sql.table(t)));
    if (this.dialect === 'postgres') {
      await sql`analyze ${tables}`.execute(this.db);
      return;
    }
    // A sample of each index (SQLite's own advice for large databases): seconds, not minutes, at 1M.
    await this.db.connection().execute(async (conn) => {
      await sql`pragma analysis_limit = 1000`.execute(conn);
      for (const t of IMPORTED_TABLES) await sql`analyze ${sql.table(t)}`.execute(conn);
    });
  }

  async withAccount<T>(accountId: string, fn: (tx: StoreAccountTx) => Promise<T>): Promise<T> {
    let shredded = false;
    const result = await this.#write('withAccount', async (trx) => {
      let lock = trx.selectFrom('accounts').select('id').where('id', '=', accountId);
      if (this.dialect === 'postgres') lock = lock.forUpdate();
      if (!(await lock.executeTakeFirst())) throw new DomainError('ACCOUNT_NOT_FOUND', { accountId });
      const tx = new KyselyAccountTx(accountId, trx, this.#deps);
      const ctx: TxContext = { trx, open: true };
      try {
        const value = await this.#context.run(ctx, () => fn(tx));
        await tx.flushAudit();
        shredded = tx.shredded;
        return value;
      } finally {
        ctx.open = false;
        tx.close();
      }
    });
    if (shredded) await this.#afterShredding();
    return result;
  }

  /**
   * After a data key was destroyed and committed: on SQLite, copy the WAL into the database and
   * truncate it, so the old page images holding the wrapped key leave the WAL file (secure_delete
   * has zeroed the freed bytes in the pages themselves). PostgreSQL keeps the old row version until
   * VACUUM reclaims it, and backups taken before keep the wrapped key on both dialects: shredding
   * defeats them only once the master key that wrapped it is rotated away (or the wrapped keys live
   * in a key store with a shorter retention than the backups).
   */
  async #afterShredding(): Promise<void> {
    if (this.dialect !== 'sqlite') return;
    try {
      await sql`pragma wal_checkpoint(truncate)`.execute(this.db);
    } catch (error) {
      this.#log.warn(`sqlite checkpoint after crypto-shredding failed: ${String(error)}`);
    }
  }

  facts(accountId: string, only?: readonly FactKind[]): Promise<AccountFacts | null> {
    return this.#read((db) => assembleFacts(db, accountId, only), true);
  }

  account(accountId: string): Promise<ReturnType<typeof toAccount> | null> {
    return this.#read(async (db) => {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
      return row ? toAccount(row) : null;
    }, false);
  }

  listFacts<K extends FactKind>(accountId: string, kind: K): Promise<FactRows[K][]> {
    return this.#read((db) => listFactRows(db, accountId, kind), false);
  }

  documentUsage(documentKey: string): Promise<{ changesAt: number[]; cooldownUntil: number | null }> {
    return this.#read((db) => readDocumentUsage(db, documentKey), true);
  }

  /** The account's cipher for a reviewer's reveal, or null when shredded or absent: nothing to reveal, ever (R-DEL-4). */
  async #revealCipher(db: Kysely<Database>, accountId: string): Promise<AccountCipher | null> {
    const account = await db
      .selectFrom('accounts')
      .select('data_key_wrapped')
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account || account.data_key_wrapped === null) return null;
    return accountCipher(this.#deps.masterKey, accountId, account.data_key_wrapped);
  }

  revealIdentity(
    accountId: string,
  ): Promise<{ current: IdentitySecret | null; history: (IdentitySecret & { at: number })[] } | null> {
    return this.#read(async (db) => {
      const cipher = await this.#revealCipher(db, accountId);
      if (!cipher) return null;
      const [current, history] = await Promise.all([
        db.selectFrom('identities').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
        db
          .selectFrom('identity_history')
          .selectAll()
          .where('account_id', '=', accountId)
          .orderBy('id')
          .execute(),
      ]);
      const open = (r: {
        name_enc: string;
        document_enc: string;
        document_type: string;
      }): IdentitySecret => ({
        name: cipher.decrypt('identity.name', r.name_enc),
        documentType: r.document_type as DocumentType,
        documentNumber: cipher.decrypt('identity.document', r.document_enc),
      });
      return {
        current: current ? open(current) : null,
        history: history.map((h) => ({ ...open(h), at: toNumber(h.at) })),
      };
    }, true);
  }

  operation(id: string): Promise<(OperationRecord & { timeline: TimelineEntry[] }) | null> {
    return this.#read(async (db) => {
      const row = await db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return null;
      const timeline = await db
        .selectFrom('operation_timeline')
        .selectAll()
        .where('operation_id', '=', id)
        .orderBy('id')
        .execute();
      return {
        ...toOperation(row),
        timeline: timeline.map((t) => ({
          at: toNumber(t.at),
          state: t.state,
          event: t.event,
          actor: t.actor,
          data: JSON.parse(t.data) as Record<string, unknown>,
        })),
      };
    }, true);
  }

  operations(accountId: string): Promise<OperationRecord[]> {
    return this.#read(async (db) => {
      const rows = await db
        .selectFrom('operations')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toOperation);
    }, false);
  }

  operationsWithIdempotencyKey(accountId: string, key: string): Promise<OperationRecord[]> {
    return this.#read(async (db) => {
      const rows = await db
        .selectFrom('operations')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('idempotency_key', '=', key)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toOperation);
    }, false);
  }

  dueOperations(now: number, limit: number, kinds?: readonly string[]): Promise<OperationRecord[]> {
    return this.#read(async (db) => {
      let q = db
        .selectFrom('operations')
        .selectAll()
        .where('outcome', 'is', null)
        .where('deadline_at', '<=', now);
      if (kinds && kinds.length > 0) q = q.where('deadline_kind', 'in', [...kinds]);
      const rows = await q.orderBy('deadline_at').orderBy('id').limit(limit).execute();
      return rows.map(toOperation);
    }, false);
  }

  auditTrail(opts: { accountId?: string; afterSeq?: number; limit?: number }): Promise<StoredAuditEntry[]> {
    return this.#read((db) => readAuditTrail(db, opts), false);
  }

  verifyAudit(): Promise<AuditVerification> {
    // One snapshot for the whole walk: appends committed meanwhile are not half-seen.
    return this.#read((db) => verifyAuditChain(db), true);
  }

  pendingOutbox(limit: number, now?: number): Promise<StoredOutboxEvent[]> {
    return this.#read(async (db) => {
      let q = db.selectFrom('outbox').selectAll().where('delivered_at', 'is', null);
      if (now !== undefined)
        q = q.where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]));
      const rows = await q.orderBy('id').limit(limit).execute();
      return rows.map((r) => ({
        id: toNumber(r.id),
        topic: r.topic,
        key: r.key,
        accountId: r.account_id,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        createdAt: toNumber(r.created_at),
        attempts: r.attempts,
        deliveredAt: toNullableNumber(r.delivered_at),
      }));
    }, false);
  }

  async markOutboxDelivered(id: number, at: number): Promise<void> {
    this.#refuseInsideTx('markOutboxDelivered');
    // First delivery wins: a late duplicate acknowledgement does not move the time.
    await this.db
      .updateTable('outbox')
      .set({ delivered_at: at })
      .where('id', '=', id)
      .where('delivered_at', 'is', null)
      .execute();
  }

  async recordOutboxFailure(id: number, failure: { error: string; nextAttemptAt: number }): Promise<void> {
    this.#refuseInsideTx('recordOutboxFailure');
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: failure.error.slice(0, 2_000),
        next_attempt_at: failure.nextAttemptAt,
      }))
      .where('id', '=', id)
      .execute();
  }

  async auditSystem(entry: AuditEntry): Promise<void> {
    const prepared = prepareAudit(entry);
    await this.#write('auditSystem', (trx) => appendAudit(trx, this.dialect, [prepared]));
  }

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    this.#refuseInsideTx('createApiKey');
    const res = await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        hash: key.hash,
        name: key.name,
        scopes: JSON.stringify(key.scopes),
        account_id: key.accountId,
        created_at: key.createdAt,
        revoked_at: key.revokedAt,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0)
      throw new DomainError('CONFLICT', { detail: `an API key with id ${key.id} or the same secret exists` });
  }

  findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    return this.#read(async (db) => {
      const r = await db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
      if (!r) return null;
      return {
        id: r.id,
        hash: r.hash,
        name: r.name,
        scopes: JSON.parse(r.scopes) as string[],
        accountId: r.account_id,
        createdAt: toNumber(r.created_at),
        revokedAt: toNullableNumber(r.revoked_at),
      };
    }, false);
  }

  hasApiKeys(): Promise<boolean> {
    return this.#read(async (db) => {
      const row = await db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
      return row !== undefined;
    }, false);
  }

  async claimIdempotency(rec: IdempotencyClaim): Promise<IdempotencyRecord | null> {
    this.#refuseInsideTx('claimIdempotency');
    // Atomic on both dialects: of concurrent inserts of one (scope, key), exactly one inserts a row;
    // the others insert nothing and read the winner's record. A record released between the two
    // statements is claimed again on the next turn.
    for (let turn = 0; turn < 5; turn++) {
      const res = await this.db
        .insertInto('idempotency')
        .values({
          scope: rec.scope,
          key: rec.key,
          request_hash: rec.requestHash,
          status: 'in_progress',
          created_at: rec.createdAt,
        })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) return null;
      const r = await this.db
        .selectFrom('idempotency')
        .selectAll()
        .where('scope', '=', rec.scope)
        .where('key', '=', rec.key)
        .executeTakeFirst();
      // Abandoned by a process that died mid-request: the same request takes it over, once (the
      // update only matches the claim as it was read, so of two takers one wins).
      if (
        r &&
        r.status === 'in_progress' &&
        r.request_hash === rec.requestHash &&
        rec.staleBefore !== undefined &&
        Number(r.created_at) < rec.staleBefore
      ) {
        const taken = await this.db
          .updateTable('idempotency')
          .set({ created_at: rec.createdAt })
          .where('scope', '=', rec.scope)
          .where('key', '=', rec.key)
          .where('status', '=', 'in_progress')
          .where('created_at', '=', r.created_at)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) > 0) return null;
        continue;
      }
      if (r)
        return {
          requestHash: r.request_hash,
          status: r.status === 'done' ? 'done' : 'in_progress',
          response:
            r.response_status === null ? null : { status: r.response_status, body: r.response_body ?? '' },
        };
    }
    throw new Error(`idempotency key ${rec.scope}/${rec.key} kept changing hands; giving up`);
  }

  async completeIdempotency(
    scope: string,
    key: string,
    response: { status: number; body: string },
  ): Promise<void> {
    this.#refuseInsideTx('completeIdempotency');
    await this.db
      .updateTable('idempotency')
      .set({ status: 'done', response_status: response.status, response_body: response.body })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  async releaseIdempotency(scope: string, key: string): Promise<void> {
    this.#refuseInsideTx('releaseIdempotency');
    // Only a claim still in progress: a completed record is the answer to every replay.
    await this.db
      .deleteFrom('idempotency')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('status', '=', 'in_progress')
      .execute();
  }

  evidence(accountId: string, ids?: readonly string[]): Promise<EvidenceMeta[]> {
    return this.#read(async (db) => {
      if (ids !== undefined && ids.length === 0) return [];
      let q = db
        .selectFrom('evidence')
        .select(['id', 'account_id', 'kind', 'content_type', 'size', 'sha256', 'created_at'])
        .where('account_id', '=', accountId);
      if (ids !== undefined) q = q.where('id', 'in', [...ids]);
      const rows = await q.orderBy('created_at').orderBy('id').execute();
      return rows.map(toEvidenceMeta);
    }, false);
  }

  revealEvidence(
    accountId: string,
    id: string,
  ): Promise<(EvidenceMeta & { name: string | null; data: Uint8Array }) | null> {
    return this.#read(async (db) => {
      const cipher = await this.#revealCipher(db, accountId);
      if (!cipher) return null;
      const row = await db
        .selectFrom('evidence')
        .selectAll()
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        ...toEvidenceMeta(row),
        name: row.name_enc === null ? null : cipher.decrypt('evidence.name', row.name_enc),
        data: cipher.decryptBytes('evidence.data', row.data_enc),
      };
    }, true);
  }

  pendingSubject(operationId: string): Promise<PendingSubject | null> {
    return this.#read(async (db) => {
      const row = await db
        .selectFrom('pending_subjects')
        .innerJoin('accounts', 'accounts.id', 'pending_subjects.account_id')
        .select([
          'pending_subjects.account_id',
          'pending_subjects.document_type',
          'pending_subjects.name_enc',
          'pending_subjects.document_enc',
          'pending_subjects.document_key',
          'accounts.data_key_wrapped',
        ])
        .where('pending_subjects.operation_id', '=', operationId)
        .executeTakeFirst();
      if (!row || row.data_key_wrapped === null) return null;
      const cipher = accountCipher(this.#deps.masterKey, row.account_id, row.data_key_wrapped);
      return {
        name: cipher.decrypt('pending.name', row.name_enc),
        documentType: row.document_type as DocumentType,
        documentNumber: cipher.decrypt('pending.document', row.document_enc),
        documentKey: row.document_key,
      };
    }, true);
  }

  sagaSteps(operationId: string): Promise<SagaStep[]> {
    return this.#read(async (db) => {
      const rows = await db
        .selectFrom('saga_steps')
        .selectAll()
        .where('operation_id', '=', operationId)
        .orderBy('participant')
        .execute();
      return rows.map((r) => ({
        operationId: r.operation_id,
        participant: r.participant,
        phase: r.phase as SagaPhase,
        attempts: r.attempts,
        output: JSON.parse(r.output) as Record<string, unknown>,
        error: r.error,
        elapsedMs: r.elapsed_ms,
        updatedAt: toNumber(r.updated_at),
      }));
    }, false);
  }

  async ledger(entry: LedgerEntry): Promise<LedgerEntry> {
    // Its own short transaction: a participant's store is not the account's (no account lock held).
    return this.#write('ledger', async (trx) => {
      const existing = await trx
        .selectFrom('participant_ledger')
        .selectAll()
        .where('participant', '=', entry.participant)
        .where('operation_id', '=', entry.operationId)
        .executeTakeFirst();
      const current: LedgerEntry | null = existing
        ? {
            participant: existing.participant,
            operationId: existing.operation_id,
            accountId: existing.account_id,
            phase: existing.phase as LedgerEntry['phase'],
            data: JSON.parse(existing.data) as Record<string, unknown>,
            at: toNumber(existing.updated_at),
          }
        : null;
      // Terminal phases stay; a prepare after an abort is refused (returned unchanged).
      if (current && (current.phase === entry.phase || current.phase !== 'prepared')) return current;
      const row = {
        participant: entry.participant,
        operation_id: entry.operationId,
        account_id: entry.accountId,
        phase: entry.phase,
        data: JSON.stringify(current && entry.phase !== 'prepared' ? current.data : entry.data),
        updated_at: entry.at,
      };
      if (current) {
        await trx
          .updateTable('participant_ledger')
          .set({ phase: row.phase, updated_at: row.updated_at })
          .where('participant', '=', entry.participant)
          .where('operation_id', '=', entry.operationId)
          .execute();
      } else {
        await trx.insertInto('participant_ledger').values(row).execute();
      }
      return { ...entry, data: JSON.parse(row.data) as Record<string, unknown> };
    });
  }

  reviewClaim(operationId: string): Promise<ReviewClaim | null> {
    return this.#read(async (db) => {
      const row = await db
        .selectFrom('review_claims')
        .select(['operation_id', 'reviewer', 'claimed_at'])
        .where('operation_id', '=', operationId)
        .executeTakeFirst();
      return row
        ? { operationId: row.operation_id, reviewer: row.reviewer, claimedAt: toNumber(row.claimed_at) }
        : null;
    }, false);
  }

  reviewQueue(query: ReviewQueueQuery): Promise<ReviewQueueRow[]> {
    return this.#read(async (db) => {
      if (query.states.length === 0) return [];
      // Cases without a due date sort last: one ordering key for the keyset cursor on both dialects.
      const due = sql<number>`coalesce(${sql.ref('operations.deadline_at')}, ${sql.lit(NO_DUE_DATE)})`;
      let q = db
        .selectFrom('operations')
        .leftJoin('review_claims', 'review_claims.operation_id', 'operations.id')
        .selectAll('operations')
        .select(['review_claims.reviewer as claimed_by', 'review_claims.claimed_at as claimed_at'])
        .where('operations.outcome', 'is', null)
        .where('operations.state', 'in', [...query.states]);
      if (query.kind !== undefined) q = q.where('operations.kind', '=', query.kind);
      if (query.state !== undefined) q = q.where('operations.state', '=', query.state);
      const overdue = query.overdue;
      if (overdue !== undefined)
        q = overdue.value
          ? q.where('operations.deadline_at', '<', overdue.now)
          : q.where((eb) =>
              eb.or([
                eb('operations.deadline_at', 'is', null),
                eb('operations.deadline_at', '>=', overdue.now),
              ]),
            );
      if (query.claimedBy !== undefined)
        q =
          query.claimedBy === null
            ? q.where('review_claims.reviewer', 'is', null)
            : q.where('review_claims.reviewer', '=', query.claimedBy);
      const after = query.after;
      if (after) {
        const d = after.dueAt ?? NO_DUE_DATE;
        q = q.where((eb) =>
          eb.or([eb(due, '>', d), eb.and([eb(due, '=', d), eb('operations.id', '>', after.id)])]),
        );
      }
      const rows = await q.orderBy(due).orderBy('operations.id').limit(query.limit).execute();
      return rows.map((r) => ({
        ...toOperation(r),
        claimedBy: r.claimed_by ?? null,
        claimedAt: toNullableNumber(r.claimed_at ?? null),
      }));
    }, false);
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    try {
      await sql`select 1`.execute(this.db);
      const { applied, pending } = await migrationStatus(this.db);
      if (pending.length > 0)
        return { ok: false, detail: `${this.dialect} reachable; pending migrations: ${pending.join(', ')}` };
      return { ok: true, detail: `${this.dialect} reachable; migrations current (${applied.length})` };
    } catch (error) {
      return {
        ok: false,
        detail: `${this.dialect} unreachable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** The SQLite file of a store URL (see {@link CreateStoreOptions.url}). */
function sqliteFile(url: string | undefined, dataDir: string): string {
  if (url === undefined || url === '') return join(dataDir, 'realname.db');
  if (url === ':memory:' || url === 'sqlite::memory:') return ':memory:';
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (url.startsWith('file:')) return fileURLToPath(url);
  // Only the scheme is named: the rest of a URL may hold a password.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new Error(
      `unsupported store URL scheme "${url.split(':')[0]}": use postgres://… or a SQLite file path`,
    );
  return url;
}

/**
 * Open the store: PostgreSQL for a `postgres://` URL, else SQLite (default `./data/realname.db`),
 * with migrations applied unless `migrate: false`.
 *
 * @example
 * const masterKey = loadMasterKey({ env: process.env, dataDir: './data', log });
 * const store = await createStore({ url: process.env.DATABASE_URL, masterKey, clock, log });
 * await store.withAccount('acc_1', async (tx) => {
 *   await tx.deleteFact('cards', 'card_1');
 *   await tx.audit({ at: clock.now(), actor: 'user:acc_1', action: 'card.unbind.completed', data: {} });
 * });
 */
export async function createStore(options: CreateStoreOptions): Promise<KyselyStore> {
  const { url, dataDir = './data', migrate = true, log = console } = options;
  const postgres = url !== undefined && /^postgres(ql)?:\/\//i.test(url);
  const db = postgres
    ? openPostgres({
        url,
        log,
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      })
    : openSqlite({ file: sqliteFile(url, dataDir) });
  try {
    if (migrate) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return new KyselyStoreImpl(db, postgres ? 'postgres' : 'sqlite', options);
}
