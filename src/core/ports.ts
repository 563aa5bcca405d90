/**
 * The ports: narrow interfaces the core owns and adapters implement (ARCHITECTURE.md habit 5).
 * No driver type appears here. The store port is shaped around what the use cases need: load the
 * facts of one account, change them, and record every change with its audit record and its outbox
 * event in one transaction that holds the account's lock (per-account serialisation, R-CARD-5).
 */
import type { Clock } from './clock.js';
import type {
  Account,
  AdminRole,
  Card,
  Device,
  DocumentType,
  EnterpriseLink,
  Grant,
  Loan,
  Login,
  OperationKind,
  PendingTransaction,
  RedPacket,
  Region,
  Subscription,
  AccountFacts,
} from './model.js';

export type { Clock } from './clock.js';

/** Plain identity data, decrypted: only the store (encrypting) and a reviewer's view ever see it. */
export interface IdentitySecret {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
}

/** Kinds of fact rows an account owns (SPEC §2), each with its own table. */
export type FactKind =
  | 'devices'
  | 'logins'
  | 'cards'
  | 'subscriptions'
  | 'loans'
  | 'red_packets'
  | 'pending_transactions'
  | 'admin_roles'
  | 'enterprise_links'
  | 'mini_programs'
  | 'grants';

export interface FactRow {
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

/** A history entry the counting limits read (R-CARD-2/3, R-CHG-2, R-MIN-2, R-REV-7). */
export type HistoryEvent =
  | { kind: 'card_unbind'; at: number; cardType: Card['type'] }
  | { kind: 'realname_change'; at: number }
  | { kind: 'identity_modification'; at: number }
  | { kind: 'revoked'; at: number }
  | { kind: 'verified_transaction'; at: number }
  | { kind: 'card_bound'; at: number };

/** One entry of the append-only, hash-chained audit trail. Never holds raw PII. */
export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  accountId: string | null;
  operationId?: string | null;
  /** Masked or non-personal data only. */
  data: Record<string, unknown>;
}

export interface OutboxEvent {
  topic: string;
  /** Deduplication key for consumers (e.g. the SET's jti). */
  key: string;
  accountId: string | null;
  payload: Record<string, unknown>;
}

export interface OperationRecord {
  id: string;
  accountId: string;
  kind: OperationKind;
  state: string;
  request: Record<string, unknown>;
  policyVersion: string;
  createdAt: number;
  updatedAt: number;
  outcome: string | null;
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

/** What one account transaction may do. Everything written here commits or rolls back together. */
export interface AccountTx {
  readonly accountId: string;
  facts(): Promise<AccountFacts>;
  updateAccount(patch: Partial<Omit<Account, 'id' | 'createdAt'>>): Promise<void>;
  putFact<K extends FactKind>(kind: K, row: FactRow[K]): Promise<void>;
  deleteFact(kind: FactKind, id: string): Promise<boolean>;
  addHistory(event: HistoryEvent): Promise<void>;
  audit(entry: Omit<AuditEntry, 'accountId'>): Promise<void>;
  outbox(event: Omit<OutboxEvent, 'accountId'>): Promise<void>;
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

export interface Store {
  /** Create an account with its own data key (crypto-shredding unit). */
  createAccount(account: NewAccount): Promise<void>;
  /**
   * Run `fn` in one transaction holding the account's lock: SQLite serialises writers, PostgreSQL
   * takes `SELECT … FOR UPDATE` on the account row first. Throws ACCOUNT_NOT_FOUND if absent.
   */
  withAccount<T>(accountId: string, fn: (tx: AccountTx) => Promise<T>): Promise<T>;
  /** Facts without a lock, for preflights (a decision only; nothing is written). */
  facts(accountId: string): Promise<AccountFacts | null>;
  close(): Promise<void>;
}

/** The clock port is re-exported here so adapters need one import for every port. */
export type Ports = { clock: Clock; store: Store };
