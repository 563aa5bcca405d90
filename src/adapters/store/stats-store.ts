/**
 * The `StatsStore` port (core/ports.ts): the aggregates of the review console's dashboard, read from
 * what the store records anyway — operations (kind, outcome) and the recorded risk decisions, where
 * every refused start is kept with its blocker codes (app/risk.ts `record`). Nothing personal is
 * read: kinds, outcomes, codes and instants.
 */
import type { Kysely } from 'kysely';
import type { OperationCount, RefusalRecord, RiskEvaluation, StatsStore } from '../../core/ports.js';
import type { KyselyStore } from './kysely-store.js';
import { toNumber, type Database } from './schema.js';

/**
 * @example
 * const stats = createStatsStore({ store });
 * await stats.refusals(now - 30 * DAY_MS, now); // [{ at, kind: 'account.delete', codes: ['BALANCE_RESIDUE'] }, …]
 */
export function createStatsStore(options: { store: KyselyStore }): StatsStore {
  const db = (): Kysely<Database> => options.store.db;
  return {
    async operationCounts(since, until): Promise<OperationCount[]> {
      const rows = await db()
        .selectFrom('operations')
        .select(['kind', 'outcome', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
        .where('created_at', '>=', since)
        .where('created_at', '<', until)
        .groupBy(['kind', 'outcome'])
        .execute();
      return rows.map((r) => ({ kind: r.kind, outcome: r.outcome, count: toNumber(r.n) }));
    },

    async refusals(since, until): Promise<RefusalRecord[]> {
      const rows = await db()
        .selectFrom('risk_decisions')
        .select(['at', 'request_kind', 'live'])
        .where('outcome', '=', 'refused')
        .where('at', '>=', since)
        .where('at', '<', until)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        at: toNumber(r.at),
        kind: r.request_kind,
        codes: (JSON.parse(r.live) as RiskEvaluation).blockers.map((b) => b.code),
      }));
    },
  };
}
