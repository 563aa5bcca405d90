import { afterEach, describe, expect, it } from 'vitest';

import { generateSecret, hashSecret, principalKind } from '../../src/adapters/http/auth.js';
import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers });

describe('bearer authentication', () => {
  it('no token is 401 UNAUTHENTICATED with a Bearer challenge', async () => {
    h = await harness();
    const res = await get('/v1/demo/accounts/a1');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it.each([
    ['an unknown token', bearer('rn_test_nobody')],
    ['a revoked key', bearer(SECRETS.revoked)],
    ['another scheme', { authorization: `Basic ${SECRETS.platform}` }],
    ['a bearer without a token', { authorization: 'Bearer ' }],
  ])('%s is 401', async (_what, headers) => {
    h = await harness();
    const res = await get('/v1/demo/accounts/a1', headers);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
  });

  it('the scheme is case-insensitive', async () => {
    h = await harness();
    expect(
      (await get('/v1/demo/accounts/a1', { authorization: `bearer ${SECRETS.reader}` })).statusCode,
    ).toBe(200);
  });

  it('a key without the scope is 403 FORBIDDEN naming the scope, in the asked language', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: { ...bearer(SECRETS.reader), 'accept-language': 'zh-CN' },
      payload: { name: 'Lamp', amount: 1, card: { id: 'c1' } },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'FORBIDDEN',
      params: { scope: 'operations:write' },
      message: '该密钥缺少权限范围「operations:write」。',
    });
  });

  it('admin satisfies every scope, for a stored admin key and for the bootstrap admin key', async () => {
    h = await harness();
    for (const secret of [SECRETS.storedAdmin, SECRETS.admin]) {
      expect((await get('/v1/demo/reviews', bearer(secret))).statusCode).toBe(200);
      expect((await get('/v1/demo/accounts/a1', bearer(secret))).statusCode).toBe(200);
    }
    expect((await get('/v1/demo/reviews', bearer(SECRETS.admin))).json()).toEqual({ keyId: 'admin' });
  });

  it('the bootstrap admin key is off when not configured', async () => {
    h = await harness({ adminKey: null });
    expect((await get('/v1/demo/reviews', bearer(SECRETS.admin))).statusCode).toBe(401);
  });

  it('a reviewer key is not a platform key', async () => {
    h = await harness();
    expect((await get('/v1/demo/reviews', bearer(SECRETS.reviewer))).statusCode).toBe(200);
    expect((await get('/v1/demo/accounts/a1', bearer(SECRETS.reviewer))).statusCode).toBe(403);
  });

  it('public routes never consult the key table, even with a bad token', async () => {
    h = await harness();
    expect((await get('/healthz', bearer('rn_test_nobody'))).statusCode).toBe(200);
  });
});

describe('end-user tokens', () => {
  it('read their own account and run operations on it without explicit scopes, but never write platform facts', async () => {
    h = await harness();
    expect((await get('/v1/demo/accounts/a1', bearer(SECRETS.user))).json()).toEqual({ accountId: 'a1' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a1/things',
      headers: bearer(SECRETS.user),
      payload: { name: 'Lamp', amount: 1, card: { id: 'c1' } },
    });
    expect(res.statusCode).toBe(201);
    const facts = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/flaky',
      headers: bearer(SECRETS.user),
    });
    expect(facts.statusCode).toBe(403);
  });

  it('reaching another account is 404 ACCOUNT_NOT_FOUND, never 403 and never data', async () => {
    h = await harness();
    const res = await get('/v1/demo/accounts/a2', bearer(SECRETS.user));
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body).toMatchObject({ code: 'ACCOUNT_NOT_FOUND', message: 'No such account.' });
    expect(body.params).toBeUndefined();
    const write = await h.app.inject({
      method: 'POST',
      url: '/v1/demo/accounts/a2/things',
      headers: bearer(SECRETS.user),
      payload: { name: 'Lamp', amount: 1, card: { id: 'c1' } },
    });
    expect(write.statusCode).toBe(404);
    expect(h.ran.createThing).toBe(0);
  });

  it('have no reviewer or admin powers', async () => {
    h = await harness();
    expect((await get('/v1/demo/reviews', bearer(SECRETS.user))).statusCode).toBe(403);
    expect((await get('/v1/dev/clock', bearer(SECRETS.user))).statusCode).toBe(403);
  });
});

describe('secrets', () => {
  it('hashSecret is sha256 hex', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('generateSecret is the prefix and 32 random bytes in base64url', () => {
    const a = generateSecret('rn_live_');
    expect(a).toMatch(/^rn_live_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('rn_live_')).not.toBe(a);
  });

  it('the kind of a key follows from what it may do', () => {
    expect(principalKind({ scopes: ['facts:read'], accountId: 'a1' })).toBe('user');
    expect(principalKind({ scopes: ['admin'], accountId: null })).toBe('admin');
    expect(principalKind({ scopes: ['reviews:write'], accountId: null })).toBe('reviewer');
    expect(principalKind({ scopes: ['facts:write'], accountId: null })).toBe('platform');
  });
});
