/**
 * The development verifier: an `SmsSender` (core/ports.ts) that sends nothing. It logs each code —
 * the log line says it is the development verifier — and keeps the last codes per account in memory,
 * so that tests and the browser demo can read them (`GET /v1/dev/sms/{accountId}` when the dev clock
 * is on). A real gateway is another adapter implementing the same port.
 */
import type { Clock } from '../../core/clock.js';
import type { SmsSender } from '../../core/ports.js';

export interface DevSmsLog {
  info(message: string): void;
}

/** One code as the development verifier kept it. */
export interface SentSms {
  accountId: string;
  challengeId: string;
  purpose: string;
  /** The masked destination. */
  to: string;
  code: string;
  text: { en: string; 'zh-CN': string };
  sentAt: number;
}

export interface DevSmsSender extends SmsSender {
  /** The last code sent to the account (for `purpose`, e.g. 'card.unbind:card_1', when given), or null. */
  lastCode(accountId: string, purpose?: string): string | null;
  /** The codes kept for the account, newest first. */
  sent(accountId: string): SentSms[];
}

export interface DevSmsOptions {
  /** Stamps `sentAt` (main.ts passes its clock, so the dev clock moves it too). */
  clock?: Clock;
  /** Codes kept per account (default 20). */
  perAccount?: number;
  /** Accounts kept, the least recently sent-to dropped first (default 1,000): memory stays bounded. */
  accounts?: number;
}

/**
 * @example
 * const sms = createDevSmsSender(log, { clock });
 * const verifications = createVerificationService({ ...deps, sms });
 * sms.lastCode('acc_1', 'account.delete'); // '038211'
 */
export function createDevSmsSender(log: DevSmsLog, options: DevSmsOptions = {}): DevSmsSender {
  const perAccount = options.perAccount ?? 20;
  const maxAccounts = options.accounts ?? 1_000;
  const now = (): number => (options.clock ?? { now: () => Date.now() }).now();
  // Insertion order is recency: an account is re-inserted on every send, the oldest is evicted.
  const byAccount = new Map<string, SentSms[]>();

  return {
    send(message) {
      const entry: SentSms = {
        accountId: message.accountId,
        challengeId: message.challengeId,
        purpose: message.purpose,
        to: message.to,
        code: message.code,
        text: message.text,
        sentAt: now(),
      };
      const list = byAccount.get(message.accountId) ?? [];
      byAccount.delete(message.accountId);
      byAccount.set(message.accountId, [entry, ...list].slice(0, perAccount));
      while (byAccount.size > maxAccounts) {
        const oldest = byAccount.keys().next().value;
        if (oldest === undefined) break;
        byAccount.delete(oldest);
      }
      log.info(
        `[dev SMS verifier: not sent, no SMS gateway] to ${message.to} (account ${message.accountId}, ` +
          `${message.purpose}, challenge ${message.challengeId}): code ${message.code}`,
      );
      return Promise.resolve();
    },

    lastCode(accountId, purpose) {
      const list = byAccount.get(accountId) ?? [];
      return list.find((m) => purpose === undefined || m.purpose === purpose)?.code ?? null;
    },

    sent(accountId) {
      return [...(byAccount.get(accountId) ?? [])];
    },
  };
}
