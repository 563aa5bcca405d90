/**
 * The built-in participants of the revocation saga (R-REV-3): the downstream stores Realname itself
 * holds — payment, social, open platform, enterprise directory, merchant platform and the
 * credit-reporting link. Each keeps its own record of the revocations it holds in the participant
 * ledger (its own table, its own transaction: not the account's), so prepare, commit and abort are
 * durable and idempotent by operation id, and a prepare that arrives after an abort (a slow call
 * overtaken by the compensation) is refused instead of holding the identity forever.
 *
 * The account-side effects of a committed revocation (R-REV-5: limits, grants, auto-debits, quota)
 * are applied by the saga's final transaction, together with the notices, in one commit.
 */
import type { Clock } from '../../core/clock.js';
import type { LedgerEntry, Participant, RevocationCall, Store } from '../../core/ports.js';

/** The stores of SPEC R-REV-3, with what each holds of the identity (recorded on prepare, PII-free). */
export const BUILTIN_PARTICIPANTS = {
  payment: 'payment profile, receive limits and auto-debit agreements',
  social: 'verified badge, friend-request and moments settings',
  open_platform: 'grants to third-party apps and the developer API quota',
  enterprise_directory: 'verified member entries in enterprise directories',
  merchant_platform: 'the merchant account’s real-name records (kept: R-REV-6)',
  credit_reporting: 'the link to the credit-reporting record',
} as const;

export type BuiltinParticipantName = keyof typeof BUILTIN_PARTICIPANTS;

function ledgerParticipant(
  name: BuiltinParticipantName,
  store: Pick<Store, 'ledger'>,
  clock: Clock,
): Participant {
  const entry = (call: RevocationCall, phase: LedgerEntry['phase'], data: Record<string, unknown> = {}) =>
    store.ledger({
      participant: name,
      operationId: call.operationId,
      accountId: call.accountId,
      phase,
      data,
      at: clock.now(),
    });
  return {
    name,
    async prepare(call, signal) {
      signal.throwIfAborted();
      const held = await entry(call, 'prepared', { holds: BUILTIN_PARTICIPANTS[name], heldAt: clock.now() });
      if (held.phase === 'aborted') throw new Error('this revocation was already aborted here');
      return { ledger: name, phase: held.phase };
    },
    async commit(call) {
      const done = await entry(call, 'committed');
      if (done.phase !== 'committed') throw new Error(`cannot commit: the revocation is ${done.phase} here`);
    },
    async abort(call) {
      const done = await entry(call, 'aborted');
      if (done.phase === 'committed') throw new Error('cannot abort: the revocation is committed here');
    },
  };
}

/**
 * The six built-in participants, in a stable order.
 * @example const saga = createRevocationSaga(deps, { participants: builtinParticipants(store, clock) });
 */
export function builtinParticipants(store: Pick<Store, 'ledger'>, clock: Clock): Participant[] {
  return (Object.keys(BUILTIN_PARTICIPANTS) as BuiltinParticipantName[]).map((n) =>
    ledgerParticipant(n, store, clock),
  );
}
