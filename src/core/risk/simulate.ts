/**
 * A synthetic population for risk control (issue 6 item 6): accounts with realistic histories —
 * honest users of every kind, minors, enterprise-linked accounts, every region — and the three abuse
 * routes of R-RISK-2 plus AML mules (R-RISK-3), each with a ground-truth label. Pure and
 * deterministic: account `i` of seed `s` is always the same, whatever N (each account draws from its
 * own PRNG, seeded from (s, i)), so a population can be streamed, and a demo, a test and a benchmark
 * see the same accounts.
 *
 * The honest population deliberately holds hard look-alikes of each route, so that the false-positive
 * rate measured on it is a real number and not 0 by construction:
 * - theft victims appealing "account stolen" after abnormal logins; a few of them after the thief's
 *   attempt was refused by a limit (not by an intruder protection) — those look like the abuse;
 * - overseas users binding a fresh document; a few whose own old account was refused recently;
 * - users mistyping codes over days; a few in a burst (a slow SMS), and users retrying a refused
 *   revocation over and over;
 * - users receiving a large sum (a car sold) before revoking — held for AML by rule.
 * The abusers include evasive ones (a patient appeal, a waited-out re-registration, failures dripped
 * over a week, inflows outside the window or under the threshold) that the detectors do miss.
 *
 * Route shares are over-represented (about 2–2.5 % each) so that each route has thousands of cases
 * in 100,000 accounts; the false-positive rate is per honest account and does not depend on them.
 */
import { shanghaiDateTime } from '../calendar.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import { cnIdCheckDigit } from '../document-number.js';
import type { BlockerCode } from '../errors/index.js';
import {
  emptyHistory,
  type AccountFacts,
  type Card,
  type DocumentType,
  type OperationRequest,
  type Region,
} from '../model.js';
import type { RegionRules } from '../policy/index.js';
import { assessRisk } from './index.js';
import {
  DETECTOR_IDS,
  RISK_DECISIONS,
  emptyRiskHistory,
  type AppealClaim,
  type DetectorId,
  type RiskAssessment,
  type RiskDecision,
  type RiskHistory,
  type RiskInput,
} from './types.js';

const YUAN = 10_000;

/**
 * Ground truth: an honest account, one of the three abuse routes (R-RISK-2), an AML mule (R-RISK-3),
 * or an account taken over by a thief who is using it now (what the R-RISK-1 score is for).
 */
export const SIM_LABELS = ['honest', ...DETECTOR_IDS, 'aml', 'takeover'] as const;
export type SimLabel = (typeof SIM_LABELS)[number];

export interface SimAccount {
  index: number;
  label: SimLabel;
  /** The kind of account within its label (e.g. `theft_victim`, `patient_appeal`). */
  variant: string;
  region: Region;
  minor: boolean;
  enterprise: boolean;
  /** What `assessRisk` reads (the facts, the risk history, the request, the time). */
  input: RiskInput;
}

export interface SimulateOptions {
  seed: number;
  /** The moment every history leads up to (default: noon, 2026-11-18, Asia/Shanghai). */
  now?: number;
}

export const SIM_DEFAULT_NOW = shanghaiDateTime(2026, 11, 18, 12, 0);

// ---------------------------------------------------------------------------------------------
// Randomness: a small seeded PRNG (mulberry32) per account.

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of account `index` of population `seed` (a murmur3-style mix, so neighbours differ). */
function accountSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

class Rng {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** A real number in [min, max). */
  real(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** A log-normal draw with that median and log-scale spread (long right tail: delays, amounts). */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [item, w] of entries) {
      r -= w;
      if (r < 0) return item;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }
}

// ---------------------------------------------------------------------------------------------
// The population mix (per mille).

type Variant =
  | 'ordinary'
  | 'new_device'
  | 'theft_victim'
  | 'overseas_user'
  | 'code_mistyper'
  | 'persistent_retrier'
  | 'large_inflow'
  | 'minor'
  | 'enterprise'
  | 'returning_user'
  | 'stolen_account_appeal'
  | 'overseas_reregistration'
  | 'deliberate_failures'
  | 'aml_mule'
  | 'traveller'
  | 'takeover';

/** Honest ≈ 89 %, the three routes 2.5 % each, AML mules 2 %, takeovers 1.5 %. */
export const SIM_MIX: readonly (readonly [Variant, number])[] = [
  ['ordinary', 495],
  ['traveller', 20],
  ['new_device', 50],
  ['theft_victim', 40],
  ['overseas_user', 50],
  ['code_mistyper', 50],
  ['persistent_retrier', 20],
  ['large_inflow', 30],
  ['minor', 60],
  ['enterprise', 50],
  ['returning_user', 25],
  ['stolen_account_appeal', 25],
  ['overseas_reregistration', 25],
  ['deliberate_failures', 25],
  ['aml_mule', 20],
  ['takeover', 15],
];

const LABEL_OF: Partial<Record<Variant, SimLabel>> = {
  stolen_account_appeal: 'stolen_account_appeal',
  overseas_reregistration: 'overseas_reregistration',
  deliberate_failures: 'deliberate_failures',
  aml_mule: 'aml',
  takeover: 'takeover',
};

const REGION_MIX: readonly (readonly [Region, number])[] = [
  ['CN', 72],
  ['HK', 6],
  ['MO', 2],
  ['TW', 4],
  ['SEA', 6],
  ['EU', 4],
  ['US', 4],
  ['OTHER', 2],
];

const PHONE_COUNTRIES: Readonly<Record<Region, readonly string[]>> = {
  CN: ['86'],
  HK: ['852'],
  MO: ['853'],
  TW: ['886'],
  SEA: ['65', '60', '66', '84', '63'],
  EU: ['44', '49', '33', '39', '34'],
  US: ['1'],
  OTHER: ['81', '82', '61', '7'],
};

/** Abroad for a mainland ID: where re-registrations go. */
const ABROAD = ['852', '853', '1', '60', '65', '44', '81', '61'];

/** Refusals by the intruder protections of R-REV-1 (events.ts INTRUDER_CODES). */
const INTRUDER_REFUSALS: readonly (readonly BlockerCode[])[] = [
  ['NOT_PRIMARY_DEVICE'],
  ['ABNORMAL_LOGIN_RECENT'],
  ['DEVICE_CHANGED_RECENTLY'],
];
/** Ordinary blockers a user clears in the wallet (R-DEL-1, R-UX-2). */
const WALLET_CODES: readonly BlockerCode[] = [
  'BALANCE_RESIDUE',
  'RED_PACKET_UNCLAIMED',
  'SUBSCRIPTION_ACTIVE',
  'PENDING_TRANSACTION',
];

// ---------------------------------------------------------------------------------------------
// Building blocks.

interface Draft {
  facts: AccountFacts;
  history: RiskHistory;
  request: RiskInput['request'];
  appealClaim?: AppealClaim | null;
  /** The device the request comes from (default: the primary one). */
  context?: RiskInput['context'];
  enterprise: boolean;
}

interface Ctx {
  rng: Rng;
  now: number;
  id: string;
  seq: number;
}

/** `days` days (plus a few random minutes) before `t`. */
function before(ctx: Ctx, t: number, days: number): number {
  return t - Math.round(days * DAY_MS) - ctx.rng.int(0, 59) * MINUTE_MS;
}

function documentTypeFor(rng: Rng, region: Region): DocumentType {
  switch (region) {
    case 'CN':
      return 'cn_id';
    case 'HK':
    case 'MO':
      return rng.chance(0.7) ? 'hk_mo_permit' : 'cn_id';
    case 'TW':
      return 'tw_permit';
    default:
      return rng.chance(0.4) ? 'cn_id' : 'passport';
  }
}

/** A fictional, well-formed document number of the type (never a real person's). */
function fictionalNumber(rng: Rng, type: DocumentType): string {
  const digits = (n: number) => Array.from({ length: n }, () => String(rng.int(0, 9))).join('');
  if (type === 'cn_id') {
    const first17 = `110105${rng.int(1960, 2006)}0${rng.int(1, 9)}1${rng.int(0, 9)}${digits(3)}`;
    return first17 + cnIdCheckDigit(first17);
  }
  if (type === 'hk_mo_permit') return `H${digits(8)}`;
  if (type === 'tw_permit') return digits(8);
  return `E${digits(8)}`;
}

/** A masked phone of that country, as the service keeps it ('+852 123****4567'). */
function maskedPhone(rng: Rng, country: string): string {
  return `+${country} ${rng.int(100, 199)}****${rng.int(1000, 9999)}`;
}

interface BaseOptions {
  region: Region;
  ageDays: number;
  phoneCountry: string;
  minor?: boolean;
  verified?: boolean;
  documentType?: DocumentType;
}

/** An ordinary account of that age: a device, a few logins, a verified identity, a small wallet. */
function baseAccount(ctx: Ctx, o: BaseOptions): { facts: AccountFacts; history: RiskHistory } {
  const { rng, now } = ctx;
  const createdAt = before(ctx, now, o.ageDays);
  // The primary device: the registration one on a young account, a later replacement on an old one.
  const deviceAt =
    o.ageDays < 60 || rng.chance(0.3)
      ? Math.min(createdAt + rng.int(0, 30) * MINUTE_MS, now)
      : before(ctx, now, rng.int(30, Math.max(31, Math.min(o.ageDays - 1, 900))));
  const platform = rng.pick(['ios', 'android', 'harmonyos'] as const);
  const logins = Array.from({ length: rng.int(2, 8) }, () => ({
    at: before(ctx, now, rng.real(0.05, 29)),
    deviceId: 'dev_1',
    abnormal: false,
  })).filter((l) => l.at > createdAt);
  const cards: Card[] = Array.from({ length: rng.int(0, 3) }, (_, i) => ({
    id: `card_${i + 1}`,
    type: rng.weighted([
      ['debit', 6],
      ['credit', 3],
      ['overseas', 1],
    ] as const),
    last4: String(rng.int(1000, 9999)),
    bank: 'Simulated Bank',
    reservedPhoneMasked: '138****0000',
    boundAt: before(ctx, now, rng.real(1, Math.max(2, o.ageDays))),
  }));
  const documentType = o.documentType ?? documentTypeFor(rng, o.region);
  const verified = o.verified ?? true;
  const facts: AccountFacts = {
    account: {
      id: ctx.id,
      region: o.region,
      status: 'active',
      phoneMasked: maskedPhone(rng, o.phoneCountry),
      minor: o.minor ?? false,
      guardianAccountId: o.minor ? `${ctx.id}_guardian` : null,
      createdAt,
    },
    devices: [
      {
        id: 'dev_1',
        platform,
        osVersion: platform === 'ios' ? '17.2' : '14',
        primary: true,
        addedAt: deviceAt,
      },
    ],
    logins,
    identity: verified
      ? {
          status: 'verified',
          documentType,
          documentMasked: '1****************0',
          nameMasked: '*某',
          documentKey: `dk_sim_${ctx.seq}`,
          verifiedAt: Math.min(createdAt + HOUR_MS, now),
          changedAt: null,
        }
      : null,
    wallet: {
      balance: rng.int(0, 5_000) * YUAN,
      pendingTransactions: [],
      payScoreEnabled: rng.chance(0.3),
      invoicesIssued: 0,
    },
    cards,
    subscriptions: [],
    loans: [],
    redPackets: [],
    merchant: null,
    adminRoles: [],
    enterpriseLinks: [],
    developerAssets: { miniPrograms: [], apiQuotaTier: 'standard' },
    grants: [],
    openOperations: [],
    history: emptyHistory(),
    declarations: {},
    openAppealId: null,
  };
  const history = emptyRiskHistory(o.phoneCountry);
  // Ordinary money: a salary, red packets, transfers from friends.
  for (let d = rng.real(0, 30); d < Math.min(60, o.ageDays); d += rng.real(3, 30)) {
    history.inflows.push({ at: before(ctx, now, d), amount: rng.int(50, 12_000) * YUAN });
  }
  // An old subject change now and then (outside every window).
  if (o.ageDays > 400 && rng.chance(0.05)) {
    const at = before(ctx, now, rng.int(200, o.ageDays - 1));
    facts.history.realnameChanges.push({ at });
    facts.history.identityModifications.push({ at });
  }
  // One slip of a code, sometime this month.
  if (rng.chance(0.06)) {
    history.failedVerifications.push({
      at: before(ctx, now, rng.real(0, 30)),
      purpose: rng.pick(['card.unbind:card_1', 'realname.revoke', 'realname.change', 'account.delete']),
    });
  }
  return { facts, history };
}

/** A request an honest account might make, among those it can make. */
function ordinaryRequest(ctx: Ctx, facts: AccountFacts, history: RiskHistory): RiskInput['request'] {
  const { rng } = ctx;
  const kind = rng.weighted([
    ['data.export', 12],
    ['card.unbind', facts.cards.length ? 25 : 0],
    ['realname.change', 12],
    ['realname.revoke', 14],
    ['account.delete', 14],
    ['appeal.submit', 5],
    ['payment.restore', 4],
    ['enterprise.detach', facts.enterpriseLinks.length ? 20 : 0],
  ] as const);
  return requestOf(ctx, kind, facts, history);
}

function requestOf(
  ctx: Ctx,
  kind: OperationRequest['kind'],
  facts: AccountFacts,
  history: RiskHistory,
  newType?: DocumentType,
): OperationRequest {
  const { rng } = ctx;
  switch (kind) {
    case 'card.unbind':
      return { kind, cardId: facts.cards[0]?.id ?? 'card_1' };
    case 'enterprise.detach':
      return { kind, linkId: facts.enterpriseLinks[0]?.id ?? 'ent_1' };
    case 'realname.change': {
      const type = newType ?? facts.identity?.documentType ?? 'cn_id';
      history.documentLimit ??= { changesInWindow: rng.chance(0.1) ? 1 : 0, limit: 3, cooldownUntil: null };
      return { kind, newDocument: { type, number: fictionalNumber(rng, type) } };
    }
    default:
      return { kind };
  }
}

/** A refused start, with real catalogue codes (an empty list: refused by risk control). */
function refusal(at: number, kind: OperationRequest['kind'], codes: readonly BlockerCode[]) {
  return { at, kind, codes: [...codes] };
}

// ---------------------------------------------------------------------------------------------
// Honest variants.

type Builder = (ctx: Ctx, region: Region) => { draft: Draft; variant: string };

const ordinary: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(90, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  let variant = 'ordinary';
  // A subject change this quarter (identity_changed_recently fires on its own: allowed).
  if (rng.chance(0.04)) {
    const at = before(ctx, now, rng.int(10, 85));
    facts.history.realnameChanges.push({ at });
    facts.identity = { ...facts.identity!, changedAt: at };
  }
  let request = ordinaryRequest(ctx, facts, history);
  let appealClaim: AppealClaim | null = null;
  if (rng.chance(0.06)) {
    // Refused for something in the wallet a few days ago, and trying again once it is fixed.
    const kind = rng.pick(['realname.revoke', 'account.delete'] as const);
    history.refusals.push(refusal(before(ctx, now, rng.real(0.2, 6)), kind, [rng.pick(WALLET_CODES)]));
    request = { kind };
    variant = 'ordinary_retry_after_fix';
  } else if (request.kind === 'appeal.submit' && rng.chance(0.4)) {
    // An ordinary appeal (a payment restriction) right after the refusal it is about: signal only.
    history.refusals.push(
      refusal(before(ctx, now, rng.real(0.1, 5)), 'payment.restore', ['RESTORE_TRANSACTIONS_REQUIRED']),
    );
    appealClaim = 'other';
    variant = 'ordinary_appeal_after_refusal';
  } else if (request.kind === 'appeal.submit') {
    appealClaim = 'other';
  }
  return { draft: { facts, history, request, appealClaim, enterprise: false }, variant };
};

const newDevice: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(120, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const at = before(ctx, now, rng.real(0.1, 6.5));
  facts.devices = [
    { ...facts.devices[0]!, primary: false },
    { id: 'dev_2', platform: 'ios', osVersion: '18.1', primary: true, addedAt: at },
  ];
  // The first login from a new phone is often marked abnormal.
  facts.logins.push({ at, deviceId: 'dev_2', abnormal: rng.chance(0.3) });
  return {
    draft: { facts, history, request: ordinaryRequest(ctx, facts, history), enterprise: false },
    variant: 'new_device',
  };
};

/**
 * A real theft: abnormal logins from the thief's device, then the owner appeals "account stolen".
 * The thief's attempts, when there were any, were stopped by the intruder protections — except in a
 * few cases where a limit stopped them first (the look-alike of the abuse).
 */
const theftVictim: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(120, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  // At least 12 hours ago, so that the thief's attempts (up to 10 hours after) are all in the past.
  const theftAt = before(ctx, now, rng.real(0.5, 12));
  facts.devices.push({
    id: 'dev_thief',
    platform: 'android',
    osVersion: '12',
    primary: false,
    addedAt: theftAt,
  });
  for (let i = rng.int(1, 3); i > 0; i--) {
    facts.logins.push({ at: theftAt + rng.int(0, 600) * MINUTE_MS, deviceId: 'dev_thief', abnormal: true });
  }
  let variant = 'theft_victim';
  const attempt = rng.float();
  if (attempt < 0.35) {
    for (let i = rng.int(1, 3); i > 0; i--) {
      history.refusals.push(
        refusal(theftAt + rng.int(5, 300) * MINUTE_MS, 'realname.revoke', rng.pick(INTRUDER_REFUSALS)),
      );
    }
    variant = 'theft_victim_thief_stopped';
  } else if (attempt < 0.45) {
    // The thief tried to change the subject and hit a limit: indistinguishable from the abuse.
    history.refusals.push(
      refusal(theftAt + rng.int(5, 300) * MINUTE_MS, rng.pick(['realname.change', 'card.unbind'] as const), [
        rng.pick(['REALNAME_CHANGE_TOO_SOON', 'CREDIT_CARD_DAILY_LIMIT', 'DOCUMENT_CHANGE_LIMIT'] as const),
      ]),
    );
    variant = 'theft_victim_thief_hit_limit';
  }
  if (rng.chance(0.25)) {
    for (let i = rng.int(1, 4); i > 0; i--) {
      history.failedVerifications.push({
        at: theftAt + rng.int(1, 600) * MINUTE_MS,
        purpose: 'realname.revoke',
      });
    }
  }
  const request: RiskInput['request'] = { kind: 'appeal.submit' };
  return { draft: { facts, history, request, appealClaim: 'account_stolen', enterprise: false }, variant };
};

/** An overseas user (new, abroad) binding or changing to a fresh document. */
const overseasUser: Builder = (ctx) => {
  const { rng, now } = ctx;
  const region = rng.pick(['HK', 'MO', 'TW', 'SEA', 'EU', 'US', 'OTHER'] as const);
  const phoneCountry = rng.pick(PHONE_COUNTRIES[region]);
  const moved = rng.chance(0.2);
  const documentType = documentTypeFor(rng, region);
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: moved ? rng.int(200, 2_000) : rng.int(0, 25),
    phoneCountry,
    verified: moved,
    documentType: moved ? 'cn_id' : documentType,
  });
  let request: RiskInput['request'];
  if (moved) {
    // An old mainland account whose phone moved abroad, now changing to the local document.
    history.phoneCountryChanges.push({ at: before(ctx, now, rng.real(1, 60)), from: '86', to: phoneCountry });
    const newType = documentType === 'cn_id' ? 'passport' : documentType;
    request = requestOf(ctx, 'realname.change', facts, history, newType);
  } else {
    request = { kind: 'identity.bind', documentType };
    history.documentLimit = { changesInWindow: rng.chance(0.1) ? 1 : 0, limit: 3, cooldownUntil: null };
  }
  let variant = moved ? 'overseas_user_moved' : 'overseas_user_new';
  const own = rng.float();
  if (own < 0.3) {
    // Their own earlier account on the same document, quiet for a long time...
    const old: RiskHistory['documentAccounts'][number] = {
      alias: 'doc_acc_1',
      createdAt: before(ctx, now, rng.int(400, 3_000)),
      phoneCountry: '86',
      operations: [{ at: before(ctx, now, rng.int(120, 400)), kind: 'data.export', refused: false }],
      failedVerifications: 0,
    };
    if (own < 0.06) {
      // ...or whose revocation was refused recently for a wallet residue (the look-alike).
      old.operations.push({ at: before(ctx, now, rng.int(5, 80)), kind: 'realname.revoke', refused: true });
      variant += '_old_account_refused';
    }
    history.documentAccounts.push(old);
  }
  return { draft: { facts, history, request, enterprise: false }, variant };
};

/** Codes mistyped now and then; a few in a burst when the SMS was slow. */
const codeMistyper: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(90, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const kind = facts.cards.length && rng.chance(0.5) ? 'card.unbind' : 'realname.revoke';
  const purpose = kind === 'card.unbind' ? `card.unbind:${facts.cards[0]!.id}` : 'realname.revoke';
  let variant = 'code_mistyper';
  if (rng.chance(0.15)) {
    const start = before(ctx, now, rng.real(0.07, 1.5));
    const n = rng.weighted([
      [3, 50],
      [4, 30],
      [5, 15],
      [6, 5],
    ] as const);
    for (let i = n; i > 0; i--) {
      history.failedVerifications.push({ at: start + rng.int(0, 90) * MINUTE_MS, purpose });
    }
    variant = 'code_mistyper_burst';
  } else {
    let d = rng.real(0.1, 2);
    for (let i = rng.int(1, 2); i > 0; i--) {
      history.failedVerifications.push({ at: before(ctx, now, d), purpose });
      d += rng.real(2, 8);
    }
  }
  return {
    draft: { facts, history, request: requestOf(ctx, kind, facts, history), enterprise: false },
    variant,
  };
};

/**
 * Retries a refused revocation again and again: most of them before clearing the wallet (refused by
 * a wallet blocker), some from their tablet instead of the primary phone (refused by an intruder
 * protection — to risk control, that is what deliberate failures look like).
 */
const persistentRetrier: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(90, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const kind = rng.chance(0.7) ? 'realname.revoke' : 'account.delete';
  const wrongDevice = kind === 'realname.revoke' && rng.chance(0.4);
  if (wrongDevice) {
    facts.devices.push({
      id: 'dev_tablet',
      platform: 'ios',
      osVersion: '17.2',
      primary: false,
      addedAt: before(ctx, now, 300),
    });
  }
  const start = before(ctx, now, rng.real(0.9, 2));
  const codes: BlockerCode[] = wrongDevice ? ['NOT_PRIMARY_DEVICE'] : [rng.pick(WALLET_CODES)];
  for (let i = rng.int(2, 6); i > 0; i--) {
    history.refusals.push(refusal(start + rng.int(0, 20 * 60) * MINUTE_MS, kind, codes));
  }
  return {
    draft: { facts, history, request: { kind }, enterprise: false },
    variant: wrongDevice ? 'persistent_retrier_wrong_device' : 'persistent_retrier',
  };
};

/** A large, legitimate sum received (a car sold, a bonus), then any request. */
const largeInflow: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(200, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  history.inflows.push({ at: before(ctx, now, rng.real(0.5, 10)), amount: rng.int(10_000, 90_000) * YUAN });
  const kind = rng.pick(['realname.revoke', 'account.delete', 'realname.change', 'data.export'] as const);
  return {
    draft: { facts, history, request: requestOf(ctx, kind, facts, history), enterprise: false },
    variant: 'large_inflow',
  };
};

const minor: Builder = (ctx) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region: 'CN',
    ageDays: rng.int(30, 2_000),
    phoneCountry: '86',
    minor: true,
  });
  if (rng.chance(0.2)) {
    history.failedVerifications.push({
      at: before(ctx, now, rng.real(0.5, 20)),
      purpose: 'realname.change#guardian',
    });
  }
  const kind = rng.pick(['realname.change', 'appeal.submit', 'data.export', 'realname.revoke'] as const);
  return {
    draft: {
      facts,
      history,
      request: requestOf(ctx, kind, facts, history),
      appealClaim: kind === 'appeal.submit' ? 'other' : null,
      enterprise: false,
    },
    variant: 'minor',
  };
};

const enterprise: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(200, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  facts.enterpriseLinks = Array.from({ length: rng.int(1, 3) }, (_, i) => ({
    id: `ent_${i + 1}`,
    enterprise: `Enterprise ${i + 1}`,
    kind: rng.pick(['attendance', 'customer_contact', 'enterprise_payment'] as const),
    active: true,
    adminRole: rng.chance(0.2),
    pendingApprovals: rng.int(0, 3),
  }));
  // Business receipts: several a week.
  for (let d = rng.real(0, 2); d < 14; d += rng.real(0.5, 3)) {
    history.inflows.push({ at: before(ctx, now, d), amount: rng.int(500, 8_000) * YUAN });
  }
  const kind = rng.weighted([
    ['enterprise.detach', 6],
    ['realname.change', 2],
    ['data.export', 2],
  ] as const);
  return {
    draft: { facts, history, request: requestOf(ctx, kind, facts, history), enterprise: true },
    variant: 'enterprise',
  };
};

/**
 * Abroad on holiday: a local SIM (the phone's country changed), logins from abroad marked abnormal,
 * sometimes a new phone, codes arriving late. The look-alike of a takeover for the score.
 */
const traveller: Builder = (ctx) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region: 'CN',
    ageDays: rng.int(200, 3_000),
    phoneCountry: '86',
  });
  const leftAt = before(ctx, now, rng.real(0.5, 20));
  const abroad = rng.pick(['852', '81', '66', '65', '44', '1', '61']);
  if (rng.chance(0.5)) {
    history.phoneCountry = abroad;
    facts.account.phoneMasked = maskedPhone(rng, abroad);
    history.phoneCountryChanges.push({ at: leftAt, from: '86', to: abroad });
  }
  for (let i = rng.int(0, 2); i > 0; i--) {
    facts.logins.push({ at: leftAt + rng.int(1, 48) * HOUR_MS, deviceId: 'dev_1', abnormal: true });
  }
  if (rng.chance(0.3)) {
    facts.devices.push({ id: 'dev_2', platform: 'ios', osVersion: '18.1', primary: false, addedAt: leftAt });
  }
  for (
    let i = rng.weighted([
      [0, 5],
      [1, 2],
      [2, 1],
      [3, 1],
      [4, 1],
    ] as const);
    i > 0;
    i--
  ) {
    history.failedVerifications.push({
      at: leftAt + rng.int(1, 96) * HOUR_MS,
      purpose: 'card.unbind:card_1',
    });
  }
  history.failedVerifications = history.failedVerifications.filter((f) => f.at <= now);
  facts.logins = facts.logins.filter((l) => l.at <= now);
  const kind = rng.pick(['data.export', 'card.unbind', 'payment.restore'] as const);
  return {
    draft: { facts, history, request: requestOf(ctx, kind, facts, history), enterprise: false },
    variant: 'traveller',
  };
};

/** Deleted an old account and registers again at home, binding the same document. */
const returningUser: Builder = (ctx) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region: 'CN',
    ageDays: rng.int(0, 20),
    phoneCountry: '86',
    verified: false,
    documentType: 'cn_id',
  });
  const deletedAt = before(ctx, now, rng.int(25, 200));
  history.documentAccounts.push({
    alias: 'doc_acc_1',
    createdAt: before(ctx, now, rng.int(400, 3_000)),
    phoneCountry: '86',
    operations: [
      ...(rng.chance(0.2)
        ? [{ at: deletedAt - rng.int(1, 5) * DAY_MS, kind: 'account.delete' as const, refused: true }]
        : []),
      { at: deletedAt, kind: 'account.delete', refused: false },
    ],
    failedVerifications: 0,
  });
  history.documentLimit = {
    changesInWindow: rng.chance(0.2) ? 3 : rng.int(0, 2),
    limit: 3,
    cooldownUntil: null,
  };
  return {
    draft: { facts, history, request: { kind: 'identity.bind', documentType: 'cn_id' }, enterprise: false },
    variant: 'returning_user',
  };
};

// ---------------------------------------------------------------------------------------------
// Abuse routes (R-RISK-2) and AML mules (R-RISK-3). Their timings and amounts are drawn from
// continuous (log-normal) distributions, not from "caught" and "evasive" buckets: what the detectors
// miss is the tail that falls outside the policy's windows, as it would be in a real population.

/**
 * The owner, refused by a limit (a change too soon, the document's limit, a recent change before a
 * revocation), claims the account was stolen to get the identity reset — usually within a day or
 * two of the refusal (median 36 hours), sometimes weeks later. Some stage the theft with a second
 * phone; some appeal first and ask for the reset once the appeal is in.
 */
const stolenAccountAbuse: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(200, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const changedAt = before(ctx, now, rng.int(20, 80));
  facts.history.realnameChanges.push({ at: changedAt });
  facts.history.identityModifications.push({ at: changedAt });
  facts.identity = { ...facts.identity!, changedAt };
  const resetLater = rng.chance(0.2);
  const appealAt = resetLater ? before(ctx, now, Math.min(rng.lognormal(3, 0.8), 40)) : now;
  const delayDays = Math.min(rng.lognormal(1.5, 1.3), 60);
  const lastRefusal = appealAt - Math.round(delayDays * DAY_MS);
  for (let i = rng.int(1, 3); i > 0; i--) {
    const kind = rng.pick(['realname.change', 'realname.revoke'] as const);
    const codes: BlockerCode[] =
      kind === 'realname.change'
        ? [rng.pick(['REALNAME_CHANGE_TOO_SOON', 'DOCUMENT_CHANGE_LIMIT', 'DOCUMENT_COOLDOWN'] as const)]
        : rng.chance(0.3)
          ? []
          : ['REALNAME_CHANGED_RECENTLY'];
    history.refusals.push(refusal(lastRefusal - (i - 1) * rng.int(10, 600) * MINUTE_MS, kind, codes));
  }
  if (rng.chance(0.3)) {
    // Staging the theft: a second phone and a login the system marks abnormal.
    const at = before(ctx, appealAt, rng.real(0.1, 2));
    facts.devices.push({ id: 'dev_2', platform: 'android', osVersion: '13', primary: false, addedAt: at });
    facts.logins.push({ at, deviceId: 'dev_2', abnormal: true });
  }
  let request: RiskInput['request'] = { kind: 'appeal.submit' };
  let appealClaim: AppealClaim | null = 'account_stolen';
  if (resetLater) {
    history.appeals.push({ at: appealAt, claim: 'account_stolen' });
    request = requestOf(ctx, rng.pick(['realname.change', 'realname.revoke'] as const), facts, history);
    appealClaim = null;
  }
  return {
    draft: { facts, history, request, appealClaim, enterprise: false },
    variant: resetLater ? 'reset_after_theft_claim' : 'theft_claim_after_refusal',
  };
};

/**
 * A mainland document at its change limit (or cooling down, or refused on its other accounts) bound
 * again from a new account with an overseas phone — usually within days of registering (median 5
 * days), sometimes after waiting a month or two — or from an old account whose phone was just moved
 * abroad.
 */
const overseasAbuse: Builder = (ctx) => {
  const { rng, now } = ctx;
  const region = rng.weighted([
    ['CN', 4],
    ['HK', 2],
    ['SEA', 2],
    ['US', 1],
    ['EU', 1],
  ] as const);
  const phoneCountry = rng.pick(ABROAD);
  const moved = rng.chance(0.15);
  const change = moved || rng.chance(0.2);
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: moved ? rng.int(200, 2_000) : Math.min(rng.lognormal(5, 1.3), 200),
    phoneCountry,
    verified: change,
    documentType: change ? 'passport' : 'cn_id',
  });
  if (moved) {
    const at = before(ctx, now, Math.min(rng.lognormal(4, 1.2), 200));
    history.phoneCountryChanges.push({ at, from: '86', to: phoneCountry });
  }
  const others = rng.int(1, 3);
  for (let i = 0; i < others; i++) {
    history.documentAccounts.push({
      alias: `doc_acc_${i + 1}`,
      createdAt: before(ctx, now, rng.int(100, 2_000)),
      phoneCountry: '86',
      operations: [{ at: before(ctx, now, rng.int(10, 300)), kind: 'realname.change', refused: false }],
      failedVerifications: 0,
    });
  }
  const state = rng.float();
  let cooldownUntil: number | null = null;
  let changesInWindow = 3;
  if (state < 0.25) {
    cooldownUntil = now + rng.int(10, 170) * DAY_MS;
  } else if (state < 0.5) {
    // Not at the limit yet, but its other account was just refused (R-CHG-2 too soon, a risk refusal).
    changesInWindow = rng.int(1, 2);
    history.documentAccounts[0]!.operations.push({
      at: before(ctx, now, Math.min(rng.lognormal(10, 1), 300)),
      kind: 'realname.change',
      refused: true,
    });
  }
  history.documentLimit = { changesInWindow, limit: 3, cooldownUntil };
  const request: RiskInput['request'] = change
    ? { kind: 'realname.change', newDocument: { type: 'cn_id', number: fictionalNumber(rng, 'cn_id') } }
    : { kind: 'identity.bind', documentType: 'cn_id' };
  return {
    draft: { facts, history, request, enterprise: false },
    variant: moved ? 'phone_moved_abroad' : change ? 'change_to_limited_document' : 'bind_limited_document',
  };
};

/**
 * Failing codes and starting refused attempts on purpose (from a secondary device, right after an
 * abnormal login) so that risk control gives up and unbinds: 5 to 12 failures over a span of hours
 * (median 12) to days, then a revocation, an appeal or an unbind.
 */
const failuresAbuse: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(90, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const target = facts.cards.length && rng.chance(0.3) ? 'card.unbind' : 'realname.revoke';
  const purpose = target === 'card.unbind' ? `card.unbind:${facts.cards[0]!.id}` : 'realname.revoke';
  const span = Math.min(rng.lognormal(12, 1.2), 24 * 20) * HOUR_MS;
  const end = now - rng.int(1, 120) * MINUTE_MS;
  for (let i = rng.int(5, 12); i > 0; i--) {
    history.failedVerifications.push({ at: end - Math.floor(rng.float() * span), purpose });
  }
  for (let i = rng.int(0, 3); i > 0; i--) {
    history.refusals.push(refusal(end - Math.floor(rng.float() * span), target, rng.pick(INTRUDER_REFUSALS)));
  }
  const then = rng.weighted([
    ['realname.revoke', 5],
    ['appeal.submit', 3],
    [target, 2],
  ] as const);
  return {
    draft: {
      facts,
      history,
      request: requestOf(ctx, then, facts, history),
      appealClaim: then === 'appeal.submit' ? rng.pick(['account_stolen', 'other'] as const) : null,
      enterprise: false,
    },
    variant: `failures_then_${then === 'appeal.submit' ? 'appeal' : then === 'card.unbind' ? 'unbind' : 'revoke'}`,
  };
};

/**
 * A mule: 5 to 40 transfers in (median total ¥150,000; a few keep under the threshold) over a few
 * days, the last of them usually a day or two before the identity is revoked or the account deleted.
 */
const amlMule: Builder = (ctx, region) => {
  const { rng } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(10, 400),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  history.inflows = [];
  const total = Math.round(Math.min(rng.lognormal(150_000, 1), 5_000_000)) * YUAN;
  const count = rng.int(5, 40);
  const lastDay = Math.min(rng.lognormal(1.5, 1), 60);
  const span = rng.real(0.5, 4.5);
  for (let i = 0; i < count; i++) {
    history.inflows.push({
      at: before(ctx, ctx.now, lastDay + rng.real(0, span)),
      amount: Math.floor(total / count),
    });
  }
  const kind = rng.chance(0.6) ? 'realname.revoke' : 'account.delete';
  return {
    draft: { facts, history, request: { kind }, enterprise: false },
    variant: kind === 'realname.revoke' ? 'mule_then_revoke' : 'mule_then_delete',
  };
};

/**
 * A thief using the account now, from their own phone: abnormal logins, a device added hours or days
 * ago, codes they cannot read, sometimes the phone number moved to a SIM abroad; then an operation
 * that would take the money or the identity away. No detector is meant for this: the R-RISK-1 score
 * is, and "stopped" means any decision other than `allow` (a step-up goes to the owner's phone).
 */
const takeover: Builder = (ctx, region) => {
  const { rng, now } = ctx;
  const { facts, history } = baseAccount(ctx, {
    region,
    ageDays: rng.int(100, 3_000),
    phoneCountry: rng.pick(PHONE_COUNTRIES[region]),
  });
  const inAt = before(ctx, now, Math.min(rng.lognormal(1, 1.2), 20));
  facts.devices.push({
    id: 'dev_thief',
    platform: 'android',
    osVersion: '12',
    primary: false,
    addedAt: inAt,
  });
  for (
    let i = rng.weighted([
      [0, 1],
      [1, 5],
      [2, 3],
      [3, 1],
    ] as const);
    i > 0;
    i--
  ) {
    facts.logins.push({ at: inAt + rng.int(0, 120) * MINUTE_MS, deviceId: 'dev_thief', abnormal: true });
  }
  if (rng.chance(0.3)) {
    const to = rng.pick(ABROAD);
    history.phoneCountryChanges.push({
      at: inAt + rng.int(10, 300) * MINUTE_MS,
      from: history.phoneCountry,
      to,
    });
    history.phoneCountry = to;
    facts.account.phoneMasked = maskedPhone(rng, to);
  }
  const kind = rng.weighted([
    ['card.unbind', facts.cards.length ? 3 : 0],
    ['realname.revoke', 3],
    ['realname.change', 2],
    ['account.delete', 1],
    ['data.export', 1],
  ] as const);
  const purpose = kind === 'card.unbind' ? `card.unbind:${facts.cards[0]?.id ?? 'card_1'}` : kind;
  for (let i = rng.int(0, 6); i > 0; i--) {
    history.failedVerifications.push({ at: inAt + rng.int(5, 600) * MINUTE_MS, purpose });
  }
  history.failedVerifications = history.failedVerifications.filter((f) => f.at <= now);
  facts.logins = facts.logins.filter((l) => l.at <= now);
  history.phoneCountryChanges = history.phoneCountryChanges.filter((c) => c.at <= now);
  const draft: Draft = { facts, history, request: requestOf(ctx, kind, facts, history), enterprise: false };
  return { draft: { ...draft, context: { deviceId: 'dev_thief' } }, variant: `takeover_${kind}` };
};

const BUILDERS: Readonly<Record<Variant, Builder>> = {
  ordinary,
  new_device: newDevice,
  theft_victim: theftVictim,
  overseas_user: overseasUser,
  code_mistyper: codeMistyper,
  persistent_retrier: persistentRetrier,
  large_inflow: largeInflow,
  minor,
  enterprise,
  returning_user: returningUser,
  stolen_account_appeal: stolenAccountAbuse,
  overseas_reregistration: overseasAbuse,
  deliberate_failures: failuresAbuse,
  aml_mule: amlMule,
  traveller,
  takeover,
};

/**
 * Account `index` of the population of `seed` (pure: the same arguments give the same account).
 * @example const a = simulateAccount(7, { seed: 42 }); assessRisk(a.input, policy.rulesFor(a.region))
 */
export function simulateAccount(index: number, options: SimulateOptions): SimAccount {
  const now = options.now ?? SIM_DEFAULT_NOW;
  const rng = new Rng(mulberry32(accountSeed(options.seed, index)));
  const kind = rng.weighted(SIM_MIX);
  const region = rng.weighted(REGION_MIX);
  const ctx: Ctx = { rng, now, id: `sim_${options.seed}_${index}`, seq: index };
  const { draft, variant } = BUILDERS[kind](ctx, region);
  if (draft.request.kind === 'appeal.submit') {
    // R-ABN-2: only a frozen account appeals — locked by its owner ("my account was stolen", R-CHK-1)
    // or by risk control.
    draft.facts.account.status = 'frozen';
    draft.facts.account.frozenReason =
      draft.appealClaim === 'account_stolen' ? 'locked_by_user' : 'risk_control';
  }
  return {
    index,
    label: LABEL_OF[kind] ?? 'honest',
    variant,
    region: draft.facts.account.region,
    minor: draft.facts.account.minor,
    enterprise: draft.enterprise,
    input: {
      facts: draft.facts,
      history: draft.history,
      request: draft.request,
      context: draft.context ?? { deviceId: draft.facts.devices.find((d) => d.primary)?.id ?? null },
      appealClaim: draft.appealClaim ?? null,
      now,
    },
  };
}

/** Accounts 0…n-1 of the population of `seed`, one at a time (nothing is held in memory). */
export function* simulatePopulation(n: number, options: SimulateOptions): Generator<SimAccount> {
  for (let i = 0; i < n; i++) yield simulateAccount(i, options);
}

// ---------------------------------------------------------------------------------------------
// Evaluation: detection rate per route, false positives on honest accounts.

export interface RouteFigures {
  accounts: number;
  /**
   * The route's own detector fired (for `aml`: an AML hold; for `takeover`: any decision other than
   * `allow`, a step-up being sent to the owner's phone).
   */
  detected: number;
  detectionRate: number;
  /** The operation did not simply go through: review or deny, whatever the reason. */
  held: number;
  decisions: Record<RiskDecision, number>;
  /** Per variant: accounts and detected. */
  variants: Record<string, { accounts: number; detected: number }>;
}

export interface HonestFigures {
  accounts: number;
  /** Decision review or deny, or any detection (an honest account a reviewer would have to clear). */
  flagged: number;
  falsePositiveRate: number;
  /** The same without the AML holds (which R-RISK-3 makes by rule on large inflows). */
  flaggedWithoutAml: number;
  falsePositiveRateWithoutAml: number;
  byCause: Record<DetectorId | 'aml_hold' | 'score_review' | 'score_deny', number>;
  decisions: Record<RiskDecision, number>;
  variants: Record<string, { accounts: number; flagged: number }>;
}

export interface SimReport {
  seed: number;
  accounts: number;
  decisions: Record<RiskDecision, number>;
  routes: Record<Exclude<SimLabel, 'honest'>, RouteFigures>;
  honest: HonestFigures;
}

const zeroDecisions = (): Record<RiskDecision, number> =>
  Object.fromEntries(RISK_DECISIONS.map((d) => [d, 0])) as Record<RiskDecision, number>;

const rate = (n: number, of: number) => (of === 0 ? 0 : n / of);

/** Whether an assessment flags an honest account (a false positive). */
export function flagsAccount(a: RiskAssessment): boolean {
  return a.decision === 'review' || a.decision === 'deny' || a.detections.length > 0;
}

/**
 * An accumulator of assessments over a simulated population (pure; feed it account by account).
 * @example const ev = createEvaluation(42); for (const acc of simulatePopulation(1000, { seed: 42 })) ev.add(acc, assessRisk(acc.input, rulesFor(acc.region))); ev.report()
 */
export function createEvaluation(seed: number) {
  let accounts = 0;
  const decisions = zeroDecisions();
  const routes = Object.fromEntries(
    SIM_LABELS.filter((l) => l !== 'honest').map((l) => [
      l,
      { accounts: 0, detected: 0, detectionRate: 0, held: 0, decisions: zeroDecisions(), variants: {} },
    ]),
  ) as unknown as SimReport['routes'];
  const honest: HonestFigures = {
    accounts: 0,
    flagged: 0,
    falsePositiveRate: 0,
    flaggedWithoutAml: 0,
    falsePositiveRateWithoutAml: 0,
    byCause: {
      stolen_account_appeal: 0,
      overseas_reregistration: 0,
      deliberate_failures: 0,
      aml_hold: 0,
      score_review: 0,
      score_deny: 0,
    },
    decisions: zeroDecisions(),
    variants: {},
  };
  return {
    add(account: SimAccount, a: RiskAssessment): void {
      accounts++;
      decisions[a.decision]++;
      if (account.label === 'honest') {
        honest.accounts++;
        honest.decisions[a.decision]++;
        const v = (honest.variants[account.variant] ??= { accounts: 0, flagged: 0 });
        v.accounts++;
        if (!flagsAccount(a)) return;
        honest.flagged++;
        v.flagged++;
        if (a.detections.length > 0 || a.because === 'score') honest.flaggedWithoutAml++;
        for (const d of a.detections) honest.byCause[d.detector]++;
        if (a.because === 'aml_hold') honest.byCause.aml_hold++;
        if (a.because === 'score' && a.decision === 'review') honest.byCause.score_review++;
        if (a.because === 'score' && a.decision === 'deny') honest.byCause.score_deny++;
        return;
      }
      const r = routes[account.label];
      r.accounts++;
      r.decisions[a.decision]++;
      const detected =
        account.label === 'aml'
          ? a.aml !== null
          : account.label === 'takeover'
            ? a.decision !== 'allow'
            : a.detections.some((d) => d.detector === account.label);
      if (detected) r.detected++;
      if (a.decision === 'review' || a.decision === 'deny') r.held++;
      const v = (r.variants[account.variant] ??= { accounts: 0, detected: 0 });
      v.accounts++;
      if (detected) v.detected++;
    },
    report(): SimReport {
      for (const r of Object.values(routes)) r.detectionRate = rate(r.detected, r.accounts);
      honest.falsePositiveRate = rate(honest.flagged, honest.accounts);
      honest.falsePositiveRateWithoutAml = rate(honest.flaggedWithoutAml, honest.accounts);
      return structuredClone({ seed, accounts, decisions, routes, honest });
    },
  };
}

/**
 * Generate `n` accounts and assess each with the same pure code path the service uses.
 * @example evaluatePopulation(1000, { seed: 42 }, (region) => policy.rulesFor(region))
 */
export function evaluatePopulation(
  n: number,
  options: SimulateOptions,
  rulesFor: (region: Region) => RegionRules,
  onProgress?: (done: number) => void,
): SimReport {
  const ev = createEvaluation(options.seed);
  for (const account of simulatePopulation(n, options)) {
    ev.add(account, assessRisk(account.input, rulesFor(account.region)));
    onProgress?.(account.index + 1);
  }
  return ev.report();
}
