/**
 * One-time codes for step-up: an SMS code to a card's reserved phone before it is unbound (R-CARD-1),
 * one or two SMS codes before a revocation (R-REV-2), a code to the bound phone for a deletion or a
 * subject change (R-DEL, R-CHG-1). A code is requested, verified once, and then consumed by the
 * operation start it was requested for, inside that start's account transaction.
 *
 * The code never reaches the store, the audit trail or a log other than the SMS sender's: the store
 * keeps an HMAC of (challenge id, code) under a key derived from the deployment's id secret, so a
 * leaked table does not let anyone try the million codes offline. Codes are not sent through the
 * outbox for the same reason (its payload is stored); a failed send removes the challenge instead.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../core/errors/index.js';
import { newId } from '../core/ids.js';
import type { EvidenceKind } from '../core/preflight.js';
import { validateDocument, type DocumentType } from '../core/document-number.js';
import { documentKey } from '../core/ids.js';
import { maskPhone } from '../core/mask.js';
import type {
  AccountTx,
  BankVerifier,
  SmsSender,
  VerificationChannel,
  VerificationRecord,
} from '../core/ports.js';
import { enTerms } from '../i18n/en.js';
import { zhCNTerms } from '../i18n/zh-CN.js';
import type { Actor, AppDeps } from './deps.js';

/** What a code can be requested for: the operations whose start asks for one. */
export const VERIFICATION_PURPOSES = [
  'card.unbind',
  'account.delete',
  'realname.revoke',
  'realname.change',
  'enterprise.detach',
  // R-ABN-2: the auxiliary verifications of an appeal (bound phone, a card's reserved phone, a bank
  // check of a card in the holder's own name, a minor's guardian).
  'appeal.submit',
] as const;
export type VerificationPurpose = (typeof VERIFICATION_PURPOSES)[number];

export function isVerificationPurpose(kind: string): kind is VerificationPurpose {
  return (VERIFICATION_PURPOSES as readonly string[]).includes(kind);
}

export interface VerificationRequest {
  purpose: VerificationPurpose;
  /** Required for `card.unbind`: the code goes to that card's reserved phone (R-CARD-1). */
  cardId?: string;
  /** A minor's guardian confirms instead (R-MIN-1): the code goes to the guardian's phone. */
  guardian?: boolean;
  /**
   * `realname.change` only (R-CHG-1): the bank reserved-information check of a card in the NEW
   * subject's name. The bank checks it; on a match its code goes to the card's reserved phone, and
   * the verified challenge is cited as `bank_reserved_info` by a start whose new document is this one.
   */
  bankCheck?: {
    cardNumber: string;
    holderName: string;
    documentType: DocumentType;
    documentNumber: string;
    reservedPhone: string;
  };
}

/** A code was sent: what the client shows ("code sent to 138****5678") and sends back. */
export interface Challenge {
  challengeId: string;
  /** The stored purpose, e.g. 'card.unbind:card_1'. */
  purpose: string;
  channel: VerificationChannel;
  destinationMasked: string;
  expiresAt: number;
}

/** The evidence kinds a verified code satisfies, and where their code must have been sent. */
export const CODE_EVIDENCE_CHANNEL: Readonly<Partial<Record<EvidenceKind, VerificationChannel>>> = {
  reserved_phone_code: 'reserved_phone',
  sms_code: 'bound_phone',
  phone_code: 'bound_phone',
  // R-MIN-1: the guardian's face verification, confirmed by the guardian on the guardian's own
  // phone; the development verifier stands in for the face check with a code.
  guardian_face: 'guardian',
  // R-CHG-1: the bank checked the new subject's card; its code went to the card's reserved phone.
  bank_reserved_info: 'reserved_phone',
  // R-ABN-2: a code to any of an appeal's destinations (consume() accepts each, see isAuxPurpose).
  aux_verification: 'bound_phone',
};

/**
 * The purpose of a bank reserved-information challenge: bound to the new subject's document (its
 * keyed hash), so a check made for one document cannot serve a change to another.
 *
 * @example bankCheckPurpose('9f2c…') // 'realname.change#bank:9f2c…'
 */
export function bankCheckPurpose(subjectDocumentKey: string): string {
  return `realname.change#bank:${subjectDocumentKey}`;
}

/** Guardian challenges have a purpose of their own, so that the minor's and the guardian's codes never mix. */
export function channelPurpose(purpose: string, channel: VerificationChannel): string {
  return channel === 'guardian' ? `${purpose}#guardian` : purpose;
}

/**
 * Whether an evidence kind is a one-time code (and so must be consumed through {@link
 * VerificationService.consume}).
 *
 * @example isCodeEvidence('reserved_phone_code') // true; isCodeEvidence('statement') // false
 */
export function isCodeEvidence(kind: EvidenceKind): boolean {
  return CODE_EVIDENCE_CHANNEL[kind] !== undefined;
}

/**
 * The stored purpose of a challenge: the operation kind, and for a card unbind the card, so that a
 * code sent to one card's reserved phone cannot unbind another card.
 *
 * @example verificationPurpose('card.unbind', 'card_1') // 'card.unbind:card_1'
 * @example verificationPurpose('account.delete') // 'account.delete'
 */
export function verificationPurpose(kind: VerificationPurpose, cardId?: string): string {
  if (kind === 'card.unbind') {
    if (!cardId) throw new DomainError('VALIDATION_FAILED', { detail: 'cardId is required for card.unbind' });
    return `${kind}:${cardId}`;
  }
  if (kind === 'appeal.submit' && cardId) return `${kind}:${cardId}`;
  return kind;
}

/**
 * R-ABN-2: whether a stored purpose is one of an appeal's auxiliary verifications. Each distinct
 * purpose is one destination (the bound phone, one card's reserved phone, one bank-checked card, the
 * guardian), so three codes to the same phone count once.
 */
export function isAuxPurpose(purpose: string): boolean {
  return purpose === 'appeal.submit' || /^appeal\.submit[:#]/.test(purpose);
}

/** The operation kind of a stored purpose ('card.unbind:card_1' → 'card.unbind'), for messages. */
function purposeKind(purpose: string): string {
  return purpose.split(/[:#]/)[0] ?? purpose;
}

const CODE_KEY_LABEL = 'realname/verification-code/v1';
const CODE_SPACE = 1_000_000;
// The largest multiple of 10^6 below 2^32: values at or above it are drawn again (no modulo bias).
const UNBIASED_LIMIT = Math.floor(2 ** 32 / CODE_SPACE) * CODE_SPACE;

/**
 * A 6-digit code, uniform over 000000–999999, from the injected randomness.
 *
 * @example sixDigitCode(randomBytes) // '038211'
 */
export function sixDigitCode(random: (n: number) => Uint8Array): string {
  for (;;) {
    const b = random(4);
    if (b.length < 4) throw new RangeError(`random(4) returned only ${b.length} bytes`);
    const n = new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
    if (n < UNBIASED_LIMIT) return String(n % CODE_SPACE).padStart(6, '0');
  }
}

/** Why a verify attempt failed; each is counted and recorded. */
type Failure = 'used' | 'expired' | 'locked' | 'wrong';

export function createVerificationService(deps: AppDeps & { sms: SmsSender; bank: BankVerifier }) {
  const { store, clock, policy, sms, bank } = deps;
  // A key of its own, derived from the id secret, so a code hash never equals any other keyed hash.
  const codeKey = createHmac('sha256', deps.idSecret).update(CODE_KEY_LABEL).digest();

  const hashCode = (challengeId: string, code: string): string =>
    createHmac('sha256', codeKey).update(`${challengeId}\u0000${code}`).digest('hex');

  const matches = (row: VerificationRecord, code: string): boolean => {
    const expected = Buffer.from(row.codeHash, 'hex');
    const actual = Buffer.from(hashCode(row.id, code), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };

  async function rulesOf(accountId: string) {
    // Inside withAccount this reads through the open transaction (kysely-store.ts).
    const account = await store.account(accountId);
    if (!account) throw new DomainError('ACCOUNT_NOT_FOUND');
    return policy.rulesFor(account.region).verification;
  }

  function smsText(purpose: string, code: string, ttlSeconds: number): { en: string; 'zh-CN': string } {
    const kind = purposeKind(purpose) as keyof typeof enTerms;
    const minutes = Math.max(1, Math.round(ttlSeconds / 60));
    return {
      en: `Realname: ${code} is your code for ${enTerms[kind] ?? kind}. It expires in ${minutes} minutes. Never share it with anyone.`,
      'zh-CN': `【Realname】验证码 ${code}，用于${zhCNTerms[kind] ?? kind}，${minutes} 分钟内有效。请勿告诉他人。`,
    };
  }

  /**
   * R-CHG-1: ask the bank whether the card's reserved information matches the new subject. A
   * mismatch is a failed verification (counted, in the history: a risk signal) and refused with
   * BANK_RESERVED_INFO_MISMATCH naming what did not match; the numbers reach neither the store nor
   * the audit trail.
   */
  async function checkBank(
    accountId: string,
    check: NonNullable<VerificationRequest['bankCheck']>,
    actor: Actor,
  ): Promise<{ key: string; phoneMasked: string }> {
    const doc = validateDocument(check.documentType, check.documentNumber);
    if (!doc.ok)
      throw new DomainError('DOCUMENT_NUMBER_INVALID', { problem: doc.problem, detail: doc.detail });
    if (!(await store.account(accountId))) throw new DomainError('ACCOUNT_NOT_FOUND');
    const result = await bank.checkReservedInfo({ ...check, documentNumber: doc.normalized });
    if (!result.match) {
      await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        await tx.addHistory({ kind: 'failed_verification', at: now, purpose: 'realname.change#bank' });
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'verification.bank_check_failed',
          data: { reason: result.reason, documentType: check.documentType },
        });
      });
      throw new DomainError('BANK_RESERVED_INFO_MISMATCH', { reason: result.reason });
    }
    return {
      key: documentKey(deps.idSecret, check.documentType, doc.normalized),
      phoneMasked: maskPhone(check.reservedPhone),
    };
  }

  return {
    /**
     * Send a code: to the card's reserved phone for `card.unbind` (VERIFICATION_CARD_NOT_FOUND when
     * the card is not bound), to the bound phone otherwise. Asking again for the same purpose while
     * the last code is unverified and younger than the cooldown is VERIFICATION_RESEND_TOO_SOON.
     *
     * @example
     * const c = await verifications.request('acc_1', { purpose: 'card.unbind', cardId: 'card_1' }, actor);
     * // { challengeId: 'vrf_…', channel: 'reserved_phone', destinationMasked: '138****5678', expiresAt }
     */
    async request(accountId: string, input: VerificationRequest, actor: Actor): Promise<Challenge> {
      if (input.cardId !== undefined && input.purpose !== 'card.unbind' && input.purpose !== 'appeal.submit')
        throw new DomainError('VALIDATION_FAILED', {
          detail: 'cardId is only for card.unbind and appeal.submit',
        });
      const bankFor = input.purpose === 'realname.change' || input.purpose === 'appeal.submit';
      if (input.bankCheck !== undefined && (!bankFor || input.guardian || input.cardId !== undefined))
        throw new DomainError('VALIDATION_FAILED', {
          detail: 'bankCheck is only for realname.change and appeal.submit, without cardId or guardian',
        });
      // R-CHG-1: the bank checks the card before any code is sent; the numbers are never stored.
      const bankDocument = input.bankCheck ? await checkBank(accountId, input.bankCheck, actor) : null;
      if (bankDocument && input.purpose === 'appeal.submit') {
        // R-ABN-2: for an appeal, the card must be in the account holder's own name.
        const facts = await store.facts(accountId, []);
        if (facts?.identity?.documentKey !== bankDocument.key)
          throw new DomainError('BANK_RESERVED_INFO_MISMATCH', { reason: 'document_mismatch' });
      }
      const purpose = bankDocument
        ? input.purpose === 'appeal.submit'
          ? `appeal.submit#bank:${(input.bankCheck?.cardNumber ?? '').replace(/\D/g, '').slice(-4)}`
          : bankCheckPurpose(bankDocument.key)
        : channelPurpose(
            verificationPurpose(input.purpose, input.cardId),
            input.guardian ? 'guardian' : 'bound_phone',
          );
      const sent = await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const facts = await tx.facts();
        // A purged account has no phone left to send to (R-DEL-4).
        if (facts.account.status === 'deleted' || facts.account.phoneMasked === '')
          throw new DomainError('ACCOUNT_NOT_FOUND');
        const rules = policy.rulesFor(facts.account.region).verification;
        let channel: VerificationChannel = 'bound_phone';
        let destinationMasked = facts.account.phoneMasked;
        if (input.guardian) {
          const guardian =
            facts.account.minor && facts.account.guardianAccountId
              ? await store.account(facts.account.guardianAccountId)
              : null;
          if (!guardian || guardian.status === 'deleted') {
            throw new DomainError('VALIDATION_FAILED', {
              detail:
                'guardian verification needs a minor account with its guardian on record (guardianAccountId)',
            });
          }
          channel = 'guardian';
          destinationMasked = guardian.phoneMasked;
        } else if (bankDocument) {
          channel = 'reserved_phone';
          destinationMasked = bankDocument.phoneMasked;
        } else if (input.purpose === 'card.unbind') {
          const card = facts.cards.find((c) => c.id === input.cardId);
          if (!card) throw new DomainError('VERIFICATION_CARD_NOT_FOUND', { cardId: input.cardId ?? '' });
          channel = 'reserved_phone';
          destinationMasked = card.reservedPhoneMasked;
        }
        const last = await tx.latestVerification(purpose);
        const cooldownMs = rules.resendCooldownSeconds * 1000;
        // A verified code does not hold the next one back: R-REV-2 may need a second code at once.
        if (last && last.verifiedAt === null && now - last.createdAt < cooldownMs) {
          throw new DomainError('VERIFICATION_RESEND_TOO_SOON', {
            purpose: purposeKind(purpose),
            cooldownSeconds: rules.resendCooldownSeconds,
            retryAfter: Math.max(1, Math.ceil((last.createdAt + cooldownMs - now) / 1000)),
          });
        }
        const challengeId = newId('vrf', deps.random);
        const code = sixDigitCode(deps.random);
        const expiresAt = now + rules.codeTtlSeconds * 1000;
        await tx.createVerification({
          id: challengeId,
          purpose,
          channel,
          codeHash: hashCode(challengeId, code),
          createdAt: now,
          expiresAt,
        });
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'verification.requested',
          data: { challengeId, purpose, channel, destinationMasked, expiresAt },
        });
        const challenge: Challenge = { challengeId, purpose, channel, destinationMasked, expiresAt };
        return { challenge, code, ttlSeconds: rules.codeTtlSeconds };
      });

      // Sent after the commit: the account lock (on SQLite, the one writer) is not held while a
      // gateway answers. A failed send removes the challenge, so no cooldown holds the retry back.
      const { challenge, code } = sent;
      try {
        await sms.send({
          to: challenge.destinationMasked,
          accountId,
          purpose,
          challengeId: challenge.challengeId,
          text: smsText(purpose, code, sent.ttlSeconds),
          code,
        });
      } catch (error) {
        await store.withAccount(accountId, async (tx) => {
          await tx.deleteVerification(challenge.challengeId);
          await tx.audit({
            at: clock.now(),
            actor: actor.id,
            action: 'verification.send_failed',
            data: { challengeId: challenge.challengeId, purpose },
          });
        });
        const failure = new DomainError('VERIFICATION_SEND_FAILED');
        failure.cause = error;
        throw failure;
      }
      return challenge;
    },

    /**
     * Check a code: `{ verified: true }` once; then the operation start consumes it. Every failure
     * (wrong, expired, reused, locked) is counted on the challenge, recorded in the history with
     * its purpose and audited — the code itself never is — and the failure commits before the
     * refusal is thrown: VERIFICATION_CODE_WRONG (params.attemptsLeft), VERIFICATION_CODE_EXPIRED,
     * VERIFICATION_CODE_USED, VERIFICATION_LOCKED (after maxAttempts wrong codes, even with the
     * right one), VERIFICATION_NOT_FOUND (also for another account's challenge).
     *
     * @example await verifications.verify('acc_1', 'vrf_…', '038211', actor) // { verified: true }
     */
    async verify(
      accountId: string,
      challengeId: string,
      code: string,
      actor: Actor,
    ): Promise<{ verified: true }> {
      const failed = await store.withAccount(accountId, async (tx) => {
        const now = clock.now();
        const row = await tx.verification(challengeId);
        if (!row) throw new DomainError('VERIFICATION_NOT_FOUND', { challengeId });
        const { maxAttempts } = await rulesOf(accountId);
        let failure: Failure | null = null;
        if (row.verifiedAt !== null || row.consumedAt !== null) failure = 'used';
        else if (now >= row.expiresAt) failure = 'expired';
        else if (row.attempts >= maxAttempts) failure = 'locked';
        else if (!matches(row, code)) failure = 'wrong';
        const attempts = await tx.recordVerificationAttempt(row.id);
        if (failure === null) {
          await tx.markVerificationVerified(row.id, now);
          await tx.audit({
            at: now,
            actor: actor.id,
            action: 'verification.verified',
            data: { challengeId, purpose: row.purpose, attempts },
          });
          return null;
        }
        await tx.addHistory({ kind: 'failed_verification', at: now, purpose: row.purpose });
        await tx.audit({
          at: now,
          actor: actor.id,
          action: 'verification.failed',
          data: { challengeId, purpose: row.purpose, reason: failure, attempts },
        });
        return { failure, attempts, maxAttempts };
      });
      if (failed === null) return { verified: true };
      switch (failed.failure) {
        case 'used':
          throw new DomainError('VERIFICATION_CODE_USED');
        case 'expired':
          throw new DomainError('VERIFICATION_CODE_EXPIRED');
        case 'locked':
          throw new DomainError('VERIFICATION_LOCKED', { maxAttempts: failed.maxAttempts });
        case 'wrong':
          throw new DomainError('VERIFICATION_CODE_WRONG', {
            attemptsLeft: Math.max(0, failed.maxAttempts - failed.attempts),
          });
      }
    },

    /**
     * For the operation start, inside its account transaction: `ref` must be a challenge of this
     * account, for exactly `purpose` (see {@link verificationPurpose}), sent on the channel
     * `evidenceKind` asks for, verified, not consumed and not expired. It is then marked consumed in
     * `tx` — a start that throws afterwards rolls the consumption back. Otherwise throws
     * VERIFICATION_REQUIRED (422) naming the evidence, the purpose and the reason.
     *
     * @example
     * await store.withAccount('acc_1', async (tx) => {
     *   await verifications.consume(tx, 'acc_1', 'reserved_phone_code', 'vrf_…', 'card.unbind:card_1');
     *   // … create the operation; throwing here un-consumes the code
     * });
     */
    async consume(
      tx: AccountTx,
      accountId: string,
      evidenceKind: EvidenceKind,
      ref: string,
      purpose: string,
      actor: Actor = { id: 'system' },
    ): Promise<string> {
      if (tx.accountId !== accountId)
        throw new Error(`consume(): the transaction holds ${tx.accountId}, not ${accountId}`);
      const channel = CODE_EVIDENCE_CHANNEL[evidenceKind];
      if (channel === undefined)
        throw new Error(`consume(): evidence "${evidenceKind}" is not a one-time code (see isCodeEvidence)`);
      const now = clock.now();
      const refuse = (reason: string): never => {
        throw new DomainError('VERIFICATION_REQUIRED', {
          evidence: evidenceKind,
          purpose: purposeKind(purpose),
          reason,
          challengeId: ref,
        });
      };
      const row = await tx.verification(ref);
      if (!row) return refuse('verification_not_found');
      // R-ABN-2: an auxiliary verification may come from any of the appeal's destinations.
      const aux = evidenceKind === 'aux_verification';
      if (aux ? !isAuxPurpose(row.purpose) : row.purpose !== channelPurpose(purpose, channel))
        return refuse('verification_other_purpose');
      if (!aux && row.channel !== channel) return refuse('verification_other_channel');
      if (row.consumedAt !== null) return refuse('verification_used');
      if (row.verifiedAt === null) return refuse('verification_not_verified');
      if (now >= row.expiresAt) return refuse('verification_expired');
      if (!(await tx.consumeVerification(ref, now))) return refuse('verification_used');
      await tx.audit({
        at: now,
        actor: actor.id,
        action: 'verification.consumed',
        data: { challengeId: ref, purpose, evidence: evidenceKind },
      });
      return row.purpose;
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
