/**
 * Rows ↔ domain objects, and the assembly of `AccountFacts` (model.ts) from the tables.
 *
 * Round-trip rules of the fact codecs: an optional field typed `?: T` that was absent comes back
 * absent; one typed `?: T | null` comes back as `null` when unset (a column cannot tell "absent" from
 * "null"). Lists come back ordered by id: the primary key order, so no sort step.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type {
  Account,
  AccountFacts,
  AccountStatus,
  AdminRole,
  CardType,
  DevicePlatform,
  DocumentType,
  EnterpriseLinkKind,
  History,
  Identity,
  IdentityStatus,
  OpenOperation,
  OperationKind,
  PendingTransaction,
  Region,
  RedPacket,
} from '../../core/model.js';
import {
  FACT_KINDS,
  factRowId,
  type FactKind,
  type FactRows,
  type OperationRecord,
} from '../../core/ports.js';
import {
  flag,
  isSet,
  toNullableNumber,
  toNumber,
  type AccountRow,
  type Database,
  type IdentityRow,
  type OperationRow,
} from './schema.js';

interface FactCodec<K extends FactKind> {
  /** The row's columns other than the key (account_id, id). */
  toRow(fact: FactRows[K]): Omit<Insertable<Database[K]>, 'account_id' | 'id'>;
  fromRow(row: Selectable<Database[K]>): FactRows[K];
}

const CODECS: { [K in FactKind]: FactCodec<K> } = {
  devices: {
    toRow: (f) => ({
      platform: f.platform,
      os_version: f.osVersion ?? null,
      is_primary: flag(f.primary),
      added_at: f.addedAt,
    }),
    fromRow: (r) => ({
      id: r.id,
      platform: r.platform as DevicePlatform,
      osVersion: r.os_version,
      primary: isSet(r.is_primary),
      addedAt: toNumber(r.added_at),
    }),
  },
  logins: {
    toRow: (f) => ({ at: f.at, device_id: f.deviceId, abnormal: flag(f.abnormal) }),
    fromRow: (r) => ({ id: r.id, at: toNumber(r.at), deviceId: r.device_id, abnormal: isSet(r.abnormal) }),
  },
  cards: {
    toRow: (f) => ({
      type: f.type,
      last4: f.last4,
      bank: f.bank,
      reserved_phone_masked: f.reservedPhoneMasked,
      unbilled: f.unbilled ?? null,
      cross_border_agreement: f.crossBorderAgreement === undefined ? null : flag(f.crossBorderAgreement),
      bound_at: f.boundAt,
    }),
    fromRow: (r) => ({
      id: r.id,
      type: r.type as CardType,
      last4: r.last4,
      bank: r.bank,
      reservedPhoneMasked: r.reserved_phone_masked,
      ...(r.unbilled === null ? {} : { unbilled: toNumber(r.unbilled) }),
      ...(r.cross_border_agreement === null ? {} : { crossBorderAgreement: isSet(r.cross_border_agreement) }),
      boundAt: toNumber(r.bound_at),
    }),
  },
  subscriptions: {
    toRow: (f) => ({
      merchant: f.merchant,
      product: f.product,
      amount: f.amount,
      active: flag(f.active),
      next_charge_at: f.nextChargeAt ?? null,
    }),
    fromRow: (r) => ({
      id: r.id,
      merchant: r.merchant,
      product: r.product,
      amount: toNumber(r.amount),
      active: isSet(r.active),
      nextChargeAt: toNullableNumber(r.next_charge_at),
    }),
  },
  loans: {
    toRow: (f) => ({ product: f.product, outstanding: f.outstanding }),
    fromRow: (r) => ({ id: r.id, product: r.product, outstanding: toNumber(r.outstanding) }),
  },
  red_packets: {
    toRow: (f) => ({ amount: f.amount, status: f.status, expires_at: f.expiresAt }),
    fromRow: (r) => ({
      id: r.id,
      amount: toNumber(r.amount),
      status: r.status as RedPacket['status'],
      expiresAt: toNumber(r.expires_at),
    }),
  },
  pending_transactions: {
    toRow: (f) => ({ kind: f.kind, amount: f.amount, created_at: f.createdAt }),
    fromRow: (r) => ({
      id: r.id,
      kind: r.kind as PendingTransaction['kind'],
      amount: toNumber(r.amount),
      createdAt: toNumber(r.created_at),
    }),
  },
  admin_roles: {
    toRow: (f) => ({ kind: f.kind, name: f.name }),
    fromRow: (r) => ({ id: r.id, kind: r.kind as AdminRole['kind'], name: r.name }),
  },
  enterprise_links: {
    toRow: (f) => ({
      enterprise: f.enterprise,
      kind: f.kind,
      active: flag(f.active),
      admin_role: flag(f.adminRole),
      pending_approvals: f.pendingApprovals,
    }),
    fromRow: (r) => ({
      id: r.id,
      enterprise: r.enterprise,
      kind: r.kind as EnterpriseLinkKind,
      active: isSet(r.active),
      adminRole: isSet(r.admin_role),
      pendingApprovals: r.pending_approvals,
    }),
  },
  mini_programs: {
    toRow: (f) => ({ name: f.name }),
    fromRow: (r) => ({ id: r.id, name: r.name }),
  },
  grants: {
    toRow: (f) => ({
      app_name: f.appName,
      developer_id: f.developerId,
      open_id: f.openId,
      union_id: f.unionId,
      active: flag(f.active),
      granted_at: f.grantedAt,
    }),
    fromRow: (r) => ({
      appId: r.id,
      appName: r.app_name,
      developerId: r.developer_id,
      openId: r.open_id,
      unionId: r.union_id,
      active: isSet(r.active),
      grantedAt: toNumber(r.granted_at),
    }),
  },
};

/**
 * The fact tables seen through their common shape. Kysely cannot type a query over "one of eleven
 * tables chosen at run time", so the generic helpers below use this view and hand each row to the
 * kind's typed codec.
 */
type Cell = string | number | bigint | null;
export interface AnyFactRow {
  account_id: string;
  id: string;
  [column: string]: Cell;
}
type FactDb = { [K in FactKind]: AnyFactRow };
const asFactDb = (db: Kysely<Database>): Kysely<FactDb> => db as unknown as Kysely<FactDb>;

/**
 * Delete every fact row of an account, of every kind but `keep` (the purge of R-DEL-4).
 *
 * @example
 * await deleteAllFactRows(trx, 'acc_1', ['grants']);
 */
export async function deleteAllFactRows(
  db: Kysely<Database>,
  accountId: string,
  keep: readonly FactKind[],
): Promise<void> {
  for (const kind of FACT_KINDS) {
    if (keep.includes(kind)) continue;
    const table: FactKind = kind;
    await asFactDb(db).deleteFrom(table).where('account_id', '=', accountId).execute();
  }
}

/**
 * All rows of one fact kind of an account, ordered by id.
 *
 * @example
 * const cards = await listFactRows(db, 'acc_1', 'cards');
 */
export async function listFactRows<K extends FactKind>(
  db: Kysely<Database>,
  accountId: string,
  kind: K,
): Promise<FactRows[K][]> {
  const table: FactKind = kind; // widened: Kysely cannot resolve a generic table name
  const rows = await asFactDb(db)
    .selectFrom(table)
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id')
    .execute();
  const codec = CODECS[kind] as FactCodec<K>;
  return rows.map((r) => codec.fromRow(r as unknown as Selectable<Database[K]>));
}

/**
 * The whole row of one fact as its table stores it (the codec's columns and the key), for writers
 * that insert many rows at once (the bulk import).
 *
 * @example
 * factRow('acc_1', 'loans', { id: 'loan_1', product: 'Weilidai', outstanding: 0 })
 */
export function factRow<K extends FactKind>(accountId: string, kind: K, fact: FactRows[K]): AnyFactRow {
  const columns = (CODECS[kind] as FactCodec<K>).toRow(fact) as unknown as Record<string, Cell>;
  return { ...columns, account_id: accountId, id: factRowId(kind, fact) };
}

/** Insert many whole rows of one fact kind (see {@link factRow}); no conflict handling. */
export async function insertFactRows(db: Kysely<Database>, kind: FactKind, rows: readonly AnyFactRow[]) {
  const table: FactKind = kind;
  if (rows.length) await asFactDb(db).insertInto(table).values(rows).execute();
}

/**
 * Insert or replace one fact row by (account, id).
 *
 * @example
 * await putFactRow(trx, 'acc_1', 'loans', 'loan_1', { id: 'loan_1', product: 'Weilidai', outstanding: 0 });
 */
export async function putFactRow<K extends FactKind>(
  db: Kysely<Database>,
  accountId: string,
  kind: K,
  id: string,
  fact: FactRows[K],
): Promise<void> {
  const columns = (CODECS[kind] as FactCodec<K>).toRow(fact) as unknown as Record<string, Cell>;
  const table: FactKind = kind;
  await asFactDb(db)
    .insertInto(table)
    .values({ ...columns, account_id: accountId, id })
    .onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet(columns))
    .execute();
}

/**
 * Delete one fact row; true if it existed.
 *
 * @example
 * await deleteFactRow(trx, 'acc_1', 'cards', 'card_1'); // true
 */
export async function deleteFactRow(
  db: Kysely<Database>,
  accountId: string,
  kind: FactKind,
  id: string,
): Promise<boolean> {
  const res = await asFactDb(db)
    .deleteFrom(kind)
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/**
 * The `Account` of a row (phone and email masked; the sealed values never leave the store this way).
 *
 * @example
 * toAccount(row).phoneMasked; // '+86 138****5678'
 */
export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    region: r.region as Region,
    status: r.status as AccountStatus,
    phoneMasked: r.phone_masked,
    emailMasked: r.email_masked,
    minor: isSet(r.minor),
    guardianAccountId: r.guardian_account_id,
    createdAt: toNumber(r.created_at),
    frozenReason: r.frozen_reason,
    deactivatingUntil: toNullableNumber(r.deactivating_until),
  };
}

function toIdentity(r: IdentityRow): Identity {
  return {
    status: r.status as IdentityStatus,
    documentType: r.document_type as DocumentType,
    documentMasked: r.document_masked,
    nameMasked: r.name_masked,
    documentKey: r.document_key,
    verifiedAt: toNullableNumber(r.verified_at),
    changedAt: toNullableNumber(r.changed_at),
  };
}

/**
 * An `OperationRecord` of a row.
 *
 * @example
 * toOperation(row).deadlineAt; // number | null
 */
export function toOperation(r: OperationRow): OperationRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind as OperationKind,
    state: r.state,
    request: JSON.parse(r.request) as Record<string, unknown>,
    policyVersion: r.policy_version,
    idempotencyKey: r.idempotency_key,
    createdAt: toNumber(r.created_at),
    updatedAt: toNumber(r.updated_at),
    outcome: r.outcome,
    deadlineAt: toNullableNumber(r.deadline_at),
    deadlineKind: r.deadline_kind,
  };
}

/** History kinds listed one by one; the others are only counted (R-REV-7). */
const LISTED_HISTORY = [
  'card_unbind',
  'realname_change',
  'identity_modification',
  'revoked',
  'payment_restored',
] as const;
const COUNTED_HISTORY = ['verified_transaction', 'card_bound'] as const;

async function readHistory(db: Kysely<Database>, accountId: string): Promise<History> {
  const rows = await db
    .selectFrom('history')
    .select(['kind', 'at', 'card_type'])
    .where('account_id', '=', accountId)
    .where('kind', 'in', LISTED_HISTORY)
    .orderBy('at')
    .orderBy('id')
    .execute();
  const history: History = {
    cardUnbinds: [],
    realnameChanges: [],
    identityModifications: [],
    revokedAt: null,
    verifiedTransactionsSinceRevocation: 0,
    cardsBoundSinceRevocation: 0,
    paymentRestoredAt: null,
  };
  for (const r of rows) {
    const at = toNumber(r.at);
    if (r.kind === 'card_unbind') history.cardUnbinds.push({ at, cardType: r.card_type as CardType });
    else if (r.kind === 'realname_change') history.realnameChanges.push({ at });
    else if (r.kind === 'identity_modification') history.identityModifications.push({ at });
    else if (r.kind === 'payment_restored')
      history.paymentRestoredAt = Math.max(history.paymentRestoredAt ?? at, at);
    else history.revokedAt = Math.max(history.revokedAt ?? at, at);
  }
  if (history.revokedAt !== null && history.revokedAt !== undefined) {
    // Counted in the database, not loaded: verified transactions can number in the thousands.
    const counts = await db
      .selectFrom('history')
      .select(['kind', (eb) => eb.fn.countAll().as('n')])
      .where('account_id', '=', accountId)
      .where('kind', 'in', COUNTED_HISTORY)
      .where('at', '>', history.revokedAt)
      .groupBy('kind')
      .execute();
    for (const c of counts) {
      const n = toNumber(c.n);
      if (c.kind === 'verified_transaction') history.verifiedTransactionsSinceRevocation = n;
      else history.cardsBoundSinceRevocation = n;
    }
  }
  return history;
}

/**
 * The facts of one account as model.ts defines them, or null if there is no such account. A fixed
 * number of queries whatever the account holds (one per table, the fact tables in parallel): the
 * account, its identity, the eleven fact tables, history (plus one count after a revocation) and the
 * open operations.
 *
 * @example
 * const facts = await assembleFacts(trx, 'acc_1');
 */
export async function assembleFacts(
  db: Kysely<Database>,
  accountId: string,
  only?: readonly FactKind[],
): Promise<AccountFacts | null> {
  // The account row, identity, history and open operations are always read; fact tables only when
  // asked for (an operation's rules declare what they read: fewer statements on the hot path).
  const rows = <K extends FactKind>(kind: K): Promise<FactRows[K][]> =>
    only === undefined || only.includes(kind) ? listFactRows(db, accountId, kind) : Promise.resolve([]);
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!account) return null;
  const [
    identity,
    devices,
    logins,
    cards,
    subscriptions,
    loans,
    redPackets,
    pendingTransactions,
    adminRoles,
    enterpriseLinks,
    miniPrograms,
    grants,
    history,
    open,
  ] = await Promise.all([
    db.selectFrom('identities').selectAll().where('account_id', '=', accountId).executeTakeFirst(),
    rows('devices'),
    rows('logins'),
    rows('cards'),
    rows('subscriptions'),
    rows('loans'),
    rows('red_packets'),
    rows('pending_transactions'),
    rows('admin_roles'),
    rows('enterprise_links'),
    rows('mini_programs'),
    rows('grants'),
    readHistory(db, accountId),
    db
      .selectFrom('operations')
      .select(['id', 'kind', 'state', 'created_at'])
      .where('account_id', '=', accountId)
      .where('outcome', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  const openOperations: OpenOperation[] = open.map((o) => ({
    id: o.id,
    kind: o.kind as OperationKind,
    state: o.state,
    startedAt: toNumber(o.created_at),
  }));
  return {
    account: toAccount(account),
    // Logins carry an id only as their key in the store; the model's Login has none.
    devices,
    logins: logins.map(({ at, deviceId, abnormal }) => ({ at, deviceId, abnormal })),
    identity: identity ? toIdentity(identity) : null,
    wallet: {
      balance: toNumber(account.balance),
      pendingTransactions,
      payScoreEnabled: isSet(account.pay_score_enabled),
      invoicesIssued: account.invoices_issued,
    },
    cards,
    subscriptions,
    loans,
    redPackets,
    merchant: account.merchant === null ? null : (JSON.parse(account.merchant) as AccountFacts['merchant']),
    adminRoles,
    enterpriseLinks,
    developerAssets: {
      miniPrograms,
      apiQuotaTier: account.api_quota_tier as AccountFacts['developerAssets']['apiQuotaTier'],
    },
    grants,
    openOperations,
    history,
    declarations: JSON.parse(account.declarations) as AccountFacts['declarations'],
    openAppealId: openOperations.find((o) => o.kind === 'appeal.submit')?.id ?? null,
  };
}
