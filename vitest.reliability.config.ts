import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash safety, faults, fuzzing, security and PII in logs (issue 8 §3–6;
 * README "Reliability"). These suites start real processes, kill them and restart a private
 * database, so they run one file at a time with long timeouts; the whole command must stay under 15
 * minutes (about 4 on the shared 2-core machine, both dialects).
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
