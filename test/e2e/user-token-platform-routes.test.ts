/**
 * End-user tokens and the platform's own records. A user token reads its own account and runs
 * operations on it (its implicit `facts:read`, `operations:*` are limited to that account by the
 * account check); a route that names no account must not let those scopes through. Found by the
 * security suite (test/reliability/security.test.ts): any end-user token listed every registered app
 * with its receiver URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/dialects.js';
import { startService, type Service } from '../support/service.js';

describe.each(dialects().map((d) => d.name))('end-user tokens on platform routes on %s', (dialect) => {
  let s: Service;
  let user = '';
  let platform = '';
  beforeAll(async () => {
    s = await startService(dialect);
    expect(
      (
        await s.call('POST', '/v1/accounts', {
          body: { id: 'acc_u', region: 'CN', phone: '+86 13800001111' },
        })
      ).status,
    ).toBe(201);
    await s.call('POST', '/v1/apps', {
      body: { appId: 'app_x', name: 'X', developerId: 'dev_1', receiverUrl: 'https://x.example/events' },
    });
    user = (await s.call('POST', '/v1/keys', { body: { name: 'u', accountId: 'acc_u' } })).body
      .secret as string;
    platform = (await s.call('POST', '/v1/keys', { body: { name: 'p', scopes: ['facts:read'] } })).body
      .secret as string;
  });
  afterAll(() => s.stop());

  it.each(['/v1/apps', '/v1/apps/app_x'])(
    'GET %s: 403 FORBIDDEN for an end-user token, 200 for a platform key with facts:read',
    async (path) => {
      const asUser = await s.call('GET', path, { key: user });
      expect(asUser.status).toBe(403);
      expect(asUser.body).toMatchObject({ code: 'FORBIDDEN', params: { scope: 'facts:read' } });
      expect(JSON.stringify(asUser.body)).not.toContain('x.example');
      expect((await s.call('GET', path, { key: platform })).status).toBe(200);
    },
  );

  it('the user token still reads its own account', async () => {
    expect((await s.call('GET', '/v1/accounts/acc_u', { key: user })).status).toBe(200);
  });
});
