/**
 * `realname simulate --accounts N --load`: the synthetic population of src/core/risk/simulate.ts
 * written into the configured store (SQLite under ./data, or PostgreSQL with REALNAME_DATABASE_URL),
 * with realistic facts around what the simulator decides: a real identity (a valid GB 11643 number,
 * sealed under the account's own data key), devices, logins, cards, the history the counting limits
 * read, the risk events and receipts the risk history reads — and, drawn from the same seed, the
 * wallet an ordinary user has (auto-debit subscriptions, red packets, a loan now and then, grants to
 * a few third-party apps). Deterministic for a seed; resumable (accounts already there are skipped).
 */
import { Presets, SingleBar } from 'cli-progress';
import { cnIdCheckDigit, type DocumentType } from '../../core/document-number.js';
import type { HistoryEvent, RiskEventWrite } from '../../core/ports.js';
import type { AdminRole, Grant, PendingTransaction, RedPacket, Subscription } from '../../core/model.js';
import { mulberry32, simulateAccount, type SimAccount } from '../../core/risk/simulate.js';
import type { AccountImportInput } from '../../app/accounts.js';
import type { Realname } from '../../main.js';

const YUAN = 10_000;
const DAY = 86_400_000;

/** A mainland ID number unique to `k` (k < 30,000,000): the birth date and sequence spell it. */
export function simIdNumber(k: number, minor: boolean): string {
  const base = minor ? Date.UTC(2010, 0, 1) : Date.UTC(1960, 0, 1);
  const d = new Date(base + Math.floor(k / 1000) * DAY);
  const birth = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  const first17 = `110105${birth}${String(k % 1000).padStart(3, '0')}`;
  return first17 + cnIdCheckDigit(first17);
}

function documentNumber(type: DocumentType, k: number, minor: boolean): string {
  switch (type) {
    case 'cn_id':
      return simIdNumber(k, minor);
    case 'hk_mo_permit':
      return `H${String(k % 100_000_000).padStart(8, '0')}`;
    case 'tw_permit':
      return String(k % 100_000_000).padStart(8, '0');
    case 'passport':
      return `E${String(k % 100_000_000).padStart(8, '0')}`;
  }
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡'];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
];
const MERCHANTS: readonly (readonly [string, string, number])[] = [
  ['Tencent Video', 'VIP monthly', 25],
  ['QQ Music', 'Green diamond', 15],
  ['Didi', 'Auto-pay', 0],
  ['Meituan', 'Member', 15],
  ['iCloud', '200 GB', 21],
];
/** The third-party apps a simulated user may have granted (one developer owns two of them). */
const PENDING_KINDS: readonly PendingTransaction['kind'][] = ['payment', 'transfer', 'withdrawal', 'refund'];
const APPS: readonly (readonly [string, string, string])[] = [
  ['app_sim_shop', 'Sim Shop', 'dev_sim_retail'],
  ['app_sim_shop_lite', 'Sim Shop Lite', 'dev_sim_retail'],
  ['app_sim_ride', 'Sim Ride', 'dev_sim_mobility'],
  ['app_sim_bank', 'Sim Bank', 'dev_sim_finance'],
  ['app_sim_game', 'Sim Game', 'dev_sim_games'],
];

/** The clear phone behind a simulated masked one: its hidden digits drawn from the seed. */
function clearPhone(masked: string, rnd: () => number): string {
  return masked.replace(/\*/g, () => String(Math.floor(rnd() * 10)));
}

/**
 * Account `index` of the population of `seed`, as a store import: what the simulator generated,
 * plus the wallet facts it does not model, drawn from a generator of their own (same seed, same
 * account).
 */
export function simulatedImport(index: number, seed: number): AccountImportInput {
  return toImport(simulateAccount(index, { seed }), seed);
}

function toImport(sim: SimAccount, seed: number): AccountImportInput {
  const f = sim.input.facts;
  const h = sim.input.history;
  const now = sim.input.now;
  const rnd = mulberry32((seed ^ Math.imul(sim.index + 1, 0x9e3779b1)) >>> 0);
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const id = f.account.id;

  const subscriptions: Subscription[] = [];
  for (let i = 0, n = int(0, 2); i < n; i++) {
    const [merchant, product, yuan] = MERCHANTS[int(0, MERCHANTS.length - 1)]!;
    subscriptions.push({
      id: `sub_${i + 1}`,
      merchant,
      product,
      amount: yuan * YUAN,
      active: rnd() < 0.7,
      nextChargeAt: now + int(1, 30) * DAY,
    });
  }
  const redPackets: RedPacket[] = [];
  for (let i = 0, n = rnd() < 0.15 ? int(1, 2) : 0; i < n; i++) {
    redPackets.push({
      id: `rp_${i + 1}`,
      amount: int(1, 200) * YUAN,
      status: rnd() < 0.5 ? 'unclaimed' : 'claimed',
      expiresAt: now + int(1, 23) * 3_600_000,
    });
  }
  const loans =
    rnd() < 0.05 ? [{ id: 'loan_1', product: 'Weilidai', outstanding: int(100, 20_000) * YUAN }] : [];
  const grants: Omit<Grant, 'openId' | 'unionId'>[] = [];
  for (const [appId, appName, developerId] of APPS) {
    if (rnd() < 0.35)
      grants.push({ appId, appName, developerId, active: true, grantedAt: now - int(10, 700) * DAY });
  }
  // Drawn last, so that everything above stays as it was for a seed: a payment or transfer still in
  // flight now and then (R-DEL-1 blocks on it), and a few adults administer an official account or a
  // mini-program (R-REV-1, R-DEL-1).
  const pendingTransactions: PendingTransaction[] = [...f.wallet.pendingTransactions];
  if (rnd() < 0.03)
    pendingTransactions.push({
      id: 'ptx_1',
      kind: PENDING_KINDS[int(0, PENDING_KINDS.length - 1)]!,
      amount: int(1, 5_000) * YUAN,
      createdAt: now - int(1, 120) * 60_000,
    });
  const adminRoles: AdminRole[] = [...f.adminRoles];
  if (rnd() < 0.015 && !f.account.minor)
    adminRoles.push({
      id: 'role_1',
      kind: rnd() < 0.6 ? 'official_account' : 'mini_program',
      name: `${SURNAMES[int(0, SURNAMES.length - 1)]!}记小店`,
    });

  const history: HistoryEvent[] = [
    ...f.history.cardUnbinds.map((c) => ({ kind: 'card_unbind' as const, at: c.at, cardType: c.cardType })),
    ...f.history.realnameChanges.map((c) => ({ kind: 'realname_change' as const, at: c.at })),
    ...f.history.identityModifications.map((c) => ({ kind: 'identity_modification' as const, at: c.at })),
    ...f.cards.map((c) => ({ kind: 'card_bound' as const, at: c.boundAt })),
    ...h.failedVerifications.map((v) => ({
      kind: 'failed_verification' as const,
      at: v.at,
      purpose: v.purpose,
    })),
  ];
  if (f.history.revokedAt) history.push({ kind: 'revoked', at: f.history.revokedAt });
  const documentKey = null; // risk events of the account's own history need no document
  const riskEvents: RiskEventWrite[] = [
    ...h.refusals.map((r) => ({
      kind: 'refusal' as const,
      opKind: r.kind,
      documentKey,
      at: r.at,
      detail: { codes: r.codes },
    })),
    ...h.appeals.map((a) => ({
      kind: 'appeal' as const,
      opKind: 'appeal.submit' as const,
      documentKey,
      at: a.at,
      detail: { claim: a.claim },
    })),
    ...h.phoneCountryChanges.map((c) => ({
      kind: 'phone_country' as const,
      opKind: null,
      documentKey,
      at: c.at,
      detail: { from: c.from, to: c.to },
    })),
  ];

  const identity = f.identity
    ? {
        name: `${SURNAMES[int(0, SURNAMES.length - 1)]!}${GIVEN[int(0, GIVEN.length - 1)]!}`,
        documentType: f.identity.documentType,
        documentNumber: documentNumber(f.identity.documentType, sim.index, f.account.minor),
        status: f.identity.status,
        verifiedAt: f.identity.verifiedAt,
        changedAt: f.identity.changedAt ?? null,
        statusAt: f.identity.verifiedAt ?? f.account.createdAt,
      }
    : null;

  return {
    account: {
      id,
      region: f.account.region,
      phone: clearPhone(f.account.phoneMasked, rnd),
      email: null,
      minor: f.account.minor,
      // A guardian is another account; the simulator names one it does not create, so none is kept.
      guardianAccountId: null,
      createdAt: f.account.createdAt,
      status: f.account.status,
      frozenReason: f.account.frozenReason ?? null,
      deactivatingUntil: null,
      balance: f.wallet.balance,
      payScoreEnabled: f.wallet.payScoreEnabled,
      invoicesIssued: f.wallet.invoicesIssued,
      merchant: f.merchant,
      apiQuotaTier: f.developerAssets.apiQuotaTier,
      declarations: f.declarations,
    },
    identity,
    facts: {
      devices: f.devices,
      logins: f.logins.map((l, i) => ({ ...l, id: `login_${i + 1}` })),
      cards: f.cards,
      subscriptions,
      loans,
      red_packets: redPackets,
      pending_transactions: pendingTransactions,
      admin_roles: adminRoles,
      enterprise_links: f.enterpriseLinks,
      mini_programs: f.developerAssets.miniPrograms,
      grants,
    },
    history,
    riskEvents,
    receipts: h.inflows.map((r, i) => ({ id: `rcv_${i + 1}`, at: r.at, amount: r.amount })),
  };
}

export interface LoadOptions {
  accounts: number;
  seed: number;
  /** Accounts per transaction (default 1,000). */
  batch?: number;
  /**
   * Batches in flight at once (default: 2 on PostgreSQL, where one batch's rows are built and
   * sealed in this process while the server writes the other's; 1 on SQLite, whose one writer
   * would only queue them).
   */
  concurrency?: number;
}

export interface LoadResult {
  created: number;
  existing: number;
  seconds: number;
}

/**
 * Write accounts 0…N-1 of the population into `rn`'s store, a batch per transaction, then refresh
 * the planner's statistics of the tables it filled (so the first queries on a fresh million-account
 * store already use the indexes the plans in the README show). `progress` gets the accounts done
 * so far after each batch commits.
 *
 * @example await loadPopulation(rn, { accounts: 10_000, seed: 42 })
 */
export async function loadPopulation(
  rn: Pick<Realname, 'services' | 'store'>,
  opts: LoadOptions,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<LoadResult> {
  const batchSize = opts.batch ?? 1_000;
  const concurrency = Math.max(1, opts.concurrency ?? (rn.store.dialect === 'postgres' ? 2 : 1));
  const started = performance.now();
  let created = 0;
  let existing = 0;
  let done = 0;
  let next = 0;
  // A fixed number of lanes, each taking the next batch when its last one committed: at most
  // `concurrency` batches are in memory at once, whatever N is.
  const lane = async () => {
    while (next < opts.accounts) {
      const start = next;
      const end = Math.min(opts.accounts, start + batchSize);
      next = end;
      const batch: AccountImportInput[] = [];
      for (let i = start; i < end; i++) batch.push(simulatedImport(i, opts.seed));
      const r = await rn.services.accounts.importAccounts(batch, { id: 'system:simulate' });
      created += r.created;
      existing += r.existing;
      done += end - start;
      progress(done, opts.accounts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  await rn.store.refreshStatistics();
  return { created, existing, seconds: (performance.now() - started) / 1000 };
}

/** The progress of a load, as a bar on a terminal or a line every 10 % in a log. */
export function loadProgress(total: number): { update(done: number): void; stop(): void } {
  const started = performance.now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      {
        format: 'loading |{bar}| {value}/{total} accounts, {rate} accounts/s, {eta_formatted} left',
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      update: (done) =>
        bar.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000 || 1)) }),
      stop: () => bar.stop(),
    };
  }
  let next = 0.1;
  return {
    update: (done) => {
      if (done / total + 1e-9 < next && done !== total) return;
      next = Math.floor((done / total) * 10 + 1) / 10;
      const s = (performance.now() - started) / 1000;
      console.error(`loading: ${done}/${total} accounts (${Math.round(done / (s || 1))} accounts/s)`);
    },
    stop: () => undefined,
  };
}
