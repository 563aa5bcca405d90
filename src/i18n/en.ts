import type { Catalogue, Messages, Terms } from './types.js';

/** English: the source of truth for every code's words (zh-CN must match it key for key). */
export const enMessages = {
  ACCOUNT_FROZEN: {
    message: 'This account is frozen, so no unbind, change, revocation or deletion can run.',
    remediation: 'Submit an appeal in Me › Security › Appeal; an accepted appeal lifts the freeze.',
  },
  ACCOUNT_BANNED: {
    message: 'This account is banned, so no unbind, change, revocation or deletion can run.',
    remediation: 'Submit an appeal in Me › Security › Appeal to have the ban reviewed.',
  },
  ACCOUNT_DEACTIVATING: {
    message: 'This account is in its deletion cooling-off period until {until:date}.',
    remediation: 'Cancel the deletion in Me › Security › Account deletion to use the account again.',
  },
  ACCOUNT_DELETED: {
    message: 'This account has been deleted.',
    remediation: 'Nothing can be done on a deleted account; register a new one.',
  },
  OPERATION_IN_PROGRESS: {
    message: 'Another operation ({operationKind:term}) is already running on this account.',
    remediation: 'Wait for operation {operationId} to finish, or cancel it in Me › Operations.',
  },
  IDENTITY_NOT_VERIFIED: {
    message: 'The real-name identity is {status:term}, so this operation does not apply.',
    remediation: 'Verify your real name first in Me › Real-name.',
  },
  BALANCE_NOT_ZERO: {
    message: 'Your wallet balance is {amount:money}; it must be zero.',
    remediation: 'Withdraw or spend the balance in Wallet › Balance › Withdraw.',
  },
  BALANCE_RESIDUE: {
    message:
      'Your wallet holds a residue of {residue:money} below one fen; the app shows it as ¥0.00 but it still counts.',
    remediation: 'Clear the residue in Wallet › Balance › Residue (donate it or move it to Savings).',
  },
  PENDING_TRANSACTION: {
    message: 'A {transactionKind:term} of {amount:money} is still pending.',
    remediation: 'Wait for it to complete or cancel it in Wallet › Bills.',
  },
  CARD_BOUND: {
    message: 'The {cardType:term} card of {bank} ending {last4} is still bound.',
    remediation: 'Unbind it in Wallet › Cards.',
  },
  PAY_SCORE_ENABLED: {
    message: 'The pay-score service is still on.',
    remediation: 'Close it in Wallet › Pay score › Settings; settle any open pay-score orders first.',
  },
  SUBSCRIPTION_ACTIVE: {
    message: 'The auto-debit subscription "{product}" of {merchant} ({amount:money} per charge) is active.',
    remediation: 'Cancel it in Me › Pay › Auto-debit services.',
  },
  ADMIN_ROLE_HELD: {
    message: 'You are the administrator of the {roleKind:term} "{name}".',
    remediation: 'Transfer the administrator role to someone else in that platform’s settings.',
  },
  LOAN_OUTSTANDING: {
    message: 'The loan "{product}" still has {outstanding:money} outstanding.',
    remediation: 'Repay it in full in Wallet › Loans.',
  },
  RED_PACKET_UNCLAIMED: {
    message: 'A red packet of {amount:money} you sent is unclaimed until {expiresAt:date}.',
    remediation: 'Wait until it is claimed or refunded after {expiresAt:date}.',
  },
  FUND_FLOW_DECLARATION_REQUIRED: {
    message: 'Accounts in {region:term} must declare their fund flows first.',
    remediation: 'Complete the declaration in Me › Region › Fund-flow declaration.',
  },
  MINOR_NIGHT_WINDOW: {
    message: 'Minors cannot run this operation between {start} and {end} (Beijing time).',
    remediation: 'Try again after {retryAt:date}.',
  },
  MAINTENANCE_WINDOW: {
    message: 'Unbinding is paused for maintenance between {start} and {end} (Beijing time).',
    remediation: 'Try again after {retryAt:date}; nothing was changed.',
  },
  CARD_NOT_FOUND: {
    message: 'No bound card {cardId} on this account.',
    remediation: 'Choose one of the cards listed in Wallet › Cards.',
  },
  CREDIT_CARD_DAILY_LIMIT: {
    message: 'At most {limit} credit cards can be unbound per day; {used} already were today.',
    remediation: 'Try again after {retryAt:date}.',
  },
  CREDIT_CARD_UNBILLED: {
    message: 'The credit card of {bank} ending {last4} has {unbilled:money} not yet billed.',
    remediation: 'Repay the unbilled amount in Wallet › Cards › Repay, then unbind.',
  },
  OVERSEAS_CARD_WEEKLY_LIMIT: {
    message: 'At most {limit} overseas card can be unbound per {days} days.',
    remediation: 'Try again after {retryAt:date}.',
  },
  CROSS_BORDER_AGREEMENT_ON: {
    message: 'The cross-border payment agreement of the card of {bank} ending {last4} is still on.',
    remediation: 'Close it in Wallet › Cards › Cross-border payments.',
  },
  REALNAME_CHANGE_TOO_SOON: {
    message: 'The real-name subject was changed less than {days} days ago.',
    remediation: 'Try again after {retryAt:date}.',
  },
  DOCUMENT_CHANGE_LIMIT: {
    message:
      'This document has been used for {limit} real-name changes in the last {days} days; another attempt starts a {cooldownDays}-day cooldown.',
    remediation:
      'Use another route (compare them in Me › Real-name › Routes) or wait until older changes expire.',
  },
  DOCUMENT_COOLDOWN: {
    message: 'This document is in a cooldown for real-name changes until {until:date}.',
    remediation: 'Try again after {until:date}.',
  },
  DOCUMENT_INVALID: {
    message: 'The new document number is not valid: {problem:term}.',
    remediation: 'Check the number against the document and enter it again.',
  },
  MINOR_MONTHLY_LIMIT: {
    message: 'A minor’s identity can be modified at most {limit} times per calendar month.',
    remediation: 'Try again after {retryAt:date}.',
  },
  ABNORMAL_LOGIN_RECENT: {
    message: 'An abnormal login was recorded on {at:date}, within the last {days} days.',
    remediation: 'Run the account check in Me › Security › Account check and secure the account.',
  },
  NOT_PRIMARY_DEVICE: {
    message: 'This request does not come from your primary device.',
    remediation: 'Use your primary device (see Me › Security › Devices).',
  },
  DEVICE_CHANGED_RECENTLY: {
    message: 'Your primary device changed less than {days} days ago.',
    remediation: 'Try again after {retryAt:date}.',
  },
  REALNAME_CHANGED_RECENTLY: {
    message: 'The real-name subject changed less than {days} days ago.',
    remediation: 'Try again after {retryAt:date}.',
  },
  ENTERPRISE_LINK_ACTIVE: {
    message: 'The {linkKind:term} link with {enterprise} is still active.',
    remediation: 'Detach it in Me › Enterprise.',
  },
  ENTERPRISE_LINK_NOT_FOUND: {
    message: 'No active enterprise link {linkId} on this account.',
    remediation: 'Choose one of the links listed in Me › Enterprise.',
  },
  ENTERPRISE_ADMIN_ROLE_HELD: {
    message: 'You are an administrator of {enterprise}.',
    remediation: 'Release the enterprise administrator role first (Me › Enterprise › Admin).',
  },
  APPEAL_NOT_NEEDED: {
    message: 'This account is neither frozen nor banned; there is nothing to appeal.',
    remediation: 'No action is needed.',
  },
  APPEAL_ALREADY_OPEN: {
    message: 'Appeal {appealId} is already in review.',
    remediation: 'Follow it in Me › Security › Appeal.',
  },
  NOTHING_TO_RESTORE: {
    message: 'Payment functions are not restricted on this account.',
    remediation: 'No action is needed.',
  },
  RESTORE_CARD_REQUIRED: {
    message: 'Bind a bank card again to lift the payment restrictions.',
    remediation: 'Bind a card in Wallet › Cards › Add.',
  },
  RESTORE_TRANSACTIONS_REQUIRED: {
    message: '{done} of {required} verified transactions completed since the revocation.',
    remediation: 'Complete {required} verified transactions with the bound card.',
  },
  EXPORT_AGREEMENT_REQUIRED: {
    message: 'Accounts in {region:term} must sign the cross-border data-transfer agreement before export.',
    remediation: 'Sign it in Me › Privacy › Export agreement.',
  },
  LOCAL_STORAGE_AGREEMENT_REQUIRED: {
    message: 'Accounts in {region:term} must accept the local data-storage agreement before export.',
    remediation: 'Accept it in Me › Privacy › Local storage.',
  },
  EVIDENCE_MISSING: {
    message: 'Evidence "{evidence:term}" is missing ({provided} of {required} provided).',
    remediation: 'Provide it with the request.',
  },
  RISK_STEP_UP_REQUIRED: {
    message:
      'For your account’s security this operation needs one more verification: "{evidence:term}" ({provided} of {required} provided).',
    remediation: 'Record a face verification of the account holder, then start the operation again with it.',
  },
  RISK_DENIED: {
    message: 'For your account’s security this operation cannot be done from this account right now.',
    remediation:
      'Try again later from your usual device, or contact customer support to verify your identity.',
  },
  MERCHANT_RECORDS_RETAINED: {
    message:
      'Merchant account {merchantId} keeps its historical real-name records after revocation (retention rule).',
    remediation:
      'To clear them, also deregister the merchant account (needs a business deregistration certificate).',
  },
  NON_MAINLAND_REVIEW: {
    message: 'Non-mainland documents go through {steps} extra manual review steps (at least {hours} hours).',
  },
  MINOR_MANUAL_REVIEW: {
    message: 'A minor’s revocation is reviewed by hand within {minDays}–{maxDays} working days.',
  },
  CALENDAR_DATA_MISSING: {
    message:
      'The working-day calendar has no official holiday data for {years}; due dates count weekends only.',
    remediation: 'Add the year’s State Council schedule as a calendar override (see README › Calendar).',
  },
  CONSEQ_COOLING_OFF: {
    message:
      'The account is frozen for a {days}-day cooling-off period until {until:date}; you can cancel until then.',
  },
  CONSEQ_DATA_ERASED: {
    message: 'At the end of the cooling-off, real-name information and all content are erased for good.',
  },
  CONSEQ_IDENTIFIERS_RETIRED: {
    message: 'The account id, phone binding and app identifiers are retired and never reused.',
  },
  CONSEQ_APPS_NOTIFIED: { message: '{count} third-party apps will be notified.' },
  CONSEQ_SUBSCRIPTIONS_END: { message: '{count} subscriptions end.' },
  CONSEQ_IDENTITY_PENDING_COMPLETION: {
    message:
      'This is the last card: the identity becomes "to be completed" and services that need a card are restricted; basic payment stays.',
  },
  CONSEQ_CARD_REMOVED: { message: 'The card of {bank} ending {last4} is removed from the wallet.' },
  CONSEQ_RECEIVE_LIMIT_LOWERED: {
    message: 'The daily receive limit drops from {from:money} to {to:money}.',
  },
  CONSEQ_WITHDRAWAL_PAUSED: { message: 'Withdrawals of change are paused for {hours} hours.' },
  CONSEQ_AUTO_DEBITS_TERMINATED: { message: '{count} auto-debit agreements are terminated.' },
  CONSEQ_LOGIN_EXTRA_SMS: { message: 'Logging in needs an extra SMS code.' },
  CONSEQ_FRIEND_REQUESTS_BLOCKED: { message: 'Incoming friend requests are blocked.' },
  CONSEQ_MOMENTS_LIMITED: { message: 'At most {perDay} moments posts a day.' },
  CONSEQ_GRANTS_REVOKED: { message: 'Grants to {count} third-party apps are revoked.' },
  CONSEQ_MINI_PROGRAMS_REQUALIFY: {
    message: '{count} mini-programs you own need their subject qualification resubmitted.',
  },
  CONSEQ_API_QUOTA_TEST: { message: 'The open-platform API quota drops to the test tier.' },
  CONSEQ_PAYMENT_FORCE_CLOSED: { message: 'Payment functions are closed in {region:term}.' },
  CONSEQ_RED_PACKETS_DISABLED: { message: 'Red packets and transfers are disabled.' },
  CONSEQ_GAMES_DISABLED: { message: 'Game features are disabled while the review is pending.' },
  CONSEQ_RESTORATION_PATH: {
    message:
      'Binding a card again and completing {transactions} verified transactions lifts the payment restrictions.',
  },
  CONSEQ_SUBJECT_OVERWRITTEN: {
    message:
      'The subject is overwritten; the account id stays and the old subject is kept, encrypted, in history.',
  },
  CONSEQ_INVOICES_UPDATE: {
    message: '{count} bills or invoices issued under the old subject need updating.',
  },
  CONSEQ_MANUAL_REVIEW: { message: '{steps} manual review steps, expected to take at least {hours} hours.' },
  CONSEQ_APPROVALS_VOIDED: { message: '{count} pending approvals in {enterprise} are voided.' },
  CONSEQ_ENTERPRISE_API_REVOKED: { message: 'Your API permissions in {enterprise} are revoked at once.' },
  CONSEQ_JOB_RECORD_KEPT: { message: '{enterprise} keeps your job record.' },
  CONSEQ_CONTACT_RECORDS_CLEARED: {
    message: 'Customer communication records with {enterprise} are cleared.',
  },
  CONSEQ_WITHHOLDING_TERMINATED: { message: 'The withholding agreement with {enterprise} is terminated.' },
  CONSEQ_REVIEW_DUE: {
    message: 'Reviewed within {minDays}–{maxDays} working days, at the latest by {dueBy:date}.',
  },
  CONSEQ_FREEZE_LIFTED_ON_ACCEPT: { message: 'An accepted appeal lifts the freeze; a rejection says why.' },
  CONSEQ_PAYMENT_RESTORED: { message: 'The payment restrictions of the revocation are lifted.' },
  CONSEQ_EXPORT_ARCHIVE: {
    message:
      'A machine-readable archive of your profile, identity history (masked), cards (masked), transactions, grants and operations.',
  },
  VALIDATION_FAILED: {
    message: 'The request is not valid: {detail}',
    remediation: 'Fix the fields named and send it again.',
  },
  DOCUMENT_NUMBER_INVALID: {
    message: 'The document number is not valid: {problem:term} ({detail}).',
    remediation: 'Check the number against the document and enter it again.',
  },
  MALFORMED_JSON: { message: 'The request body is not valid JSON.', remediation: 'Send a JSON body.' },
  PAYLOAD_TOO_LARGE: { message: 'The request body is larger than {limit} bytes.' },
  UNSUPPORTED_MEDIA_TYPE: {
    message: 'This content type is not accepted.',
    remediation: 'Send application/json.',
  },
  UNAUTHENTICATED: {
    message: 'A valid API key or user token is required.',
    remediation: 'Send "Authorization: Bearer <key>".',
  },
  FORBIDDEN: { message: 'This key lacks the scope "{scope}".', remediation: 'Use a key with that scope.' },
  NOT_FOUND: { message: 'Not found.' },
  ACCOUNT_NOT_FOUND: { message: 'No such account.' },
  OPERATION_NOT_FOUND: { message: 'No such operation.' },
  METHOD_NOT_ALLOWED: { message: 'This method is not allowed here.' },
  CONFLICT: { message: 'The request conflicts with the current state: {detail}' },
  ACCOUNT_EXISTS: { message: 'An account with this id already exists.' },
  IDEMPOTENCY_KEY_REUSED: {
    message: 'This Idempotency-Key was already used with a different request.',
    remediation: 'Use a new key for a new request, or resend exactly the first request.',
  },
  IDEMPOTENCY_IN_PROGRESS: {
    message: 'A request with this Idempotency-Key is still being processed.',
    remediation: 'Retry in a moment.',
  },
  ILLEGAL_TRANSITION: {
    message: 'The operation cannot go from "{from}" on "{event}".',
    remediation: 'Read the operation’s state and allowed actions first.',
  },
  NOT_CANCELLABLE: { message: 'The operation is {state} and can no longer be cancelled.' },
  OPERATION_BLOCKED: {
    message: 'The operation is blocked by {count} rules; each is listed with its fix.',
    remediation: 'Fix each blocker, then try again.',
  },
  VERIFICATION_NOT_FOUND: {
    message: 'No verification {challengeId} on this account.',
    remediation: 'Request a new code.',
  },
  VERIFICATION_CARD_NOT_FOUND: {
    message: 'No bound card {cardId} on this account to send a code to.',
    remediation: 'Choose one of the cards listed in Wallet › Cards.',
  },
  VERIFICATION_CODE_WRONG: {
    message: 'The code is wrong; {attemptsLeft} attempts left.',
    remediation: 'Check the SMS and enter the code again.',
  },
  VERIFICATION_CODE_EXPIRED: {
    message: 'The code has expired.',
    remediation: 'Request a new code.',
  },
  VERIFICATION_CODE_USED: {
    message: 'This code was already used.',
    remediation: 'Request a new code.',
  },
  VERIFICATION_LOCKED: {
    message: 'Too many wrong codes ({maxAttempts} attempts): this code can no longer be used.',
    remediation: 'Request a new code.',
  },
  VERIFICATION_RESEND_TOO_SOON: {
    message: 'A code for {purpose:term} was sent less than {cooldownSeconds} seconds ago.',
    remediation: 'Use the code already sent, or ask again in {retryAfter} seconds.',
  },
  VERIFICATION_SEND_FAILED: {
    message: 'The code could not be sent.',
    remediation: 'Try again in a moment.',
  },
  BANK_RESERVED_INFO_MISMATCH: {
    message: 'The bank could not confirm this card for the new subject: {reason:term}.',
    remediation:
      'Use a card in the new subject’s name, with the name, document and phone exactly as the bank holds them.',
  },
  IDENTITY_BIND_HELD: {
    message:
      'This identity cannot be bound right away: the request was passed to a security review (operation {operationId}).',
    remediation:
      'Follow the review on that operation; you will be told its outcome. There is nothing to resend.',
  },
  VERIFICATION_REQUIRED: {
    message: 'Evidence "{evidence:term}" must be a verified, unused code for {purpose:term}: {reason:term}.',
    remediation: 'Request a code for this operation, verify it, and start again with its challenge id.',
  },
  EVIDENCE_TOO_LARGE: {
    message: 'The {kind:term} file is {size} bytes; at most {limit} bytes are accepted.',
    remediation: 'Compress it, or upload a smaller file.',
  },
  EVIDENCE_TYPE_NOT_ALLOWED: {
    message: 'A {kind:term} cannot be {contentType}; accepted: {allowed}.',
    remediation: 'Upload it in one of the accepted formats.',
  },
  EVIDENCE_CONTENT_MISMATCH: {
    message: 'The file is not a {contentType}: its content does not match the declared type.',
    remediation: 'Declare the file’s real type, or upload the right file.',
  },
  EVIDENCE_NAME_INVALID: {
    message: 'The file name is not accepted: {problem:term}.',
    remediation: 'Use a plain file name without path separators, "..", ":" or control characters.',
  },
  EVIDENCE_NOT_FOUND: {
    message: 'No evidence {ref} of this kind on this account.',
    remediation: 'Upload the file first, then reference the id the upload returned.',
  },
  REVIEW_CLAIMED: {
    message: 'This case is claimed by {claimedBy} since {since:date}.',
    remediation: 'Pick another case, or ask that reviewer to hand it over.',
  },
  REVIEW_NOT_CLAIMED: {
    message: 'Only the reviewer who claimed this case can decide it; it is claimed by {claimedBy:term}.',
    remediation: 'Claim the case first.',
  },
  REVIEW_NOT_OPEN: { message: 'Operation {operationId} is {state} and not waiting for a review.' },
  REVIEW_SECOND_REVIEWER_REQUIRED: {
    message: 'The second review step of a non-mainland change needs another reviewer than the first.',
    remediation: 'Leave step 2 to another reviewer.',
  },
  RECEIVE_LIMIT_EXCEEDED: {
    message:
      'Receiving {amount:money} would pass today’s receive limit of {limit:money}: {remaining:money} can still be received until {resetsAt:date}.',
    remediation:
      'Receive the rest after {resetsAt:date}. A limit lowered by a real-name revocation is lifted by binding a bank card again and completing {transactions} verified transactions.',
  },
  WITHDRAWAL_PAUSED: {
    message: 'Change withdrawals are paused until {until:date} after the real-name revocation.',
    remediation: 'Withdraw after {until:date}.',
  },
  TRANSFERS_DISABLED: {
    message:
      'Red packets and transfers are disabled on a minor’s account without a real name; this {kind:term} is refused.',
    remediation: 'Verify the real name again, with the guardian, in Me › Real-name.',
  },
  PAYMENT_CLOSED: {
    message:
      'Payments were force-closed in {region:term} when the real name was revoked; this {kind:term} is refused.',
    remediation: 'Verify the real name again in Me › Real-name to reopen payments.',
  },
  APP_NOT_FOUND: {
    message: 'No such app: {appId}.',
    remediation: 'Register the app with POST /v1/apps first.',
  },
  APP_RECEIVER_INVALID: {
    message: 'The receiver URL is not usable: {detail}',
    remediation: 'Give an absolute http:// or https:// URL that accepts POSTed security events.',
  },
  OUTBOX_EVENT_NOT_FOUND: { message: 'No such outbox event: {id}.' },
  REVOCATION_PARTICIPANT_FAILED: {
    message:
      'The {participant} store could not prepare the revocation ({detail}); nothing was revoked and the real name is verified again.',
    remediation: 'Try the revocation again later.',
  },
  REVOCATION_PARTICIPANT_TIMEOUT: {
    message:
      'The {participant} store did not answer within {timeoutMs} ms; nothing was revoked and the real name is verified again.',
    remediation: 'Try the revocation again later.',
  },
  REVOCATION_INTERRUPTED_BY_FUNDS: {
    message:
      'A {transactionKind:term} of {amount:money} was recorded while the revocation ran, so the revocation was rolled back; the transaction itself is kept.',
    remediation: 'Let the transaction settle, then start the revocation again.',
  },
  RISK_REVIEW_HELD: {
    message: 'For your account’s security this operation is waiting for a manual security review.',
    remediation: 'No action is needed: it continues, or you are told why not, once the review is done.',
  },
  NOTICE_ACCOUNT_DISABLED: {
    message: 'The account entered its deletion cooling-off period and is disabled until {until:date}.',
  },
  NOTICE_ACCOUNT_ENABLED: { message: 'The account’s deletion was cancelled; it is enabled again.' },
  NOTICE_ACCOUNT_PURGED: { message: 'The account was deleted and its personal data erased.' },
  NOTICE_REALNAME_REVOKED: {
    message: 'The account’s real-name verification was revoked; its grants to apps have ended.',
  },
  NOTICE_SUBJECT_CHANGED: {
    message: 'The account’s real-name subject changed; identity claims issued before no longer hold.',
  },
  NOTICE_PHONE_CHANGED: { message: 'The account’s bound phone number changed.' },
  RATE_LIMITED: { message: 'Too many requests; retry after {retryAfter} seconds.' },
  POLICY_INVALID: { message: 'The policy is invalid at {path}: {reason}' },
  DEV_CLOCK_DISABLED: { message: 'The development clock is not enabled.' },
  NOT_READY: { message: 'The service is not ready: {detail}' },
  INTERNAL: { message: 'Something went wrong on our side; the request id identifies it.' },
} as const satisfies Messages;

export const enTerms = {
  // Why the bank refused a reserved-information check (R-CHG-1)
  card_unknown: 'the bank does not know this card number',
  holder_mismatch: 'the card holder’s name does not match',
  document_mismatch: 'the document does not match the card holder’s',
  phone_mismatch: 'the phone is not the one the bank holds for this card',
  debit: 'debit',
  credit: 'credit',
  overseas: 'overseas',
  attendance: 'attendance',
  customer_contact: 'customer-contact',
  enterprise_payment: 'enterprise-payment',
  official_account: 'official account',
  mini_program: 'mini-program',
  payment: 'payment',
  transfer: 'transfer',
  withdrawal: 'withdrawal',
  refund: 'refund',
  receive: 'receipt of money',
  red_packet: 'red packet',
  length: 'wrong length',
  characters: 'characters that are not allowed',
  date: 'the birth date is not a real date',
  check_digit: 'the check digit does not match',
  format: 'wrong format',
  unverified: 'not verified',
  verified: 'verified',
  pending_completion: 'to be completed',
  pending_recycle: 'being revoked',
  revoked: 'revoked',
  'account.delete': 'account deletion',
  'card.unbind': 'card unbinding',
  'realname.change': 'real-name change',
  'realname.revoke': 'real-name revocation',
  'enterprise.detach': 'enterprise detachment',
  'appeal.submit': 'appeal',
  'payment.restore': 'payment restoration',
  'data.export': 'data export',
  'identity.bind': 'identity binding',
  CN: 'mainland China',
  HK: 'Hong Kong',
  MO: 'Macao',
  TW: 'Taiwan',
  SEA: 'Southeast Asia',
  EU: 'the EU',
  US: 'the US',
  OTHER: 'other regions',
  document_front: 'document front image',
  document_back: 'document back image',
  liveness_video: 'liveness video',
  phone_code: 'code sent to the bound phone',
  bank_reserved_info: 'bank reserved information',
  sms_code: 'SMS code',
  reserved_phone_code: 'code sent to the card’s reserved phone',
  guardian_face: 'guardian face verification',
  guardianship_proof: 'guardianship proof',
  notarised_guardianship: 'notarised guardianship document',
  guardian_handheld_id_video: 'guardian handheld-ID video',
  household_register_proof: 'household-register relationship proof',
  school_enrolment_certificate: 'school enrolment certificate',
  resignation_certificate: 'resignation certificate',
  customer_data_migrated: 'confirmation that customer data was migrated',
  finance_reconciliation: 'finance reconciliation report',
  aux_verification: 'auxiliary verification',
  handheld_id_photo: 'handheld-ID photo',
  statement: 'statement',
  route_delete: 'Delete the account',
  route_unbind_cards: 'Unbind all cards',
  route_change_subject: 'Change the real-name subject',
  keep_nothing: 'nothing: all data is erased after the cooling-off',
  keep_account_and_content: 'the account, chats, contacts and moments',
  keep_identity: 'the real-name identity (to be completed without a card)',
  keep_account_id: 'the account id, chats and contacts',
  keep_old_subject_encrypted: 'the old subject, encrypted, in history',
  lose_everything: 'every function of the account',
  lose_card_services: 'services that need a bound card (loans, pay score, card payments)',
  lose_old_subject_bills: 'bills and invoices under the old subject need updating',
  recover_cancel_cooling_off: 'cancel any time during the cooling-off; nothing after it',
  recover_rebind_card: 'bind a card again at any time',
  recover_change_again: 'change again after the minimum interval',
  fund_flow_declaration: 'fund-flow declaration',
  name_empty: 'it is empty',
  name_too_long: 'it is longer than 255 bytes',
  name_forbidden_character: 'it contains a path separator, ":", NUL or another control character',
  name_traversal: 'it contains ".." (path traversal)',
  nobody: 'nobody',
  verification_not_found: 'no such verification on this account',
  verification_other_purpose: 'the code was requested for another purpose',
  verification_same_destination:
    'another of the auxiliary verifications went to the same phone or card; each must come from a different one',
  verification_other_channel: 'the code was sent to another phone',
  verification_not_verified: 'the code has not been verified',
  verification_used: 'the code was already used',
  verification_expired: 'the code has expired',
} as const satisfies Terms;

export type TermKey = keyof typeof enTerms;

export const en: Catalogue = { messages: enMessages, terms: enTerms };
