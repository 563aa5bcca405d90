import { z } from 'zod';

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
