/**
 * What every use case is built from: ports and pure core pieces, passed in by the composition root
 * (main.ts). No use case reads configuration or the environment itself.
 */
import type { WorkingDayCalendar } from '../core/calendar.js';
import type { Clock } from '../core/clock.js';
import type { Policy } from '../core/policy/index.js';
import type { Store } from '../core/ports.js';
import type { PreflightArgs, Preflight } from '../core/preflight.js';

/** Counters the use cases report (the HTTP adapter backs them with Prometheus). */
export interface Telemetry {
  operationStarted(kind: string): void;
  operationEnded(kind: string, outcome: string): void;
  refused(codes: string[]): void;
}

export const NO_TELEMETRY: Telemetry = {
  operationStarted: () => undefined,
  operationEnded: () => undefined,
  refused: () => undefined,
};

export interface AppDeps {
  store: Store;
  clock: Clock;
  policy: Policy;
  calendar: WorkingDayCalendar;
  /** Secret for pairwise OpenID/UnionID and document keys (never leaves the service). */
  idSecret: Uint8Array;
  /** Randomness for ids (crypto.randomBytes in production). */
  random: (n: number) => Uint8Array;
  telemetry?: Telemetry;
  /**
   * Work to start in the background once a transaction has committed: the revocation saga of an
   * operation that reached `pending_recycle` (app/saga.ts). Its timer makes the sweep run it anyway.
   */
  kicks?: { revocation(operationId: string): void };
}

/** The preflight function bound to the deps' policy and calendar. */
export type PreflightFn = (args: PreflightArgs) => Preflight;

/** Who acts, for the audit trail and the operation timeline. */
export interface Actor {
  /** 'platform:<keyId>', 'user:<accountId>', 'reviewer:<keyId>', 'admin:<keyId>', 'timer', 'system'. */
  id: string;
}
