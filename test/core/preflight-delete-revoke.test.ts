import { describe, expect, it } from 'vitest';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import { DAY_MS } from '../../src/core/clock.js';
import type { AccountFacts } from '../../src/core/model.js';
import { compareVersions } from '../../src/core/rules/realname-revoke.js';
import { busyFacts, cleanFacts, NOON, YUAN } from '../support/facts.js';
import { codes, run } from '../support/preflight.js';

const DELETE = { kind: 'account.delete' } as const;
const REVOKE = { kind: 'realname.revoke' } as const;

function withFacts(change: (f: AccountFacts) => void): AccountFacts {
  const f = cleanFacts();
  change(f);
  return f;
}

describe('account.delete', () => {
  it('R-DEL-1 a clean account may be deleted', () => {
    const r = run(cleanFacts(), DELETE);
    expect(r.allowed).toBe(true);
    expect(r.blockers).toEqual([]);
    expect(r.policyVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it.each([
    ['balance', (f: AccountFacts) => (f.wallet.balance = YUAN), 'BALANCE_NOT_ZERO'],
    ['a negative balance (money owed)', (f: AccountFacts) => (f.wallet.balance = -YUAN), 'BALANCE_NOT_ZERO'],
    [
      'a pending transaction',
      (f: AccountFacts) =>
        f.wallet.pendingTransactions.push({ id: 't', kind: 'withdrawal', amount: YUAN, createdAt: NOON }),
      'PENDING_TRANSACTION',
    ],
    [
      'a bound card',
      (f: AccountFacts) =>
        f.cards.push({
          id: 'c',
          type: 'debit',
          last4: '1111',
          bank: 'ABC',
          reservedPhoneMasked: 'x',
          boundAt: 0,
        }),
      'CARD_BOUND',
    ],
    ['pay score on', (f: AccountFacts) => (f.wallet.payScoreEnabled = true), 'PAY_SCORE_ENABLED'],
    [
      'an admin role',
      (f: AccountFacts) => f.adminRoles.push({ id: 'r', kind: 'mini_program', name: 'Shop' }),
      'ADMIN_ROLE_HELD',
    ],
    [
      'an outstanding loan',
      (f: AccountFacts) => f.loans.push({ id: 'l', product: 'Weilidai', outstanding: 1 }),
      'LOAN_OUTSTANDING',
    ],
  ])('R-DEL-1 %s blocks deletion', (_name, change, code) => {
    expect(codes(withFacts(change), DELETE)).toEqual([code]);
  });

  it('R-DEL-1 a repaid loan (0 outstanding) does not block', () => {
    expect(
      codes(
        withFacts((f) => f.loans.push({ id: 'l', product: 'X', outstanding: 0 })),
        DELETE,
      ),
    ).toEqual([]);
  });

  it('R-UX-2 a residue below one fen is a blocker of its own, shown with full precision', () => {
    const r = run(
      withFacts((f) => (f.wallet.balance = 50)),
      DELETE,
    );
    expect(r.blockers.map((b) => b.code)).toEqual(['BALANCE_RESIDUE']);
    expect(r.blockers[0]!.params.residue).toBe(50);
    expect(r.blockers[0]!.message.en).toContain('¥0.0050');
    expect(r.blockers[0]!.message['zh-CN']).toContain('¥0.0050');
  });

  it('R-UX-2 residue boundary: 99 units is residue only, 100 is a whole fen, 150 is both', () => {
    expect(
      codes(
        withFacts((f) => (f.wallet.balance = 99)),
        DELETE,
      ),
    ).toEqual(['BALANCE_RESIDUE']);
    expect(
      codes(
        withFacts((f) => (f.wallet.balance = 100)),
        DELETE,
      ),
    ).toEqual(['BALANCE_NOT_ZERO']);
    expect(
      codes(
        withFacts((f) => (f.wallet.balance = 150)),
        DELETE,
      ),
    ).toEqual(['BALANCE_NOT_ZERO', 'BALANCE_RESIDUE']);
  });

  it('R-UX-2 an active auto-debit names its merchant; an ended one does not block', () => {
    const f = withFacts((f) => {
      f.subscriptions.push({
        id: 's1',
        merchant: 'Tencent Video',
        product: 'VIP',
        amount: 25 * YUAN,
        active: true,
      });
      f.subscriptions.push({ id: 's2', merchant: 'Old', product: 'Gone', amount: YUAN, active: false });
    });
    const r = run(f, DELETE);
    expect(r.blockers.map((b) => b.code)).toEqual(['SUBSCRIPTION_ACTIVE']);
    expect(r.blockers[0]!.params).toMatchObject({ subscriptionId: 's1', merchant: 'Tencent Video' });
    expect(r.blockers[0]!.message['zh-CN']).toContain('Tencent Video');
    expect(r.blockers[0]!.remediation).toMatchObject({
      action: 'cancel_subscription',
      where: 'me/pay/auto-debit',
    });
  });

  it('R-UX-2 an unclaimed red packet blocks; claimed and refunded ones do not', () => {
    const f = withFacts((f) => {
      f.redPackets.push({ id: 'r1', amount: 66 * YUAN, status: 'unclaimed', expiresAt: NOON + 3_600_000 });
      f.redPackets.push({ id: 'r2', amount: YUAN, status: 'claimed', expiresAt: NOON });
      f.redPackets.push({ id: 'r3', amount: YUAN, status: 'refunded', expiresAt: NOON });
    });
    expect(codes(f, DELETE)).toEqual(['RED_PACKET_UNCLAIMED']);
  });

  it('R-UX-1 every failing rule is returned at once, each with both languages and a fix', () => {
    const r = run(busyFacts(), DELETE);
    const list = r.blockers.map((b) => b.code);
    expect(list).toEqual(
      expect.arrayContaining([
        'BALANCE_NOT_ZERO',
        'BALANCE_RESIDUE',
        'PENDING_TRANSACTION',
        'CARD_BOUND',
        'PAY_SCORE_ENABLED',
        'SUBSCRIPTION_ACTIVE',
        'ADMIN_ROLE_HELD',
        'LOAN_OUTSTANDING',
        'RED_PACKET_UNCLAIMED',
        'FUND_FLOW_DECLARATION_REQUIRED',
      ]),
    );
    // one blocker per card and per active subscription, so each names its item
    expect(list.filter((c) => c === 'CARD_BOUND')).toHaveLength(3);
    expect(list.filter((c) => c === 'SUBSCRIPTION_ACTIVE')).toHaveLength(2);
    for (const b of r.blockers) {
      expect(b.rule).toMatch(/^R-[A-Z]+-\d+$/);
      expect(b.message.en.length).toBeGreaterThan(10);
      expect(b.message['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(b.remediation.message.en.length).toBeGreaterThan(5);
      expect(b.message.en).not.toMatch(/\{\w+(:\w+)?\}/);
      expect(b.message['zh-CN']).not.toMatch(/\{\w+(:\w+)?\}/);
    }
    expect(r.allowed).toBe(false);
  });

  it('R-DEL-2 R-DEL-4 accepted deletion announces a 60-day cooling-off, cancellable; erasure and retired identifiers are irreversible', () => {
    const r = run(
      withFacts((f) => f.grants.push(...busyFacts().grants.slice(0, 4))),
      DELETE,
    );
    const cooling = r.consequences.find((c) => c.code === 'CONSEQ_COOLING_OFF')!;
    expect(cooling.params).toMatchObject({ days: 60, until: NOON + 60 * DAY_MS });
    expect(cooling.reversible).toBe(true);
    expect(r.consequences.find((c) => c.code === 'CONSEQ_DATA_ERASED')!.reversible).toBe(false);
    expect(r.consequences.find((c) => c.code === 'CONSEQ_IDENTIFIERS_RETIRED')!.reversible).toBe(false);
    // R-UX-3: the number of apps that will be told
    expect(r.consequences.find((c) => c.code === 'CONSEQ_APPS_NOTIFIED')!.params.count).toBe(4);
  });

  it('R-MIN-4 a minor waits 90 days and needs a notarised guardianship document', () => {
    const r = run(
      withFacts((f) => (f.account.minor = true)),
      DELETE,
    );
    expect(r.consequences.find((c) => c.code === 'CONSEQ_COOLING_OFF')!.params.days).toBe(90);
    expect(r.requiredEvidence.map((e) => e.kind)).toContain('notarised_guardianship');
    expect(r.stepUp?.guardianFace).toBe(true);
  });

  it('R-DEL-3 a deactivating account points to cancelling the deletion', () => {
    const until = NOON + 10 * DAY_MS;
    const r = run(
      withFacts((f) => {
        f.account.status = 'deactivating';
        f.account.deactivatingUntil = until;
      }),
      DELETE,
    );
    expect(r.blockers.map((b) => b.code)).toEqual(['ACCOUNT_DEACTIVATING']);
    expect(r.blockers[0]!.remediation.action).toBe('cancel_deletion');
    expect(r.blockers[0]!.params.until).toBe(until);
  });

  it('R-REG-1 HK/MO/TW need a fund-flow declaration before deletion; CN does not', () => {
    for (const region of ['HK', 'MO', 'TW'] as const) {
      expect(
        codes(
          withFacts((f) => (f.account.region = region)),
          DELETE,
        ),
      ).toEqual(['FUND_FLOW_DECLARATION_REQUIRED']);
      expect(
        codes(
          withFacts((f) => {
            f.account.region = region;
            f.declarations.fundFlowDeclaredAt = NOON - DAY_MS;
          }),
          DELETE,
        ),
      ).toEqual([]);
    }
  });

  it('R-UX-1 a running lifecycle operation blocks another one, naming it', () => {
    const f = withFacts((f) =>
      f.openOperations.push({ id: 'op_1', kind: 'realname.revoke', state: 'preparing', startedAt: NOON }),
    );
    const r = run(f, DELETE);
    expect(r.blockers.map((b) => b.code)).toEqual(['OPERATION_IN_PROGRESS']);
    expect(r.blockers[0]!.params).toMatchObject({ operationId: 'op_1', operationKind: 'realname.revoke' });
    expect(r.blockers[0]!.message['zh-CN']).toContain('撤销实名');
  });
});

describe('R-ABN-1 frozen and banned accounts', () => {
  const ops = [
    { kind: 'account.delete' },
    { kind: 'card.unbind', cardId: 'c1' },
    { kind: 'realname.change' },
    { kind: 'realname.revoke' },
  ] as const;
  it.each(ops)('R-ABN-1 a frozen account cannot $kind and is pointed to the appeal', (request) => {
    for (const status of ['frozen', 'banned'] as const) {
      const f = withFacts((f) => {
        f.account.status = status;
        f.cards.push({
          id: 'c1',
          type: 'debit',
          last4: '1111',
          bank: 'ABC',
          reservedPhoneMasked: 'x',
          boundAt: 0,
        });
      });
      const r = run(f, request);
      const b = r.blockers.find(
        (b) => b.code === (status === 'frozen' ? 'ACCOUNT_FROZEN' : 'ACCOUNT_BANNED'),
      );
      expect(b, `${status} ${request.kind}`).toBeDefined();
      expect(b!.rule).toBe('R-ABN-1');
      expect(b!.remediation.action).toBe('submit_appeal');
      expect(r.allowed).toBe(false);
    }
  });
});

describe('realname.revoke', () => {
  it('R-REV-1 a clean account from its primary device may revoke', () => {
    expect(run(cleanFacts(), REVOKE).allowed).toBe(true);
  });

  it('R-REV-1 cards do not block revocation (all of R-DEL-1 except card unbinding)', () => {
    const f = withFacts((f) =>
      f.cards.push({
        id: 'c',
        type: 'debit',
        last4: '1111',
        bank: 'ABC',
        reservedPhoneMasked: 'x',
        boundAt: 0,
      }),
    );
    expect(codes(f, REVOKE)).toEqual([]);
  });

  it('R-REV-1 the other R-DEL-1 preconditions do block revocation', () => {
    const list = codes(busyFacts(), REVOKE);
    expect(list).toEqual(
      expect.arrayContaining([
        'BALANCE_NOT_ZERO',
        'BALANCE_RESIDUE',
        'PENDING_TRANSACTION',
        'PAY_SCORE_ENABLED',
        'SUBSCRIPTION_ACTIVE',
        'ADMIN_ROLE_HELD',
        'LOAN_OUTSTANDING',
        'RED_PACKET_UNCLAIMED',
        'ABNORMAL_LOGIN_RECENT',
        'DEVICE_CHANGED_RECENTLY',
        'REALNAME_CHANGED_RECENTLY',
        'ENTERPRISE_LINK_ACTIVE',
        'FUND_FLOW_DECLARATION_REQUIRED',
      ]),
    );
    expect(list).not.toContain('CARD_BOUND');
  });

  it('R-REV-1 abnormal login: 30 days minus 1 ms ago blocks, exactly 30 days ago does not', () => {
    const at = (ago: number) =>
      withFacts((f) => f.logins.push({ at: NOON - ago, deviceId: 'dev_primary', abnormal: true }));
    expect(codes(at(30 * DAY_MS - 1), REVOKE)).toEqual(['ABNORMAL_LOGIN_RECENT']);
    expect(codes(at(30 * DAY_MS), REVOKE)).toEqual([]);
  });

  it('R-REV-1 the request must come from the primary device', () => {
    const f = withFacts((f) =>
      f.devices.push({
        id: 'dev_2',
        platform: 'ios',
        osVersion: '17',
        primary: false,
        addedAt: NOON - 100 * DAY_MS,
      }),
    );
    expect(codes(f, REVOKE, NOON, { deviceId: 'dev_2' })).toEqual(['NOT_PRIMARY_DEVICE']);
    expect(codes(f, REVOKE, NOON, { deviceId: 'unknown' })).toEqual(['NOT_PRIMARY_DEVICE']);
    expect(codes(f, REVOKE, NOON, {})).toEqual(['NOT_PRIMARY_DEVICE']);
    expect(codes(f, REVOKE, NOON, { deviceId: 'dev_primary' })).toEqual([]);
  });

  it('R-REV-1 device change: 7 days minus 1 ms blocks with the date it lifts; exactly 7 days does not', () => {
    const added = (ago: number) => withFacts((f) => (f.devices[0]!.addedAt = NOON - ago));
    const r = run(added(7 * DAY_MS - 1), REVOKE);
    expect(r.blockers.map((b) => b.code)).toEqual(['DEVICE_CHANGED_RECENTLY']);
    expect(r.retryAfter).toBe(NOON + 1);
    expect(codes(added(7 * DAY_MS), REVOKE)).toEqual([]);
  });

  it('R-REV-1 real-name change within 90 days blocks; at 90 days it does not', () => {
    const changed = (ago: number) => withFacts((f) => f.history.realnameChanges.push({ at: NOON - ago }));
    expect(codes(changed(90 * DAY_MS - 1), REVOKE)).toEqual(['REALNAME_CHANGED_RECENTLY']);
    expect(codes(changed(90 * DAY_MS), REVOKE)).toEqual([]);
  });

  it('R-ENT-4 an active enterprise link blocks revocation; a detached one does not', () => {
    const f = withFacts((f) => {
      f.enterpriseLinks.push({
        id: 'e1',
        enterprise: 'Acme',
        kind: 'attendance',
        active: true,
        adminRole: false,
        pendingApprovals: 0,
      });
      f.enterpriseLinks.push({
        id: 'e2',
        enterprise: 'Old',
        kind: 'customer_contact',
        active: false,
        adminRole: false,
        pendingApprovals: 0,
      });
    });
    const r = run(f, REVOKE);
    expect(r.blockers.map((b) => b.code)).toEqual(['ENTERPRISE_LINK_ACTIVE']);
    expect(r.blockers[0]!.params.linkId).toBe('e1');
  });

  it('R-REV-1 an identity that is not verified cannot be revoked', () => {
    expect(
      codes(
        withFacts((f) => (f.identity = null)),
        REVOKE,
      ),
    ).toEqual(['IDENTITY_NOT_VERIFIED']);
    expect(
      codes(
        withFacts((f) => (f.identity!.status = 'revoked')),
        REVOKE,
      ),
    ).toEqual(['IDENTITY_NOT_VERIFIED']);
    expect(
      codes(
        withFacts((f) => (f.identity!.status = 'pending_completion')),
        REVOKE,
      ),
    ).toEqual([]);
  });

  it('R-REV-2 step-up by device: iOS ≥ 15.4 Face ID, below one SMS, HarmonyOS two SMS, Android one SMS', () => {
    const on = (platform: 'ios' | 'android' | 'harmonyos', osVersion: string) =>
      run(
        withFacts((f) => {
          f.devices[0]!.platform = platform;
          f.devices[0]!.osVersion = osVersion;
        }),
        REVOKE,
      ).stepUp?.method;
    expect(on('ios', '15.4')).toBe('face_id');
    expect(on('ios', '16')).toBe('face_id');
    expect(on('ios', '15.3.1')).toBe('sms');
    expect(on('harmonyos', '4.0')).toBe('sms_twice');
    expect(on('android', '14')).toBe('sms');
  });

  it('R-REV-2 iOS versions compare numerically, part by part, at and just past 15.4', () => {
    expect(compareVersions('15.4', '15.4')).toBe(0);
    expect(compareVersions('15.4.0', '15.4')).toBe(0);
    expect(compareVersions('15', '15.0')).toBe(0);
    expect(compareVersions('15.4.1', '15.4')).toBeGreaterThan(0);
    expect(compareVersions('15.10', '15.4')).toBeGreaterThan(0);
    expect(compareVersions('15.3.9', '15.4')).toBeLessThan(0);
    expect(compareVersions('15', '15.4')).toBeLessThan(0);
    expect(compareVersions('9.9', '15.4')).toBeLessThan(0);
    // A suffix ends the number ('15.4b1' is 15.4); a part with no digits counts as 0.
    expect(compareVersions('15.4b1', '15.4')).toBe(0);
    expect(compareVersions('x.y', '0')).toBe(0);
    expect(compareVersions('', '15.4')).toBeLessThan(0);
  });

  it('R-REV-2 the step-up is required evidence at start: two SMS codes on HarmonyOS, one on Android, none with Face ID', () => {
    const codes = (platform: 'ios' | 'android' | 'harmonyos', osVersion: string) =>
      run(
        withFacts((f) => {
          f.devices[0]!.platform = platform;
          f.devices[0]!.osVersion = osVersion;
        }),
        REVOKE,
      ).requiredEvidence.filter((e) => e.kind === 'sms_code');
    expect(codes('harmonyos', '4.0').map((e) => e.min)).toEqual([2]);
    expect(codes('android', '14').map((e) => e.min)).toEqual([1]);
    expect(codes('ios', '17.2')).toEqual([]);
  });

  it('R-REV-5 consequences list every restriction with its figures', () => {
    const r = run(busyFacts(), REVOKE);
    const byCode = Object.fromEntries(r.consequences.map((c) => [c.code, c]));
    expect(byCode.CONSEQ_RECEIVE_LIMIT_LOWERED!.params).toEqual({ from: 50_000 * YUAN, to: 2_000 * YUAN });
    expect(byCode.CONSEQ_RECEIVE_LIMIT_LOWERED!.message.en).toContain('¥50,000.00');
    expect(byCode.CONSEQ_WITHDRAWAL_PAUSED!.params.hours).toBe(72);
    expect(byCode.CONSEQ_MOMENTS_LIMITED!.params.perDay).toBe(3);
    expect(byCode.CONSEQ_GRANTS_REVOKED!.params.count).toBe(20);
    expect(byCode.CONSEQ_APPS_NOTIFIED!.params.count).toBe(20);
    for (const c of [
      'CONSEQ_AUTO_DEBITS_TERMINATED',
      'CONSEQ_LOGIN_EXTRA_SMS',
      'CONSEQ_FRIEND_REQUESTS_BLOCKED',
      'CONSEQ_MINI_PROGRAMS_REQUALIFY',
      'CONSEQ_API_QUOTA_TEST',
      'CONSEQ_RESTORATION_PATH',
    ]) {
      expect(byCode[c], c).toBeDefined();
    }
  });

  it('R-REV-6 an active merchant account is a warning, never a blocker', () => {
    const r = run(
      withFacts((f) => (f.merchant = { id: 'mch_9', status: 'active' })),
      REVOKE,
    );
    expect(r.allowed).toBe(true);
    expect(r.warnings.map((w) => w.code)).toEqual(['MERCHANT_RECORDS_RETAINED']);
    expect(r.warnings[0]!.remediation?.en).toContain('deregistration certificate');
    const gone = run(
      withFacts((f) => (f.merchant = { id: 'mch_9', status: 'deregistered' })),
      REVOKE,
    );
    expect(gone.warnings).toEqual([]);
  });

  it('R-REG-3 EU and US force-close payment on revocation', () => {
    for (const region of ['EU', 'US'] as const) {
      const r = run(
        withFacts((f) => (f.account.region = region)),
        REVOKE,
      );
      expect(r.consequences.map((c) => c.code)).toContain('CONSEQ_PAYMENT_FORCE_CLOSED');
    }
    expect(run(cleanFacts(), REVOKE).consequences.map((c) => c.code)).not.toContain(
      'CONSEQ_PAYMENT_FORCE_CLOSED',
    );
  });

  it('R-MIN-3 a minor revokes with the guardian’s video, household register and school certificate, reviewed in 10–15 working days', () => {
    const r = run(
      withFacts((f) => (f.account.minor = true)),
      REVOKE,
    );
    expect(r.requiredEvidence.map((e) => e.kind)).toEqual(
      expect.arrayContaining([
        'guardian_handheld_id_video',
        'household_register_proof',
        'school_enrolment_certificate',
      ]),
    );
    expect(r.warnings.map((w) => w.code)).toContain('MINOR_MANUAL_REVIEW');
    const due = r.consequences.find((c) => c.code === 'CONSEQ_REVIEW_DUE')!;
    expect(due.params).toMatchObject({ minDays: 10, maxDays: 15 });
    // 15 working days from a Wednesday is at least 3 calendar weeks later
    expect(due.params.dueBy as number).toBeGreaterThanOrEqual(NOON + 20 * DAY_MS);
    expect(r.consequences.map((c) => c.code)).toContain('CONSEQ_GAMES_DISABLED');
  });

  it('R-MIN-5 after a minor’s real-name is removed, red packets and transfers are disabled', () => {
    const r = run(
      withFacts((f) => (f.account.minor = true)),
      REVOKE,
    );
    expect(r.consequences.map((c) => c.code)).toContain('CONSEQ_RED_PACKETS_DISABLED');
    expect(run(cleanFacts(), REVOKE).consequences.map((c) => c.code)).not.toContain(
      'CONSEQ_RED_PACKETS_DISABLED',
    );
  });

  it('R-MIN-1 a minor cannot revoke at night (22:00 Asia/Shanghai)', () => {
    const night = shanghaiDateTime(2026, 11, 18, 22, 0);
    const f = withFacts((f) => (f.account.minor = true));
    expect(codes(f, REVOKE, night)).toContain('MINOR_NIGHT_WINDOW');
  });
});
