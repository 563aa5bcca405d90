/**
 * The ports: narrow interfaces the core owns and adapters implement (ARCHITECTURE.md habit 5). No
 * driver type appears here.
 *
 * The store port is shaped around what the use cases need: read the facts of one account, change
 * them, and record every change together with its audit record and its outbox event in ONE
 * transaction that holds the account's lock (per-account serialisation, so counting limits hold
 * under concurrency, R-CARD-5). PII (names, document numbers, phone, email, evidence) enters the
 * store in clear through this port and is encrypted by the store under the account's data key; it
 * leaves it masked, except through `revealIdentity` (reviewers, audited by the caller).
 */
import type {
  Account,
  AccountFacts,
  AccountStatus,
  AdminRole,
  Card,
  CardType,
  Device,
  DocumentType,
  EnterpriseLink,
  Grant,
  IdentityStatus,
  Loan,
  Login,
  OperationKind,
  PendingTransaction,
  RedPacket,
  Region,
  Subscription,
} from './model.js';

export type { Clock } from './clock.js';

/** Kinds of fact rows an account owns (SPEC §2), each its own table, keyed by (accountId, id). */
export interface FactRows {
  devices: Device;
  logins: Login & { id: string };
  cards: Card;
  subscriptions: Subscription;
  loans: Loan;
  red_packets: RedPacket;
  pending_transactions: PendingTransaction;
  admin_roles: AdminRole;
  enterprise_links: EnterpriseLink;
  mini_programs: { id: string; name: string };
  grants: Grant;
}
export type FactKind = keyof FactRows;
export const FACT_KINDS: readonly FactKind[] = [
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
];

/** The key of a fact row within its account: `id`, or `appId` for a grant (one grant per app). */
export function factRowId<K extends FactKind>(kind: K, row: FactRows[K]): string {
  return kind === 'grants' ? (row as Grant).appId : (row as { id: string }).id;
}

/** A history entry the counting limits read (R-CARD-2/3, R-CHG-2, R-MIN-2, R-REV-7). */
export type HistoryEvent =
  | { kind: 'card_unbind'; at: number; cardType: CardType }
  | { kind: 'realname_change'; at: number }
  | { kind: 'identity_modification'; at: number }
  | { kind: 'revoked'; at: number }
  | { kind: 'verified_transaction'; at: number }
  | { kind: 'card_bound'; at: number };

/** The clear identity data. Only the store (to encrypt it) and a reviewer's audited view see it. */
export interface IdentitySecret {
  name: string;
  documentType: DocumentType;
  /** Normalised (upper case, trimmed). */
  documentNumber: string;
}

/** An identity as written by a bind or a change; the store encrypts name and number. */
export interface IdentityWrite extends IdentitySecret {
  status: IdentityStatus;
  /** Keyed hash of the document (ids.ts documentKey) for cross-account counting (R-CHG-3). */
  documentKey: string;
  verifiedAt: number | null;
  changedAt?: number | null;
}

/** One entry of the append-only, hash-chained audit trail. Never holds raw PII. */
export interface AuditEntry {
  at: number;
  /** 'platform:<keyId>', 'user:<accountId>', 'reviewer:<keyId>', 'timer', 'system'. */
  actor: string;
  /** e.g. 'card.unbind.completed', 'account.created'. */
  action: string;
  accountId: string | null;
  operationId?: string | null;
  /** Masked or non-personal data only. */
  data: Record<string, unknown>;
}

export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Result of walking the audit chain: the first bad record, if any, named by sequence number. */
export type AuditVerification =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; firstBadSeq: number; reason: 'edited' | 'removed' | 'reordered' };

export interface OutboxEvent {
  topic: string;
  /** Deduplication key for consumers (e.g. a SET's jti); unique per topic. */
  key: string;
  accountId: string | null;
  payload: Record<string, unknown>;
}

export interface StoredOutboxEvent extends OutboxEvent {
  id: number;
  createdAt: number;
  attempts: number;
  deliveredAt: number | null;
}

export interface OperationRecord {
  id: string;
  accountId: string;
  kind: OperationKind;
  state: string;
  /** The request as started, PII-free (document numbers are never stored here). */
  request: Record<string, unknown>;
  policyVersion: string;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
  /** Terminal outcome ('completed', 'cancelled', 'refused', 'failed', …) or null while running. */
  outcome: string | null;
  /** A durable timer: when it is due and what it does (e.g. 'purge' at the end of cooling-off). */
  deadlineAt: number | null;
  deadlineKind: string | null;
}

export interface TimelineEntry {
  at: number;
  state: string;
  event: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface NewAccount {
  id: string;
  region: Region;
  phone: string;
  email?: string | null;
  minor?: boolean;
  guardianAccountId?: string | null;
  createdAt: number;
}

export interface AccountPatch {
  region?: Region;
  status?: AccountStatus;
  phone?: string;
  email?: string | null;
  minor?: boolean;
  guardianAccountId?: string | null;
  frozenReason?: string | null;
  deactivatingUntil?: number | null;
  balance?: number;
  payScoreEnabled?: boolean;
  invoicesIssued?: number;
  merchant?: AccountFacts['merchant'];
  apiQuotaTier?: AccountFacts['developerAssets']['apiQuotaTier'];
  declarations?: AccountFacts['declarations'];
}

/** What one account transaction may do. Everything written here commits or rolls back together. */
export interface AccountTx {
  readonly accountId: string;
  /** The account's facts as of this transaction (after its own writes). */
  facts(): Promise<AccountFacts>;
  updateAccount(patch: AccountPatch): Promise<void>;
  /** Insert or replace a fact row (by its id). */
  putFact<K extends FactKind>(kind: K, row: FactRows[K]): Promise<void>;
  deleteFact(kind: FactKind, id: string): Promise<boolean>;
  addHistory(event: HistoryEvent): Promise<void>;
  /** Write the identity; the old one, if any, goes to the encrypted identity history (R-CHG-5). */
  writeIdentity(identity: IdentityWrite | null, at: number): Promise<void>;
  setIdentityStatus(status: IdentityStatus, at: number): Promise<void>;
  createOperation(op: OperationRecord): Promise<void>;
  updateOperation(
    id: string,
    patch: Partial<Pick<OperationRecord, 'state' | 'outcome' | 'deadlineAt' | 'deadlineKind' | 'updatedAt'>>,
  ): Promise<void>;
  addTimeline(operationId: string, entry: TimelineEntry): Promise<void>;
  audit(entry: Omit<AuditEntry, 'accountId'>): Promise<void>;
  outbox(event: Omit<OutboxEvent, 'accountId'>): Promise<void>;
  /** Record a refused attempt with a document in cooldown (R-CHG-3): sets the document's cooldown end. */
  setDocumentCooldown(documentKey: string, until: number): Promise<void>;
  /** Crypto-shredding (R-DEL-4): destroy the account's data key; its PII can never be decrypted again. */
  destroyDataKey(): Promise<void>;
  /**
   * The purge of R-DEL-4: destroy the data key, delete the identity and its history, every fact row
   * but the grants (kept inactive: the apps that held one are told), and blank the masked contact
   * fields. What remains is the retired account id and PII-free records.
   */
  erasePersonalData(): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Create an account with its own data key (the crypto-shredding unit). ACCOUNT_EXISTS if taken. */
  createAccount(account: NewAccount, audit: Omit<AuditEntry, 'accountId'>): Promise<void>;
  /**
   * Run `fn` in one transaction holding the account's lock: SQLite serialises writers; PostgreSQL
   * takes `SELECT … FOR UPDATE` on the account row first. ACCOUNT_NOT_FOUND if absent.
   */
  withAccount<T>(accountId: string, fn: (tx: AccountTx) => Promise<T>): Promise<T>;
  /** Facts without a lock, for preflights (a decision only; nothing is written). Null if absent. */
  facts(accountId: string): Promise<AccountFacts | null>;
  account(accountId: string): Promise<Account | null>;
  listFacts<K extends FactKind>(accountId: string, kind: K): Promise<FactRows[K][]>;
  /** Cross-account use of a document (R-CHG-3): realname changes to it, and its cooldown. */
  documentUsage(documentKey: string): Promise<{ changesAt: number[]; cooldownUntil: number | null }>;
  /** Decrypt the identity (and its history) for a reviewer. Null after crypto-shredding. */
  revealIdentity(
    accountId: string,
  ): Promise<{ current: IdentitySecret | null; history: (IdentitySecret & { at: number })[] } | null>;
  operation(id: string): Promise<(OperationRecord & { timeline: TimelineEntry[] }) | null>;
  operations(accountId: string): Promise<OperationRecord[]>;
  /** Timers due at `now`, oldest first (issue 4 sweeps them with SKIP LOCKED on PostgreSQL). */
  dueOperations(now: number, limit: number, kinds?: readonly string[]): Promise<OperationRecord[]>;
  auditTrail(opts: { accountId?: string; afterSeq?: number; limit?: number }): Promise<StoredAuditEntry[]>;
  verifyAudit(): Promise<AuditVerification>;
  /** Undelivered outbox events, oldest first. */
  pendingOutbox(limit: number): Promise<StoredOutboxEvent[]>;
  markOutboxDelivered(id: number, at: number): Promise<void>;
  /** Audit entries not tied to an account (key creation, dev clock moves, reviewer access). */
  auditSystem(entry: AuditEntry): Promise<void>;
  /** API keys, stored as hashes. */
  createApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKey(hash: string): Promise<ApiKeyRecord | null>;
  /** Whether any key exists (the first start prints a generated admin key). */
  hasApiKeys(): Promise<boolean>;
  /** Idempotency records (SPEC §4): claim a key, then complete it with the response. */
  claimIdempotency(rec: IdempotencyClaim): Promise<IdempotencyRecord | null>;
  completeIdempotency(scope: string, key: string, response: { status: number; body: string }): Promise<void>;
  releaseIdempotency(scope: string, key: string): Promise<void>;
  /** Store reachable and migrations current (for /readyz). */
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}

export interface ApiKeyRecord {
  id: string;
  /** sha256 of the secret, hex. */
  hash: string;
  name: string;
  /** e.g. ['facts:write', 'operations:write'] or ['admin']; 'user' keys carry accountId. */
  scopes: string[];
  /** For end-user tokens: the only account the token may act on. */
  accountId: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface IdempotencyClaim {
  /** The principal (key id) the Idempotency-Key belongs to. */
  scope: string;
  key: string;
  /** Hash of method + path + body: the same key with another request is refused. */
  requestHash: string;
  createdAt: number;
}

/** The existing record when the key was already claimed (null from `claim` means: yours now). */
export interface IdempotencyRecord {
  requestHash: string;
  status: 'in_progress' | 'done';
  response: { status: number; body: string } | null;
}
