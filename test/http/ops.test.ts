import { afterEach, describe, expect, it } from 'vitest';

import { DAY_MS } from '../../src/core/clock.js';
import { SECRETS, START_MS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

const thing = { name: 'Lamp', amount: 100, card: { id: 'c1' } };

describe('OpenAPI and docs', () => {
  it('/openapi.json is OpenAPI 3.1.0 with the routes and their zod schemas', async () => {
    h = await harness();
    const res = await h.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('0.0.0-test');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

    const create = doc.paths['/v1/demo/accounts/{accountId}/things'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name', 'amount', 'card']);
    expect(body.properties.name).toEqual({ type: 'string', minLength: 1 });
    expect(body.properties.card.properties.id).toEqual({ type: 'string', minLength: 1 });
    expect(create.responses['201'].content['application/json'].schema.properties).toHaveProperty('id');
    expect(create.responses['409'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(create.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false }),
    );
    expect(doc.components.schemas.Problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'code', 'message', 'requestId', 'instance']),
    );
    expect(doc.components.schemas).not.toHaveProperty('ProblemInput');

    const read = doc.paths['/v1/demo/accounts/{accountId}'].get;
    expect(read.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: 'accountId' }));
    expect(read.parameters ?? []).not.toContainEqual(expect.objectContaining({ name: 'idempotency-key' }));
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    // Plumbing stays out of the API description.
    for (const hidden of ['/metrics', '/openapi.json', '/docs']) expect(doc.paths).not.toHaveProperty(hidden);
  });

  it('/docs serves the Swagger UI page under a CSP that allows it', async () => {
    h = await harness();
    const res = await h.app.inject('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger-ui');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const asset = await h.app.inject('/docs/static/swagger-ui-bundle.js');
    expect(asset.statusCode).toBe(200);
  });
});

describe('metrics', () => {
  it('/metrics counts requests by method, route pattern and status', async () => {
    h = await harness();
    await h.app.inject({ method: 'GET', url: '/v1/demo/accounts/a1', headers: bearer(SECRETS.reader) });
    await h.app.inject({ method: 'GET', url: '/v1/demo/accounts/a2', headers: bearer(SECRETS.reader) });
    await h.app.inject({ method: 'GET', url: '/v1/demo/accounts/a1' });
    await h.app.inject({ method: 'GET', url: '/no/such/path' });
    h.metrics.operationStarted('account.delete');
    h.metrics.operationEnded('account.delete', 'completed');
    h.metrics.refused(['CARD_BOUND', 'CARD_BOUND', 'BALANCE_NOT_ZERO']);

    const res = await h.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain(
      'http_requests_total{method="GET",route="/v1/demo/accounts/:accountId",status="200"} 2',
    );
    expect(text).toContain(
      'http_requests_total{method="GET",route="/v1/demo/accounts/:accountId",status="401"} 1',
    );
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET"');
    expect(text).toContain('realname_operations_started_total{kind="account.delete"} 1');
    expect(text).toContain('realname_operations_ended_total{kind="account.delete",outcome="completed"} 1');
    expect(text).toContain('realname_refusals_total{code="CARD_BOUND"} 1');
    expect(text).toContain('realname_refusals_total{code="BALANCE_NOT_ZERO"} 1');
  });

  it('default process metrics are collected unless turned off', async () => {
    const { createMetrics } = await import('../../src/adapters/http/metrics.js');
    h = await harness({ metrics: createMetrics() });
    expect((await h.app.inject('/metrics')).body).toContain('process_cpu_user_seconds_total');
  });
});

describe('health', () => {
  it('/healthz is 200 while the process lives', async () => {
    h = await harness();
    h.store.healthy = false;
    const res = await h.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the store is healthy and 503 NOT_READY when not', async () => {
    h = await harness();
    expect((await h.app.inject('/readyz')).json()).toEqual({ status: 'ok', detail: 'migrations current' });
    h.store.healthy = false;
    const res = await h.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'NOT_READY',
      message: 'The service is not ready: migrations pending',
    });
  });

  it('/readyz is 503, not 500, when the store cannot even be asked', async () => {
    h = await harness();
    h.store.healthThrows = true;
    const res = await h.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('5432');
  });
});

describe('rate limiting', () => {
  it('over the limit is 429 RATE_LIMITED with Retry-After, per key', async () => {
    h = await harness({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
    const read = (secret: string) =>
      h.app.inject({ method: 'GET', url: '/v1/demo/accounts/a1', headers: bearer(secret) });
    expect((await read(SECRETS.reader)).statusCode).toBe(200);
    expect((await read(SECRETS.reader)).statusCode).toBe(200);
    const limited = await read(SECRETS.reader);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({
      code: 'RATE_LIMITED',
      params: { retryAfter: 60 },
      message: 'Too many requests; retry after 60 seconds.',
    });
    // Another key has its own budget.
    expect((await read(SECRETS.platform)).statusCode).toBe(200);
    // Health checks are never limited.
    for (let i = 0; i < 5; i++) expect((await h.app.inject('/healthz')).statusCode).toBe(200);
  });

  it('anonymous callers are limited by IP, unknown URLs included', async () => {
    h = await harness({ rateLimit: { max: 1, timeWindowMs: 1_000 } });
    expect((await h.app.inject('/v1/nowhere')).statusCode).toBe(404);
    const limited = await h.app.inject('/v1/nowhere');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
  });
});

describe('dev clock (SPEC §4)', () => {
  const move = (payload: unknown, secret: string = SECRETS.admin) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/dev/clock',
      headers: bearer(secret),
      payload: payload as object,
    });

  it('advance P60D moves the injected clock 60 days forward', async () => {
    h = await harness();
    const res = await move({ advance: 'P60D' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ nowMs: START_MS + 60 * DAY_MS, now: '2026-11-29T02:00:00.000Z' });
    expect(h.clock.now()).toBe(START_MS + 60 * DAY_MS);
  });

  it('set jumps to an instant given with its offset', async () => {
    h = await harness();
    const res = await move({ set: '2026-10-01T10:00:00+08:00' });
    expect(res.json()).toEqual({ now: '2026-10-01T02:00:00.000Z', nowMs: Date.UTC(2026, 9, 1, 2) });
    const read = await h.app.inject({ method: 'GET', url: '/v1/dev/clock', headers: bearer(SECRETS.admin) });
    expect(read.json().nowMs).toBe(Date.UTC(2026, 9, 1, 2));
  });

  it.each([
    [{}, 'body'],
    [{ advance: 'P1D', set: '2026-10-01T10:00:00+08:00' }, 'body'],
    [{ advance: 'P1M' }, 'body.advance'],
    [{ set: '2026-10-01T10:00:00' }, 'body.set'],
    [{ advance: 'P1D', extra: true }, 'body'],
  ])('%j is 400 naming %s', async (payload, path) => {
    h = await harness();
    const res = await move(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(h.clock.now()).toBe(START_MS);
  });

  it('needs the admin scope', async () => {
    h = await harness();
    expect((await move({ advance: 'P1D' }, SECRETS.platform)).statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: '/v1/dev/clock', payload: { advance: 'P1D' } })).statusCode,
    ).toBe(401);
    expect(h.clock.now()).toBe(START_MS);
  });

  it('answers 404 DEV_CLOCK_DISABLED when no dev clock is given', async () => {
    h = await harness({ devClock: null });
    for (const method of ['GET', 'POST'] as const) {
      const res = await h.app.inject({
        method,
        url: '/v1/dev/clock',
        headers: bearer(SECRETS.admin),
        payload: method === 'POST' ? { advance: 'P60D' } : undefined,
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('DEV_CLOCK_DISABLED');
    }
    expect(h.clock.now()).toBe(START_MS);
    const doc = (await h.app.inject('/openapi.json')).json();
    expect(doc.paths).not.toHaveProperty('/v1/dev/clock');
  });
});

describe('security headers', () => {
  it('helmet headers are on every response, errors included', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/v1/demo/accounts/a1/things', payload: thing });
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});
