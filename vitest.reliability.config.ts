import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: crash safety, faults, fuzzing and security (issue 8 §3–6). These
 * suites start real processes, kill them and restart databases, so they run one file at a time
 * with long timeouts; the whole command must stay under 15 minutes.
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
