/** Restoring payment after a revocation: R-REV-7. */
import { revocationInEffect } from '../capabilities.js';
import { blocker, consequence } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import { notDeletedRule } from './common.js';
import type { OperationSpec, Rule } from './types.js';

type Req = Extract<OperationRequest, { kind: 'payment.restore' }>;

const restoreRule: Rule<Req> = {
  id: 'R-REV-7',
  describe: 'A card bound again and 3 verified transactions',
  check({ facts, rules }, out) {
    const h = facts.history;
    // Never revoked, a real name verified since, or already restored (by hand, or by itself when the
    // condition was met: app/accounts.ts): the payment functions are not restricted.
    const revokedAt = revocationInEffect(facts);
    if (revokedAt === null || (h.paymentRestoredAt != null && h.paymentRestoredAt >= revokedAt)) {
      out.push(blocker('NOTHING_TO_RESTORE'));
      return;
    }
    if (h.cardsBoundSinceRevocation < 1 || facts.cards.length === 0)
      out.push(blocker('RESTORE_CARD_REQUIRED'));
    const required = rules.effects.restoreVerifiedTransactions;
    if (h.verifiedTransactionsSinceRevocation < required) {
      out.push(
        blocker('RESTORE_TRANSACTIONS_REQUIRED', { done: h.verifiedTransactionsSinceRevocation, required }),
      );
    }
  },
};

export const paymentRestore: OperationSpec<Req> = {
  kind: 'payment.restore',
  reads: ['cards'],
  rules: [notDeletedRule, restoreRule],
  warnings: () => [],
  consequences: () => [consequence('CONSEQ_PAYMENT_RESTORED', 'function', true)],
  evidence: () => [],
  stepUp: () => null,
};
