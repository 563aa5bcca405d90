import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Reliability (crash, faults, fuzz, security) and browser suites have their own commands and
    // configs (`npm run test:reliability`, `npm run test:browser`); `.ci/run` runs all three.
    exclude: ['test/reliability/**', 'test/browser/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store suites share one PostgreSQL database; files run in parallel but each uses its own schema.
    pool: 'forks',
  },
});
