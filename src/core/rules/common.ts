/**
 * Rules shared by several operations. Each one cites its SPEC id; an operation lists the ones that
 * apply to it (rules/<operation>.ts).
 */
import { enTerms } from '../../i18n/en.js';
import { zhCNTerms } from '../../i18n/zh-CN.js';
import { dailyWindowEnd, inDailyWindow, withinRollingDays } from '../calendar.js';
import { DAY_MS } from '../clock.js';
import { blocker, type Blocker, type Localized } from '../errors/index.js';
import { hasSubCentResidue, subCentResidue, wholeCents } from '../money.js';
import type { AccountFacts, Device, OperationKind } from '../model.js';
import type { EvidenceKind, EvidenceRequirement, Rule, RuleInput } from './types.js';

/** R-ABN-1 (and the lifecycle states): a frozen, banned, deactivating or deleted account is stopped. */
export const accountStateRule: Rule = {
  id: 'R-ABN-1',
  describe: 'A frozen or banned account can do no unbind, change, revoke or delete',
  check({ facts }, out) {
    switch (facts.account.status) {
      case 'frozen':
        out.push(blocker('ACCOUNT_FROZEN'));
        break;
      case 'banned':
        out.push(blocker('ACCOUNT_BANNED'));
        break;
      case 'deactivating':
        out.push(blocker('ACCOUNT_DEACTIVATING', { until: facts.account.deactivatingUntil ?? null }));
        break;
      case 'deleted':
        out.push(blocker('ACCOUNT_DELETED'));
        break;
      case 'active':
        break;
    }
  },
};

/** A deleted account can do nothing; other states do not stop read-like operations. */
export const notDeletedRule: Rule = {
  id: 'R-DEL-4',
  describe: 'A deleted account can do nothing',
  check({ facts }, out) {
    if (facts.account.status === 'deleted') out.push(blocker('ACCOUNT_DELETED'));
  },
};

/** Lifecycle operations that may not run beside one another on the same account. */
const LIFECYCLE: ReadonlySet<OperationKind> = new Set<OperationKind>([
  'account.delete',
  'card.unbind',
  'realname.change',
  'realname.revoke',
  'enterprise.detach',
]);

/**
 * One lifecycle operation at a time per account. Unbinding one card while another card's unbind runs
 * is allowed: the counting limits are enforced under per-account serialisation (R-CARD-5).
 */
export function openOperationRule(kind: OperationKind): Rule {
  return {
    id: 'R-UX-1',
    describe: 'Another lifecycle operation is already running',
    check({ facts }, out) {
      for (const op of facts.openOperations) {
        if (!LIFECYCLE.has(op.kind)) continue;
        if (kind === 'card.unbind' && op.kind === 'card.unbind') continue;
        out.push(blocker('OPERATION_IN_PROGRESS', { operationId: op.id, operationKind: op.kind }));
      }
    },
  };
}

/** The identity must be verified (or to-be-completed after the last card went) to be changed or revoked. */
export const identityVerifiedRule: Rule = {
  id: 'R-UX-1',
  describe: 'The identity must be verified',
  check({ facts }, out) {
    const status = facts.identity?.status ?? 'unverified';
    if (status !== 'verified' && status !== 'pending_completion') {
      out.push(blocker('IDENTITY_NOT_VERIFIED', { status }));
    }
  },
};

/** R-MIN-1: no operation by a minor between 22:00 and 06:00 Asia/Shanghai. */
export const minorNightRule: Rule = {
  id: 'R-MIN-1',
  describe: 'No operation by a minor in the night window',
  check({ facts, now, rules }, out) {
    if (!facts.account.minor) return;
    const w = rules.minors.nightWindow;
    if (inDailyWindow(now, w)) {
      out.push(
        blocker('MINOR_NIGHT_WINDOW', { start: w.start, end: w.end, retryAt: dailyWindowEnd(now, w) }),
      );
    }
  },
};

/** R-WIN-1: unbinds are refused with a retry-after during the maintenance window, never half-done. */
export const maintenanceRule: Rule = {
  id: 'R-WIN-1',
  describe: 'No unbind in the maintenance window',
  check({ now, rules }, out) {
    const w = rules.maintenance.unbindWindow;
    if (inDailyWindow(now, w)) {
      out.push(
        blocker('MAINTENANCE_WINDOW', { start: w.start, end: w.end, retryAt: dailyWindowEnd(now, w) }),
      );
    }
  },
};

/** R-REG-1: HK/MO/TW declare fund flows before revocation or deletion. */
export const fundFlowRule: Rule = {
  id: 'R-REG-1',
  describe: 'Fund-flow declaration before revocation or deletion (HK/MO/TW)',
  check({ facts, rules }, out) {
    if (rules.region.fundFlowDeclarationRequired && !facts.declarations.fundFlowDeclaredAt) {
      out.push(blocker('FUND_FLOW_DECLARATION_REQUIRED', { region: facts.account.region }));
    }
  },
};

/**
 * R-DEL-1 and R-UX-2: the wallet must be empty and every service closed. The silent causes of the
 * source documents — sub-cent residue, unclaimed red packets, auto-debits — are blockers of their
 * own, each naming the item behind it.
 */
export const balanceRule: Rule = {
  id: 'R-DEL-1',
  describe: 'Balance zero, including residue below one fen (R-UX-2)',
  check({ facts }, out) {
    const balance = facts.wallet.balance;
    if (balance === 0) return;
    if (wholeCents(balance) !== 0) out.push(blocker('BALANCE_NOT_ZERO', { amount: balance }));
    if (hasSubCentResidue(balance))
      out.push(blocker('BALANCE_RESIDUE', { residue: subCentResidue(balance) }));
  },
};

export const pendingTransactionRule: Rule = {
  id: 'R-DEL-1',
  describe: 'No pending transaction',
  check({ facts }, out) {
    for (const t of facts.wallet.pendingTransactions) {
      out.push(
        blocker('PENDING_TRANSACTION', { transactionId: t.id, transactionKind: t.kind, amount: t.amount }),
      );
    }
  },
};

export const cardsUnboundRule: Rule = {
  id: 'R-DEL-1',
  describe: 'All bank cards unbound',
  check({ facts }, out) {
    for (const c of facts.cards) {
      out.push(blocker('CARD_BOUND', { cardId: c.id, cardType: c.type, bank: c.bank, last4: c.last4 }));
    }
  },
};

export const payScoreRule: Rule = {
  id: 'R-DEL-1',
  describe: 'Pay-score service closed',
  check({ facts }, out) {
    if (facts.wallet.payScoreEnabled) out.push(blocker('PAY_SCORE_ENABLED'));
  },
};

export const subscriptionRule: Rule = {
  id: 'R-UX-2',
  describe: 'No active auto-debit subscription (R-DEL-1)',
  check({ facts }, out) {
    for (const s of facts.subscriptions) {
      if (s.active) {
        out.push(
          blocker('SUBSCRIPTION_ACTIVE', {
            subscriptionId: s.id,
            merchant: s.merchant,
            product: s.product,
            amount: s.amount,
          }),
        );
      }
    }
  },
};

export const adminRoleRule: Rule = {
  id: 'R-DEL-1',
  describe: 'No admin role on an official account or mini-program',
  check({ facts }, out) {
    for (const r of facts.adminRoles) {
      out.push(blocker('ADMIN_ROLE_HELD', { roleId: r.id, roleKind: r.kind, name: r.name }));
    }
  },
};

export const loanRule: Rule = {
  id: 'R-DEL-1',
  describe: 'No outstanding loan',
  check({ facts }, out) {
    for (const l of facts.loans) {
      if (l.outstanding > 0) {
        out.push(
          blocker('LOAN_OUTSTANDING', { loanId: l.id, product: l.product, outstanding: l.outstanding }),
        );
      }
    }
  },
};

export const redPacketRule: Rule = {
  id: 'R-UX-2',
  describe: 'No unclaimed red packet (R-DEL-1)',
  check({ facts, now }, out) {
    for (const r of facts.redPackets) {
      // An expired packet is refunded by the platform; until it is, it still blocks.
      if (r.status === 'unclaimed') {
        out.push(
          blocker('RED_PACKET_UNCLAIMED', {
            redPacketId: r.id,
            amount: r.amount,
            expiresAt: Math.max(r.expiresAt, now),
          }),
        );
      }
    }
  },
};

/** R-DEL-1 without the cards: the preconditions R-REV-1 reuses. */
export const walletClearRules: readonly Rule[] = [
  balanceRule,
  pendingTransactionRule,
  payScoreRule,
  subscriptionRule,
  adminRoleRule,
  loanRule,
  redPacketRule,
];

/**
 * The latest instant in a list that is not after `now`, or null. Events recorded with a later time
 * (clock skew between the platform and us) must not hide an earlier one that still counts.
 */
export function latest(list: readonly { at: number }[], now: number): number | null {
  let max: number | null = null;
  for (const e of list) if (e.at <= now && (max === null || e.at > max)) max = e.at;
  return max;
}

/** The moment a rolling-window count limit lets one more through: when the oldest counted event ages out. */
export function rollingRetryAt(
  times: readonly number[],
  now: number,
  days: number,
  limit: number,
): number | null {
  const inWindow = times.filter((t) => withinRollingDays(t, now, days)).sort((a, b) => a - b);
  if (inWindow.length < limit) return null;
  const oldestThatMustLeave = inWindow[inWindow.length - limit] as number;
  return oldestThatMustLeave + days * DAY_MS;
}

export function primaryDevice(facts: AccountFacts): Device | undefined {
  return facts.devices.find((d) => d.primary);
}

export function requestDevice(input: RuleInput): Device | undefined {
  const id = input.context.deviceId;
  return id ? input.facts.devices.find((d) => d.id === id) : undefined;
}

const labels = new Map<EvidenceKind, Localized>();
/** An evidence requirement with its label in both languages. */
export function evidence(kind: EvidenceKind, rule: string, min = 1): EvidenceRequirement {
  let label = labels.get(kind);
  if (!label) {
    label = termLabel(kind);
    labels.set(kind, label);
  }
  return { kind, min, rule, label };
}

function termLabel(kind: EvidenceKind): Localized {
  return { en: enTerms[kind], 'zh-CN': zhCNTerms[kind] };
}

/**
 * At start, the evidence supplied is checked against what the preflight asked for; each missing
 * item is a blocker naming it (R-UX-1).
 * @example missingEvidence([evidence('statement','R-ABN-2')], { statement: 0 }) // [EVIDENCE_MISSING]
 */
export function missingEvidence(
  required: readonly EvidenceRequirement[],
  provided: Partial<Record<EvidenceKind, number>>,
): Blocker[] {
  const out: Blocker[] = [];
  for (const r of required) {
    const n = provided[r.kind] ?? 0;
    if (n < r.min) out.push(blocker('EVIDENCE_MISSING', { evidence: r.kind, required: r.min, provided: n }));
  }
  return out;
}
