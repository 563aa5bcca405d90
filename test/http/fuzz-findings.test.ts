/**
 * Inputs the fuzz suite (test/reliability/fuzz.test.ts) found answered wrongly, each pinned here so
 * that it stays fixed: a client's mistake is a 4xx problem+json with a catalogue code, never Fastify's
 * own JSON and never a 500 (SPEC §4).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { START_MS, SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

/** A raw body POSTed to the harness's demo route as a platform (JSON unless `headers` say otherwise). */
const postThing = (payload: string, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/demo/accounts/a1/things',
    headers: { ...bearer(SECRETS.platform), 'content-type': 'application/json', ...headers },
    payload,
  });

describe('the router’s own refusals are problems too', () => {
  it.each([
    ['a path segment over 100 characters', `/v1/demo/accounts/${'x'.repeat(101)}`],
    ['a malformed percent-encoding', '/v1/demo/accounts/%E0%A4%A'],
    ['percent-encoded bytes that are not UTF-8 (a lone surrogate)', '/v1/demo/accounts/%ED%A0%80'],
  ])('%s: 400 VALIDATION_FAILED problem+json whose message does not echo the URL', async (_name, url) => {
    h = await harness();
    const res = await h.app.inject({
      method: 'GET',
      url,
      headers: { ...bearer(SECRETS.platform), 'accept-language': 'zh-CN' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(body.message).toMatch(/请求无效/);
    // The message and detail say what is wrong without repeating it (only `instance` is the URL).
    expect(`${body.message} ${body.detail}`).not.toContain('xxxxxxxxxx');
    expect(`${body.message} ${body.detail}`).not.toContain('%E0');
  });
});

describe('the dev clock stays within the instants the service can hold', () => {
  it.each([
    [{ set: '0000-01-01T00:00:00Z' }, 'body.set'],
    [{ set: '1969-12-31T23:59:59.999Z' }, 'body.set'],
    [{ set: '+275760-09-13T00:00:00Z' }, 'body.set'],
    [{ advance: 'P3000000D' }, 'body.advance'],
  ])('%j is 400 naming %s, and the clock does not move', async (payload, path) => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/dev/clock',
      headers: bearer(SECRETS.admin),
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual([path]);
    expect(h.clock.now()).toBe(START_MS);
  });

  it('the first and the last instants are accepted', async () => {
    h = await harness();
    for (const set of ['1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/dev/clock',
        headers: bearer(SECRETS.admin),
        payload: { set },
      });
      expect(res.statusCode, set).toBe(200);
      expect(h.clock.now()).toBe(Date.parse(set));
    }
  });
});

describe('deeply nested JSON bodies', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it.each([
    ['application/json', false],
    ['application/json', true],
    ['application/merge-patch+json', true],
  ])(
    'nested 20,000 levels (%s, Idempotency-Key %s): 400 VALIDATION_FAILED, not a stack overflow',
    async (type, keyed) => {
      h = await harness();
      const res = await postThing(`{"name":"x","amount":1,"card":{"id":"c"},"extra":${nested(20_000)}}`, {
        'content-type': type,
        ...(keyed ? { 'idempotency-key': 'deep-1' } : {}),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'body', message: 'nested deeper than 64 levels' }],
      });
      expect(h.ran.createThing).toBe(0);
    },
  );

  it('64 levels are parsed as ever (and then judged by the route’s schema)', async () => {
    h = await harness();
    const res = await postThing(`{"name":"x","amount":1,"card":{"id":"c"},"extra":${nested(63)}}`, {
      'idempotency-key': 'deep-2',
    });
    expect(res.json().errors ?? []).not.toContainEqual(
      expect.objectContaining({ message: 'nested deeper than 64 levels' }),
    );
  });
});

describe('NUL characters in JSON bodies', () => {
  it.each([
    ['a value', '{"name":"\\u0000","amount":1,"card":{"id":"c"}}'],
    ['a nested value', '{"name":"x","amount":1,"card":{"id":"c\\u0000d"}}'],
    ['a key', '{"name":"x","amount":1,"card":{"id":"c"},"\\u0000":1}'],
  ])(
    'in %s: 400 VALIDATION_FAILED before the route runs (PostgreSQL text cannot hold U+0000)',
    async (_name, payload) => {
      h = await harness();
      const res = await postThing(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'body', message: 'holds a NUL character (U+0000)' }],
      });
      expect(h.ran.createThing).toBe(0);
    },
  );
});

describe('the statuses the plumbing answers are documented', () => {
  it('every mutating route of the served /openapi.json declares 413 and 415 beside its 400', async () => {
    const { startService } = await import('../support/service.js');
    const s = await startService('sqlite');
    try {
      const doc = (await s.call('GET', '/openapi.json')).body as {
        paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      };
      const missing: string[] = [];
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths))
        for (const [method, op] of Object.entries(methods)) {
          if (!['post', 'put', 'patch', 'delete'].includes(method) || !op.responses?.['400']) continue;
          checked++;
          for (const status of ['413', '415'])
            if (!op.responses[status]) missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      expect(checked).toBeGreaterThan(30);
      expect(missing).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
