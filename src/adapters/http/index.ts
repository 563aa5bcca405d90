/** The HTTP adapter's public surface: what main.ts and the resource plugins import. */
export * from './server.js';
export * from './errors.js';
export * from './auth.js';
export * from './idempotency.js';
export * from './metrics.js';
export * from './health.js';
export * from './dev-clock.js';
