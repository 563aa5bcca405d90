/**
 * Liveness and readiness for the orchestrator: `/healthz` says the process answers, `/readyz` says it
 * can serve (the store is reachable and migrated), so traffic is withheld, not the process killed,
 * while the database is away.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { DomainError } from '../../core/errors/index.js';
import type { Store } from '../../core/ports.js';
import { problemResponses } from './errors.js';

const Healthy = z.object({ status: z.literal('ok') });
const Ready = z.object({ status: z.literal('ok'), detail: z.string() });

/** Options of {@link healthRoutes}. */
export interface HealthOptions {
  store: Pick<Store, 'health'>;
}

/**
 * `GET /healthz` and `GET /readyz` (503 NOT_READY when the store is not healthy). Public, and exempt
 * from rate limiting so that a busy server is not reported dead.
 *
 * @example
 * await app.register(healthRoutes, { store });
 */
// Synchronous registration; the promise is only the shape Fastify's `register` expects of a plugin.
export function healthRoutes(app: FastifyInstance, opts: HealthOptions): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const common = { tags: ['ops'], security: [] };

  r.get(
    '/healthz',
    {
      schema: { ...common, summary: 'The process is alive', response: { 200: Healthy } },
      config: { rateLimit: false },
    },
    () => ({ status: 'ok' as const }),
  );

  r.get(
    '/readyz',
    {
      schema: {
        ...common,
        summary: 'The service can serve requests (store reachable, migrations current)',
        response: { 200: Ready, ...problemResponses(503) },
      },
      config: { rateLimit: false },
    },
    async (request) => {
      let health: { ok: boolean; detail: string };
      try {
        health = await opts.store.health();
      } catch (err) {
        // An unreachable store is exactly "not ready", not an internal error.
        request.log.warn({ err }, 'store health check failed');
        health = { ok: false, detail: 'store unreachable' };
      }
      if (!health.ok) throw new DomainError('NOT_READY', { detail: health.detail });
      return { status: 'ok' as const, detail: health.detail };
    },
  );
  return Promise.resolve();
}
