import type { PolicyDocument } from './schema.js';

const YUAN = 10_000;
const NO_REGION_RULES = {
  fundFlowDeclarationRequired: false,
  gdprErasure: false,
  digitalCurrencyRestricted: false,
  localStorageAgreementRequired: false,
  paymentForceClosedOnRevoke: false,
  exportAgreementRequired: false,
};

/**
 * Risk control and AML (SPEC §3.11). The numbers, and why:
 *
 * R-RISK-1 signals — each fires when its value over `windowDays` reaches `atLeast`, adding `weight`:
 * - device_change_recent: a device added after registration within 7 days (R-REV-1's device window).
 * - abnormal_logins: one abnormal login within 30 days (R-REV-1's lookback).
 * - identity_changed_recently: a real-name change within 90 days (R-REV-1's recent-change window).
 * - failed_attempts_account: 3 failed one-time codes within 7 days (a code allows 5 tries, and two
 *   slips in a week are ordinary; three start to look like guessing).
 * - failed_attempts_document: 5 failed codes within 7 days on every account holding the document.
 * - document_velocity: 3 registrations or operation starts within 30 days on the document's other
 *   accounts (one person normally holds one account per document).
 * - phone_country_changed: the phone's country changed within 90 days (R-RISK-1's overseas-phone
 *   re-registration).
 * - large_inflows: ¥20,000 received within 7 days (under the AML hold, above a month's wages).
 * - appeal_after_refusal: an appeal within 7 days of a refused operation (the R-RISK-2 timing), the
 *   heaviest single signal.
 * Thresholds: no single signal reaches step-up except `appeal_after_refusal` (30); two of them step
 * up (≥ 25), four review (≥ 50), six deny (≥ 80). A theft victim (new device + abnormal login: 30)
 * is asked to step up, not refused.
 *
 * R-RISK-2 detectors: a theft-claiming appeal within 7 days of a refused operation (the reset it
 * leads to may come within 30 days); an overseas phone on an account younger than 30 days or whose
 * phone moved abroad within 30 days, binding a document at its R-CHG-3 limit (or in its cooldown),
 * or one whose other accounts were refused within 90 days; 5 failed codes or refused starts of an
 * unbind or a revocation within 48 hours. A detection freezes the operation and the account.
 *
 * R-RISK-3: ¥50,000 received within 7 days (the pre-revocation daily receive limit of R-REV-5) holds
 * a revocation or a deletion for an AML review.
 */
export const RISK_DEFAULTS = {
  signals: {
    device_change_recent: { weight: 15, windowDays: 7, atLeast: 1 },
    abnormal_logins: { weight: 15, windowDays: 30, atLeast: 1 },
    identity_changed_recently: { weight: 10, windowDays: 90, atLeast: 1 },
    failed_attempts_account: { weight: 15, windowDays: 7, atLeast: 3 },
    failed_attempts_document: { weight: 20, windowDays: 7, atLeast: 5 },
    document_velocity: { weight: 20, windowDays: 30, atLeast: 3 },
    phone_country_changed: { weight: 15, windowDays: 90, atLeast: 1 },
    large_inflows: { weight: 10, windowDays: 7, atLeast: 20_000 * YUAN },
    appeal_after_refusal: { weight: 30, windowDays: 7, atLeast: 1 },
  },
  thresholds: { stepUp: 25, review: 50, deny: 80 },
  detectors: {
    stolen_account_appeal: { appealLookbackDays: 30, refusalWindowDays: 7, minRefusals: 1 },
    overseas_reregistration: {
      newAccountDays: 30,
      phoneChangeDays: 30,
      refusedOnDocumentDays: 90,
      homePhoneCountries: {
        cn_id: ['86'],
        hk_mo_permit: ['852', '853'],
        tw_permit: ['886'],
        passport: [],
      },
    },
    deliberate_failures: { windowHours: 48, minFailures: 5 },
  },
  aml: { windowDays: 7, threshold: 50_000 * YUAN },
  freezeAccountOnAbuse: true,
};

/** The defaults of SPEC §3, with the regional overlays of §3.9. */
export const DEFAULT_POLICY: PolicyDocument = {
  name: 'realname-default-2026.11',
  timezone: 'Asia/Shanghai',
  defaults: {
    deletion: { coolingOffDays: 60, minorCoolingOffDays: 90 },
    cards: { creditUnbindsPerDay: 3, overseasUnbindsPerWindow: 1, overseasWindowDays: 7 },
    change: {
      minDaysBetweenChanges: 90,
      perDocumentLimit: 3,
      perDocumentWindowDays: 365,
      documentCooldownDays: 180,
      nonMainlandReviewSteps: 2,
      nonMainlandReviewHours: 72,
    },
    revoke: {
      abnormalLoginLookbackDays: 30,
      deviceChangeLookbackDays: 7,
      recentChangeDays: 90,
      faceIdMinIosVersion: '15.4',
      participantTimeoutMs: 5_000,
      participantTimeoutsMs: {},
    },
    effects: {
      dailyReceiveLimitBefore: 50_000 * YUAN,
      dailyReceiveLimitAfter: 2_000 * YUAN,
      withdrawalPauseHours: 72,
      momentsPerDay: 3,
      restoreVerifiedTransactions: 3,
    },
    minors: {
      nightWindow: { start: '22:00', end: '06:00' },
      identityModificationsPerMonth: 2,
      revocationReviewWorkingDays: { min: 10, max: 15 },
    },
    maintenance: { unbindWindow: { start: '04:00', end: '06:00' } },
    appeals: { minAuxVerifications: 3, slaWorkingDays: { min: 3, max: 7 } },
    region: NO_REGION_RULES,
    verification: { codeTtlSeconds: 300, maxAttempts: 5, resendCooldownSeconds: 60 },
    risk: RISK_DEFAULTS,
  },
  overlays: {
    HK: { region: { fundFlowDeclarationRequired: true, gdprErasure: true } },
    MO: { region: { fundFlowDeclarationRequired: true, gdprErasure: true } },
    TW: { region: { fundFlowDeclarationRequired: true, gdprErasure: true } },
    SEA: { region: { digitalCurrencyRestricted: true, localStorageAgreementRequired: true } },
    EU: { region: { paymentForceClosedOnRevoke: true, exportAgreementRequired: true } },
    US: { region: { paymentForceClosedOnRevoke: true, exportAgreementRequired: true } },
  },
};
