/**
 * The preflight: for one account at one moment under one policy, may an operation run, what blocks
 * it, and what would it change. A pure function of (facts, request, time, policy, calendar).
 */
import type { WorkingDayCalendar } from './calendar.js';
import type { Blocker, BlockerCode } from './errors/index.js';
import type { AccountFacts, OperationKind, OperationRequest, RequestContext } from './model.js';
import type { FactKind } from './ports.js';
import type { Policy } from './policy/index.js';
import { accountDelete } from './rules/account-delete.js';
import { appealSubmit } from './rules/appeal-submit.js';
import { cardUnbind } from './rules/card-unbind.js';
import { dataExport } from './rules/data-export.js';
import { enterpriseDetach } from './rules/enterprise-detach.js';
import { identityBind } from './rules/identity-bind.js';
import { paymentRestore } from './rules/payment-restore.js';
import { realnameChange } from './rules/realname-change.js';
import { realnameRevoke } from './rules/realname-revoke.js';
import type { OperationSpec, Preflight, RuleInput } from './rules/types.js';

export type { EvidenceKind, EvidenceRequirement, Preflight, StepUp } from './rules/types.js';
export { EVIDENCE_KINDS } from './rules/types.js';
export { missingEvidence } from './rules/common.js';
export { documentCooldownAfterRefusal } from './rules/realname-change.js';

/** Every operation the core decides, by kind. */
export const OPERATIONS: {
  readonly [K in OperationKind]: OperationSpec<Extract<OperationRequest, { kind: K }>>;
} = {
  'account.delete': accountDelete,
  'card.unbind': cardUnbind,
  'realname.change': realnameChange,
  'realname.revoke': realnameRevoke,
  'enterprise.detach': enterpriseDetach,
  'appeal.submit': appealSubmit,
  'payment.restore': paymentRestore,
  'data.export': dataExport,
  'identity.bind': identityBind,
};

/** Blockers that lift by themselves at a known time: the preflight's `retryAfter` is built from them. */
const TIME_BASED: ReadonlySet<BlockerCode> = new Set<BlockerCode>([
  'MINOR_NIGHT_WINDOW',
  'MAINTENANCE_WINDOW',
  'CREDIT_CARD_DAILY_LIMIT',
  'OVERSEAS_CARD_WEEKLY_LIMIT',
  'REALNAME_CHANGE_TOO_SOON',
  'DOCUMENT_COOLDOWN',
  'MINOR_MONTHLY_LIMIT',
  'DEVICE_CHANGED_RECENTLY',
  'REALNAME_CHANGED_RECENTLY',
]);

function retryAfter(blockers: readonly Blocker[]): number | null {
  let at = 0;
  for (const b of blockers) {
    if (!TIME_BASED.has(b.code)) return null;
    const t = b.params.retryAt ?? b.params.until;
    if (typeof t !== 'number') return null;
    if (t > at) at = t;
  }
  return blockers.length ? at : null;
}

const EMPTY: Readonly<Record<FactKind, (f: AccountFacts) => void>> = {
  devices: (f) => (f.devices = []),
  logins: (f) => (f.logins = []),
  cards: (f) => (f.cards = []),
  subscriptions: (f) => (f.subscriptions = []),
  loans: (f) => (f.loans = []),
  red_packets: (f) => (f.redPackets = []),
  pending_transactions: (f) => (f.wallet = { ...f.wallet, pendingTransactions: [] }),
  admin_roles: (f) => (f.adminRoles = []),
  enterprise_links: (f) => (f.enterpriseLinks = []),
  mini_programs: (f) => (f.developerAssets = { ...f.developerAssets, miniPrograms: [] }),
  grants: (f) => (f.grants = []),
};

/**
 * The facts as a store loads them for `reads`: every other fact table empty. The property test
 * checks that an operation decides the same on these as on the full facts.
 */
export function restrictFacts(facts: AccountFacts, reads: readonly FactKind[]): AccountFacts {
  const out = { ...facts };
  for (const kind of Object.keys(EMPTY) as FactKind[]) if (!reads.includes(kind)) EMPTY[kind](out);
  return out;
}

export interface PreflightDeps {
  policy: Policy;
  calendar: WorkingDayCalendar;
}

export interface PreflightArgs {
  facts: AccountFacts;
  request: OperationRequest;
  now: number;
  context?: RequestContext;
}

/**
 * Evaluate every rule of the operation and collect every blocker (R-UX-1), the warnings, the
 * consequences for this account (R-UX-3), the evidence it will need and the step-up.
 * @example
 * const preflight = createPreflight({ policy: loadPolicy(), calendar: defaultWorkingDayCalendar() });
 * const r = preflight({ facts, request: { kind: 'realname.revoke' }, now: clock.now(), context: { deviceId } });
 * r.allowed; r.blockers.map((b) => b.code);
 */
export function createPreflight(deps: PreflightDeps): (args: PreflightArgs) => Preflight {
  const { policy, calendar } = deps;
  return ({ facts, request, now, context = {} }) => {
    const spec = OPERATIONS[request.kind] as OperationSpec;
    const input: RuleInput = {
      facts,
      request,
      now,
      context,
      calendar,
      rules: policy.rulesFor(facts.account.region),
    };
    const blockers: Blocker[] = [];
    for (const rule of spec.rules) rule.check(input, blockers);
    return {
      kind: request.kind,
      accountId: facts.account.id,
      allowed: blockers.length === 0,
      blockers,
      warnings: spec.warnings(input),
      consequences: spec.consequences(input),
      requiredEvidence: spec.evidence(input),
      stepUp: spec.stepUp(input),
      retryAfter: retryAfter(blockers),
      policyVersion: policy.version,
      evaluatedAt: now,
    };
  };
}
