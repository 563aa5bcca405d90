/** Revoking real-name verification (撤销实名): R-REV-*, R-MIN-3/5, R-REG-1/3, R-ENT-4. */
import { withinRollingDays } from '../calendar.js';
import { DAY_MS } from '../clock.js';
import { blocker, consequence, warning, type Consequence, type Warning } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import {
  accountStateRule,
  evidence,
  fundFlowRule,
  identityVerifiedRule,
  latest,
  minorNightRule,
  openOperationRule,
  primaryDevice,
  requestDevice,
  walletClearRules,
} from './common.js';
import type { OperationSpec, Rule, StepUp } from './types.js';

type Req = Extract<OperationRequest, { kind: 'realname.revoke' }>;

const abnormalLoginRule: Rule<Req> = {
  id: 'R-REV-1',
  describe: 'No abnormal login in the last 30 days',
  check({ facts, now, rules }, out) {
    const days = rules.revoke.abnormalLoginLookbackDays;
    let at: number | null = null;
    for (const l of facts.logins) {
      if (l.abnormal && withinRollingDays(l.at, now, days) && (at === null || l.at > at)) at = l.at;
    }
    if (at !== null) out.push(blocker('ABNORMAL_LOGIN_RECENT', { at, days }));
  },
};

const primaryDeviceRule: Rule<Req> = {
  id: 'R-REV-1',
  describe: 'Request from the primary device',
  check(input, out) {
    const d = requestDevice(input);
    if (!d || !d.primary)
      out.push(blocker('NOT_PRIMARY_DEVICE', { deviceId: input.context.deviceId ?? null }));
  },
};

const deviceChangeRule: Rule<Req> = {
  id: 'R-REV-1',
  describe: 'No device change in the last 7 days',
  check({ facts, now, rules }, out) {
    const p = primaryDevice(facts);
    const days = rules.revoke.deviceChangeLookbackDays;
    if (p && withinRollingDays(p.addedAt, now, days)) {
      out.push(blocker('DEVICE_CHANGED_RECENTLY', { days, retryAt: p.addedAt + days * DAY_MS }));
    }
  },
};

const recentChangeRule: Rule<Req> = {
  id: 'R-REV-1',
  describe: 'No real-name change in the last 90 days',
  check({ facts, now, rules }, out) {
    const last = latest(facts.history.realnameChanges, now);
    const days = rules.revoke.recentChangeDays;
    if (last !== null && withinRollingDays(last, now, days)) {
      out.push(blocker('REALNAME_CHANGED_RECENTLY', { days, retryAt: last + days * DAY_MS }));
    }
  },
};

const enterpriseLinkRule: Rule<Req> = {
  id: 'R-ENT-4',
  describe: 'No enterprise link still active (R-REV-1)',
  check({ facts }, out) {
    for (const l of facts.enterpriseLinks) {
      if (l.active) {
        out.push(
          blocker('ENTERPRISE_LINK_ACTIVE', { linkId: l.id, enterprise: l.enterprise, linkKind: l.kind }),
        );
      }
    }
  },
};

/**
 * Compare dotted version strings numerically ('15.10' > '15.4'; a missing part counts as 0; a
 * non-digit ends a part's number). It walks both strings once without splitting them: the step-up
 * is decided in every revocation preflight.
 */
export function compareVersions(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let x = 0;
    let y = 0;
    let digits = true;
    for (; i < a.length && a.charCodeAt(i) !== 46; i++) {
      const c = a.charCodeAt(i) - 48;
      if (digits && c >= 0 && c <= 9) x = x * 10 + c;
      else digits = false;
    }
    digits = true;
    for (; j < b.length && b.charCodeAt(j) !== 46; j++) {
      const c = b.charCodeAt(j) - 48;
      if (digits && c >= 0 && c <= 9) y = y * 10 + c;
      else digits = false;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return 0;
}

export const realnameRevoke: OperationSpec<Req> = {
  kind: 'realname.revoke',
  reads: [
    'devices',
    'logins',
    'subscriptions',
    'loans',
    'red_packets',
    'pending_transactions',
    'admin_roles',
    'enterprise_links',
    'mini_programs',
    'grants',
  ],
  rules: [
    accountStateRule,
    openOperationRule('realname.revoke'),
    minorNightRule,
    identityVerifiedRule,
    ...(walletClearRules as readonly Rule<Req>[]),
    abnormalLoginRule,
    primaryDeviceRule,
    deviceChangeRule,
    recentChangeRule,
    enterpriseLinkRule,
    fundFlowRule,
  ],
  warnings({ facts, rules }) {
    const out: Warning[] = [];
    // R-REV-6: a merchant account keeps its records; a warning, never a blocker.
    if (facts.merchant && facts.merchant.status === 'active') {
      out.push(warning('MERCHANT_RECORDS_RETAINED', { merchantId: facts.merchant.id }));
    }
    if (facts.account.minor) {
      const r = rules.minors.revocationReviewWorkingDays;
      out.push(warning('MINOR_MANUAL_REVIEW', { minDays: r.min, maxDays: r.max }));
    }
    return out;
  },
  consequences({ facts, rules, now, calendar }) {
    const e = rules.effects;
    const active = facts.grants.filter((g) => g.active).length;
    const out: Consequence[] = [
      consequence('CONSEQ_RECEIVE_LIMIT_LOWERED', 'limit', true, {
        from: e.dailyReceiveLimitBefore,
        to: e.dailyReceiveLimitAfter,
      }),
      consequence('CONSEQ_WITHDRAWAL_PAUSED', 'limit', true, { hours: e.withdrawalPauseHours }),
      consequence('CONSEQ_AUTO_DEBITS_TERMINATED', 'subscription', false, {
        count: facts.subscriptions.length,
      }),
      consequence('CONSEQ_LOGIN_EXTRA_SMS', 'function', true),
      consequence('CONSEQ_FRIEND_REQUESTS_BLOCKED', 'function', true),
      consequence('CONSEQ_MOMENTS_LIMITED', 'limit', true, { perDay: e.momentsPerDay }),
      consequence('CONSEQ_GRANTS_REVOKED', 'function', false, { count: active }),
      consequence('CONSEQ_APPS_NOTIFIED', 'notification', false, { count: facts.grants.length }),
    ];
    if (facts.developerAssets.miniPrograms.length > 0) {
      out.push(
        consequence('CONSEQ_MINI_PROGRAMS_REQUALIFY', 'function', true, {
          count: facts.developerAssets.miniPrograms.length,
        }),
      );
    }
    if (facts.developerAssets.apiQuotaTier !== 'test')
      out.push(consequence('CONSEQ_API_QUOTA_TEST', 'limit', true));
    // R-REG-3: EU/US force-close payment on revocation.
    if (rules.region.paymentForceClosedOnRevoke) {
      out.push(
        consequence('CONSEQ_PAYMENT_FORCE_CLOSED', 'function', false, { region: facts.account.region }),
      );
    }
    if (facts.account.minor) {
      // R-MIN-3: manual review in working days, games off while pending; R-MIN-5: red packets off after.
      const r = rules.minors.revocationReviewWorkingDays;
      out.push(
        consequence('CONSEQ_REVIEW_DUE', 'time', true, {
          minDays: r.min,
          maxDays: r.max,
          dueBy: calendar.addWorkingDays(now, r.max),
        }),
        consequence('CONSEQ_GAMES_DISABLED', 'function', true),
        consequence('CONSEQ_RED_PACKETS_DISABLED', 'function', false),
      );
    }
    out.push(
      consequence('CONSEQ_RESTORATION_PATH', 'function', true, {
        transactions: e.restoreVerifiedTransactions,
      }),
    );
    return out;
  },
  evidence(input) {
    // R-REV-2: the step-up is part of what the start needs: one SMS code, or two on HarmonyOS.
    // Face ID (iOS ≥ 15.4) is asserted on the device and needs no code here.
    const step = realnameRevoke.stepUp(input);
    const codes =
      step?.method === 'sms_twice'
        ? [evidence('sms_code', 'R-REV-2', 2)]
        : step?.method === 'sms'
          ? [evidence('sms_code', 'R-REV-2')]
          : [];
    if (!input.facts.account.minor) return codes;
    return [
      ...codes,
      evidence('guardian_handheld_id_video', 'R-MIN-3'),
      evidence('household_register_proof', 'R-MIN-3'),
      evidence('school_enrolment_certificate', 'R-MIN-3'),
      evidence('guardian_face', 'R-MIN-1'),
    ];
  },
  /** R-REV-2: iOS ≥ 15.4 needs Face ID; HarmonyOS a second SMS code; others one SMS code. */
  stepUp(input): StepUp {
    const d = requestDevice(input) ?? primaryDevice(input.facts);
    const guardianFace = input.facts.account.minor;
    if (
      d?.platform === 'ios' &&
      d.osVersion &&
      compareVersions(d.osVersion, input.rules.revoke.faceIdMinIosVersion) >= 0
    ) {
      return { method: 'face_id', channel: 'device', guardianFace, rule: 'R-REV-2' };
    }
    if (d?.platform === 'harmonyos')
      return { method: 'sms_twice', channel: 'bound_phone', guardianFace, rule: 'R-REV-2' };
    return { method: 'sms', channel: 'bound_phone', guardianFace, rule: 'R-REV-2' };
  },
};
