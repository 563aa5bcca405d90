/** Unbinding a bank card (解绑银行卡): R-CARD-*, R-WIN-1, R-MIN-1. */
import { nextShanghaiMidnight, sameShanghaiDay } from '../calendar.js';
import { blocker, consequence } from '../errors/index.js';
import type { Card, OperationRequest } from '../model.js';
import {
  accountStateRule,
  evidence,
  maintenanceRule,
  minorNightRule,
  openOperationRule,
  rollingRetryAt,
} from './common.js';
import type { OperationSpec, Rule, RuleInput } from './types.js';

type Req = Extract<OperationRequest, { kind: 'card.unbind' }>;

function card(input: RuleInput<Req>): Card | undefined {
  return input.facts.cards.find((c) => c.id === input.request.cardId);
}

const cardExistsRule: Rule<Req> = {
  id: 'R-CARD-1',
  describe: 'The card must be bound to this account',
  check(input, out) {
    if (!card(input)) out.push(blocker('CARD_NOT_FOUND', { cardId: input.request.cardId }));
  },
};

/** R-CARD-2: at most 3 credit-card unbinds per calendar day (Asia/Shanghai); unbilled repaid first. */
const creditCardRule: Rule<Req> = {
  id: 'R-CARD-2',
  describe: 'Credit card: daily limit and unbilled amount',
  check(input, out) {
    const c = card(input);
    if (!c || c.type !== 'credit') return;
    const { now, rules, facts } = input;
    const limit = rules.cards.creditUnbindsPerDay;
    let used = 0;
    for (const u of facts.history.cardUnbinds)
      if (u.cardType === 'credit' && sameShanghaiDay(u.at, now)) used++;
    if (used >= limit) {
      out.push(blocker('CREDIT_CARD_DAILY_LIMIT', { limit, used, retryAt: nextShanghaiMidnight(now) }));
    }
    if ((c.unbilled ?? 0) > 0) {
      out.push(
        blocker('CREDIT_CARD_UNBILLED', {
          cardId: c.id,
          bank: c.bank,
          last4: c.last4,
          unbilled: c.unbilled ?? 0,
        }),
      );
    }
  },
};

/** R-CARD-3: at most 1 overseas-card unbind per rolling 7 days; cross-border agreement closed first. */
const overseasCardRule: Rule<Req> = {
  id: 'R-CARD-3',
  describe: 'Overseas card: weekly limit and cross-border agreement',
  check(input, out) {
    const c = card(input);
    if (!c || c.type !== 'overseas') return;
    const { now, rules, facts } = input;
    const limit = rules.cards.overseasUnbindsPerWindow;
    const days = rules.cards.overseasWindowDays;
    const times: number[] = [];
    for (const u of facts.history.cardUnbinds) if (u.cardType === 'overseas') times.push(u.at);
    const retryAt = limit === 0 ? null : rollingRetryAt(times, now, days, limit);
    if (limit === 0 || retryAt !== null) {
      out.push(blocker('OVERSEAS_CARD_WEEKLY_LIMIT', { limit, days, retryAt }));
    }
    if (c.crossBorderAgreement) {
      out.push(blocker('CROSS_BORDER_AGREEMENT_ON', { cardId: c.id, bank: c.bank, last4: c.last4 }));
    }
  },
};

export const cardUnbind: OperationSpec<Req> = {
  kind: 'card.unbind',
  reads: ['cards'],
  rules: [
    accountStateRule,
    openOperationRule('card.unbind'),
    minorNightRule,
    maintenanceRule,
    cardExistsRule,
    creditCardRule,
    overseasCardRule,
  ],
  warnings: () => [],
  consequences(input) {
    const c = card(input);
    if (!c) return [];
    const out = [consequence('CONSEQ_CARD_REMOVED', 'function', true, { bank: c.bank, last4: c.last4 })];
    // R-CARD-4: the last card takes the identity to pending_completion; binding a card again undoes it.
    if (input.facts.cards.length === 1)
      out.push(consequence('CONSEQ_IDENTITY_PENDING_COMPLETION', 'function', true));
    return out;
  },
  evidence({ facts }) {
    // R-CARD-1: an SMS code to the card's reserved phone; R-MIN-1: the guardian's face for a minor.
    const out = [evidence('reserved_phone_code', 'R-CARD-1')];
    if (facts.account.minor) out.push(evidence('guardian_face', 'R-MIN-1'));
    return out;
  },
  stepUp: ({ facts }) => ({
    method: 'sms',
    channel: 'reserved_phone',
    guardianFace: facts.account.minor,
    rule: 'R-CARD-1',
  }),
};
