/**
 * The one catalogue of stable codes. Every blocker, warning, consequence and API error the service
 * can produce has a row here; its words live in src/i18n (en is the source of truth, zh-CN must be
 * complete — the type system rejects a missing translation) and a row in the README's error table
 * (test/core/errors.test.ts checks both).
 *
 * `kind` says how the code is used; `status` is the HTTP status an API error maps to (blockers are
 * carried inside a 422 OPERATION_BLOCKED problem); `action` + `where` are the remediation a client
 * can render as a button or a link.
 */
/**
 * `reason`: why a running operation ended as it did (shown on its timeline and outcome).
 * `notice`: the localised reason a security event carries to third-party apps (R-NOTIFY-1).
 */
export type CodeKind = 'blocker' | 'warning' | 'consequence' | 'error' | 'reason' | 'notice';

export interface CodeInfo {
  kind: CodeKind;
  /** The SPEC rule the code enforces or reports, when there is one. */
  rule?: string;
  /** HTTP status for API errors. */
  status?: number;
  /** Remediation: a stable action id and where in the product it is done. */
  action?: string;
  where?: string;
}

const blocker = (rule: string, action: string, where: string) => ({
  kind: 'blocker' as const,
  rule,
  action,
  where,
});
const warning = (rule: string) => ({ kind: 'warning' as const, rule });
const consequence = (rule: string) => ({ kind: 'consequence' as const, rule });
const reason = (rule: string) => ({ kind: 'reason' as const, rule });
const notice = (rule: string) => ({ kind: 'notice' as const, rule });
const error = (status: number, rule?: string) => ({
  kind: 'error' as const,
  status,
  ...(rule ? { rule } : {}),
});

export const CATALOGUE = {
  // ── State of the account (R-ABN-1 and the lifecycle itself)
  ACCOUNT_FROZEN: blocker('R-ABN-1', 'submit_appeal', 'me/security/appeal'),
  ACCOUNT_BANNED: blocker('R-ABN-1', 'submit_appeal', 'me/security/appeal'),
  ACCOUNT_DEACTIVATING: blocker('R-DEL-3', 'cancel_deletion', 'me/security/deletion'),
  ACCOUNT_DELETED: blocker('R-DEL-4', 'none', 'none'),
  OPERATION_IN_PROGRESS: blocker('R-UX-1', 'view_operation', 'me/operations'),
  IDENTITY_NOT_VERIFIED: blocker('R-UX-1', 'verify_identity', 'me/realname'),
  // ── Wallet and services (R-DEL-1, R-UX-2)
  BALANCE_NOT_ZERO: blocker('R-DEL-1', 'withdraw_balance', 'wallet/balance/withdraw'),
  BALANCE_RESIDUE: blocker('R-UX-2', 'clear_residue', 'wallet/balance/residue'),
  PENDING_TRANSACTION: blocker('R-DEL-1', 'wait_or_cancel_transaction', 'wallet/bills'),
  CARD_BOUND: blocker('R-DEL-1', 'unbind_card', 'wallet/cards'),
  PAY_SCORE_ENABLED: blocker('R-DEL-1', 'close_pay_score', 'wallet/pay-score/settings'),
  SUBSCRIPTION_ACTIVE: blocker('R-UX-2', 'cancel_subscription', 'me/pay/auto-debit'),
  ADMIN_ROLE_HELD: blocker('R-DEL-1', 'transfer_admin_role', 'me/admin-roles'),
  LOAN_OUTSTANDING: blocker('R-DEL-1', 'repay_loan', 'wallet/loans'),
  RED_PACKET_UNCLAIMED: blocker('R-UX-2', 'wait_red_packet_refund', 'wallet/red-packets'),
  FUND_FLOW_DECLARATION_REQUIRED: blocker('R-REG-1', 'declare_fund_flows', 'me/region/fund-flow-declaration'),
  // ── Time windows
  MINOR_NIGHT_WINDOW: blocker('R-MIN-1', 'retry_later', 'none'),
  MAINTENANCE_WINDOW: blocker('R-WIN-1', 'retry_later', 'none'),
  // ── Cards (R-CARD-*)
  CARD_NOT_FOUND: blocker('R-CARD-1', 'choose_card', 'wallet/cards'),
  CREDIT_CARD_DAILY_LIMIT: blocker('R-CARD-2', 'retry_later', 'none'),
  CREDIT_CARD_UNBILLED: blocker('R-CARD-2', 'repay_credit_card', 'wallet/cards/repay'),
  OVERSEAS_CARD_WEEKLY_LIMIT: blocker('R-CARD-3', 'retry_later', 'none'),
  CROSS_BORDER_AGREEMENT_ON: blocker('R-CARD-3', 'close_cross_border_agreement', 'wallet/cards/cross-border'),
  // ── Subject change (R-CHG-*, R-MIN-2)
  REALNAME_CHANGE_TOO_SOON: blocker('R-CHG-2', 'retry_later', 'none'),
  DOCUMENT_CHANGE_LIMIT: blocker('R-CHG-3', 'use_other_route', 'me/realname/routes'),
  DOCUMENT_COOLDOWN: blocker('R-CHG-3', 'retry_later', 'none'),
  DOCUMENT_INVALID: blocker('R-CHG-1', 'correct_document', 'me/realname/change'),
  MINOR_MONTHLY_LIMIT: blocker('R-MIN-2', 'retry_later', 'none'),
  // ── Revocation (R-REV-1)
  ABNORMAL_LOGIN_RECENT: blocker('R-REV-1', 'account_check', 'me/security/check'),
  NOT_PRIMARY_DEVICE: blocker('R-REV-1', 'use_primary_device', 'me/security/devices'),
  DEVICE_CHANGED_RECENTLY: blocker('R-REV-1', 'retry_later', 'none'),
  REALNAME_CHANGED_RECENTLY: blocker('R-REV-1', 'retry_later', 'none'),
  ENTERPRISE_LINK_ACTIVE: blocker('R-ENT-4', 'detach_enterprise', 'me/enterprise'),
  // ── Enterprise links (R-ENT-*)
  ENTERPRISE_LINK_NOT_FOUND: blocker('R-ENT-4', 'choose_enterprise_link', 'me/enterprise'),
  ENTERPRISE_ADMIN_ROLE_HELD: blocker('R-ENT-4', 'release_enterprise_admin', 'me/enterprise/admin'),
  // ── Appeals (R-ABN-2)
  APPEAL_NOT_NEEDED: blocker('R-ABN-2', 'none', 'none'),
  APPEAL_ALREADY_OPEN: blocker('R-ABN-2', 'view_appeal', 'me/security/appeal'),
  // ── Restoration (R-REV-7)
  NOTHING_TO_RESTORE: blocker('R-REV-7', 'none', 'none'),
  RESTORE_CARD_REQUIRED: blocker('R-REV-7', 'bind_card', 'wallet/cards/add'),
  RESTORE_TRANSACTIONS_REQUIRED: blocker('R-REV-7', 'make_verified_transactions', 'wallet/pay'),
  // ── Export and regions (R-REG-2/3, R-EXP-1)
  EXPORT_AGREEMENT_REQUIRED: blocker('R-REG-3', 'sign_export_agreement', 'me/privacy/export-agreement'),
  LOCAL_STORAGE_AGREEMENT_REQUIRED: blocker(
    'R-REG-2',
    'sign_local_storage_agreement',
    'me/privacy/local-storage',
  ),
  // ── Evidence (checked when an operation is started)
  EVIDENCE_MISSING: blocker('R-UX-1', 'provide_evidence', 'me/operations/evidence'),
  // ── Risk control (R-RISK-1): what the user sees of a risk decision — never the score
  RISK_STEP_UP_REQUIRED: blocker('R-RISK-1', 'verify_face', 'me/security/face-verification'),
  RISK_DENIED: blocker('R-RISK-1', 'contact_support', 'me/support'),

  // ── Warnings
  MERCHANT_RECORDS_RETAINED: warning('R-REV-6'),
  NON_MAINLAND_REVIEW: warning('R-CHG-4'),
  MINOR_MANUAL_REVIEW: warning('R-MIN-3'),
  CALENDAR_DATA_MISSING: warning('R-WIN-2'),

  // ── Consequences (R-UX-3)
  CONSEQ_COOLING_OFF: consequence('R-DEL-2'),
  CONSEQ_DATA_ERASED: consequence('R-DEL-4'),
  CONSEQ_IDENTIFIERS_RETIRED: consequence('R-DEL-4'),
  CONSEQ_APPS_NOTIFIED: consequence('R-NOTIFY-1'),
  CONSEQ_SUBSCRIPTIONS_END: consequence('R-UX-3'),
  CONSEQ_IDENTITY_PENDING_COMPLETION: consequence('R-CARD-4'),
  CONSEQ_CARD_REMOVED: consequence('R-CARD-1'),
  CONSEQ_RECEIVE_LIMIT_LOWERED: consequence('R-REV-5'),
  CONSEQ_WITHDRAWAL_PAUSED: consequence('R-REV-5'),
  CONSEQ_AUTO_DEBITS_TERMINATED: consequence('R-REV-5'),
  CONSEQ_LOGIN_EXTRA_SMS: consequence('R-REV-5'),
  CONSEQ_FRIEND_REQUESTS_BLOCKED: consequence('R-REV-5'),
  CONSEQ_MOMENTS_LIMITED: consequence('R-REV-5'),
  CONSEQ_GRANTS_REVOKED: consequence('R-NOTIFY-2'),
  CONSEQ_MINI_PROGRAMS_REQUALIFY: consequence('R-REV-5'),
  CONSEQ_API_QUOTA_TEST: consequence('R-REV-5'),
  CONSEQ_PAYMENT_FORCE_CLOSED: consequence('R-REG-3'),
  CONSEQ_RED_PACKETS_DISABLED: consequence('R-MIN-5'),
  CONSEQ_GAMES_DISABLED: consequence('R-MIN-3'),
  CONSEQ_RESTORATION_PATH: consequence('R-REV-7'),
  CONSEQ_SUBJECT_OVERWRITTEN: consequence('R-CHG-5'),
  CONSEQ_INVOICES_UPDATE: consequence('R-CHG-5'),
  CONSEQ_MANUAL_REVIEW: consequence('R-CHG-4'),
  CONSEQ_APPROVALS_VOIDED: consequence('R-ENT-4'),
  CONSEQ_ENTERPRISE_API_REVOKED: consequence('R-ENT-4'),
  CONSEQ_JOB_RECORD_KEPT: consequence('R-ENT-1'),
  CONSEQ_CONTACT_RECORDS_CLEARED: consequence('R-ENT-2'),
  CONSEQ_WITHHOLDING_TERMINATED: consequence('R-ENT-3'),
  CONSEQ_REVIEW_DUE: consequence('R-ABN-2'),
  CONSEQ_FREEZE_LIFTED_ON_ACCEPT: consequence('R-ABN-3'),
  CONSEQ_PAYMENT_RESTORED: consequence('R-REV-7'),
  CONSEQ_EXPORT_ARCHIVE: consequence('R-EXP-1'),

  // ── API errors (problem+json)
  VALIDATION_FAILED: error(400),
  DOCUMENT_NUMBER_INVALID: error(400),
  MALFORMED_JSON: error(400),
  PAYLOAD_TOO_LARGE: error(413),
  UNSUPPORTED_MEDIA_TYPE: error(415),
  UNAUTHENTICATED: error(401),
  FORBIDDEN: error(403),
  NOT_FOUND: error(404),
  ACCOUNT_NOT_FOUND: error(404),
  OPERATION_NOT_FOUND: error(404),
  METHOD_NOT_ALLOWED: error(405),
  CONFLICT: error(409),
  ACCOUNT_EXISTS: error(409),
  IDEMPOTENCY_KEY_REUSED: error(409),
  IDEMPOTENCY_IN_PROGRESS: error(409),
  ILLEGAL_TRANSITION: error(409),
  NOT_CANCELLABLE: error(409),
  OPERATION_BLOCKED: error(422, 'R-UX-1'),
  // ── One-time codes for step-up (R-CARD-1, R-REV-2)
  VERIFICATION_NOT_FOUND: error(404),
  VERIFICATION_CARD_NOT_FOUND: error(404, 'R-CARD-1'),
  VERIFICATION_CODE_WRONG: error(422),
  VERIFICATION_CODE_EXPIRED: error(410),
  VERIFICATION_CODE_USED: error(409),
  VERIFICATION_LOCKED: error(423),
  VERIFICATION_RESEND_TOO_SOON: error(429),
  VERIFICATION_SEND_FAILED: error(502),
  VERIFICATION_REQUIRED: error(422, 'R-UX-1'),
  BANK_RESERVED_INFO_MISMATCH: error(422, 'R-CHG-1'),
  // ── Risk control: a bind held for a reviewer (R-RISK-2)
  IDENTITY_BIND_HELD: error(422, 'R-RISK-2'),
  // ── Evidence files (R-CHG-1, R-MIN-3, R-ABN-2) and the review queue (R-ABN-2/3, R-CHG-4, R-MIN-3)
  EVIDENCE_TOO_LARGE: error(413),
  EVIDENCE_TYPE_NOT_ALLOWED: error(415),
  EVIDENCE_CONTENT_MISMATCH: error(400),
  EVIDENCE_NAME_INVALID: error(400),
  EVIDENCE_NOT_FOUND: error(404),
  REVIEW_CLAIMED: error(409, 'R-ABN-2'),
  REVIEW_NOT_CLAIMED: error(409, 'R-ABN-2'),
  REVIEW_NOT_OPEN: error(409, 'R-ABN-2'),
  REVIEW_SECOND_REVIEWER_REQUIRED: error(409, 'R-CHG-4'),
  // ── After a revocation: what the platform enforces (R-REV-5, R-MIN-5, R-REG-3)
  RECEIVE_LIMIT_EXCEEDED: error(422, 'R-REV-5'),
  WITHDRAWAL_PAUSED: error(422, 'R-REV-5'),
  TRANSFERS_DISABLED: error(422, 'R-MIN-5'),
  PAYMENT_CLOSED: error(422, 'R-REG-3'),
  // ── Third-party apps and their security events (R-NOTIFY-*)
  APP_NOT_FOUND: error(404, 'R-NOTIFY-1'),
  APP_RECEIVER_INVALID: error(400, 'R-NOTIFY-1'),
  OUTBOX_EVENT_NOT_FOUND: error(404, 'R-NOTIFY-1'),
  // ── Why a revocation was rolled back (R-REV-3, R-REV-4): timeline and outcome reasons
  REVOCATION_PARTICIPANT_FAILED: reason('R-REV-3'),
  REVOCATION_PARTICIPANT_TIMEOUT: reason('R-REV-3'),
  REVOCATION_INTERRUPTED_BY_FUNDS: reason('R-REV-4'),
  // ── Why an operation waits (R-RISK-1/2/3): the one code a user sees of a risk hold
  RISK_REVIEW_HELD: reason('R-RISK-1'),
  // ── Reasons carried by security events to apps (reason_admin / reason_user, R-NOTIFY-1)
  NOTICE_ACCOUNT_DISABLED: notice('R-NOTIFY-1'),
  NOTICE_ACCOUNT_ENABLED: notice('R-NOTIFY-1'),
  NOTICE_ACCOUNT_PURGED: notice('R-NOTIFY-1'),
  NOTICE_REALNAME_REVOKED: notice('R-NOTIFY-1'),
  NOTICE_SUBJECT_CHANGED: notice('R-NOTIFY-1'),
  NOTICE_PHONE_CHANGED: notice('R-NOTIFY-1'),
  RATE_LIMITED: error(429),
  POLICY_INVALID: error(500),
  DEV_CLOCK_DISABLED: error(404),
  NOT_READY: error(503),
  INTERNAL: error(500),
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CATALOGUE;
export type BlockerCode = {
  [K in Code]: (typeof CATALOGUE)[K]['kind'] extends 'blocker' ? K : never;
}[Code];
export type WarningCode = {
  [K in Code]: (typeof CATALOGUE)[K]['kind'] extends 'warning' ? K : never;
}[Code];
export type ConsequenceCode = {
  [K in Code]: (typeof CATALOGUE)[K]['kind'] extends 'consequence' ? K : never;
}[Code];
export type ErrorCode = {
  [K in Code]: (typeof CATALOGUE)[K]['kind'] extends 'error' ? K : never;
}[Code];

export const CODES = Object.keys(CATALOGUE) as Code[];
