/**
 * Seeded randomness for the reliability suites: every run prints its seed, and
 * `REALNAME_RELIABILITY_SEED=<n>` replays one exactly (kill moments, shuffles, generated inputs).
 */

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
 * mulberry32: a small, fast, seeded generator of numbers in [0, 1).
 * @example const random = rng(42); random(); // 0.6011…
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
