/** Account deletion (注销账户): R-DEL-*, R-MIN-4, R-REG-1, R-UX-2/3. */
import { DAY_MS } from '../clock.js';
import { consequence } from '../errors/index.js';
import type { OperationRequest } from '../model.js';
import {
  accountStateRule,
  cardsUnboundRule,
  evidence,
  fundFlowRule,
  minorNightRule,
  openOperationRule,
  walletClearRules,
} from './common.js';
import type { OperationSpec } from './types.js';

type Req = Extract<OperationRequest, { kind: 'account.delete' }>;

export const accountDelete: OperationSpec<Req> = {
  kind: 'account.delete',
  reads: ['cards', 'subscriptions', 'loans', 'red_packets', 'pending_transactions', 'admin_roles', 'grants'],
  rules: [
    accountStateRule,
    openOperationRule('account.delete'),
    minorNightRule,
    ...walletClearRules,
    cardsUnboundRule,
    fundFlowRule,
  ],
  warnings: () => [],
  consequences({ facts, now, rules }) {
    // R-DEL-2 / R-MIN-4: 60 days, 90 for a minor.
    const days = facts.account.minor ? rules.deletion.minorCoolingOffDays : rules.deletion.coolingOffDays;
    const apps = facts.grants.length;
    const out = [
      consequence('CONSEQ_COOLING_OFF', 'time', true, { days, until: now + days * DAY_MS }),
      consequence('CONSEQ_DATA_ERASED', 'data', false),
      consequence('CONSEQ_IDENTIFIERS_RETIRED', 'data', false),
      consequence('CONSEQ_APPS_NOTIFIED', 'notification', false, { count: apps }),
      consequence('CONSEQ_GRANTS_REVOKED', 'function', false, {
        count: facts.grants.filter((g) => g.active).length,
      }),
    ];
    if (facts.subscriptions.length > 0) {
      out.push(
        consequence('CONSEQ_SUBSCRIPTIONS_END', 'subscription', false, { count: facts.subscriptions.length }),
      );
    }
    return out;
  },
  evidence({ facts }) {
    const out = [evidence('sms_code', 'R-DEL-2')];
    if (facts.account.minor) out.push(evidence('notarised_guardianship', 'R-MIN-4'));
    return out;
  },
  stepUp: ({ facts }) => ({
    method: 'sms',
    channel: 'bound_phone',
    guardianFace: facts.account.minor,
    rule: 'R-DEL-2',
  }),
};
