/**
 * Anti-money-laundering (SPEC §3.11 R-RISK-3): a revocation or an account deletion shortly after
 * large inflows — money received, then the identity it was received under made to disappear — is
 * held for an AML review. The hold shows the reviewer the inflows that made it.
 */
import { withinRollingDays } from '../calendar.js';
import type { RiskRules } from './signals.js';
import type { AmlHold, RiskInput } from './types.js';

/** The requests an AML hold applies to (R-RISK-3). */
export const AML_KINDS: ReadonlySet<string> = new Set(['realname.revoke', 'account.delete']);

/**
 * The AML hold of a request, or null: the inflows within `risk.aml.windowDays` (rolling, up to
 * `now`) total at least `risk.aml.threshold` (ten-thousandths of a yuan); no inflow, no hold.
 * @example amlHold({ facts, history, request: { kind: 'realname.revoke' }, now }, rules.risk)
 */
export function amlHold(input: RiskInput, risk: RiskRules): AmlHold | null {
  if (!AML_KINDS.has(input.request.kind)) return null;
  const { windowDays, threshold } = risk.aml;
  const inflows = input.history.inflows
    .filter((i) => withinRollingDays(i.at, input.now, windowDays))
    .sort((a, b) => a.at - b.at)
    .map((i) => ({ at: i.at, amount: i.amount }));
  let total = 0;
  for (const i of inflows) total += i.amount;
  if (inflows.length === 0 || total < threshold) return null;
  return { rule: 'R-RISK-3', windowDays, threshold, total, inflows };
}
