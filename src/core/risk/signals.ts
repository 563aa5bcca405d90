/**
 * The signals of R-RISK-1, each computed from the recorded facts and the risk history within its
 * policy window (`risk.signals.<id>.windowDays`). A signal measures a value — a count of events, or
 * an amount for `large_inflows` — and fires when the value reaches the policy's `atLeast`; a fired
 * signal adds its `weight` to the score (score.ts). Every signal is monotone: one more event never
 * lowers its value, so it never un-fires (the property test checks it).
 *
 * Details are for reviewers and are PII-free: counts, ages in hours, operation kinds, country calling
 * codes; never a document number, a name or an account id of another account.
 */
import { withinRollingDays } from '../calendar.js';
import { HOUR_MS } from '../clock.js';
import type { RegionRules } from '../policy/index.js';
import { appealsUpToNow, escapableRefusalsBefore, hoursBetween, purposeKind } from './events.js';
import { SIGNAL_IDS, type RiskInput, type Signal, type SignalId } from './types.js';

/** The risk section of the policy, as a region sees it. */
export type RiskRules = RegionRules['risk'];

interface Measure {
  value: number;
  detail: Signal['detail'];
}

/**
 * A device added within this long after the account was created is its registration device, not a
 * change (the store records the first device just after the account row).
 */
export const REGISTRATION_DEVICE_GRACE_MS = HOUR_MS;

function newest(times: readonly number[]): number | null {
  let max: number | null = null;
  for (const t of times) if (max === null || t > max) max = t;
  return max;
}

const ago = (at: number | null, now: number) => (at === null ? null : hoursBetween(at, now));

/** How each signal is measured over its window (days). */
const MEASURES: { readonly [K in SignalId]: (input: RiskInput, days: number) => Measure } = {
  /** R-RISK-1 / R-REV-1: devices added after registration within the window ("device change age"). */
  device_change_recent({ facts, now }, days) {
    const added = facts.devices.filter(
      (d) =>
        d.addedAt > facts.account.createdAt + REGISTRATION_DEVICE_GRACE_MS &&
        withinRollingDays(d.addedAt, now, days),
    );
    const last = newest(added.map((d) => d.addedAt));
    return {
      value: added.length,
      detail: {
        hoursSinceChange: ago(last, now),
        primary: added.some((d) => d.primary && d.addedAt === last),
      },
    };
  },

  /** R-RISK-1 / R-REV-1: abnormal logins within the window (30 days by default). */
  abnormal_logins({ facts, now }, days) {
    const at = facts.logins.filter((l) => l.abnormal && withinRollingDays(l.at, now, days)).map((l) => l.at);
    return { value: at.length, detail: { hoursSinceLast: ago(newest(at), now) } };
  },

  /**
   * R-RISK-1 / R-REV-1: real-name subject changes within the window. The identity's own `changedAt`
   * counts when the history does not list that change.
   */
  identity_changed_recently({ facts, now }, days) {
    const at = facts.history.realnameChanges.map((c) => c.at).filter((t) => withinRollingDays(t, now, days));
    const changedAt = facts.identity?.changedAt ?? null;
    if (changedAt !== null && withinRollingDays(changedAt, now, days) && !at.includes(changedAt)) {
      at.push(changedAt);
    }
    return { value: at.length, detail: { hoursSinceLast: ago(newest(at), now) } };
  },

  /** R-RISK-1: failed one-time codes of this account within the window, whatever their purpose. */
  failed_attempts_account({ history, now }, days) {
    const failed = history.failedVerifications.filter((f) => withinRollingDays(f.at, now, days));
    const purposes = [...new Set(failed.map((f) => purposeKind(f.purpose)))].sort();
    return {
      value: failed.length,
      detail: {
        purposes: purposes.join(',') || null,
        hoursSinceLast: ago(newest(failed.map((f) => f.at)), now),
      },
    };
  },

  /**
   * R-RISK-1: failed one-time codes on every account holding the document (this one's within the
   * window, the others' as the store counted them over the same window), found by its keyed hash.
   */
  failed_attempts_document({ history, now }, days) {
    const own = history.failedVerifications.filter((f) => withinRollingDays(f.at, now, days)).length;
    let others = 0;
    for (const a of history.documentAccounts) others += a.failedVerifications;
    return {
      value: own + others,
      detail: { own, otherAccounts: others, accounts: history.documentAccounts.length },
    };
  },

  /**
   * R-RISK-1: velocity across the accounts sharing the document — registrations of and operation
   * starts on its other accounts within the window (a person normally holds one account per document).
   */
  document_velocity({ history, now }, days) {
    let registrations = 0;
    let operations = 0;
    let refused = 0;
    for (const a of history.documentAccounts) {
      if (withinRollingDays(a.createdAt, now, days)) registrations++;
      for (const o of a.operations) {
        if (!withinRollingDays(o.at, now, days)) continue;
        operations++;
        if (o.refused) refused++;
      }
    }
    return {
      value: registrations + operations,
      detail: { registrations, operations, refused, accounts: history.documentAccounts.length },
    };
  },

  /** R-RISK-1: changes of the bound phone's country within the window (overseas re-registration). */
  phone_country_changed({ history, now }, days) {
    const changes = history.phoneCountryChanges.filter((c) => withinRollingDays(c.at, now, days));
    let last: (typeof changes)[number] | null = null;
    for (const c of changes) if (last === null || c.at > last.at) last = c;
    return {
      value: changes.length,
      detail: { from: last?.from ?? null, to: last?.to ?? null, hoursSinceLast: ago(last?.at ?? null, now) },
    };
  },

  /** R-RISK-1 / R-RISK-3: money received within the window (ten-thousandths of a yuan). */
  large_inflows({ history, now }, days) {
    let total = 0;
    let count = 0;
    for (const i of history.inflows) {
      if (!withinRollingDays(i.at, now, days)) continue;
      total += i.amount;
      count++;
    }
    return { value: total, detail: { inflows: count } };
  },

  /**
   * R-RISK-1 / R-RISK-2: appeals within the window (the one being submitted included) that came
   * within the window after a refused operation the appeal could escape (events.ts: a refusal made
   * only of intruder protections does not count — that is what a real theft looks like).
   */
  appeal_after_refusal(input, days) {
    const { history, now } = input;
    let count = 0;
    let minGap: number | null = null;
    for (const appeal of appealsUpToNow(input)) {
      if (!withinRollingDays(appeal.at, now, days)) continue;
      const refusals = escapableRefusalsBefore(history, appeal.at, days);
      const last = newest(refusals.map((r) => r.at));
      if (last === null) continue;
      count++;
      const gap = hoursBetween(last, appeal.at);
      if (minGap === null || gap < minGap) minGap = gap;
    }
    return { value: count, detail: { hoursAfterRefusal: minGap } };
  },
};

/**
 * Every signal of R-RISK-1, in SIGNAL_IDS order, with its weight and what it adds to the score.
 * @example computeSignals({ facts, history, request: { kind: 'realname.revoke' }, now }, rules.risk)
 */
export function computeSignals(input: RiskInput, risk: RiskRules): Signal[] {
  return SIGNAL_IDS.map((id) => {
    const { weight, windowDays, atLeast } = risk.signals[id];
    const { value, detail } = MEASURES[id](input, windowDays);
    return { id, value, weight, contribution: value >= atLeast ? weight : 0, detail };
  });
}
