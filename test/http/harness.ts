/**
 * A server built exactly as main.ts will build it, plus two demo resources that exercise the
 * plumbing the way real resources will: a GET guarded by scope and account access, and a POST with a
 * zod body (idempotent, counted).
 */
import { Writable } from 'node:stream';

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

import { accountAccess, principalOf, requireScope } from '../../src/adapters/http/auth.js';
import { problemResponses } from '../../src/adapters/http/errors.js';
import { createMetrics } from '../../src/adapters/http/metrics.js';
import { buildServer, type RealnameServer, type ServerOptions } from '../../src/adapters/http/server.js';
import { ManualClock } from '../../src/core/clock.js';
import { DomainError, blocker } from '../../src/core/errors/index.js';
import { FakeStore } from './fake-store.js';

/** 2026-09-30T10:00:00+08:00 */
export const START_MS = Date.UTC(2026, 8, 30, 2);

export const SECRETS = {
  platform: 'rn_test_platform',
  reader: 'rn_test_reader',
  reviewer: 'rn_test_reviewer',
  storedAdmin: 'rn_test_stored_admin',
  user: 'rn_test_user_a1',
  revoked: 'rn_test_revoked',
  admin: 'rn_test_bootstrap_admin',
} as const;

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

export const ThingBody = z.object({
  name: z.string().min(1),
  amount: z.number().int().nonnegative(),
  card: z.object({ id: z.string().min(1) }),
  documentNumber: z.string().optional(),
});
const Thing = z.object({ id: z.string(), accountId: z.string(), name: z.string(), amount: z.number() });

export interface Harness {
  app: RealnameServer;
  store: FakeStore;
  clock: ManualClock;
  metrics: ReturnType<typeof createMetrics>;
  /** How many times each demo handler really ran. */
  ran: { createThing: number; flaky: number };
  /** Every log line, parsed (when built with `capture: true`). */
  logs: Record<string, unknown>[];
}

export async function harness(
  overrides: Partial<ServerOptions> & { capture?: boolean; handlerDelayMs?: number } = {},
): Promise<Harness> {
  const store = new FakeStore();
  store.addKey(SECRETS.platform, {
    id: 'k_platform',
    scopes: ['facts:read', 'facts:write', 'operations:write'],
  });
  store.addKey(SECRETS.reader, { id: 'k_reader', scopes: ['facts:read'] });
  store.addKey(SECRETS.reviewer, { id: 'k_reviewer', scopes: ['reviews:write'] });
  store.addKey(SECRETS.storedAdmin, { id: 'k_admin', scopes: ['admin'] });
  store.addKey(SECRETS.user, { id: 'k_user_a1', scopes: [], accountId: 'a1' });
  store.addKey(SECRETS.revoked, { id: 'k_revoked', scopes: ['admin'], revokedAt: START_MS - 1 });

  const clock = new ManualClock(START_MS);
  const metrics = createMetrics({ defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const { capture, handlerDelayMs = 0, ...rest } = overrides;
  const app = await buildServer({
    logger: capture ? { level: 'info', stream } : false,
    store,
    clock,
    devClock: clock,
    metrics,
    adminKey: SECRETS.admin,
    version: '0.0.0-test',
    ...rest,
  });

  const ran = { createThing: 0, flaky: 0 };
  const demo: FastifyPluginAsyncZod = (r) => {
    r.get(
      '/accounts/:accountId',
      {
        preHandler: requireScope('facts:read'),
        schema: {
          summary: 'Demo: read an account',
          params: z.object({ accountId: z.string() }),
          response: { 200: z.object({ accountId: z.string() }), ...problemResponses(401, 403, 404) },
        },
      },
      (request) => {
        accountAccess(request, request.params.accountId);
        return { accountId: request.params.accountId };
      },
    );

    r.post(
      '/accounts/:accountId/things',
      {
        preHandler: requireScope('operations:write'),
        schema: {
          summary: 'Demo: create a thing',
          params: z.object({ accountId: z.string() }),
          body: ThingBody,
          response: { 201: Thing, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 429) },
        },
      },
      async (request, reply) => {
        accountAccess(request, request.params.accountId);
        ran.createThing++;
        const n = ran.createThing;
        request.log.info({ body: request.body }, 'creating a thing');
        if (handlerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, handlerDelayMs));
        return reply.code(201).send({
          id: `thing-${n}`,
          accountId: request.params.accountId,
          name: request.body.name,
          amount: request.body.amount,
        });
      },
    );

    // Fails on its first call (as a database hiccup would), succeeds after.
    r.post('/flaky', { preHandler: requireScope('facts:write') }, async (_request, reply) => {
      ran.flaky++;
      if (ran.flaky === 1) throw new Error('connection reset by peer at 10.0.0.7 (secret)');
      return reply.code(201).send({ attempt: ran.flaky });
    });

    r.post('/blocked', { preHandler: requireScope('operations:write') }, () => {
      throw new DomainError('OPERATION_BLOCKED', { count: 1 }, [blocker('CARD_BOUND', { cardId: 'c1' })]);
    });

    r.get('/reviews', { preHandler: requireScope('reviews:write') }, (request) => ({
      keyId: principalOf(request).keyId,
    }));
    return Promise.resolve();
  };
  await app.register(demo, { prefix: '/v1/demo' });

  return { app, store, clock, metrics, ran, logs };
}
