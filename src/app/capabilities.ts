/**
 * What a revocation changes for the account (R-REV-5/6/7, R-MIN-3/5, R-REG-3): the capabilities the
 * platform enforces (core/capabilities.ts), with today's use of the daily receive limit, read in the
 * account's transaction so that the facts and the receipts are one snapshot.
 */
import { nextShanghaiMidnight, startOfShanghaiDay } from '../core/calendar.js';
import { capabilities, type Capabilities } from '../core/capabilities.js';
import type { AccountFacts } from '../core/model.js';
import type { Policy } from '../core/policy/index.js';
import type { AccountTx } from '../core/ports.js';
import type { AppDeps } from './deps.js';

/** The capabilities as the API returns them: with the policy version and today's receipts. */
export interface CapabilitiesView extends Capabilities {
  policyVersion: string;
  /** The daily receive limit's use (R-REV-5), on the Asia/Shanghai calendar day of `evaluatedAt`. */
  receiving: {
    receivedToday: number;
    remainingToday: number;
    /** The next Shanghai midnight, when `receivedToday` starts again from zero. */
    resetsAt: number;
  };
}

/**
 * The capabilities of the account of `tx` at `now`, with what it received today. `facts` may be
 * passed when the caller read them already in this transaction.
 *
 * @example
 * const view = await capabilitiesIn(tx, policy, clock.now());
 * view.receiving.remainingToday; // ¥2,000 minus today's receipts, after a revocation
 */
export async function capabilitiesIn(
  tx: AccountTx,
  policy: Policy,
  now: number,
  facts?: AccountFacts,
): Promise<CapabilitiesView> {
  const f = facts ?? (await tx.facts());
  const caps = capabilities(f, policy.rulesFor(f.account.region), now);
  const receivedToday = await tx.receivedSince(startOfShanghaiDay(now));
  const limit = caps.capabilities.find((c) => c.code === 'daily_receive_limit')?.value as number;
  return {
    ...caps,
    policyVersion: policy.version,
    receiving: {
      receivedToday,
      remainingToday: Math.max(0, limit - receivedToday),
      resetsAt: nextShanghaiMidnight(now),
    },
  };
}

export function createCapabilityService(deps: AppDeps) {
  const { store, clock, policy } = deps;
  return {
    /**
     * GET /v1/accounts/{id}/capabilities. Read under the account's lock, like a fund operation's
     * check, so that the answer matches what the next fund operation would be checked against.
     *
     * @example const caps = await capabilityService.get('acc_1');
     */
    async get(accountId: string): Promise<CapabilitiesView> {
      return store.withAccount(accountId, (tx) => capabilitiesIn(tx, policy, clock.now()));
    },
  };
}

export type CapabilityService = ReturnType<typeof createCapabilityService>;
