import { defineConfig } from 'vitest/config';

// Browser tests (`npm run test:browser`, after `npm run build:web`): the real service on a random
// port, driven through Debian's Chromium by playwright-core. One file at a time: each starts a
// browser, and the machine has two cores.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
