import { z } from 'zod';
import { RISK_DEFAULTS } from './defaults.js';

/**
 * The policy document: every number of SPEC §3 lives here, never in the rules. Objects are closed
 * (`strictObject`): an unknown key is a mistake (a typo would otherwise silently keep a default).
 */
const int = (min = 0) => z.number().int().min(min);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');
const window = z.strictObject({ start: hhmm, end: hhmm });
const range = z
  .strictObject({ min: int(0), max: int(0) })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });
/** Amounts in ten-thousandths of a yuan (integers). */
const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const version = z.string().regex(/^\d+(\.\d+){0,2}$/, 'expected a version like 15.4');

/** One-time codes for step-up (R-CARD-1, R-REV-2, …). */
const verification = z.strictObject({
  codeTtlSeconds: int(1),
  maxAttempts: int(1),
  resendCooldownSeconds: int(0),
});

/** Applied when a policy document predates the section, so existing policy files stay valid. */
export const VERIFICATION_DEFAULTS = { codeTtlSeconds: 300, maxAttempts: 5, resendCooldownSeconds: 60 };

/**
 * Risk control (SPEC §3.11, R-RISK-1/2/3). One signal of R-RISK-1: it fires when its measured value
 * over the last `windowDays` (a count of events, or an amount for `large_inflows`) reaches `atLeast`,
 * and then adds `weight` to the score.
 */
const riskSignal = z.strictObject({
  weight: int(0),
  windowDays: int(1),
  atLeast: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
/** R-RISK-1: score → decision. A score at or above a threshold takes that decision. */
const riskThresholds = z
  .strictObject({ stepUp: int(1), review: int(1), deny: int(1) })
  .refine((t) => t.stepUp <= t.review && t.review <= t.deny, {
    message: 'expected stepUp <= review <= deny',
  });
/** A country calling code as it appears in a masked phone ('86', '852', '1'). */
const callingCode = z.string().regex(/^[1-9]\d{0,3}$/, 'expected a country calling code like 86');
/** The keys of `signals` are the signal ids of the risk core (src/core/risk/types.ts SIGNAL_IDS). */
const riskSignals = {
  device_change_recent: riskSignal,
  abnormal_logins: riskSignal,
  identity_changed_recently: riskSignal,
  failed_attempts_account: riskSignal,
  failed_attempts_document: riskSignal,
  document_velocity: riskSignal,
  phone_country_changed: riskSignal,
  large_inflows: riskSignal,
  appeal_after_refusal: riskSignal,
};
/** The parameters of the three detectors of R-RISK-2, keyed by detector id (DETECTOR_IDS). */
const riskDetectors = {
  stolen_account_appeal: z.strictObject({
    /** An identity reset this long after a theft-claiming appeal is still that appeal's reset. */
    appealLookbackDays: int(1),
    /** Refusals counted before the appeal, and how many make the appeal suspicious. */
    refusalWindowDays: int(1),
    minRefusals: int(1),
  }),
  overseas_reregistration: z.strictObject({
    /** An account this young, or whose phone moved abroad this recently, is a re-registration. */
    newAccountDays: int(1),
    phoneChangeDays: int(1),
    /** Refusals on the document's other accounts this recent make the document "escaping". */
    refusedOnDocumentDays: int(1),
    /** Per document type, the phone countries that are home (empty: every phone is abroad). */
    homePhoneCountries: z.strictObject({
      cn_id: z.array(callingCode),
      hk_mo_permit: z.array(callingCode),
      tw_permit: z.array(callingCode),
      passport: z.array(callingCode),
    }),
  }),
  deliberate_failures: z.strictObject({
    windowHours: int(1),
    minFailures: int(1),
  }),
};
/** R-RISK-3: inflows within `windowDays` totalling at least `threshold` hold a revocation or deletion. */
const riskAml = z.strictObject({ windowDays: int(1), threshold: money });

const risk = z.strictObject({
  signals: z.strictObject(riskSignals),
  thresholds: riskThresholds,
  detectors: z.strictObject(riskDetectors),
  aml: riskAml,
  /** R-RISK-2: a detected abuse freezes the operation; with this, the account too. */
  freezeAccountOnAbuse: z.boolean(),
});

/**
 * A region's overlay of the risk section is deep: it names only the signals, detector parameters or
 * AML numbers it changes (`{ risk: { aml: { threshold: … } } }`); thresholds are given whole, so
 * that their order is checked. The policy loader merges it one level deeper than other sections.
 */
const partialSignal = riskSignal.partial().optional();
const riskOverlay = z.strictObject({
  signals: z
    .strictObject({
      device_change_recent: partialSignal,
      abnormal_logins: partialSignal,
      identity_changed_recently: partialSignal,
      failed_attempts_account: partialSignal,
      failed_attempts_document: partialSignal,
      document_velocity: partialSignal,
      phone_country_changed: partialSignal,
      large_inflows: partialSignal,
      appeal_after_refusal: partialSignal,
    } satisfies Record<keyof typeof riskSignals, unknown>)
    .optional(),
  thresholds: riskThresholds.optional(),
  detectors: z
    .strictObject({
      stolen_account_appeal: riskDetectors.stolen_account_appeal.partial().optional(),
      overseas_reregistration: riskDetectors.overseas_reregistration.partial().optional(),
      deliberate_failures: riskDetectors.deliberate_failures.partial().optional(),
    })
    .optional(),
  aml: riskAml.partial().optional(),
  freezeAccountOnAbuse: z.boolean().optional(),
});

export const sections = {
  deletion: z.strictObject({
    /** R-DEL-2 */
    coolingOffDays: int(1),
    /** R-MIN-4 */
    minorCoolingOffDays: int(1),
  }),
  cards: z.strictObject({
    /** R-CARD-2 */
    creditUnbindsPerDay: int(0),
    /** R-CARD-3 */
    overseasUnbindsPerWindow: int(0),
    overseasWindowDays: int(1),
  }),
  change: z.strictObject({
    /** R-CHG-2 */
    minDaysBetweenChanges: int(0),
    /** R-CHG-3 */
    perDocumentLimit: int(1),
    perDocumentWindowDays: int(1),
    documentCooldownDays: int(0),
    /** R-CHG-4 */
    nonMainlandReviewSteps: int(0),
    nonMainlandReviewHours: int(0),
  }),
  revoke: z.strictObject({
    /** R-REV-1 */
    abnormalLoginLookbackDays: int(0),
    deviceChangeLookbackDays: int(0),
    recentChangeDays: int(0),
    /** R-REV-2: iOS at or above this version steps up with Face ID. */
    faceIdMinIosVersion: version,
    /** R-REV-3: how long a participant may take to answer a prepare, commit or abort. */
    participantTimeoutMs: int(1),
    /** R-REV-3: per-participant overrides of `participantTimeoutMs`, by participant name. */
    participantTimeoutsMs: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), int(1)).default({}),
  }),
  effects: z.strictObject({
    /** R-REV-5 */
    dailyReceiveLimitBefore: money,
    dailyReceiveLimitAfter: money,
    withdrawalPauseHours: int(0),
    momentsPerDay: int(0),
    /** R-REV-7 */
    restoreVerifiedTransactions: int(0),
  }),
  minors: z.strictObject({
    /** R-MIN-1 */
    nightWindow: window,
    /** R-MIN-2 */
    identityModificationsPerMonth: int(0),
    /** R-MIN-3 */
    revocationReviewWorkingDays: range,
  }),
  maintenance: z.strictObject({
    /** R-WIN-1 */
    unbindWindow: window,
  }),
  appeals: z.strictObject({
    /** R-ABN-2 */
    minAuxVerifications: int(0),
    slaWorkingDays: range,
  }),
  region: z.strictObject({
    /** R-REG-1 */
    fundFlowDeclarationRequired: z.boolean(),
    gdprErasure: z.boolean(),
    /** R-REG-2 */
    digitalCurrencyRestricted: z.boolean(),
    localStorageAgreementRequired: z.boolean(),
    /** R-REG-3 */
    paymentForceClosedOnRevoke: z.boolean(),
    exportAgreementRequired: z.boolean(),
  }),
  verification: verification.default(VERIFICATION_DEFAULTS),
  /** R-RISK-1/2/3; applied when a policy document predates the section. */
  risk: risk.default(() => structuredClone(RISK_DEFAULTS)),
};

export const RulesSchema = z.strictObject(sections);

/** An overlay changes some fields of some sections for one region. */
export const OverlaySchema = z.strictObject({
  deletion: sections.deletion.partial().optional(),
  cards: sections.cards.partial().optional(),
  change: sections.change.partial().optional(),
  revoke: sections.revoke.partial().optional(),
  effects: sections.effects.partial().optional(),
  minors: sections.minors.partial().optional(),
  maintenance: sections.maintenance.partial().optional(),
  appeals: sections.appeals.partial().optional(),
  region: sections.region.partial().optional(),
  verification: verification.partial().optional(),
  risk: riskOverlay.optional(),
});

export const REGION_KEYS = ['CN', 'HK', 'MO', 'TW', 'SEA', 'EU', 'US', 'OTHER'] as const;

export const PolicySchema = z.strictObject({
  /** A human label; the decision records the content hash, not this. */
  name: z.string().min(1).max(100),
  timezone: z.literal('Asia/Shanghai'),
  defaults: RulesSchema,
  overlays: z.partialRecord(z.enum(REGION_KEYS), OverlaySchema).default({}),
});

export type PolicyDocument = z.input<typeof PolicySchema>;
export type RegionRules = z.output<typeof RulesSchema>;
export type PolicyOverlay = z.output<typeof OverlaySchema>;
