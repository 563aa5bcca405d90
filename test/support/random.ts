/**
 * Seeded randomness for the reliability suites: every run prints its seed, and
 * `REALNAME_RELIABILITY_SEED=<n>` replays one exactly (kill moments, shuffles, generated inputs).
 */
import { mulberry32 } from '../../src/core/risk/simulate.js';

/** The seed of this run: `REALNAME_RELIABILITY_SEED`, else a fixed default; printed with the suite's name. */
export function seedFromEnv(suite: string, fallback = 20_261_118): number {
  const raw = process.env.REALNAME_RELIABILITY_SEED;
  const seed = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isSafeInteger(seed))
    throw new Error(`REALNAME_RELIABILITY_SEED must be an integer, got ${raw}`);
  console.log(`${suite}: seed ${seed} (replay with REALNAME_RELIABILITY_SEED=${seed})`);
  return seed;
}

/**
 * A seeded generator of numbers in [0, 1): the core's mulberry32 (the population simulator's).
 * @example const random = rng(42); random(); // 0.6011…
 */
export const rng: (seed: number) => () => number = mulberry32;
