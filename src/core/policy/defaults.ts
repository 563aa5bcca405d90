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
