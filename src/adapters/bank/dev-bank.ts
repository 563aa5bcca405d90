/**
 * The development bank: a `BankVerifier` (core/ports.ts) standing in for the bank-card network's
 * check of a card's reserved information (R-CHG-1) — card number, holder name, document and the
 * phone the bank holds for the card. A real adapter calls the acquirer's verification API behind
 * the same interface.
 *
 * Cards registered with `register()` must match on every field. Any other card is accepted when its
 * number passes the Luhn check — the development bank knows no real cards, and the demo must work
 * without seeding one — and refused as `card_unknown` otherwise. Nothing is kept of the numbers it
 * is asked about.
 */
import type { DocumentType } from '../../core/document-number.js';
import type { BankCheckInput, BankCheckResult, BankVerifier } from '../../core/ports.js';

export interface DevBankCard {
  cardNumber: string;
  holderName: string;
  documentType: DocumentType;
  documentNumber: string;
  reservedPhone: string;
}

export interface DevBank extends BankVerifier {
  /** A card the development bank knows: a check of it must match on every field. */
  register(card: DevBankCard): void;
}

/** Digits only. */
const digits = (s: string): string => s.replace(/\D/g, '');

/** The Luhn check of a card number (ISO/IEC 7812). @example luhnValid('6222020200112233445') */
export function luhnValid(cardNumber: string): boolean {
  const d = digits(cardNumber);
  if (d.length < 12 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** @example const bank = createDevBank(); bank.register({ cardNumber, holderName: '李四', … }); */
export function createDevBank(): DevBank {
  const cards = new Map<string, DevBankCard>();
  return {
    register(card) {
      cards.set(digits(card.cardNumber), card);
    },
    checkReservedInfo(input: BankCheckInput): Promise<BankCheckResult> {
      const known = cards.get(digits(input.cardNumber));
      if (!known) {
        return Promise.resolve(
          luhnValid(input.cardNumber) ? { match: true } : { match: false, reason: 'card_unknown' },
        );
      }
      if (known.holderName.trim() !== input.holderName.trim())
        return Promise.resolve({ match: false, reason: 'holder_mismatch' });
      if (
        known.documentType !== input.documentType ||
        known.documentNumber.toUpperCase() !== input.documentNumber.trim().toUpperCase()
      )
        return Promise.resolve({ match: false, reason: 'document_mismatch' });
      if (digits(known.reservedPhone).slice(-11) !== digits(input.reservedPhone).slice(-11))
        return Promise.resolve({ match: false, reason: 'phone_mismatch' });
      return Promise.resolve({ match: true });
    },
  };
}
