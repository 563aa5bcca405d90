/**
 * What a revocation changes for the account (SPEC §3.5 R-REV-5/6/7, §3.6 R-MIN-3/5, §3.9 R-REG-3):
 * the capabilities the platform must enforce, as a pure function of (facts, rules, time), and the
 * check of one fund operation against them.
 *
 * Every capability is always listed, restricted or not, with the value the platform enforces now
 * (the unrestricted default when nothing applies: a daily receive limit of 50,000 yuan, …), the rule
 * behind it, since when and until when it holds, and what lifts it.
 *
 * When the effects of a revocation end:
 * - The **payment restrictions** of R-REV-5 — the lowered daily receive limit, the withdrawal pause
 *   and the auto-debit stop — are lifted by the restoration of R-REV-7 (a card bound again and 3
 *   verified transactions since the revocation; `history.paymentRestoredAt`). The withdrawal pause
 *   also ends by itself 72 hours after the revocation.
 * - The **social and developer effects** of R-REV-5 (extra SMS at login, incoming friend requests
 *   blocked, 3 moments a day, grants revoked, mini-programs to requalify, test API tier) are not
 *   payment restrictions: restoration leaves them in place.
 * - **R-REG-3** (EU/US payment force-closed) and **R-MIN-5** (a minor's red packets and transfers) are
 *   not lifted by R-REV-7 either: those regions and the minors' rule require a verified real name for
 *   payments, which a card and a few transactions do not give (and with payments closed, verified
 *   transactions could not be made anyway). Refunds and withdrawals stay possible so that no money
 *   is trapped.
 * - **Every** revocation effect ends when the account verifies a real name again (an identity
 *   verified after the revocation): the account is then no longer without a real name.
 * - R-MIN-3: games are off while a minor's revocation is open (in review, or running), whatever its
 *   end; they come back when it ends.
 */
import { nextShanghaiMidnight } from './calendar.js';
import { HOUR_MS } from './clock.js';
import {
  consequence,
  warning,
  type ConsequenceCode,
  type Localized,
  type Params,
  type Warning,
} from './errors/index.js';
import type { AccountFacts, IdentityStatus, Money, Region } from './model.js';
import type { RegionRules } from './policy/index.js';

/** The capabilities, in the order the endpoint lists them. */
export const CAPABILITY_CODES = [
  'daily_receive_limit',
  'withdrawals',
  'auto_debits',
  'payments',
  'red_packets_and_transfers',
  'login_extra_sms',
  'incoming_friend_requests',
  'moments_per_day',
  'third_party_grants',
  'mini_program_qualification',
  'api_quota_tier',
  'games',
] as const;
export type CapabilityCode = (typeof CAPABILITY_CODES)[number];

/**
 * What lifts a restriction: the restoration of R-REV-7, a new real-name verification, the end of a
 * minor's revocation review (R-MIN-3), or time (`until`).
 */
export type LiftedBy = 'R-REV-7 restoration' | 'real-name verified again' | 'revocation ended' | 'time';

export type CapabilityValue = number | boolean | string | null;

/** One thing the platform enforces, with the rule behind it and when it ends. */
export interface Capability {
  code: CapabilityCode;
  /** The SPEC rule that restricts it (or would). */
  rule: string;
  /** Whether `value` differs from the unrestricted `default` now. */
  restricted: boolean;
  /**
   * What to enforce now. `daily_receive_limit`: amount per Asia/Shanghai day; `moments_per_day`:
   * posts a day, null = no limit; `mini_program_qualification`: mini-programs whose qualification must
   * be resubmitted; `api_quota_tier`: the tier; `login_extra_sms`: whether login needs an extra code;
   * every other capability: whether it is allowed.
   */
  value: CapabilityValue;
  /** The value without any restriction. */
  default: CapabilityValue;
  /** Since when the restriction holds (epoch ms), null when unrestricted. */
  since: number | null;
  /** When it ends by itself (epoch ms), or null: it holds until an event in `liftedBy` lifts it. */
  until: number | null;
  /** The events that lift it (empty when unrestricted). */
  liftedBy: LiftedBy[];
  /** When a restriction of the current revocation was lifted by R-REV-7, else null. */
  liftedAt: number | null;
  /** The consequence the preflight announced for it (R-UX-3), rendered, while restricted. */
  consequence: { code: ConsequenceCode; params: Params; message: Localized } | null;
}

/** R-REV-7: how far the account is from lifting the payment restrictions. */
export interface Restoration {
  rule: 'R-REV-7';
  /**
   * `not_applicable`: no revocation in effect; `pending`: its payment restrictions hold until the
   * conditions below are met; `restored`: they were lifted at `restoredAt`.
   */
  status: 'not_applicable' | 'pending' | 'restored';
  /** A card bound again since the revocation, and still bound. */
  cardBound: boolean;
  /** Verified transactions since the revocation. */
  verifiedTransactions: number;
  /** Verified transactions needed (policy `effects.restoreVerifiedTransactions`). */
  required: number;
  /** When the payment restrictions were lifted, or null. */
  restoredAt: number | null;
}

export interface Capabilities {
  accountId: string;
  region: Region;
  realnameStatus: IdentityStatus;
  /** The revocation whose effects apply, or null (never revoked, or a real name verified since). */
  revokedAt: number | null;
  capabilities: Capability[];
  restoration: Restoration;
  /**
   * R-REV-6: a revoked account with an active merchant account keeps its historical real-name records
   * there (the same warning the revocation preflight gave), or null.
   */
  merchantRecordsRetained: Warning | null;
  evaluatedAt: number;
}

/** The effects of a revocation apply: revoked, and no real name verified since (see the top). */
export function revocationInEffect(facts: AccountFacts): number | null {
  const revokedAt = facts.history.revokedAt ?? null;
  if (revokedAt === null) return null;
  const id = facts.identity;
  const verifiedSince =
    id !== null &&
    id.status !== 'revoked' &&
    id.status !== 'unverified' &&
    id.verifiedAt !== null &&
    id.verifiedAt > revokedAt;
  return verifiedSince ? null : revokedAt;
}

/** When the payment restrictions of the revocation in effect were lifted (R-REV-7), or null. */
function restoredAt(facts: AccountFacts, revokedAt: number): number | null {
  const at = facts.history.paymentRestoredAt ?? null;
  return at !== null && at >= revokedAt ? at : null;
}

/**
 * R-REV-7: a revocation is in effect, its payment restrictions are not lifted yet, and the account
 * has bound a card again (still bound) and made the required verified transactions since. The
 * caller records the restoration (app/accounts.ts) the first time this becomes true.
 *
 * @example
 * restorationDue(facts, policy.rulesFor('CN')); // true after a card and 3 verified transactions
 */
export function restorationDue(facts: AccountFacts, rules: RegionRules): boolean {
  const revokedAt = revocationInEffect(facts);
  if (revokedAt === null || restoredAt(facts, revokedAt) !== null) return false;
  const h = facts.history;
  return (
    h.cardsBoundSinceRevocation >= 1 &&
    facts.cards.length > 0 &&
    h.verifiedTransactionsSinceRevocation >= rules.effects.restoreVerifiedTransactions
  );
}

type Entry = Omit<Capability, 'consequence' | 'liftedAt'> & {
  consequence?: Capability['consequence'];
  liftedAt?: number | null;
};

function rendered(code: ConsequenceCode, params: Params = {}): NonNullable<Capability['consequence']> {
  const c = consequence(code, 'function', true, params);
  return { code, params: c.params, message: c.message };
}

const free = (
  code: CapabilityCode,
  rule: string,
  value: CapabilityValue,
  liftedAt: number | null = null,
): Entry => ({
  code,
  rule,
  restricted: false,
  value,
  default: value,
  since: null,
  until: null,
  liftedBy: [],
  liftedAt,
});

/**
 * The capabilities of one account at `now` under the region's rules.
 *
 * @example
 * const caps = capabilities(facts, policy.rulesFor(facts.account.region), clock.now());
 * caps.capabilities.find((c) => c.code === 'daily_receive_limit')!.value; // 20_000_000 (¥2,000) after a revocation
 */
export function capabilities(facts: AccountFacts, rules: RegionRules, now: number): Capabilities {
  const e = rules.effects;
  const revokedAt = revocationInEffect(facts);
  const restored = revokedAt === null ? null : restoredAt(facts, revokedAt);
  const minor = facts.account.minor;
  const out: Entry[] = [];
  const REVOKE_LIFT: LiftedBy[] = ['real-name verified again'];
  const PAYMENT_LIFT: LiftedBy[] = ['R-REV-7 restoration', 'real-name verified again'];

  // ── Payment restrictions of R-REV-5: lifted by the restoration of R-REV-7.
  const paymentRestricted = revokedAt !== null && restored === null;
  out.push(
    paymentRestricted
      ? {
          code: 'daily_receive_limit',
          rule: 'R-REV-5',
          restricted: true,
          value: e.dailyReceiveLimitAfter,
          default: e.dailyReceiveLimitBefore,
          since: revokedAt,
          until: null,
          liftedBy: PAYMENT_LIFT,
          consequence: rendered('CONSEQ_RECEIVE_LIMIT_LOWERED', {
            from: e.dailyReceiveLimitBefore,
            to: e.dailyReceiveLimitAfter,
          }),
        }
      : free('daily_receive_limit', 'R-REV-5', e.dailyReceiveLimitBefore, restored),
  );
  const pauseEnd = revokedAt === null ? null : revokedAt + e.withdrawalPauseHours * HOUR_MS;
  out.push(
    paymentRestricted && pauseEnd !== null && now < pauseEnd
      ? {
          code: 'withdrawals',
          rule: 'R-REV-5',
          restricted: true,
          value: false,
          default: true,
          since: revokedAt,
          until: pauseEnd,
          liftedBy: ['time', ...PAYMENT_LIFT],
          consequence: rendered('CONSEQ_WITHDRAWAL_PAUSED', { hours: e.withdrawalPauseHours }),
        }
      : free(
          'withdrawals',
          'R-REV-5',
          true,
          restored !== null && pauseEnd !== null && restored < pauseEnd ? restored : null,
        ),
  );
  out.push(
    paymentRestricted
      ? {
          code: 'auto_debits',
          rule: 'R-REV-5',
          restricted: true,
          value: false,
          default: true,
          since: revokedAt,
          until: null,
          liftedBy: PAYMENT_LIFT,
          consequence: rendered('CONSEQ_AUTO_DEBITS_TERMINATED', {
            count: facts.subscriptions.filter((s) => !s.active).length,
          }),
        }
      : free('auto_debits', 'R-REV-5', true, restored),
  );

  // ── R-REG-3: payment force-closed in EU/US on revocation; R-REV-7 does not reopen it (see the top).
  out.push(
    revokedAt !== null && rules.region.paymentForceClosedOnRevoke
      ? {
          code: 'payments',
          rule: 'R-REG-3',
          restricted: true,
          value: false,
          default: true,
          since: revokedAt,
          until: null,
          liftedBy: REVOKE_LIFT,
          consequence: rendered('CONSEQ_PAYMENT_FORCE_CLOSED', { region: facts.account.region }),
        }
      : free('payments', 'R-REG-3', true),
  );
  // ── R-MIN-5: a minor without a real name sends no red packets and no transfers.
  out.push(
    revokedAt !== null && minor
      ? {
          code: 'red_packets_and_transfers',
          rule: 'R-MIN-5',
          restricted: true,
          value: false,
          default: true,
          since: revokedAt,
          until: null,
          liftedBy: REVOKE_LIFT,
          consequence: rendered('CONSEQ_RED_PACKETS_DISABLED'),
        }
      : free('red_packets_and_transfers', 'R-MIN-5', true),
  );

  // ── Social and developer effects of R-REV-5: not payment restrictions, restoration keeps them.
  const social = (
    code: CapabilityCode,
    restrictedValue: CapabilityValue,
    defaultValue: CapabilityValue,
    conseq: NonNullable<Capability['consequence']>,
  ): Entry =>
    revokedAt !== null
      ? {
          code,
          rule: 'R-REV-5',
          restricted: true,
          value: restrictedValue,
          default: defaultValue,
          since: revokedAt,
          until: null,
          liftedBy: REVOKE_LIFT,
          consequence: conseq,
        }
      : free(code, 'R-REV-5', defaultValue);
  out.push(
    social('login_extra_sms', true, false, rendered('CONSEQ_LOGIN_EXTRA_SMS')),
    social('incoming_friend_requests', false, true, rendered('CONSEQ_FRIEND_REQUESTS_BLOCKED')),
    social(
      'moments_per_day',
      e.momentsPerDay,
      null,
      rendered('CONSEQ_MOMENTS_LIMITED', { perDay: e.momentsPerDay }),
    ),
    social(
      'third_party_grants',
      false,
      true,
      rendered('CONSEQ_GRANTS_REVOKED', { count: facts.grants.filter((g) => !g.active).length }),
    ),
  );
  const miniPrograms = facts.developerAssets.miniPrograms.length;
  out.push(
    revokedAt !== null && miniPrograms > 0
      ? social(
          'mini_program_qualification',
          miniPrograms,
          0,
          rendered('CONSEQ_MINI_PROGRAMS_REQUALIFY', { count: miniPrograms }),
        )
      : free('mini_program_qualification', 'R-REV-5', 0),
    revokedAt !== null
      ? social('api_quota_tier', 'test', 'standard', rendered('CONSEQ_API_QUOTA_TEST'))
      : free('api_quota_tier', 'R-REV-5', facts.developerAssets.apiQuotaTier),
  );

  // ── R-MIN-3: games off while a minor's revocation is open.
  const pending = minor ? facts.openOperations.find((o) => o.kind === 'realname.revoke') : undefined;
  out.push(
    pending
      ? {
          code: 'games',
          rule: 'R-MIN-3',
          restricted: true,
          value: false,
          default: true,
          since: pending.startedAt,
          until: null,
          liftedBy: ['revocation ended'],
          consequence: rendered('CONSEQ_GAMES_DISABLED'),
        }
      : free('games', 'R-MIN-3', true),
  );

  const h = facts.history;
  return {
    accountId: facts.account.id,
    region: facts.account.region,
    realnameStatus: facts.identity?.status ?? 'unverified',
    revokedAt,
    capabilities: out.map((c) => ({
      ...c,
      liftedAt: c.liftedAt ?? null,
      consequence: c.consequence ?? null,
    })),
    restoration: {
      rule: 'R-REV-7',
      status: revokedAt === null ? 'not_applicable' : restored === null ? 'pending' : 'restored',
      cardBound: revokedAt !== null && h.cardsBoundSinceRevocation >= 1 && facts.cards.length > 0,
      verifiedTransactions: revokedAt === null ? 0 : h.verifiedTransactionsSinceRevocation,
      required: e.restoreVerifiedTransactions,
      restoredAt: restored,
    },
    // R-REV-6: a warning, never a restriction.
    merchantRecordsRetained:
      revokedAt !== null && facts.merchant?.status === 'active'
        ? warning('MERCHANT_RECORDS_RETAINED', { merchantId: facts.merchant.id })
        : null,
    evaluatedAt: now,
  };
}

/** A fund operation as the platform records it (POST /v1/accounts/{id}/transactions). */
export const FUND_OPERATION_KINDS = [
  'payment',
  'transfer',
  'withdrawal',
  'refund',
  'receive',
  'red_packet',
] as const;
export type FundOperationKind = (typeof FUND_OPERATION_KINDS)[number];

export interface FundOperation {
  kind: FundOperationKind;
  amount: Money;
}

export interface FundRefusal {
  code: 'RECEIVE_LIMIT_EXCEEDED' | 'WITHDRAWAL_PAUSED' | 'TRANSFERS_DISABLED' | 'PAYMENT_CLOSED';
  params: Params;
}

/** The kinds R-REG-3 closes: money moved by payment functions (withdrawals and refunds stay open). */
const CLOSED_BY_REGION: ReadonlySet<FundOperationKind> = new Set([
  'payment',
  'transfer',
  'red_packet',
  'receive',
]);
/** The kinds R-MIN-5 disables for a minor. */
const MINOR_DISABLED: ReadonlySet<FundOperationKind> = new Set(['transfer', 'red_packet']);

function find(caps: Capabilities, code: CapabilityCode): Capability {
  const c = caps.capabilities.find((x) => x.code === code);
  if (!c) throw new Error(`capability ${code} missing`);
  return c;
}

/**
 * Whether one fund operation may be recorded now: null, or the refusal with the params its message
 * needs. `receivedToday` is what the account received since the start of the Asia/Shanghai day of
 * `now`. A refusal that lifts by itself carries `retryAfterSeconds` (the HTTP layer sends
 * Retry-After): the end of the withdrawal pause, or the next Shanghai midnight for an amount that
 * would fit in a fresh day's limit.
 *
 * @example
 * checkFundOperation(caps, { kind: 'receive', amount: yuan(2_500) }, 0, now)?.code; // 'RECEIVE_LIMIT_EXCEEDED' after a revocation
 */
export function checkFundOperation(
  caps: Capabilities,
  op: FundOperation,
  receivedToday: Money,
  now: number,
): FundRefusal | null {
  const payments = find(caps, 'payments');
  if (payments.restricted && CLOSED_BY_REGION.has(op.kind)) {
    return { code: 'PAYMENT_CLOSED', params: { region: caps.region, kind: op.kind } };
  }
  if (find(caps, 'red_packets_and_transfers').restricted && MINOR_DISABLED.has(op.kind)) {
    return { code: 'TRANSFERS_DISABLED', params: { kind: op.kind } };
  }
  const withdrawals = find(caps, 'withdrawals');
  if (op.kind === 'withdrawal' && withdrawals.restricted && withdrawals.until !== null) {
    const until = withdrawals.until;
    return {
      code: 'WITHDRAWAL_PAUSED',
      params: { until, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) },
    };
  }
  if (op.kind === 'receive') {
    const limit = find(caps, 'daily_receive_limit').value as number;
    const remaining = Math.max(0, limit - receivedToday);
    if (op.amount > remaining) {
      const resetsAt = nextShanghaiMidnight(now);
      const params: Record<string, number> = {
        amount: op.amount,
        limit,
        remaining,
        resetsAt,
        transactions: caps.restoration.required,
      };
      // Tomorrow's limit would take it: say when. An amount above the whole limit never fits.
      if (op.amount <= limit) params.retryAfterSeconds = Math.max(1, Math.ceil((resetsAt - now) / 1000));
      return { code: 'RECEIVE_LIMIT_EXCEEDED', params };
    }
  }
  return null;
}
