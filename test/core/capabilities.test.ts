/**
 * What a revocation changes for the account, as a pure function (core/capabilities.ts): every
 * restriction of R-REV-5, R-MIN-3, R-MIN-5, R-REG-3 with its rule, start, end and what lifts it;
 * R-REV-6's warning; R-REV-7's restoration; and the check of one fund operation at and past each
 * boundary.
 */
import { describe, expect, it } from 'vitest';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import {
  capabilities,
  checkFundOperation,
  restorationDue,
  revocationInEffect,
  type Capabilities,
  type Capability,
  type CapabilityCode,
} from '../../src/core/capabilities.js';
import { DAY_MS, HOUR_MS } from '../../src/core/clock.js';
import { message } from '../../src/core/errors/index.js';
import type { AccountFacts, Card } from '../../src/core/model.js';
import { busyFacts, cleanFacts, NOON, YUAN } from '../support/facts.js';
import { codes, policy } from '../support/preflight.js';

const REVOKED_AT = NOON - 2 * HOUR_MS;

const card = (id: string, boundAt = REVOKED_AT + HOUR_MS): Card => ({
  id,
  type: 'debit',
  last4: '0000',
  bank: 'ICBC',
  reservedPhoneMasked: '138****0000',
  boundAt,
});

/** The account as the revocation leaves it (app/saga.ts's final transaction). */
function revoke(f: AccountFacts, at = REVOKED_AT): AccountFacts {
  f.identity!.status = 'revoked';
  f.history.revokedAt = at;
  f.grants = f.grants.map((g) => ({ ...g, active: false }));
  f.subscriptions = f.subscriptions.map((s) => ({ ...s, active: false }));
  f.developerAssets.apiQuotaTier = 'test';
  return f;
}

function revokedFacts(change: (f: AccountFacts) => void = () => undefined): AccountFacts {
  const f = revoke(cleanFacts());
  change(f);
  return f;
}

const caps = (f: AccountFacts, now = NOON): Capabilities =>
  capabilities(f, policy.rulesFor(f.account.region), now);
const cap = (c: Capabilities, code: CapabilityCode): Capability => {
  const found = c.capabilities.find((x) => x.code === code);
  if (!found) throw new Error(`no ${code}`);
  return found;
};
const restricted = (c: Capabilities): CapabilityCode[] =>
  c.capabilities.filter((x) => x.restricted).map((x) => x.code);

const PAYMENT_RESTRICTIONS: CapabilityCode[] = ['daily_receive_limit', 'withdrawals', 'auto_debits'];
const SOCIAL: CapabilityCode[] = [
  'login_extra_sms',
  'incoming_friend_requests',
  'moments_per_day',
  'third_party_grants',
  'api_quota_tier',
];

describe('capabilities', () => {
  it('R-REV-5 never revoked: every capability at its unrestricted default (daily receive limit ¥50,000)', () => {
    const c = caps(cleanFacts());
    expect(restricted(c)).toEqual([]);
    expect(c.revokedAt).toBeNull();
    expect(cap(c, 'daily_receive_limit')).toMatchObject({
      rule: 'R-REV-5',
      value: 50_000 * YUAN,
      default: 50_000 * YUAN,
      since: null,
      until: null,
      liftedBy: [],
      consequence: null,
    });
    expect(cap(c, 'withdrawals').value).toBe(true);
    expect(cap(c, 'moments_per_day').value).toBeNull();
    expect(cap(c, 'api_quota_tier').value).toBe('standard');
    expect(cap(c, 'payments').value).toBe(true);
    expect(c.restoration).toMatchObject({ status: 'not_applicable', required: 3, restoredAt: null });
    expect(c.merchantRecordsRetained).toBeNull();
    // every capability listed once, in the documented order
    expect(c.capabilities.map((x) => x.code)).toEqual([
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
    ]);
  });

  it('R-REV-5 after a revocation: ¥2,000 a day, withdrawals paused 72 h, auto-debits stopped, extra SMS, no friend requests, 3 moments, grants revoked, test API tier', () => {
    const f = revoke(busyFacts());
    f.merchant = null;
    const c = caps(f);
    expect(c.revokedAt).toBe(REVOKED_AT);
    expect(restricted(c)).toEqual([
      ...PAYMENT_RESTRICTIONS,
      'login_extra_sms',
      'incoming_friend_requests',
      'moments_per_day',
      'third_party_grants',
      'mini_program_qualification',
      'api_quota_tier',
    ]);
    expect(cap(c, 'daily_receive_limit')).toMatchObject({
      value: 2_000 * YUAN,
      default: 50_000 * YUAN,
      since: REVOKED_AT,
      until: null,
      liftedBy: ['R-REV-7 restoration', 'real-name verified again'],
      liftedAt: null,
      consequence: {
        code: 'CONSEQ_RECEIVE_LIMIT_LOWERED',
        params: { from: 50_000 * YUAN, to: 2_000 * YUAN },
      },
    });
    expect(cap(c, 'daily_receive_limit').consequence!.message.en).toBe(
      'The daily receive limit drops from ¥50,000.00 to ¥2,000.00.',
    );
    expect(cap(c, 'withdrawals')).toMatchObject({
      value: false,
      since: REVOKED_AT,
      until: REVOKED_AT + 72 * HOUR_MS,
      liftedBy: ['time', 'R-REV-7 restoration', 'real-name verified again'],
      consequence: { code: 'CONSEQ_WITHDRAWAL_PAUSED', params: { hours: 72 } },
    });
    expect(cap(c, 'auto_debits')).toMatchObject({
      value: false,
      consequence: { code: 'CONSEQ_AUTO_DEBITS_TERMINATED', params: { count: 3 } },
    });
    expect(cap(c, 'login_extra_sms')).toMatchObject({
      value: true,
      default: false,
      liftedBy: ['real-name verified again'],
      consequence: { code: 'CONSEQ_LOGIN_EXTRA_SMS' },
    });
    expect(cap(c, 'incoming_friend_requests')).toMatchObject({
      value: false,
      consequence: { code: 'CONSEQ_FRIEND_REQUESTS_BLOCKED' },
    });
    expect(cap(c, 'moments_per_day')).toMatchObject({
      value: 3,
      default: null,
      consequence: { code: 'CONSEQ_MOMENTS_LIMITED', params: { perDay: 3 } },
    });
    expect(cap(c, 'third_party_grants')).toMatchObject({
      value: false,
      consequence: { code: 'CONSEQ_GRANTS_REVOKED', params: { count: 20 } },
    });
    expect(cap(c, 'mini_program_qualification')).toMatchObject({
      value: 1,
      default: 0,
      consequence: { code: 'CONSEQ_MINI_PROGRAMS_REQUALIFY', params: { count: 1 } },
    });
    expect(cap(c, 'api_quota_tier')).toMatchObject({
      value: 'test',
      default: 'standard',
      consequence: { code: 'CONSEQ_API_QUOTA_TEST' },
    });
    for (const x of c.capabilities.filter((y) => y.restricted)) expect(x.rule).toBe('R-REV-5');
    expect(c.restoration).toMatchObject({
      status: 'pending',
      cardBound: false,
      verifiedTransactions: 0,
      required: 3,
    });
  });

  it('R-REV-5 mini-programs need requalification only when the account owns some', () => {
    const c = caps(revokedFacts());
    expect(cap(c, 'mini_program_qualification')).toMatchObject({ restricted: false, value: 0 });
  });

  it('R-REV-5 the numbers come from the policy (effects section)', () => {
    const f = revokedFacts();
    const rules = policy.rulesFor('CN');
    const c = capabilities(
      f,
      {
        ...rules,
        effects: {
          ...rules.effects,
          dailyReceiveLimitAfter: 500 * YUAN,
          withdrawalPauseHours: 24,
          momentsPerDay: 1,
        },
      },
      NOON,
    );
    expect(cap(c, 'daily_receive_limit').value).toBe(500 * YUAN);
    expect(cap(c, 'withdrawals').until).toBe(REVOKED_AT + 24 * HOUR_MS);
    expect(cap(c, 'moments_per_day').value).toBe(1);
  });

  it('R-REV-6 a revoked account with an active merchant account shows the retention warning; a deregistered one or an unrevoked account does not', () => {
    const active = caps(revokedFacts((f) => (f.merchant = { id: 'mch_1', status: 'active' })));
    expect(active.merchantRecordsRetained).toMatchObject({
      code: 'MERCHANT_RECORDS_RETAINED',
      rule: 'R-REV-6',
      params: { merchantId: 'mch_1' },
    });
    expect(active.merchantRecordsRetained!.message.en).toContain('mch_1');
    expect(
      caps(revokedFacts((f) => (f.merchant = { id: 'mch_1', status: 'deregistered' })))
        .merchantRecordsRetained,
    ).toBeNull();
    const never = cleanFacts();
    never.merchant = { id: 'mch_1', status: 'active' };
    expect(caps(never).merchantRecordsRetained).toBeNull();
  });

  it('R-REV-5 the withdrawal pause ends by itself 72 hours after the revocation', () => {
    const end = REVOKED_AT + 72 * HOUR_MS;
    expect(cap(caps(revokedFacts(), end - 1), 'withdrawals')).toMatchObject({ restricted: true, until: end });
    expect(cap(caps(revokedFacts(), end), 'withdrawals')).toMatchObject({
      restricted: false,
      value: true,
      until: null,
      liftedAt: null,
    });
    // the other restrictions stay
    expect(cap(caps(revokedFacts(), end), 'daily_receive_limit').restricted).toBe(true);
  });

  it('R-MIN-5 a minor after the revocation: red packets and transfers disabled, until a real name is verified again', () => {
    const c = caps(revokedFacts((f) => (f.account.minor = true)));
    expect(cap(c, 'red_packets_and_transfers')).toMatchObject({
      restricted: true,
      rule: 'R-MIN-5',
      value: false,
      since: REVOKED_AT,
      until: null,
      liftedBy: ['real-name verified again'],
      consequence: { code: 'CONSEQ_RED_PACKETS_DISABLED' },
    });
    expect(cap(caps(revokedFacts()), 'red_packets_and_transfers').restricted).toBe(false);
  });

  it('R-REG-3 EU/US: payments force-closed on revocation; CN, HK, SEA not', () => {
    for (const region of ['EU', 'US'] as const) {
      const c = caps(revokedFacts((f) => (f.account.region = region)));
      expect(cap(c, 'payments')).toMatchObject({
        restricted: true,
        rule: 'R-REG-3',
        value: false,
        since: REVOKED_AT,
        until: null,
        liftedBy: ['real-name verified again'],
        consequence: { code: 'CONSEQ_PAYMENT_FORCE_CLOSED', params: { region } },
      });
    }
    for (const region of ['CN', 'HK', 'SEA'] as const) {
      expect(cap(caps(revokedFacts((f) => (f.account.region = region))), 'payments').restricted).toBe(false);
    }
    // not revoked: open in the EU too
    const eu = cleanFacts();
    eu.account.region = 'EU';
    expect(cap(caps(eu), 'payments').restricted).toBe(false);
  });

  it('R-MIN-3 games are off while a minor’s revocation is in review, and back once it ended; an adult’s revocation changes nothing', () => {
    const startedAt = NOON - 3 * DAY_MS;
    const minor = cleanFacts();
    minor.account.minor = true;
    minor.openOperations = [{ id: 'op_rv', kind: 'realname.revoke', state: 'in_review', startedAt }];
    expect(cap(caps(minor), 'games')).toMatchObject({
      restricted: true,
      rule: 'R-MIN-3',
      value: false,
      since: startedAt,
      until: null,
      liftedBy: ['revocation ended'],
      consequence: { code: 'CONSEQ_GAMES_DISABLED' },
    });
    minor.openOperations = [];
    expect(cap(caps(minor), 'games').restricted).toBe(false);
    const adult = cleanFacts();
    adult.openOperations = [{ id: 'op_rv', kind: 'realname.revoke', state: 'pending_recycle', startedAt }];
    expect(cap(caps(adult), 'games').restricted).toBe(false);
    // another open operation of a minor does not turn games off
    minor.openOperations = [{ id: 'op_ap', kind: 'appeal.submit', state: 'in_review', startedAt }];
    expect(cap(caps(minor), 'games').restricted).toBe(false);
  });

  it('R-REV-7 restoration is due with a card bound again (and still bound) and 3 verified transactions: 2 are not enough, nor is no card', () => {
    const rules = policy.rulesFor('CN');
    const at = (cards: number, tx: number, stillBound = true) =>
      revokedFacts((f) => {
        f.history.cardsBoundSinceRevocation = cards;
        f.history.verifiedTransactionsSinceRevocation = tx;
        if (cards > 0 && stillBound) f.cards.push(card('c1'));
      });
    expect(restorationDue(at(1, 2), rules)).toBe(false);
    expect(restorationDue(at(0, 3), rules)).toBe(false);
    expect(restorationDue(at(1, 3, false), rules)).toBe(false);
    expect(restorationDue(at(1, 3), rules)).toBe(true);
    expect(restorationDue(at(1, 4), rules)).toBe(true);
    expect(caps(at(1, 2)).restoration).toMatchObject({
      status: 'pending',
      cardBound: true,
      verifiedTransactions: 2,
    });
    // never revoked: nothing to restore
    expect(restorationDue(cleanFacts(), rules)).toBe(false);
  });

  it('R-REV-7 once restored, the payment restrictions are lifted and the social ones stay; restoration is no longer due', () => {
    const restoredAt = REVOKED_AT + HOUR_MS;
    const f = revokedFacts((x) => {
      x.history.cardsBoundSinceRevocation = 1;
      x.history.verifiedTransactionsSinceRevocation = 3;
      x.cards.push(card('c1'));
      x.history.paymentRestoredAt = restoredAt;
    });
    const c = caps(f);
    expect(restricted(c)).toEqual(SOCIAL);
    expect(cap(c, 'daily_receive_limit')).toMatchObject({
      restricted: false,
      value: 50_000 * YUAN,
      liftedAt: restoredAt,
      consequence: null,
    });
    // lifted before its 72 hours were over
    expect(cap(c, 'withdrawals')).toMatchObject({ restricted: false, value: true, liftedAt: restoredAt });
    expect(cap(c, 'auto_debits')).toMatchObject({ restricted: false, value: true, liftedAt: restoredAt });
    expect(c.restoration).toMatchObject({ status: 'restored', restoredAt });
    expect(restorationDue(f, policy.rulesFor('CN'))).toBe(false);
    // the user-started operation has nothing left to do
    expect(codes(f, { kind: 'payment.restore' })).toEqual(['NOTHING_TO_RESTORE']);
    // … whereas before the restoration it was allowed
    f.history.paymentRestoredAt = null;
    expect(codes(f, { kind: 'payment.restore' })).toEqual([]);
  });

  it('R-REV-7 a restoration of an earlier revocation does not lift a later one', () => {
    const f = revokedFacts((x) => (x.history.paymentRestoredAt = REVOKED_AT - 10 * DAY_MS));
    const c = caps(f);
    expect(cap(c, 'daily_receive_limit').restricted).toBe(true);
    expect(c.restoration).toMatchObject({ status: 'pending', restoredAt: null });
  });

  it('R-REV-7 R-REG-3 R-MIN-5 restoration does not reopen payments force-closed by the region, nor a minor’s transfers', () => {
    const f = revokedFacts((x) => {
      x.account.region = 'EU';
      x.account.minor = true;
      x.history.paymentRestoredAt = REVOKED_AT + HOUR_MS;
    });
    const c = caps(f);
    expect(cap(c, 'payments').restricted).toBe(true);
    expect(cap(c, 'red_packets_and_transfers').restricted).toBe(true);
    expect(cap(c, 'daily_receive_limit').restricted).toBe(false);
  });

  it('R-REV-5 a real name verified again after the revocation ends every one of its effects', () => {
    const f = revokedFacts((x) => {
      x.account.region = 'US';
      x.account.minor = true;
      x.identity = { ...x.identity!, status: 'verified', verifiedAt: REVOKED_AT + DAY_MS };
    });
    expect(revocationInEffect(f)).toBeNull();
    const c = caps(f, REVOKED_AT + 2 * DAY_MS);
    expect(restricted(c)).toEqual([]);
    expect(c.restoration.status).toBe('not_applicable');
    expect(codes(f, { kind: 'payment.restore' })).toEqual(['NOTHING_TO_RESTORE']);
    // a verification older than the revocation does not count
    const old = revokedFacts((x) => (x.identity = { ...x.identity!, verifiedAt: REVOKED_AT - 1 }));
    expect(revocationInEffect(old)).toBe(REVOKED_AT);
  });
});

describe('checkFundOperation', () => {
  const LIMIT = 2_000 * YUAN;

  it('R-REV-5 receive limit after a revocation: exactly the remaining amount is allowed, one ten-thousandth more is refused', () => {
    const c = caps(revokedFacts());
    const received = 1_234 * YUAN + 5;
    const remaining = LIMIT - received;
    expect(checkFundOperation(c, { kind: 'receive', amount: remaining }, received, NOON)).toBeNull();
    const refusal = checkFundOperation(c, { kind: 'receive', amount: remaining + 1 }, received, NOON);
    const midnight = shanghaiDateTime(2026, 11, 19, 0, 0);
    expect(refusal).toEqual({
      code: 'RECEIVE_LIMIT_EXCEEDED',
      params: {
        amount: remaining + 1,
        limit: LIMIT,
        remaining,
        resetsAt: midnight,
        transactions: 3,
        retryAfterSeconds: (midnight - NOON) / 1000,
      },
    });
    expect(message('en', refusal!.code, refusal!.params)).toBe(
      'Receiving ¥765.9996 would pass today’s receive limit of ¥2,000.00: ¥765.9995 can still be received until 2026-11-19 00:00 (UTC+8).',
    );
    expect(message('zh-CN', refusal!.code, refusal!.params)).toContain('¥2,000.00');
    // the whole limit on a fresh day, and one ten-thousandth over it (never fits: no Retry-After)
    expect(checkFundOperation(c, { kind: 'receive', amount: LIMIT }, 0, NOON)).toBeNull();
    const never = checkFundOperation(c, { kind: 'receive', amount: LIMIT + 1 }, 0, NOON);
    expect(never?.code).toBe('RECEIVE_LIMIT_EXCEEDED');
    expect(never?.params).not.toHaveProperty('retryAfterSeconds');
    // past the limit already: nothing more, not even zero is refused
    expect(checkFundOperation(c, { kind: 'receive', amount: 0 }, LIMIT, NOON)).toBeNull();
    expect(checkFundOperation(c, { kind: 'receive', amount: 1 }, LIMIT, NOON)?.params).toMatchObject({
      remaining: 0,
    });
  });

  it('R-REV-5 the receive limit resets at the Asia/Shanghai midnight, not the UTC one', () => {
    const c = caps(revokedFacts());
    const lastMs = shanghaiDateTime(2026, 11, 18, 23, 59) + 59_999;
    const r = checkFundOperation(c, { kind: 'receive', amount: 1 }, LIMIT, lastMs);
    expect(r?.params).toMatchObject({ resetsAt: lastMs + 1, retryAfterSeconds: 1 });
    // 2026-11-18 16:00 UTC is midnight in Shanghai
    expect(shanghaiDateTime(2026, 11, 19, 0, 0)).toBe(Date.UTC(2026, 10, 18, 16, 0));
  });

  it('R-REV-5 the unrestricted daily receive limit (¥50,000) holds too', () => {
    const c = caps(cleanFacts());
    expect(checkFundOperation(c, { kind: 'receive', amount: 50_000 * YUAN }, 0, NOON)).toBeNull();
    expect(
      checkFundOperation(c, { kind: 'receive', amount: 50_000 * YUAN + 1 }, 0, NOON)?.params,
    ).toMatchObject({
      limit: 50_000 * YUAN,
    });
    // payments and transfers have no daily limit here
    expect(checkFundOperation(c, { kind: 'payment', amount: 90_000 * YUAN }, 0, NOON)).toBeNull();
  });

  it('R-REV-5 a withdrawal 72 hours minus 1 ms after the revocation is refused with a retry-after; at 72 hours it is allowed', () => {
    const end = REVOKED_AT + 72 * HOUR_MS;
    const w = { kind: 'withdrawal', amount: 100 * YUAN } as const;
    const refusal = checkFundOperation(caps(revokedFacts(), end - 1), w, 0, end - 1);
    expect(refusal).toEqual({ code: 'WITHDRAWAL_PAUSED', params: { until: end, retryAfterSeconds: 1 } });
    expect(message('en', refusal!.code, refusal!.params)).toContain('paused until');
    expect(checkFundOperation(caps(revokedFacts(), end), w, 0, end)).toBeNull();
    const early = checkFundOperation(caps(revokedFacts(), NOON), w, 0, NOON);
    expect(early?.params).toMatchObject({ retryAfterSeconds: (end - NOON) / 1000 });
    // other kinds are not paused
    expect(checkFundOperation(caps(revokedFacts()), { kind: 'payment', amount: 1 }, 0, NOON)).toBeNull();
  });

  it('R-REV-7 after the restoration a receive above ¥2,000 and a withdrawal within 72 hours are allowed', () => {
    const c = caps(revokedFacts((x) => (x.history.paymentRestoredAt = REVOKED_AT + HOUR_MS)));
    expect(checkFundOperation(c, { kind: 'receive', amount: 10_000 * YUAN }, 0, NOON)).toBeNull();
    expect(checkFundOperation(c, { kind: 'withdrawal', amount: 1 }, 0, NOON)).toBeNull();
  });

  it('R-MIN-5 a minor without a real name: transfers and red packets refused, payments allowed', () => {
    const c = caps(
      revokedFacts((f) => (f.account.minor = true)),
      REVOKED_AT + 80 * HOUR_MS,
    );
    const now = REVOKED_AT + 80 * HOUR_MS;
    for (const kind of ['transfer', 'red_packet'] as const) {
      const r = checkFundOperation(c, { kind, amount: 1 }, 0, now);
      expect(r).toEqual({ code: 'TRANSFERS_DISABLED', params: { kind } });
    }
    expect(message('zh-CN', 'TRANSFERS_DISABLED', { kind: 'red_packet' })).toContain('红包');
    for (const kind of ['payment', 'withdrawal', 'refund', 'receive'] as const)
      expect(checkFundOperation(c, { kind, amount: 1 }, 0, now)).toBeNull();
    // an adult after revocation may transfer
    expect(checkFundOperation(caps(revokedFacts()), { kind: 'transfer', amount: 1 }, 0, NOON)).toBeNull();
  });

  it('R-REG-3 EU/US after the revocation: payments, transfers, red packets and receipts refused; refunds, and withdrawals after the pause, allowed', () => {
    const now = REVOKED_AT + 72 * HOUR_MS;
    const c = caps(
      revokedFacts((f) => (f.account.region = 'US')),
      now,
    );
    for (const kind of ['payment', 'transfer', 'red_packet', 'receive'] as const) {
      expect(checkFundOperation(c, { kind, amount: 1 }, 0, now)).toEqual({
        code: 'PAYMENT_CLOSED',
        params: { region: 'US', kind },
      });
    }
    expect(message('en', 'PAYMENT_CLOSED', { region: 'US', kind: 'payment' })).toBe(
      'Payments were force-closed in the US when the real name was revoked; this payment is refused.',
    );
    expect(checkFundOperation(c, { kind: 'refund', amount: 1 }, 0, now)).toBeNull();
    expect(checkFundOperation(c, { kind: 'withdrawal', amount: 1 }, 0, now)).toBeNull();
    const paused = caps(
      revokedFacts((f) => (f.account.region = 'US')),
      now - 1,
    );
    expect(checkFundOperation(paused, { kind: 'withdrawal', amount: 1 }, 0, now - 1)?.code).toBe(
      'WITHDRAWAL_PAUSED',
    );
  });
});
