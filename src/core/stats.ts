/**
 * The port of the review console's dashboard (the store implements it: adapters/store/stats-store.ts).
 */
/** Operations created in a window, counted by kind and outcome (the operators' dashboard). */
export interface OperationCount {
  kind: string;
  /** The terminal outcome, or null while the operation is still running. */
  outcome: string | null;
  count: number;
}

/** One refused start (R-UX-1): when, which operation, its blocker codes — nothing personal. */
export interface RefusalRecord {
  at: number;
  kind: string;
  codes: string[];
}

/**
 * Read-only aggregates for the review console's dashboard. The refusals are the recorded risk
 * decisions that refused a start (every refused start is recorded, R-RISK-1): durable, PII-free.
 */
export interface StatsStore {
  /** Operations created in [since, until), by kind and outcome. */
  operationCounts(since: number, until: number): Promise<OperationCount[]>;
  /** Every refused start in [since, until), oldest first. */
  refusals(since: number, until: number): Promise<RefusalRecord[]>;
}
