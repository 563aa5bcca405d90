import { afterEach, describe, expect, it } from 'vitest';

import { requestHash } from '../../src/adapters/http/idempotency.js';
import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

const thing = { name: 'Lamp', amount: 100, card: { id: 'c1' } };
const post = (
  key: string | undefined,
  payload: unknown,
  secret: string = SECRETS.platform,
  url = '/v1/demo/accounts/a1/things',
) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(secret), ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: payload as Record<string, unknown>,
  });

describe('Idempotency-Key (SPEC §4)', () => {
  it('a replay returns the first response without running the handler again', async () => {
    h = await harness();
    const first = await post('k-1', thing);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Same body with its keys in another order is the same request.
    const again = await post('k-1', { card: { id: 'c1' }, amount: 100, name: 'Lamp' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toBe(first.body);
    expect(h.ran.createThing).toBe(1);
  });

  it('without a key every request acts', async () => {
    h = await harness();
    await post(undefined, thing);
    await post(undefined, thing);
    expect(h.ran.createThing).toBe(2);
  });

  it('20 concurrent replays run the handler once; the others wait their turn or replay', async () => {
    h = await harness({ handlerDelayMs: 30 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => post('k-burst', thing)));
    expect(h.ran.createThing).toBe(1);
    const created = responses.filter((r) => r.statusCode === 201);
    const busy = responses.filter((r) => r.statusCode === 409);
    expect(created.length + busy.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of busy) {
      expect(r.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(r.headers['retry-after']).toBe('1');
    }
    for (const r of created) expect(r.json().id).toBe('thing-1');
    // Once it is done, every retry replays it.
    const later = await post('k-burst', thing);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.json().id).toBe('thing-1');
    expect(h.ran.createThing).toBe(1);
  });

  it('the same key with another body is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    h = await harness();
    await post('k-2', thing);
    const res = await post('k-2', { ...thing, amount: 101 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(h.ran.createThing).toBe(1);
  });

  it('the same key on another path is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    h = await harness();
    await post('k-3', thing);
    const res = await post('k-3', thing, SECRETS.platform, '/v1/demo/accounts/a9/things');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keys belong to the caller: the same key from another key id is another request', async () => {
    h = await harness();
    await post('k-4', thing, SECRETS.platform);
    const res = await post('k-4', thing, SECRETS.storedAdmin);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(h.ran.createThing).toBe(2);
  });

  it('a 5xx is not the result: the key is released and a retry runs again', async () => {
    h = await harness();
    const failed = await post('k-5', {}, SECRETS.platform, '/v1/demo/flaky');
    expect(failed.statusCode).toBe(500);
    expect(h.store.idempotency.size).toBe(0);
    const retried = await post('k-5', {}, SECRETS.platform, '/v1/demo/flaky');
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(h.ran.flaky).toBe(2);
    const replay = await post('k-5', {}, SECRETS.platform, '/v1/demo/flaky');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ attempt: 2 });
  });

  it('a 4xx of the handler is the result, replayed as problem+json', async () => {
    h = await harness();
    const first = await post('k-6', thing, SECRETS.user, '/v1/demo/accounts/a2/things');
    expect(first.statusCode).toBe(404);
    const again = await post('k-6', thing, SECRETS.user, '/v1/demo/accounts/a2/things');
    expect(again.statusCode).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(again.body).toBe(first.body);
  });

  it('a refused or invalid request claims nothing', async () => {
    h = await harness();
    expect((await post('k-7', thing, SECRETS.reader)).statusCode).toBe(403);
    expect((await post('k-7', { name: '' })).statusCode).toBe(400);
    expect(h.store.calls.claim).toBe(0);
    expect((await post('k-7', thing)).statusCode).toBe(201);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'two words'],
    ['too long', 'k'.repeat(256)],
    ['non-ASCII', 'ключ'],
  ])('a key that is %s is 400 VALIDATION_FAILED naming the header', async (_what, key) => {
    h = await harness();
    const res = await post(key, thing);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'headers.idempotency-key' }],
    });
    expect(res.json().detail).toContain('headers.idempotency-key');
    expect(h.ran.createThing).toBe(0);
  });

  it('a key of 255 visible characters is fine', async () => {
    h = await harness();
    expect((await post('~'.repeat(255), thing)).statusCode).toBe(201);
  });
});

describe('request fingerprint', () => {
  it('key order does not change the fingerprint; array order and an absent body do', () => {
    expect(requestHash('POST', '/v1/x', { b: [2, { d: 1, c: 0 }], a: 1 })).toBe(
      requestHash('POST', '/v1/x', { a: 1, b: [2, { c: 0, d: 1 }] }),
    );
    expect(requestHash('POST', '/v1/x', { a: [1, 2] })).not.toBe(requestHash('POST', '/v1/x', { a: [2, 1] }));
    expect(requestHash('POST', '/v1/x', undefined)).not.toBe(requestHash('POST', '/v1/x', {}));
  });

  it('the hash binds method, URL and body', () => {
    const base = requestHash('POST', '/v1/x', { a: 1 });
    expect(requestHash('post', '/v1/x', { a: 1 })).toBe(base);
    expect(requestHash('PUT', '/v1/x', { a: 1 })).not.toBe(base);
    expect(requestHash('POST', '/v1/y', { a: 1 })).not.toBe(base);
    expect(requestHash('POST', '/v1/x', { a: 2 })).not.toBe(base);
  });
});
