import { afterEach, describe, expect, it } from 'vitest';

import { BODY_LIMIT } from '../../src/adapters/http/server.js';
import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h.app.close();
});

const thing = { name: 'Lamp', amount: 100, card: { id: 'c1' } };

describe('problem+json (RFC 9457)', () => {
  it('an unknown route is a 404 NOT_FOUND problem in English by default', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/v1/nowhere?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['content-language']).toBe('en');
    expect(res.json()).toEqual({
      type: 'https://realname.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      code: 'NOT_FOUND',
      message: 'Not found.',
      requestId: res.headers['x-request-id'],
      instance: '/v1/nowhere?x=1',
    });
  });

  it('speaks Chinese when Accept-Language asks for it', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/nowhere',
      headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' },
    });
    expect(res.headers['content-language']).toBe('zh-CN');
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: '未找到。', title: 'Not found' });
  });

  it('a known path with an unknown method is a 405 that lists what is allowed', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'DELETE',
      url: '/v1/demo/accounts/a1',
      headers: bearer(SECRETS.platform),
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405 });
  });

  it('a validation failure names every bad field with its reason', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: bearer(SECRETS.platform),
      payload: { name: '', amount: -1, card: {} },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.type).toBe('https://realname.dev/problems/validation-failed');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.amount',
      'body.card.id',
      'body.name',
    ]);
    for (const path of ['body.name', 'body.amount', 'body.card.id']) expect(body.detail).toContain(path);
    expect(body.message).toBe(`The request is not valid: ${body.detail}`);
    expect(body.remediation).toBe('Fix the fields named and send it again.');
  });

  it('a body that is not JSON is 400 MALFORMED_JSON', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: { ...bearer(SECRETS.platform), 'content-type': 'application/json' },
      payload: '{"name": "Lamp",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'MALFORMED_JSON',
      message: 'The request body is not valid JSON.',
    });
  });

  it('a prototype-poisoning body is refused as malformed, not a 500', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: { ...bearer(SECRETS.platform), 'content-type': 'application/json' },
      payload: '{"__proto__": {"admin": true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('MALFORMED_JSON');
  });

  it('a body over 1 MiB is 413 PAYLOAD_TOO_LARGE naming the limit', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: bearer(SECRETS.platform),
      payload: { ...thing, name: 'x'.repeat(BODY_LIMIT) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      params: { limit: 1048576 },
      message: 'The request body is larger than 1048576 bytes.',
    });
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'a %s body is 415 UNSUPPORTED_MEDIA_TYPE',
    async (type) => {
      h = await harness();
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/demo/accounts/a1/things',
        headers: { ...bearer(SECRETS.platform), 'content-type': type },
        payload: 'name=Lamp',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    },
  );

  it('application/*+json bodies are parsed as JSON', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: { ...bearer(SECRETS.platform), 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify(thing),
    });
    expect(res.statusCode).toBe(201);
  });

  it('an unexpected error is a 500 INTERNAL that hides its message and logs it with the request id', async () => {
    h = await harness({ capture: true });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/flaky',
      headers: { ...bearer(SECRETS.platform), 'x-request-id': 'trace-500' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('10.0.0.7');
    expect(res.json()).toMatchObject({
      code: 'INTERNAL',
      requestId: 'trace-500',
      message: 'Something went wrong on our side; the request id identifies it.',
    });
    const logged = h.logs.find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ reqId: 'trace-500', requestId: 'trace-500', level: 50 });
    expect(JSON.stringify(logged)).toContain('10.0.0.7');
  });

  it('OPERATION_BLOCKED carries the blockers of the refusal as they are', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/blocked',
      headers: { ...bearer(SECRETS.platform), 'accept-language': 'zh-CN' },
    });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('OPERATION_BLOCKED');
    expect(body.message).toBe('操作被 1 条规则阻止，每条均附有解决办法。');
    expect(body.blockers).toHaveLength(1);
    expect(body.blockers[0]).toMatchObject({
      code: 'CARD_BOUND',
      rule: 'R-DEL-1',
      params: { cardId: 'c1' },
      remediation: { action: 'unbind_card', where: 'wallet/cards' },
    });
    expect(body.blockers[0].message).toHaveProperty('zh-CN');
  });
});

describe('request ids', () => {
  it('echoes a safe X-Request-Id and uses it in the problem', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/nowhere',
      headers: { 'x-request-id': 'edge-7f3a.1' },
    });
    expect(res.headers['x-request-id']).toBe('edge-7f3a.1');
    expect(res.json().requestId).toBe('edge-7f3a.1');
  });

  it('replaces an unsafe X-Request-Id with a fresh one', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\nforged' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives each request its own id when none is sent', async () => {
    h = await harness();
    const [a, b] = await Promise.all([h.app.inject('/healthz'), h.app.inject('/healthz')]);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });
});

describe('logs', () => {
  it('redact credentials and PII', async () => {
    h = await harness({ capture: true });
    await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: bearer(SECRETS.platform),
      payload: { ...thing, name: '张三', documentNumber: '11010519491231002X' },
    });
    const text = JSON.stringify(h.logs);
    expect(text).toContain('creating a thing');
    expect(text).not.toContain('11010519491231002X');
    expect(text).not.toContain('张三');
    expect(text).not.toContain(SECRETS.platform);
    expect(h.logs.find((l) => l.msg === 'creating a thing')).toMatchObject({
      body: { name: '[redacted]', documentNumber: '[redacted]' },
    });
  });
});
