/**
 * The API's schemas: one zod schema per shape validates requests, serialises responses and becomes
 * the OpenAPI document. Instants are epoch milliseconds; amounts are integer ten-thousandths of a
 * yuan (`Money`), never floats.
 */
import { z } from 'zod';
import {
  CARD_TYPES,
  DEVICE_PLATFORMS,
  ENTERPRISE_LINK_KINDS,
  IDENTITY_STATUSES,
  OPERATION_KINDS,
  REGIONS,
  ACCOUNT_STATUSES,
} from '../../../core/model.js';
import { DOCUMENT_TYPES } from '../../../core/document-number.js';
import { FUND_OPERATION_KINDS } from '../../../core/capabilities.js';
import { EVIDENCE_KINDS } from '../../../core/preflight.js';

const MAX_MONEY = 9_000_000_000_000_000; // ~9e11 yuan, within Number.MAX_SAFE_INTEGER
export const Instant = z.number().int().min(0).max(8_640_000_000_000_000).describe('epoch milliseconds');
export const Money = z
  .number()
  .int('amounts are integer ten-thousandths of a yuan (¥1 = 10000)')
  .min(-MAX_MONEY)
  .max(MAX_MONEY)
  .describe('integer ten-thousandths of a yuan (¥1 = 10000)');
export const NonNegMoney = Money.min(0);
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const Text = z.string().min(1).max(200);

export const AccountIdParams = z.object({ accountId: Id });
export const OperationParams = z.object({ accountId: Id, operationId: Id });

export const LocalizedSchema = z.object({ en: z.string(), 'zh-CN': z.string() });
const ParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

export const BlockerSchema = z.object({
  code: z.string(),
  rule: z.string(),
  params: ParamsSchema,
  message: LocalizedSchema,
  remediation: z.object({ action: z.string(), where: z.string(), message: LocalizedSchema }),
});
export const WarningSchema = z.object({
  code: z.string(),
  rule: z.string(),
  params: ParamsSchema,
  message: LocalizedSchema,
  remediation: LocalizedSchema.optional(),
});
export const ConsequenceSchema = z.object({
  code: z.string(),
  rule: z.string(),
  category: z.string(),
  reversible: z.boolean(),
  params: ParamsSchema,
  message: LocalizedSchema,
});
export const PreflightSchema = z.object({
  kind: z.enum(OPERATION_KINDS as [string, ...string[]]),
  accountId: z.string(),
  allowed: z.boolean(),
  blockers: z.array(BlockerSchema),
  warnings: z.array(WarningSchema),
  consequences: z.array(ConsequenceSchema),
  requiredEvidence: z.array(
    z.object({ kind: z.string(), min: z.number(), rule: z.string(), label: LocalizedSchema }),
  ),
  stepUp: z
    .object({ method: z.string(), channel: z.string(), guardianFace: z.boolean(), rule: z.string() })
    .nullable(),
  retryAfter: Instant.nullable(),
  policyVersion: z.string(),
  evaluatedAt: Instant,
});

// ── Facts (SPEC §2)
export const DeviceSchema = z.object({
  id: Id,
  platform: z.enum(DEVICE_PLATFORMS),
  osVersion: z.string().max(20).nullish(),
  primary: z.boolean(),
  addedAt: Instant,
});
export const LoginSchema = z.object({ id: Id, at: Instant, deviceId: Id, abnormal: z.boolean() });
export const CardSchema = z.object({
  id: Id,
  type: z.enum(CARD_TYPES),
  last4: z.string().regex(/^\d{4}$/, 'four digits'),
  bank: Text,
  reservedPhoneMasked: z.string().max(40),
  unbilled: NonNegMoney.optional(),
  crossBorderAgreement: z.boolean().optional(),
  boundAt: Instant,
});
export const SubscriptionSchema = z.object({
  id: Id,
  merchant: Text,
  product: Text,
  amount: NonNegMoney,
  active: z.boolean(),
  nextChargeAt: Instant.nullish(),
});
export const LoanSchema = z.object({ id: Id, product: Text, outstanding: NonNegMoney });
export const RedPacketSchema = z.object({
  id: Id,
  amount: NonNegMoney,
  status: z.enum(['unclaimed', 'claimed', 'refunded']),
  expiresAt: Instant,
});
export const PendingTransactionSchema = z.object({
  id: Id,
  kind: z.enum(['payment', 'transfer', 'withdrawal', 'refund']),
  amount: Money,
  createdAt: Instant,
});
export const AdminRoleSchema = z.object({
  id: Id,
  kind: z.enum(['official_account', 'mini_program']),
  name: Text,
});
export const EnterpriseLinkSchema = z.object({
  id: Id,
  enterprise: Text,
  kind: z.enum(ENTERPRISE_LINK_KINDS),
  active: z.boolean(),
  adminRole: z.boolean(),
  pendingApprovals: z.number().int().min(0).max(100_000),
});
export const MiniProgramSchema = z.object({ id: Id, name: Text });
export const GrantSchema = z.object({
  appId: Id,
  appName: Text,
  developerId: Id,
  openId: z.string(),
  unionId: z.string(),
  active: z.boolean(),
  grantedAt: Instant,
});
export const GrantInputSchema = GrantSchema.omit({ openId: true, unionId: true });

/** Fact kinds as they appear in URLs, with their row schema. */
export const FACT_SCHEMAS = {
  devices: DeviceSchema,
  logins: LoginSchema,
  cards: CardSchema,
  subscriptions: SubscriptionSchema,
  loans: LoanSchema,
  'red-packets': RedPacketSchema,
  'pending-transactions': PendingTransactionSchema,
  'admin-roles': AdminRoleSchema,
  'enterprise-links': EnterpriseLinkSchema,
  'mini-programs': MiniProgramSchema,
} as const;

const DeclarationsSchema = z.object({
  fundFlowDeclaredAt: Instant.nullish(),
  dataExportAgreementAt: Instant.nullish(),
  localDataStorageAgreementAt: Instant.nullish(),
});
const MerchantSchema = z.object({ id: Id, status: z.enum(['active', 'deregistered']) }).nullable();

export const Phone = z
  .string()
  .min(5)
  .max(24)
  .regex(/^\+?[0-9][0-9 -]{3,22}$/, 'a phone number such as +86 13812345678');

export const CreateAccountBody = z.strictObject({
  id: Id.optional(),
  region: z.enum(REGIONS),
  phone: Phone,
  email: z.email().max(200).nullish(),
  minor: z.boolean().optional(),
  guardianAccountId: Id.nullish(),
});

export const UpdateAccountBody = z
  .strictObject({
    region: z.enum(REGIONS),
    status: z.enum(['active', 'frozen', 'banned']),
    phone: Phone,
    email: z.email().max(200).nullable(),
    minor: z.boolean(),
    guardianAccountId: Id.nullable(),
    frozenReason: z.string().max(100).nullable(),
    balance: Money,
    payScoreEnabled: z.boolean(),
    invoicesIssued: z.number().int().min(0).max(1_000_000),
    merchant: MerchantSchema,
    apiQuotaTier: z.enum(['standard', 'test', 'enterprise']),
    declarations: DeclarationsSchema,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

export const AccountFactsSchema = z.object({
  account: z.object({
    id: z.string(),
    region: z.enum(REGIONS),
    status: z.enum(ACCOUNT_STATUSES),
    phoneMasked: z.string(),
    emailMasked: z.string().nullish(),
    minor: z.boolean(),
    guardianAccountId: z.string().nullish(),
    createdAt: Instant,
    frozenReason: z.string().nullish(),
    deactivatingUntil: Instant.nullish(),
  }),
  devices: z.array(DeviceSchema),
  logins: z.array(LoginSchema.omit({ id: true }).extend({ id: z.string().optional() })),
  identity: z
    .object({
      status: z.enum(IDENTITY_STATUSES),
      documentType: z.enum(DOCUMENT_TYPES),
      documentMasked: z.string(),
      nameMasked: z.string(),
      documentKey: z.string(),
      verifiedAt: Instant.nullable(),
      changedAt: Instant.nullish(),
    })
    .nullable(),
  wallet: z.object({
    balance: Money,
    pendingTransactions: z.array(PendingTransactionSchema),
    payScoreEnabled: z.boolean(),
    invoicesIssued: z.number(),
  }),
  cards: z.array(CardSchema),
  subscriptions: z.array(SubscriptionSchema),
  loans: z.array(LoanSchema),
  redPackets: z.array(RedPacketSchema),
  merchant: MerchantSchema,
  adminRoles: z.array(AdminRoleSchema),
  enterpriseLinks: z.array(EnterpriseLinkSchema),
  developerAssets: z.object({ miniPrograms: z.array(MiniProgramSchema), apiQuotaTier: z.string() }),
  grants: z.array(GrantSchema),
  openOperations: z.array(
    z.object({ id: z.string(), kind: z.string(), state: z.string(), startedAt: Instant }),
  ),
  history: z.object({
    cardUnbinds: z.array(z.object({ at: Instant, cardType: z.enum(CARD_TYPES) })),
    realnameChanges: z.array(z.object({ at: Instant })),
    identityModifications: z.array(z.object({ at: Instant })),
    revokedAt: Instant.nullish(),
    verifiedTransactionsSinceRevocation: z.number(),
    cardsBoundSinceRevocation: z.number(),
    paymentRestoredAt: Instant.nullish(),
  }),
  declarations: DeclarationsSchema,
  openAppealId: z.string().nullish(),
});

export const BindIdentityBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  documentType: z.enum(DOCUMENT_TYPES),
  documentNumber: z.string().min(1).max(40),
  evidence: z
    .array(z.object({ kind: z.enum(EVIDENCE_KINDS), ref: z.string().min(1).max(200) }))
    .max(10)
    .optional()
    .describe('what risk control asked for (R-RISK-1 step-up: an uploaded liveness_video)'),
});

export const TransactionBody = z.strictObject({
  id: Id.optional(),
  kind: z.enum(FUND_OPERATION_KINDS),
  amount: NonNegMoney,
  status: z.enum(['pending', 'completed', 'cancelled']),
  verified: z.boolean().optional(),
});

// ── Operations
export const OPERATION_PATHS = {
  'account.delete': 'deletion',
  'card.unbind': 'card-unbind',
  'realname.change': 'realname-change',
  'realname.revoke': 'realname-revoke',
  'enterprise.detach': 'enterprise-detach',
  'appeal.submit': 'appeal',
  'payment.restore': 'payment-restore',
  'data.export': 'data-export',
} as const;

export const PreflightQuery = z.strictObject({
  deviceId: Id.optional(),
  cardId: Id.optional(),
  linkId: Id.optional(),
});

export const EvidenceRefSchema = z.object({ kind: z.enum(EVIDENCE_KINDS), ref: z.string().min(1).max(200) });

export const StartBody = z.strictObject({
  deviceId: Id.optional(),
  cardId: Id.optional(),
  linkId: Id.optional(),
  newDocument: z
    .strictObject({
      type: z.enum(DOCUMENT_TYPES),
      number: z.string().min(1).max(40),
      name: z.string().trim().min(1).max(100),
    })
    .optional(),
  evidence: z.array(EvidenceRefSchema).max(50).optional(),
  claim: z
    .enum(['account_stolen', 'other'])
    .optional()
    .describe(
      'appeal only: what the appeal claims (`account_stolen` for a theft), read by risk control (R-RISK-2)',
    ),
});

export const TimelineEntrySchema = z.object({
  at: Instant,
  state: z.string(),
  event: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
});
/** One participant's step in a revocation saga (R-REV-3): where it is and how long its last call took. */
export const SagaStepSchema = z.object({
  participant: z.string(),
  phase: z.enum(['preparing', 'prepared', 'committed', 'aborted', 'failed']),
  attempts: z.number().int(),
  error: z.string().nullable(),
  elapsedMs: z.number().int(),
  updatedAt: Instant,
});
export const OperationSchema = z.object({
  id: z.string(),
  accountId: z.string(),
  kind: z.enum(OPERATION_KINDS as [string, ...string[]]),
  state: z.string(),
  request: z.record(z.string(), z.unknown()),
  policyVersion: z.string(),
  idempotencyKey: z.string().nullable(),
  createdAt: Instant,
  updatedAt: Instant,
  outcome: z.string().nullable(),
  deadlineAt: Instant.nullable(),
  deadlineKind: z.string().nullable(),
  timeline: z.array(TimelineEntrySchema).optional(),
  /** A revocation's saga steps, one per participant (R-REV-3). */
  saga: z.array(SagaStepSchema).optional(),
  /** Why a revocation was rolled back (R-REV-3/4), or that risk control holds it (R-RISK-1), in both languages. */
  reason: z
    .object({ code: z.string(), message: LocalizedSchema, remediation: LocalizedSchema.nullable() })
    .optional(),
});

const Labelled = z.object({ key: z.string(), label: LocalizedSchema });
export const ComparisonSchema = z.object({
  accountId: z.string(),
  policyVersion: z.string(),
  evaluatedAt: Instant,
  routes: z.array(
    z.object({
      route: z.string(),
      title: Labelled,
      timeToComplete: z.object({ minHours: z.number(), maxHours: z.number() }),
      dataKept: z.array(Labelled),
      functionsLost: z.array(Labelled),
      recoverability: Labelled,
      reversible: z.boolean(),
      allowed: z.boolean(),
      blockers: z.array(BlockerSchema),
    }),
  ),
});

export const CheckSchema = z.object({
  accountId: z.string(),
  status: z.enum(ACCOUNT_STATUSES),
  realname: z.object({
    status: z.enum(IDENTITY_STATUSES),
    documentType: z.string().optional(),
    documentMasked: z.string().optional(),
    nameMasked: z.string().optional(),
  }),
  anomalies: z.array(z.object({ kind: z.string(), at: Instant, deviceId: z.string() })),
  openOperations: z.array(
    z.object({ id: z.string(), kind: z.string(), state: z.string(), startedAt: Instant }),
  ),
  canLock: z.boolean(),
  checkedAt: Instant,
});
