/**
 * The API the web pages use beyond the resources: who a token is, how evidence is provided, the
 * demo sign-in (demo mode only, demo accounts only), the dashboard's counts (R-UX-1: refusal codes
 * over time, from the recorded refusals), and the pages themselves served by Fastify.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemo, demoIdNumber } from '../../src/adapters/cli/demo.js';
import { DAY_MS } from '../../src/core/clock.js';
import { dialects } from '../support/dialects.js';
import { startService, T0, verifiedCode, type Service } from '../support/service.js';

describe.each(dialects().map((d) => d.name))('web API on %s', (dialect) => {
  let s: Service;
  let plain: Service;
  const web = mkdtempSync(join(tmpdir(), 'realname-web-'));

  beforeAll(async () => {
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>user page</title>');
    writeFileSync(join(web, 'admin.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
    s = await startService(dialect, {}, undefined, T0, { demo: true, webRoot: web });
    plain = await startService(dialect, {}, undefined, T0, { webRoot: join(web, 'missing') });
    await loadDemo({
      accounts: s.rn.services.accounts,
      clock: s.clock,
      exists: async (id) => (await s.rn.store.account(id)) !== null,
    });
  });
  afterAll(async () => {
    await s.stop();
    await plain.stop();
    rmSync(web, { recursive: true, force: true });
  });

  it('serves the self-service page at /, the console at /admin and hashed assets for a year', async () => {
    const page = await s.rn.server.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('user page');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await s.rn.server.inject({ url: '/admin' })).body).toContain('console');
    const asset = await s.rn.server.inject({ url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await s.rn.server.inject({ url: '/assets/nope.js' })).statusCode).toBe(404);
    // Not built: a page that says how to build it, not a bare 404.
    const missing = await plain.rn.server.inject({ url: '/' });
    expect(missing.statusCode).toBe(503);
    expect(missing.body).toContain('npm run build');
  });

  it('demo sign-in: a token for a demo account only, reading that account only; none without demo mode', async () => {
    const list = await s.call('GET', '/v1/demo/accounts', { key: null });
    expect(list.status).toBe(200);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual(DEMO_ACCOUNTS.map((a) => a.id));
    const busy = list.body.find((a: { id: string }) => a.id === 'demo_busy');
    expect(busy.title['zh-CN']).toMatch(/香港/);
    expect(busy.region).toBe('HK');

    const signIn = await s.call('POST', '/v1/demo/sessions', { key: null, body: { accountId: 'demo_busy' } });
    expect(signIn.status).toBe(201);
    expect(signIn.body).toMatchObject({ kind: 'user', accountId: 'demo_busy' });
    const token = signIn.body.token as string;
    // the same token each time: the key table does not grow per click
    const again = await s.call('POST', '/v1/demo/sessions', { key: null, body: { accountId: 'demo_busy' } });
    expect(again.body.token).toBe(token);
    expect((await s.call('GET', '/v1/session', { key: token })).body).toEqual({
      kind: 'user',
      accountId: 'demo_busy',
      scopes: ['user'],
    });
    expect((await s.call('GET', '/v1/accounts/demo_busy', { key: token })).status).toBe(200);
    expect((await s.call('GET', '/v1/accounts/demo_ready', { key: token })).status).toBe(404);

    // an account that is not a demo account is never handed out
    expect(
      (
        await s.call('POST', '/v1/accounts', {
          body: { id: 'real_1', region: 'CN', phone: '+86 13912345678' },
        })
      ).status,
    ).toBe(201);
    const real = await s.call('POST', '/v1/demo/sessions', { key: null, body: { accountId: 'real_1' } });
    expect(real.status).toBe(404);
    expect(real.body.code).toBe('ACCOUNT_NOT_FOUND');

    const reviewer = await s.call('POST', '/v1/demo/sessions', { key: null, body: { reviewer: 'reviewer' } });
    expect(reviewer.body).toMatchObject({ kind: 'reviewer', accountId: null, scopes: ['reviews:write'] });
    expect((await s.call('GET', '/v1/reviews', { key: reviewer.body.token })).status).toBe(200);
    expect((await s.call('GET', '/v1/admin/outbox/dead-letters', { key: reviewer.body.token })).status).toBe(
      403,
    );
    // SPEC §1: reviewers read the audit trail and verify its chain
    expect((await s.call('GET', '/v1/audit/verify', { key: reviewer.body.token })).body.ok).toBe(true);

    const off = await plain.call('POST', '/v1/demo/sessions', {
      key: null,
      body: { accountId: 'demo_busy' },
    });
    expect(off.status).toBe(404);
    expect((await plain.call('GET', '/v1/demo/accounts', { key: null })).status).toBe(404);
    expect((await s.call('GET', '/v1/session', { key: null })).status).toBe(401);
    const bad = await s.call('POST', '/v1/demo/sessions', { key: null, body: { reviewer: 'root' } });
    expect(bad.status).toBe(400);
  });

  it('evidence kinds say how each is provided, from the tables that enforce it', async () => {
    const kinds = (await s.call('GET', '/v1/evidence-kinds')).body as {
      kind: string;
      provide: string;
      channel: string | null;
      contentTypes: string[];
    }[];
    const by = Object.fromEntries(kinds.map((k) => [k.kind, k]));
    expect(by.reserved_phone_code).toMatchObject({ provide: 'code', channel: 'reserved_phone' });
    expect(by.guardian_face).toMatchObject({ provide: 'code', channel: 'guardian' });
    expect(by.statement).toMatchObject({ provide: 'text', contentTypes: ['text/plain'] });
    expect(by.handheld_id_photo).toMatchObject({
      provide: 'file',
      contentTypes: ['image/jpeg', 'image/png'],
    });
  });

  it('R-UX-1 dashboard: operations by kind and outcome, refusals per kind, top refusal codes day by day', async () => {
    const make = async (id: string, seq: number, residue: boolean) => {
      await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13912345678' } });
      await s.call('POST', `/v1/accounts/${id}/identity`, {
        body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(seq, '19880808') },
      });
      if (residue) await s.call('PATCH', `/v1/accounts/${id}`, { body: { balance: 50 } });
    };
    const before = (await s.call('GET', '/v1/admin/stats?days=7')).body;
    const residueBefore =
      before.topCodes.find((c: { code: string }) => c.code === 'BALANCE_RESIDUE')?.count ?? 0;

    // three refusals for a residue (one of them on the previous day), then one deletion that starts
    for (const [i, id] of ['st_1', 'st_2', 'st_3'].entries()) {
      await make(id, 500 + i, true);
      if (i === 2) await s.call('POST', '/v1/dev/clock', { body: { advance: 'P1D' } });
      const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, { body: {} });
      expect(r.status).toBe(422);
    }
    await make('st_ok', 510, false);
    const ok = await s.call('POST', '/v1/accounts/st_ok/operations/deletion', {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, 'st_ok', 'account.delete') }] },
    });
    expect(ok.status).toBe(202);

    const stats = await s.call('GET', '/v1/admin/stats?days=7');
    expect(stats.status).toBe(200);
    const d = stats.body;
    expect(d.days).toBe(7);
    expect(d.byDay).toHaveLength(7);
    const residue = d.topCodes.find((c: { code: string }) => c.code === 'BALANCE_RESIDUE');
    expect(residue.count - residueBefore).toBe(3);
    expect(residue.rule).toBe('R-UX-2');
    expect(residue.remediation['zh-CN']).toBeTruthy();
    expect(d.topCodes[0].count).toBeGreaterThanOrEqual(residue.count);
    const today = d.byDay.at(-1);
    const yesterday = d.byDay.at(-2);
    expect(
      new Date(`${today.day}T00:00:00+08:00`).getTime() -
        new Date(`${yesterday.day}T00:00:00+08:00`).getTime(),
    ).toBe(DAY_MS);
    expect(today.codes.BALANCE_RESIDUE).toBeGreaterThanOrEqual(1);
    const deletion = d.attempts.find((a: { kind: string }) => a.kind === 'account.delete');
    expect(deletion.started).toBeGreaterThanOrEqual(1);
    expect(deletion.refused).toBeGreaterThanOrEqual(3);
    expect(deletion.successRate).toBeCloseTo(deletion.started / (deletion.started + deletion.refused));
    expect(d.operations).toContainEqual(
      expect.objectContaining({ kind: 'account.delete', outcome: 'running' }),
    );

    // nothing personal in the answer, and not for a user
    expect(JSON.stringify(d)).not.toMatch(/st_1|张三|1391234/);
    const token = (await s.call('POST', '/v1/keys', { body: { name: 'u', accountId: 'st_ok' } })).body.secret;
    expect((await s.call('GET', '/v1/admin/stats', { key: token })).status).toBe(403);
    expect((await s.call('GET', '/v1/admin/stats?days=0')).status).toBe(400);
  });
});
