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
  Declarations,
  Device,
  DocumentType,
  EnterpriseLink,
  Grant,
  IdentityStatus,
  Loan,
  Login,
  MerchantAccount,
  Money,
  OperationKind,
  OperationRequest,
  PendingTransaction,
  RedPacket,
  Region,
  Subscription,
} from './model.js';

import type { EvidenceKind } from './rules/types.js';
import type { AppealClaim, RiskAssessment, RiskHistory } from './risk/types.js';

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
  | { kind: 'card_bound'; at: number }
  /** The payment restrictions of the latest revocation were lifted (R-REV-7). */
  | { kind: 'payment_restored'; at: number }
  /** A wrong, expired, reused or locked one-time code (a risk signal, R-RISK-1), with its purpose. */
  | { kind: 'failed_verification'; at: number; purpose: string };

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
  /**
   * The account's facts as of this transaction. With `only`, just those fact tables are read (the
   * others come back empty): an operation reads what its rules read (`OperationSpec.reads`).
   */
  facts(only?: readonly FactKind[]): Promise<AccountFacts>;
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
  /** Cross-account use of a document, read inside this transaction (R-CHG-3). */
  documentUsage(documentKey: string): Promise<{ changesAt: number[]; cooldownUntil: number | null }>;
  /**
   * Lock one document across accounts until this transaction ends (R-CHG-3: two accounts changing
   * to the same document at once must be counted one after the other). Always taken after the
   * account lock, so two locks never wait on each other in opposite orders.
   */
  lockDocument(documentKey: string): Promise<void>;
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
  /** Store an uploaded evidence file, sealed under the account's data key (R-CHG-1, R-MIN-3, R-ABN-2). */
  putEvidence(item: EvidenceWrite): Promise<void>;
  /** Keep the new subject of a change waiting for its reviews, sealed (R-CHG-4). Replaces any earlier one. */
  putPendingSubject(operationId: string, subject: PendingSubject, at: number): Promise<void>;
  /** Forget the pending subject of a change (applied, rejected or cancelled). True if there was one. */
  deletePendingSubject(operationId: string): Promise<boolean>;
  /** A reviewer claims a case of this account (one claim per operation; replaces an earlier one). */
  claimReview(claim: ReviewClaim): Promise<void>;
  /** Release the claim of a case (after a decision, or between the 2 steps of R-CHG-4). */
  releaseReview(operationId: string): Promise<void>;
  /** One-time code challenges (step-up: R-CARD-1, R-REV-2, R-DEL, R-CHG-1), of this account only. */
  createVerification(challenge: NewVerification): Promise<void>;
  /** A challenge of this account; another account's id reads as absent (null). */
  verification(id: string): Promise<VerificationRecord | null>;
  /** The newest challenge of this account for `purpose` (the resend cooldown reads it), or null. */
  latestVerification(purpose: string): Promise<VerificationRecord | null>;
  /** Count one attempt at the code; returns the attempts made so far. */
  recordVerificationAttempt(id: string): Promise<number>;
  markVerificationVerified(id: string, at: number): Promise<void>;
  /**
   * Consume a verified, unconsumed challenge of this account, in this transaction (a refused start
   * rolls it back). False when there was nothing to consume.
   */
  consumeVerification(id: string, at: number): Promise<boolean>;
  /** Remove a challenge whose code could not be sent (it never existed for the user). */
  deleteVerification(id: string): Promise<void>;
  /** Record saga steps of an operation of this account (insert or replace by participant). */
  putSagaSteps(steps: readonly SagaStep[]): Promise<void>;
  /**
   * Record money received (a completed `receive`), for the daily receive limit (R-REV-5). Keyed by
   * the transaction id: recording the same id again changes nothing and returns false.
   */
  recordReceipt(receipt: Receipt): Promise<boolean>;
  /** The total received by this account at or after `since` (epoch ms), e.g. a Shanghai midnight. */
  receivedSince(since: number): Promise<number>;
}

/** Where a one-time code goes: the card's reserved phone (R-CARD-1) or the account's bound phone. */
/** Where a code goes: the card's reserved phone, the account's bound phone, or a minor's guardian (R-MIN-1). */
export type VerificationChannel = 'reserved_phone' | 'bound_phone' | 'guardian';

/** A one-time code challenge. The code itself is never stored: only its keyed hash. */
export interface VerificationRecord {
  id: string;
  accountId: string;
  /** What the code is for, e.g. 'card.unbind:card_1', 'account.delete', 'realname.revoke'. */
  purpose: string;
  channel: VerificationChannel;
  /** HMAC-SHA256 of the challenge id and the code under a per-deployment key. */
  codeHash: string;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  verifiedAt: number | null;
  consumedAt: number | null;
}

export type NewVerification = Omit<
  VerificationRecord,
  'accountId' | 'attempts' | 'verifiedAt' | 'consumedAt'
>;

/**
 * Sends a one-time code by SMS. The development verifier only logs it; a real gateway implements the
 * same interface. The destination is masked: the platform maps it (with the account id) to the real
 * number, which this service never holds in clear outside the encrypted store.
 */
export interface SmsSender {
  send(message: {
    /** Masked destination, for logs. */
    to: string;
    accountId: string;
    /** What the code is for, and the challenge it answers (a gateway may pick its template by it). */
    purpose: string;
    challengeId: string;
    text: { en: string; 'zh-CN': string };
    code: string;
  }): Promise<void>;
}

/** What is known of an evidence file without opening it: never its content nor its file name. */
export interface EvidenceMeta {
  id: string;
  accountId: string;
  kind: EvidenceKind;
  contentType: string;
  /** Bytes of the clear content. */
  size: number;
  /** sha256 of the clear content, hex. */
  sha256: string;
  createdAt: number;
}

/** An evidence file as written: the store seals `name` and `data` under the account's data key. */
export interface EvidenceWrite extends Omit<EvidenceMeta, 'accountId'> {
  name: string | null;
  data: Uint8Array;
}

/** The new subject of a non-mainland change, kept sealed until its second review (R-CHG-4). */
export interface PendingSubject extends IdentitySecret {
  /** Keyed hash of the document (ids.ts documentKey), as IdentityWrite carries it. */
  documentKey: string;
}

/** Who works a case of the review queue, and since when. */
export interface ReviewClaim {
  operationId: string;
  /** The reviewer's actor id ('reviewer:<keyId>', 'admin:<keyId>'). */
  reviewer: string;
  claimedAt: number;
}

/** A page of the review queue: open operations in `states`, by due date (no due date last), then id. */
export interface ReviewQueueQuery {
  states: readonly string[];
  kind?: string;
  state?: string;
  /** true: due before `now`; false: due at or after `now`, or without a due date. */
  overdue?: { now: number; value: boolean };
  /** A reviewer's actor id, or null for unclaimed cases. */
  claimedBy?: string | null;
  /** Keyset cursor: the (due, id) of the last row of the previous page (due null sorts last). */
  after?: { dueAt: number | null; id: string } | null;
  limit: number;
}

export interface ReviewQueueRow extends OperationRecord {
  claimedBy: string | null;
  claimedAt: number | null;
}

/**
 * One account of a bulk import (`realname simulate --load`): everything the store holds for it,
 * written as if it had been recorded fact by fact. The identity comes in clear and is sealed under
 * the account's own new data key, exactly as `writeIdentity` seals it.
 */
export interface AccountImport {
  account: NewAccount & {
    status: AccountStatus;
    frozenReason?: string | null;
    deactivatingUntil?: number | null;
    balance: Money;
    payScoreEnabled: boolean;
    invoicesIssued: number;
    merchant: MerchantAccount | null;
    apiQuotaTier: 'standard' | 'test' | 'enterprise';
    declarations: Declarations;
  };
  identity: (IdentityWrite & { statusAt: number }) | null;
  facts: { [K in FactKind]?: readonly FactRows[K][] };
  history: readonly HistoryEvent[];
  riskEvents: readonly RiskEventWrite[];
  /** Completed receipts (money in), read by AML (R-RISK-3). */
  receipts: readonly { id: string; at: number; amount: Money }[];
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Create an account with its own data key (the crypto-shredding unit). ACCOUNT_EXISTS if taken. */
  createAccount(account: NewAccount, audit: Omit<AuditEntry, 'accountId'>): Promise<void>;
  /**
   * Write a batch of whole accounts in one transaction (all or nothing), with one audit record for
   * the batch. Accounts whose id already exists are left as they are and reported, so an
   * interrupted import can be run again and continues where it stopped.
   */
  importAccounts(
    batch: readonly AccountImport[],
    audit: Omit<AuditEntry, 'accountId' | 'data'>,
  ): Promise<{ created: number; existing: number }>;
  /**
   * Refresh the query planner's statistics of the tables an import fills (ANALYZE), after a bulk
   * write has changed their sizes by orders of magnitude.
   */
  refreshStatistics(): Promise<void>;
  /**
   * Run `fn` in one transaction holding the account's lock: SQLite serialises writers; PostgreSQL
   * takes `SELECT … FOR UPDATE` on the account row first. ACCOUNT_NOT_FOUND if absent.
   */
  withAccount<T>(accountId: string, fn: (tx: AccountTx) => Promise<T>): Promise<T>;
  /** Facts without a lock, for preflights (a decision only; nothing is written). Null if absent. */
  facts(accountId: string, only?: readonly FactKind[]): Promise<AccountFacts | null>;
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
  /** The account's operations started under this Idempotency-Key (a retry's lookup, SPEC §4). */
  operationsWithIdempotencyKey(accountId: string, key: string): Promise<OperationRecord[]>;
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
  /** Evidence files of an account (all, or those of `ids` that exist there), oldest first: metadata only. */
  evidence(accountId: string, ids?: readonly string[]): Promise<EvidenceMeta[]>;
  /**
   * Decrypt one evidence file for a reviewer (the caller audits the access). Null if absent or after
   * crypto-shredding.
   */
  revealEvidence(
    accountId: string,
    id: string,
  ): Promise<(EvidenceMeta & { name: string | null; data: Uint8Array }) | null>;
  /** Decrypt the pending new subject of a change (R-CHG-4). Null if none. */
  pendingSubject(operationId: string): Promise<PendingSubject | null>;
  reviewClaim(operationId: string): Promise<ReviewClaim | null>;
  /** The review queue (R-ABN-2, R-CHG-4, R-MIN-3): one page, see {@link ReviewQueueQuery}. */
  reviewQueue(query: ReviewQueueQuery): Promise<ReviewQueueRow[]>;
  /** The saga steps of an operation (R-REV-3), by participant name. */
  sagaSteps(operationId: string): Promise<SagaStep[]>;
  /**
   * The ledger of a built-in participant (R-REV-3): move its record of one revocation to `phase`, in
   * one transaction, and return the record as it now is. `prepared` is refused (the record is
   * returned unchanged) once the revocation was aborted there; `committed` and `aborted` are
   * idempotent; `aborted` of an unknown revocation records the abort, so a late prepare is refused.
   */
  ledger(entry: LedgerEntry): Promise<LedgerEntry>;
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
  /**
   * A claim of the same request still in progress but made before this instant is abandoned — its
   * process died before answering (SPEC §4: a crash at any point resumes) — and is taken over by this
   * one. Absent: an in-progress claim is never taken over.
   */
  staleBefore?: number;
}

/** The existing record when the key was already claimed (null from `claim` means: yours now). */
export interface IdempotencyRecord {
  requestHash: string;
  status: 'in_progress' | 'done';
  response: { status: number; body: string } | null;
}

/** A step of the revocation saga (R-REV-3): one participant's part in one operation. */
export type SagaPhase = 'preparing' | 'prepared' | 'committed' | 'aborted' | 'failed';

export interface SagaStep {
  operationId: string;
  participant: string;
  phase: SagaPhase;
  attempts: number;
  /** What the participant answered to prepare: exactly what its commit and abort need. PII-free. */
  output: Record<string, unknown>;
  /** The last failure, in English (reasons shown to users come from the catalogue). */
  error: string | null;
  /** How long the last call took, in milliseconds. */
  elapsedMs: number;
  updatedAt: number;
}

/** What a participant is asked about: one revocation of one account. */
export interface RevocationCall {
  /** The idempotency key of every call: prepare, commit and abort may each be repeated. */
  operationId: string;
  accountId: string;
  region: Region;
  minor: boolean;
  at: number;
}

/**
 * A downstream store that holds the identity and takes part in the revocation saga (R-REV-3):
 * payment, social, open platform, enterprise directory, merchant platform, credit-reporting link,
 * or an external service over HTTP. Every call is idempotent by `operationId`; `commit` and `abort`
 * must work with `prepared` null (a crash can lose the prepare answer) and `abort` must accept a
 * revocation it never saw. A call is abandoned when `signal` aborts (its timeout).
 *
 * @example
 * const p: Participant = { name: 'payment', prepare: async () => ({ held: true }), commit: async () => {}, abort: async () => {} };
 */
export interface Participant {
  readonly name: string;
  prepare(call: RevocationCall, signal: AbortSignal): Promise<Record<string, unknown>>;
  commit(call: RevocationCall, prepared: Record<string, unknown> | null, signal: AbortSignal): Promise<void>;
  abort(call: RevocationCall, prepared: Record<string, unknown> | null, signal: AbortSignal): Promise<void>;
}

/** A built-in participant's record of one revocation it holds (its own store, `participant_ledger`). */
export interface LedgerEntry {
  participant: string;
  operationId: string;
  accountId: string;
  phase: 'prepared' | 'committed' | 'aborted';
  data: Record<string, unknown>;
  at: number;
}

/** Money received by an account (R-REV-5 daily receive limit): the transaction id, when, how much. */
export interface Receipt {
  id: string;
  at: number;
  /** Integer ten-thousandths of a yuan. */
  amount: number;
}

// ── Third-party notification (R-NOTIFY-1/2): the apps registry, SET signing keys, grant tokens
// and the outbox relays. Implemented over the same database by adapters/store/notify-store.ts.

/** A registered third-party app and where its Security Event Tokens go (R-NOTIFY-1). */
export interface AppRecord {
  appId: string;
  name: string;
  developerId: string;
  /** RFC 8935 push endpoint; null: its events are dead-lettered until one is registered. */
  receiverUrl: string | null;
  /** How its SETs name the subject (RFC 9493): its OpenID alone, or with this service as issuer. */
  subIdFormat: 'opaque' | 'iss_sub';
  createdAt: number;
  updatedAt: number;
}

export type AppPatch = Partial<Pick<AppRecord, 'name' | 'developerId' | 'receiverUrl' | 'subIdFormat'>>;

/** An ES256 key pair that signs SETs; the store seals `privateJwk` under the master key at rest. */
export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  publicJwk: Record<string, string>;
  privateJwk: Record<string, string>;
  createdAt: number;
  /** When it stopped signing (rotated out); null for the current key. */
  retiredAt: number | null;
}

/** An opaque access token of one grant (R-NOTIFY-2); only its hash is stored. */
export interface GrantTokenRecord {
  /** sha256 of the token, hex. */
  hash: string;
  accountId: string;
  appId: string;
  issuedAt: number;
  expiresAt: number;
}

/** A grant (null if none) with the state of its account. */
export interface GrantState {
  grant: Grant | null;
  accountStatus: AccountStatus;
  identityStatus: IdentityStatus | null;
}

/** What introspection reads about a token: the token, its grant, and the state of its account. */
export interface GrantTokenState {
  token: GrantTokenRecord;
  grant: Pick<Grant, 'active' | 'openId' | 'grantedAt'> | null;
  accountStatus: AccountStatus;
  identityStatus: IdentityStatus | null;
}

/** An outbox event the relay gave up on (R-NOTIFY-1), kept for admins to read and retry. */
export interface DeadLetter extends StoredOutboxEvent {
  deadAt: number;
  lastError: string | null;
}

/** Where a relay that reads the outbox in id order stands (NATS): ids seen missing are re-read for a while. */
export interface RelayCursor {
  /** Every id up to this one was published, or is a gap listed below. */
  lastId: number;
  /** Ids missing when the cursor passed them: an uncommitted transaction may still fill them. */
  gaps: { id: number; seenAt: number }[];
}

export interface NotifyStore {
  /** Register an app; false when the id is taken. */
  createApp(app: AppRecord): Promise<boolean>;
  /** Change an app; null when there is none. */
  updateApp(appId: string, patch: AppPatch, at: number): Promise<AppRecord | null>;
  app(appId: string): Promise<AppRecord | null>;
  /** Apps by id, after `after` (keyset paging). */
  apps(page: { after?: string | null; limit: number }): Promise<AppRecord[]>;

  /** The current key and the keys retired at or after `retiredSince`, newest first (private parts opened). */
  signingKeys(retiredSince: number): Promise<SigningKeyRecord[]>;
  currentSigningKey(): Promise<SigningKeyRecord | null>;
  /**
   * Make `key` the current signing key and retire the current one at `key.createdAt`, in one
   * transaction. With `onlyIfNone`, nothing changes when a current key exists (`added` false).
   */
  addSigningKey(
    key: SigningKeyRecord,
    opts?: { onlyIfNone?: boolean },
  ): Promise<{ added: boolean; retired: string | null }>;

  createGrantToken(token: GrantTokenRecord): Promise<void>;
  grantTokenState(hash: string): Promise<GrantTokenState | null>;
  /** The grant of an app on an account (null if none) with the account's state; null if no account. */
  grantState(accountId: string, appId: string): Promise<GrantState | null>;

  /**
   * Take up to `limit` due, undelivered, live events of `topic` for delivery: their next attempt is
   * pushed to `leaseUntil` in the same transaction (SKIP LOCKED on PostgreSQL), so another relay
   * does not take them meanwhile; a relay that dies leaves them due again at `leaseUntil`.
   */
  claimOutbox(opts: {
    topic: string;
    now: number;
    leaseUntil: number;
    limit: number;
  }): Promise<StoredOutboxEvent[]>;
  markOutboxDelivered(id: number, at: number): Promise<void>;
  recordOutboxFailure(id: number, failure: { error: string; nextAttemptAt: number }): Promise<void>;
  /** Give up on an event: counted as one more attempt, with its reason. */
  deadLetterOutbox(id: number, failure: { error: string; at: number }): Promise<void>;
  /** Dead letters by id, after `after` (keyset paging), optionally of one topic. */
  deadLetters(page: { topic?: string; after?: number | null; limit: number }): Promise<DeadLetter[]>;
  /** Queue an undelivered event again at once (attempts start over). */
  retryOutbox(id: number, at: number): Promise<'retried' | 'delivered' | 'missing'>;
  /** Queue again, at once, every dead letter whose reason is exactly `error` (attempts start over). */
  requeueDeadLetters(error: string, at: number): Promise<number>;

  /** Events after `afterId` and those of `ids`, by id (a cursor relay's read). */
  outboxAfter(afterId: number, ids: readonly number[], limit: number): Promise<StoredOutboxEvent[]>;
  /**
   * Hold the named relay cursor until `leaseUntil` (wall-clock ms) and read it; null when another
   * owner holds it. Several processes may run the relay: one of them moves the cursor at a time.
   */
  claimRelayCursor(name: string, owner: string, now: number, leaseUntil: number): Promise<RelayCursor | null>;
  /** Save the cursor and release it (only by its owner). */
  saveRelayCursor(name: string, owner: string, cursor: RelayCursor): Promise<void>;
}

/** What the bank is asked about a card (R-CHG-1): never stored, only the outcome is. */
export interface BankCheckInput {
  cardNumber: string;
  holderName: string;
  documentType: DocumentType;
  documentNumber: string;
  /** The phone the user says the bank holds for the card (the bank's code goes there). */
  reservedPhone: string;
}

export type BankCheckResult =
  | { match: true }
  | { match: false; reason: 'card_unknown' | 'holder_mismatch' | 'document_mismatch' | 'phone_mismatch' };

/**
 * The bank-card network's check of a card's reserved information (R-CHG-1: the new subject proves
 * the identity with a bank card in its name). An external system: the development bank stands in
 * (adapters/bank/dev-bank.ts); a real adapter calls the acquirer behind the same interface.
 */
export interface BankVerifier {
  checkReservedInfo(input: BankCheckInput): Promise<BankCheckResult>;
}

// ── Risk control (R-RISK-1/2/3): what the risk history reads that no other table records, and
// every decision with what it read, for reviewers, shadow mode and the backtest. Implemented over
// the same database by adapters/store/risk-store.ts.

/**
 * A risk-relevant event, written in the transaction of what it records (PII-free): a refused
 * start, a started operation, an appeal with its claim, a change of the bound phone's country.
 */
export interface RiskEventWrite {
  kind: 'refusal' | 'operation' | 'appeal' | 'phone_country';
  /** The operation kind of a refusal, an operation or an appeal. */
  opKind: OperationKind | null;
  /** The keyed hash of the document involved (ids.ts documentKey), never the number. */
  documentKey: string | null;
  at: number;
  /** refusal: `{ codes }`; operation: `{ operationId }`; appeal: `{ operationId, claim }`; phone_country: `{ from, to }`. */
  detail: Record<string, string | number | boolean | null | readonly string[]>;
}

/** What a decision let happen: the operation went ahead, was refused, or was held for a reviewer. */
export type RiskOutcome = 'allowed' | 'refused' | 'held';

/** How one policy decided one request: the blockers, the risk assessment and the step-up. */
export interface RiskEvaluation {
  outcome: RiskOutcome;
  /** Every blocker of the refusal (preflight, missing evidence, risk), as code and rule. */
  blockers: { code: string; rule: string }[];
  /** Null when the preflight refused first (the risk step runs once the preflight allowed). */
  assessment: RiskAssessment | null;
  /** The extra verification a `step_up` asks for, and whether the start supplied it. */
  stepUp: { evidence: EvidenceKind; required: number; provided: number; satisfied: boolean } | null;
}

/**
 * What a decision read, PII-free, so that it can be decided again under another policy (shadow
 * mode, backtest): the masked facts, the risk history, the request without any document number,
 * the context, the evidence counted by kind, the instant.
 */
export interface RiskSnapshot {
  facts: AccountFacts;
  history: RiskHistory;
  request: OperationRequest;
  context: { deviceId?: string | null };
  appealClaim: AppealClaim | null;
  evidence: Partial<Record<EvidenceKind, number>>;
  /** A change's new document number failed its check (DOCUMENT_INVALID); the number is not kept. */
  documentInvalid: boolean;
  now: number;
}

export interface RiskDecisionWrite {
  operationId: string | null;
  requestKind: OperationKind;
  at: number;
  live: RiskEvaluation;
  policyVersion: string;
  snapshot: RiskSnapshot;
  /** The candidate policy's decision beside the live one (shadow mode): recorded, never enforced. */
  shadow: (RiskEvaluation & { policyVersion: string }) | null;
  /** The shadow decided otherwise (another outcome or another risk decision). */
  disagreement: boolean;
}

export interface RiskDecisionRecord extends RiskDecisionWrite {
  id: number;
  accountId: string;
}

/** A page of recorded decisions, by id (keyset). */
export interface RiskDecisionQuery {
  accountId?: string;
  operationId?: string;
  /** Only the decisions where the shadow policy disagreed. */
  disagreement?: boolean;
  /** Decisions at or after this instant. */
  since?: number;
  afterId?: number | null;
  limit: number;
  /** Newest first (default oldest first). */
  newestFirst?: boolean;
}

export interface RiskStore {
  /** Record an event in the account's transaction (`tx`), with what it records. */
  recordRiskEvent(tx: AccountTx, event: RiskEventWrite): Promise<void>;
  /** Record a decision in the account's transaction (`tx`); returns its id. */
  recordRiskDecision(tx: AccountTx, decision: RiskDecisionWrite): Promise<number>;
  /**
   * The account's risk history from `since` on (inside withAccount, read through its transaction),
   * with the other accounts of `documentKey` under per-document aliases. `documentLimit` is the
   * policy's view of the document and is left null: the use case fills it (app/risk.ts).
   * `documentFailuresSince`: the start of the window the other accounts' failed codes are counted
   * in (default `since`); `inflowsSince`: of the inflows read (default `since`: an account that
   * receives a lot need not carry months of receipts into every decision).
   */
  riskHistory(
    accountId: string,
    documentKey: string | null,
    since: number,
    opts?: { documentFailuresSince?: number; inflowsSince?: number },
  ): Promise<RiskHistory>;
  riskDecisions(query: RiskDecisionQuery): Promise<RiskDecisionRecord[]>;
  /** How many decisions were recorded at or after `since` (all without it): the backtest's total. */
  countRiskDecisions(query: { since?: number }): Promise<number>;
}

/** Operations created in a window, counted by kind and outcome (the operators' dashboard). */
export interface OperationCount {
  kind: string;
  /** The terminal outcome, or null while the operation is still running. */
  outcome: string | null;
  count: number;
}

/** One refused start (R-UX-1): when, which operation, its blocker codes — nothing personal. */
export interface RefusalRecord {
  at: number;
  kind: string;
  codes: string[];
}

/**
 * Read-only aggregates for the review console's dashboard (adapters/store/stats-store.ts). The refusals are the recorded risk
 * decisions that refused a start (every refused start is recorded, R-RISK-1): durable, PII-free.
 */
export interface StatsStore {
  /** Operations created in [since, until), by kind and outcome. */
  operationCounts(since: number, until: number): Promise<OperationCount[]>;
  /** Every refused start in [since, until), oldest first. */
  refusals(since: number, until: number): Promise<RefusalRecord[]>;
}
