/**
 * R-CMP-1: the three routes — delete the account, unbind every card, change the subject — side by
 * side for one account: time to complete, data kept, functions lost, recoverability, and this
 * account's blockers for each.
 */
import { enTerms, type TermKey } from '../i18n/en.js';
import { zhCNTerms } from '../i18n/zh-CN.js';
import { DAY_MS } from './clock.js';
import type { Blocker, Localized } from './errors/index.js';
import type { AccountFacts, RequestContext } from './model.js';
import type { Policy } from './policy/index.js';
import type { PreflightArgs } from './preflight.js';
import type { Preflight } from './rules/types.js';

export interface Labelled {
  key: TermKey;
  label: Localized;
}

export interface Route {
  route: 'account.delete' | 'card.unbind' | 'realname.change';
  title: Labelled;
  /** Shortest and longest time to complete, in hours, once nothing blocks. */
  timeToComplete: { minHours: number; maxHours: number };
  dataKept: Labelled[];
  functionsLost: Labelled[];
  recoverability: Labelled;
  reversible: boolean;
  allowed: boolean;
  blockers: Blocker[];
}

export interface Comparison {
  accountId: string;
  routes: Route[];
  policyVersion: string;
  evaluatedAt: number;
}

const label = (key: TermKey): Labelled => ({ key, label: { en: enTerms[key], 'zh-CN': zhCNTerms[key] } });

/** Blockers of several preflights, each reported once. */
function union(preflights: readonly Preflight[]): Blocker[] {
  const seen = new Set<string>();
  const out: Blocker[] = [];
  for (const p of preflights) {
    for (const b of p.blockers) {
      const k = `${b.code}|${JSON.stringify(b.params)}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(b);
      }
    }
  }
  return out;
}

/**
 * @example compareRoutes(preflight, policy, { facts, now, context }).routes.map((r) => [r.route, r.allowed])
 */
export function compareRoutes(
  preflight: (args: PreflightArgs) => Preflight,
  policy: Policy,
  args: { facts: AccountFacts; now: number; context?: RequestContext },
): Comparison {
  const { facts, now } = args;
  const context = args.context ?? {};
  const rules = policy.rulesFor(facts.account.region);

  const del = preflight({ facts, now, context, request: { kind: 'account.delete' } });
  const coolingDays = facts.account.minor
    ? rules.deletion.minorCoolingOffDays
    : rules.deletion.coolingOffDays;

  // Unbinding every card is limited per type (R-CARD-2/3): the time it takes follows from the counts.
  const unbinds = facts.cards.map((c) =>
    preflight({ facts, now, context, request: { kind: 'card.unbind', cardId: c.id } }),
  );
  const credit = facts.cards.filter((c) => c.type === 'credit').length;
  const overseas = facts.cards.filter((c) => c.type === 'overseas').length;
  const creditDays =
    rules.cards.creditUnbindsPerDay > 0 ? Math.ceil(credit / rules.cards.creditUnbindsPerDay) - 1 : 0;
  const overseasDays =
    rules.cards.overseasUnbindsPerWindow > 0
      ? Math.max(0, Math.ceil(overseas / rules.cards.overseasUnbindsPerWindow) - 1) *
        rules.cards.overseasWindowDays
      : 0;
  const unbindHours = Math.max(0, creditDays, overseasDays) * 24;

  const change = preflight({ facts, now, context, request: { kind: 'realname.change' } });

  return {
    accountId: facts.account.id,
    policyVersion: policy.version,
    evaluatedAt: now,
    routes: [
      {
        route: 'account.delete',
        title: label('route_delete'),
        timeToComplete: { minHours: coolingDays * 24, maxHours: coolingDays * 24 },
        dataKept: [label('keep_nothing')],
        functionsLost: [label('lose_everything')],
        recoverability: label('recover_cancel_cooling_off'),
        reversible: false,
        allowed: del.allowed,
        blockers: del.blockers,
      },
      {
        route: 'card.unbind',
        title: label('route_unbind_cards'),
        timeToComplete: { minHours: 0, maxHours: unbindHours },
        dataKept: [label('keep_account_and_content'), label('keep_identity')],
        functionsLost: [label('lose_card_services')],
        recoverability: label('recover_rebind_card'),
        reversible: true,
        allowed: unbinds.length > 0 && unbinds.every((u) => u.allowed),
        blockers: union(unbinds),
      },
      {
        route: 'realname.change',
        title: label('route_change_subject'),
        // Mainland documents are checked at once; non-mainland ones add manual review (R-CHG-4).
        timeToComplete: { minHours: 0, maxHours: rules.change.nonMainlandReviewHours },
        dataKept: [label('keep_account_id'), label('keep_old_subject_encrypted')],
        functionsLost: [label('lose_old_subject_bills')],
        recoverability: label('recover_change_again'),
        reversible: false,
        allowed: change.allowed,
        blockers: change.blockers,
      },
    ],
  };
}

/** Days until the route's own waiting ends (for display); exported for the CLI table. */
export function hoursToDays(hours: number): number {
  return Math.ceil((hours * 3_600_000) / DAY_MS);
}
