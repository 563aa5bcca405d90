/**
 * Binding an identity (实名认证), as the risk decision sees it (R-RISK-2): a bind is checked by the
 * account service itself (GB 11643, one identity per account), and is an operation only when risk
 * control holds it for a reviewer (the overseas re-registration route, app/risk.ts). Its spec exists
 * so that a recorded bind decision replays like any other (backtest, shadow mode): nothing but the
 * account's existence blocks it here.
 */
import type { OperationRequest } from '../model.js';
import { notDeletedRule } from './common.js';
import type { OperationSpec } from './types.js';

type Req = Extract<OperationRequest, { kind: 'identity.bind' }>;

export const identityBind: OperationSpec<Req> = {
  kind: 'identity.bind',
  reads: [],
  rules: [notDeletedRule],
  warnings: () => [],
  consequences: () => [],
  evidence: () => [],
  stepUp: () => null,
};
