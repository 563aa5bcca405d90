/**
 * The facts of SPEC §2 as the core sees them: one account at one moment, already decrypted where the
 * rules need it and masked where they do not. Adapters build this snapshot from the store; the core
 * never reads anything else. All instants are epoch milliseconds; all amounts are integer
 * ten-thousandths of a yuan (see money.ts).
 */
import type { DocumentType } from './document-number.js';
import type { Money } from './money.js';

export type { DocumentType } from './document-number.js';
export type { Money } from './money.js';

/** Regions with rules of their own (R-REG-*); any other ISO-like code falls back to the defaults. */
export const REGIONS = ['CN', 'HK', 'MO', 'TW', 'SEA', 'EU', 'US', 'OTHER'] as const;
export type Region = (typeof REGIONS)[number];

export const ACCOUNT_STATUSES = ['active', 'frozen', 'banned', 'deactivating', 'deleted'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const IDENTITY_STATUSES = [
  'unverified',
  'verified',
  'pending_completion',
  'pending_recycle',
  'revoked',
] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];

export const DEVICE_PLATFORMS = ['ios', 'android', 'harmonyos'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

export interface Account {
  id: string;
  region: Region;
  status: AccountStatus;
  /** Masked phone, e.g. '+86 138****5678'. */
  phoneMasked: string;
  emailMasked?: string | null;
  minor: boolean;
  guardianAccountId?: string | null;
  createdAt: number;
  /** Set when the account was frozen, with the reason (R-ABN-1). */
  frozenReason?: string | null;
  /** End of the deletion cooling-off while `deactivating` (R-DEL-2). */
  deactivatingUntil?: number | null;
}

export interface Device {
  id: string;
  platform: DevicePlatform;
  /** e.g. '17.2' for iOS; used by the step-up rule R-REV-2. */
  osVersion?: string | null;
  primary: boolean;
  /** When the device was added (a new primary device counts as a device change, R-REV-1). */
  addedAt: number;
}

export interface Login {
  at: number;
  deviceId: string;
  abnormal: boolean;
}

export interface Identity {
  status: IdentityStatus;
  documentType: DocumentType;
  /** Masked for display; the raw number stays encrypted in the store. */
  documentMasked: string;
  nameMasked: string;
  /** Keyed hash of the document (ids.ts documentKey), for counting across accounts. */
  documentKey: string;
  verifiedAt: number | null;
  changedAt?: number | null;
}

export interface PendingTransaction {
  id: string;
  kind: 'payment' | 'transfer' | 'withdrawal' | 'refund';
  amount: Money;
  createdAt: number;
}

export interface Wallet {
  balance: Money;
  pendingTransactions: PendingTransaction[];
  payScoreEnabled: boolean;
  /** Bills and invoices issued under the current subject (R-CHG-5). */
  invoicesIssued: number;
}

export const CARD_TYPES = ['debit', 'credit', 'overseas'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export interface Card {
  id: string;
  type: CardType;
  last4: string;
  bank: string;
  reservedPhoneMasked: string;
  /** Credit cards: amount spent and not yet billed (R-CARD-2). */
  unbilled?: Money;
  /** Overseas cards: cross-border payment agreement still on (R-CARD-3). */
  crossBorderAgreement?: boolean;
  boundAt: number;
}

export interface Subscription {
  id: string;
  merchant: string;
  product: string;
  amount: Money;
  active: boolean;
  nextChargeAt?: number | null;
}

export interface Loan {
  id: string;
  product: string;
  outstanding: Money;
}

export interface RedPacket {
  id: string;
  amount: Money;
  /** Sent by this account and not yet claimed or refunded (R-UX-2). */
  status: 'unclaimed' | 'claimed' | 'refunded';
  expiresAt: number;
}

export interface MerchantAccount {
  id: string;
  status: 'active' | 'deregistered';
}

export interface AdminRole {
  id: string;
  kind: 'official_account' | 'mini_program';
  name: string;
}

export const ENTERPRISE_LINK_KINDS = ['attendance', 'customer_contact', 'enterprise_payment'] as const;
export type EnterpriseLinkKind = (typeof ENTERPRISE_LINK_KINDS)[number];

export interface EnterpriseLink {
  id: string;
  enterprise: string;
  kind: EnterpriseLinkKind;
  active: boolean;
  /** The account is an admin of that enterprise (R-ENT-4). */
  adminRole: boolean;
  pendingApprovals: number;
}

export interface DeveloperAssets {
  miniPrograms: { id: string; name: string }[];
  apiQuotaTier: 'standard' | 'test' | 'enterprise';
}

export interface Grant {
  appId: string;
  appName: string;
  developerId: string;
  openId: string;
  unionId: string;
  active: boolean;
  grantedAt: number;
}

export type OperationKind =
  | 'account.delete'
  | 'card.unbind'
  | 'realname.change'
  | 'realname.revoke'
  | 'enterprise.detach'
  | 'appeal.submit'
  | 'payment.restore'
  | 'data.export'
  /**
   * The binding of an identity, as an operation only when risk control holds it for a reviewer
   * (R-RISK-2 overseas re-registration): a bind that goes through is not an operation.
   */
  | 'identity.bind';

export const OPERATION_KINDS: readonly OperationKind[] = [
  'account.delete',
  'card.unbind',
  'realname.change',
  'realname.revoke',
  'enterprise.detach',
  'appeal.submit',
  'payment.restore',
  'data.export',
  'identity.bind',
];

export interface OpenOperation {
  id: string;
  kind: OperationKind;
  state: string;
  startedAt: number;
}

/** What happened before: the counting limits (R-CARD-2/3, R-CHG-2, R-MIN-2) read these. */
export interface History {
  cardUnbinds: { at: number; cardType: CardType }[];
  /** Real-name subject changes of this account (R-CHG-2, R-REV-1). */
  realnameChanges: { at: number }[];
  /** Any modification of the identity (unbind, change) — minors are limited per month (R-MIN-2). */
  identityModifications: { at: number }[];
  /** When the real-name was revoked, if it was (R-REV-5/7). */
  revokedAt?: number | null;
  /** Verified transactions since the revocation (R-REV-7). */
  verifiedTransactionsSinceRevocation: number;
  /** Cards bound since the revocation (R-REV-7). */
  cardsBoundSinceRevocation: number;
  /** When the payment restrictions of a revocation were last lifted (R-REV-7), if ever. */
  paymentRestoredAt?: number | null;
}

/** Cross-account use of one document number (R-CHG-3), looked up by its keyed hash. */
export interface DocumentUsage {
  /** Real-name changes to this document, on any account. */
  changesAt: number[];
  /** End of a 180-day cooldown started by a refused 4th attempt, if any. */
  cooldownUntil?: number | null;
}

/** Declarations and agreements the regional overlays ask for (R-REG-*). */
export interface Declarations {
  fundFlowDeclaredAt?: number | null;
  dataExportAgreementAt?: number | null;
  localDataStorageAgreementAt?: number | null;
}

export interface AccountFacts {
  account: Account;
  devices: Device[];
  logins: Login[];
  identity: Identity | null;
  wallet: Wallet;
  cards: Card[];
  subscriptions: Subscription[];
  loans: Loan[];
  redPackets: RedPacket[];
  merchant: MerchantAccount | null;
  adminRoles: AdminRole[];
  enterpriseLinks: EnterpriseLink[];
  developerAssets: DeveloperAssets;
  grants: Grant[];
  openOperations: OpenOperation[];
  history: History;
  declarations: Declarations;
  /** An appeal already in review (R-ABN-2). */
  openAppealId?: string | null;
}

/** Who asks, from where: the request context of a preflight. */
export interface RequestContext {
  /** Device the request comes from (R-REV-1 primary device, R-REV-2 step-up). */
  deviceId?: string | null;
}

export type OperationRequest =
  | { kind: 'account.delete' }
  | { kind: 'card.unbind'; cardId: string }
  | {
      kind: 'realname.change';
      /** The new subject; `name` is needed to apply the change, not to decide it. */
      newDocument?: { type: DocumentType; number: string; name?: string } | null;
      /** Cross-account use of the new document (R-CHG-3); the store looks it up by keyed hash. */
      documentUsage?: DocumentUsage | null;
    }
  | { kind: 'realname.revoke' }
  | { kind: 'enterprise.detach'; linkId: string }
  | { kind: 'appeal.submit' }
  | { kind: 'payment.restore' }
  | { kind: 'data.export' }
  /** A bind held by risk control (R-RISK-2); the document's type says which phones are home. */
  | { kind: 'identity.bind'; documentType?: DocumentType | null };

/** An empty history: a convenience for adapters and tests building facts. */
export function emptyHistory(): History {
  return {
    cardUnbinds: [],
    realnameChanges: [],
    identityModifications: [],
    revokedAt: null,
    verifiedTransactionsSinceRevocation: 0,
    cardsBoundSinceRevocation: 0,
    paymentRestoredAt: null,
  };
}
