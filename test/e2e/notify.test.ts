/**
 * Third-party notification end to end (R-NOTIFY-1/2), on every dialect: the service listens on
 * loopback, a real receiver verifies every Security Event Token against the published JWKS, and the
 * relay is run pass by pass with the dev clock moved across the backoff (no timing in the asserts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRealname } from '../support/cli.js';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { createPushRelay } from '../../src/adapters/notify/push.js';
import { EVENT_TYPES } from '../../src/core/security-events.js';
import { dialects } from '../support/dialects.js';
import {
  changeEvidence,
  startService,
  verifiedCode,
  type Service,
  type ServiceHome,
} from '../support/service.js';
import { startReceiver, type SetReceiver } from '../support/set-receiver.js';

const ISSUER = 'https://realname.test';
const DAY = 86_400_000;
const ENV = {
  REALNAME_ISSUER: ISSUER,
  REALNAME_PUSH_BACKOFF_BASE_MS: '1000',
  REALNAME_PUSH_BACKOFF_MAX_MS: '60000',
  REALNAME_PUSH_MAX_ATTEMPTS: '5',
};
/** Longer than any backoff of ENV: every event that failed is due again after it. */
const PAST_BACKOFF = 60_000;

interface Env {
  s: Service & { home: ServiceHome };
  receiver: SetReceiver;
  jwksUrl: string;
}

async function boot(dialect: 'sqlite' | 'postgres', running: (() => Promise<void>)[]): Promise<Env> {
  const s = await startService(dialect, ENV);
  running.push(() => s.stop());
  await s.rn.server.listen({ port: 0, host: '127.0.0.1' });
  const port = (s.rn.server.server.address() as AddressInfo).port;
  const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  const receiver = await startReceiver({ jwksUrl, issuer: ISSUER });
  running.push(() => receiver.close());
  return { s, receiver, jwksUrl };
}

async function registerApp(
  s: Service,
  appId: string,
  receiverUrl: string | null,
  subIdFormat: 'opaque' | 'iss_sub' = 'opaque',
): Promise<void> {
  const r = await s.call('POST', '/v1/apps', {
    body: { appId, name: `App ${appId}`, developerId: 'dev_1', receiverUrl, subIdFormat },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

/** A verified adult account with grants to `apps` (each active or ended). */
async function account(
  s: Service,
  id: string,
  seq: number,
  apps: { appId: string; active?: boolean }[],
): Promise<Record<string, string>> {
  expect(
    (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13912345678' } })).status,
  ).toBe(201);
  const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
    body: { name: '欧阳娜娜', documentType: 'cn_id', documentNumber: demoIdNumber(seq, '19880808') },
  });
  expect(bound.status).toBe(201);
  const openIds: Record<string, string> = {};
  for (const app of apps) {
    const g = await s.call('PUT', `/v1/accounts/${id}/grants/${app.appId}`, {
      body: {
        appName: app.appId,
        developerId: 'dev_1',
        active: app.active ?? true,
        grantedAt: s.clock.now(),
      },
    });
    expect(g.status).toBe(200);
    openIds[app.appId] = g.body.openId as string;
  }
  return openIds;
}

async function changePhone(s: Service, id: string, phone = '+86 13700001111'): Promise<void> {
  expect((await s.call('PATCH', `/v1/accounts/${id}`, { body: { phone } })).status).toBe(200);
}

async function startDeletion(s: Service, id: string): Promise<string> {
  const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
    body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}

async function changeSubject(s: Service, id: string, seq: number): Promise<void> {
  const newDocument = { type: 'cn_id', number: demoIdNumber(seq, '19900101'), name: '王五' };
  const evidence = await changeEvidence(s, id, newDocument);
  const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-change`, {
    body: { newDocument, evidence },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.outcome).toBe('completed');
}

async function outboxRow(s: Service, jti: string) {
  return s.rn.store.db
    .selectFrom('outbox')
    .selectAll()
    .where('topic', '=', 'secevent')
    .where('key', '=', jti)
    .executeTakeFirstOrThrow();
}

async function secevents(s: Service) {
  return s.rn.store.db
    .selectFrom('outbox')
    .selectAll()
    .where('topic', '=', 'secevent')
    .orderBy('id')
    .execute();
}

const typesOf = (claims: Record<string, unknown>) => Object.keys(claims.events as object).sort();

describe.each(dialects().map((d) => d.name))('third-party notification on %s', (dialect) => {
  const running: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of running.splice(0).reverse()) await stop();
  });

  it('R-NOTIFY-1 a receiver that fails (503), then is down, then comes back gets every event once after dedup by jti, each verified against the JWKS', async () => {
    const { s, receiver } = await boot(dialect, running);
    await registerApp(s, 'app_a', receiver.url('app_a'));
    await registerApp(s, 'app_b', receiver.url('app_b'), 'iss_sub');
    // app_b's grant ended long ago: an app that ever held one is told too.
    const openIds = await account(s, 'acc_n1', 1, [{ appId: 'app_a' }, { appId: 'app_b', active: false }]);

    await changePhone(s, 'acc_n1');
    await changeSubject(s, 'acc_n1', 101);
    const first = await startDeletion(s, 'acc_n1');
    expect((await s.call('POST', `/v1/accounts/acc_n1/operations/${first}/cancel`)).status).toBe(200);
    await startDeletion(s, 'acc_n1');
    s.clock.advance(60 * DAY);
    expect((await s.rn.services.timers.sweep()).fired).toHaveLength(1);
    const rows = await secevents(s);
    expect(rows).toHaveLength(12); // 6 notices × 2 apps

    // 1. the receiver reads each SET and answers 503: all retried, none due again before its backoff
    receiver.mode('app_a', 'unavailable');
    receiver.mode('app_b', 'unavailable');
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 12, dead: 0 });
    expect(receiver.seen).toHaveLength(12);
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 0, dead: 0 });

    // 2. the receiver is down: connection refused
    await receiver.down();
    s.clock.advance(PAST_BACKOFF);
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 12, dead: 0 });
    const refused = await outboxRow(s, rows[0]!.key);
    expect(refused).toMatchObject({ attempts: 2, delivered_at: null, dead_at: null });
    // refused, or — when the relay's kept-alive socket to the old server is the one it tries — closed
    expect(refused.last_error).toMatch(/^network: .*(ECONNREFUSED|UND_ERR_SOCKET)/);

    // 3. back up: everything is delivered, once more to the receiver for those it had seen
    await receiver.start();
    receiver.mode('app_a', 'up');
    receiver.mode('app_b', 'up');
    s.clock.advance(PAST_BACKOFF);
    const back = await s.rn.notify.push.runOnce();
    expect(receiver.rejected).toEqual([]);
    expect(back).toEqual({ delivered: 12, retried: 0, dead: 0 });
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 0, dead: 0 });
    expect(receiver.seen.length).toBe(24); // duplicates reached the receiver…
    const byJti = new Map(receiver.seen.map((r) => [r.claims.jti as string, r]));
    expect([...byJti.keys()].sort()).toEqual(rows.map((r) => r.key).sort()); // …each event once after dedup
    expect(new Set(receiver.accepted.map((r) => r.claims.jti)).size).toBe(12);
    for (const row of await secevents(s)) expect(row.delivered_at).not.toBeNull();

    // the claims: exactly the seven of R-NOTIFY-1, addressed by each app's OpenID in its format
    for (const r of byJti.values()) {
      expect(Object.keys(r.claims).sort()).toEqual(['aud', 'events', 'iat', 'iss', 'jti', 'sub_id', 'txn']);
      expect(r.claims.aud).toBe(r.appId);
      expect(r.claims.sub_id).toEqual(
        r.appId === 'app_a'
          ? { format: 'opaque', id: openIds.app_a }
          : { format: 'iss_sub', iss: ISSUER, sub: openIds.app_b },
      );
      expect(JSON.stringify(r.claims)).not.toContain('acc_n1'); // never the account id
    }
    const kinds = [...byJti.values()]
      .filter((r) => r.appId === 'app_a')
      .map((r) => typesOf(r.claims).join(' '));
    expect(kinds.sort()).toEqual(
      [
        [EVENT_TYPES.identifierChanged],
        [EVENT_TYPES.assuranceLevelChange, EVENT_TYPES.tokenClaimsChange],
        [EVENT_TYPES.accountDisabled],
        [EVENT_TYPES.accountEnabled],
        [EVENT_TYPES.accountDisabled],
        [EVENT_TYPES.accountPurged, EVENT_TYPES.sessionRevoked],
      ]
        .map((t) => [...t].sort().join(' '))
        .sort(),
    );
    const purged = [...byJti.values()].find((r) => EVENT_TYPES.accountPurged in (r.claims.events as object))!;
    const event = (purged.claims.events as Record<string, Record<string, unknown>>)[
      EVENT_TYPES.accountPurged
    ]!;
    expect(event.initiating_entity).toBe('policy');
    expect(event.reason_user).toEqual({
      en: 'The account was deleted and its personal data erased.',
      'zh-CN': '该账户已注销，个人数据已删除。',
    });
    // the SET's txn is the operation it reports
    const ops = (await s.call('GET', '/v1/accounts/acc_n1/operations')).body as {
      id: string;
      kind: string;
    }[];
    expect(ops.map((o) => o.id)).toContain(purged.claims.txn);
  });

  it('R-NOTIFY-1 dead letters: an app without a receiver, a permanent RFC 8935 refusal, and the last allowed attempt; admins list and retry them', async () => {
    const { s, receiver } = await boot(dialect, running);
    await registerApp(s, 'app_none', null);
    await registerApp(s, 'app_refuse', receiver.url('app_refuse'));
    await registerApp(s, 'app_flaky', receiver.url('app_flaky'));
    receiver.mode('app_refuse', { err: 'invalid_audience' });
    receiver.mode('app_flaky', 'unavailable');
    await account(s, 'acc_dl', 2, [{ appId: 'app_none' }, { appId: 'app_refuse' }, { appId: 'app_flaky' }]);
    await changePhone(s, 'acc_dl');

    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 1, dead: 2 });
    // ENV allows 5 attempts: after the 4th failure the event is still live, the 5th gives up
    for (let attempt = 2; attempt <= 4; attempt++) {
      s.clock.advance(PAST_BACKOFF);
      expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 1, dead: 0 });
    }
    const flakyRow = (await secevents(s)).find(
      (r) => (JSON.parse(r.payload) as { appId: string }).appId === 'app_flaky',
    )!;
    expect(await outboxRow(s, flakyRow.key)).toMatchObject({ attempts: 4, dead_at: null });
    s.clock.advance(PAST_BACKOFF);
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 0, retried: 0, dead: 1 });

    const list = await s.call('GET', '/v1/admin/outbox/dead-letters');
    expect(list.status).toBe(200);
    const byApp = Object.fromEntries(list.body.items.map((d: { appId: string }) => [d.appId, d]));
    expect(Object.keys(byApp).sort()).toEqual(['app_flaky', 'app_none', 'app_refuse']);
    expect(byApp.app_none).toMatchObject({
      topic: 'secevent',
      event: 'phone_changed',
      attempts: 1,
      accountId: 'acc_dl',
    });
    expect(byApp.app_none.lastError).toContain('no_receiver');
    expect(byApp.app_refuse.lastError).toBe('HTTP 400 invalid_audience: refused');
    expect(byApp.app_flaky).toMatchObject({
      attempts: 5,
      lastError: 'gave up after 5 attempts; last: HTTP 503',
    });
    expect(list.body.next).toBeNull();
    // paging by id
    const page1 = await s.call('GET', '/v1/admin/outbox/dead-letters?limit=2');
    expect(page1.body.items).toHaveLength(2);
    const page2 = await s.call('GET', `/v1/admin/outbox/dead-letters?limit=2&after=${page1.body.next}`);
    expect(page2.body.items.map((d: { id: number }) => d.id)).toEqual([list.body.items[2].id]);
    // admins only
    const platform = await s.call('POST', '/v1/keys', {
      body: { name: 'p', scopes: ['facts:read', 'apps:write'] },
    });
    expect((await s.call('GET', '/v1/admin/outbox/dead-letters', { key: platform.body.secret })).status).toBe(
      403,
    );

    // fixed: registering app_none's receiver queues its waiting notices again by itself; the
    // flaky one is retried by an admin. Both are delivered.
    expect(
      (await s.call('PATCH', '/v1/apps/app_none', { body: { receiverUrl: receiver.url('app_none') } }))
        .status,
    ).toBe(200);
    const waiting = await s.call('GET', '/v1/admin/outbox/dead-letters');
    expect(waiting.body.items.map((d: { appId: string }) => d.appId).sort()).toEqual([
      'app_flaky',
      'app_refuse',
    ]);
    receiver.mode('app_flaky', 'up');
    const r = await s.call('POST', `/v1/admin/outbox/${byApp.app_flaky.id}/retry`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await s.rn.notify.push.runOnce()).toEqual({ delivered: 2, retried: 0, dead: 0 });
    expect(receiver.accepted.map((r) => r.appId).sort()).toEqual(['app_flaky', 'app_none']);
    const after = await s.call('GET', '/v1/admin/outbox/dead-letters');
    expect(after.body.items.map((d: { appId: string }) => d.appId)).toEqual(['app_refuse']);
    // a delivered event is not retried; an unknown one is not found
    expect((await s.call('POST', `/v1/admin/outbox/${byApp.app_none.id}/retry`)).body.code).toBe('CONFLICT');
    const missing = await s.call('POST', '/v1/admin/outbox/999999/retry');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('OUTBOX_EVENT_NOT_FOUND');
    // each retry and each automatic re-queue is audited
    const trail = await s.call('GET', '/v1/audit?limit=1000');
    expect(trail.body.filter((e: { action: string }) => e.action === 'outbox.retried')).toHaveLength(1);
    expect(trail.body.filter((e: { action: string }) => e.action === 'outbox.requeued')).toMatchObject([
      { data: { appId: 'app_none', count: 1 } },
    ]);
  });

  it('R-NOTIFY-1 key rotation: the JWKS keeps the old key for its grace period, so SETs signed before still verify; 1 ms past it, they do not', async () => {
    const { s, receiver, jwksUrl } = await boot(dialect, running);
    await registerApp(s, 'app_k', receiver.url('app_k'));
    await account(s, 'acc_k', 3, [{ appId: 'app_k' }]);
    const jwks = async () => ((await (await fetch(jwksUrl)).json()) as { keys: { kid: string }[] }).keys;
    const [k1] = await jwks();
    expect(k1).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(k1).not.toHaveProperty('d'); // never the private part

    await changePhone(s, 'acc_k');
    await s.rn.notify.push.runOnce();
    const before = receiver.accepted[0]!;
    expect(before.kid).toBe(k1!.kid);

    const rotated = await s.call('POST', '/v1/admin/signing-keys/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.retired).toBe(k1!.kid);
    expect((await jwks()).map((k) => k.kid)).toEqual([rotated.body.kid, k1!.kid]);
    await expect(receiver.verify(before.jwt, 'app_k')).resolves.toMatchObject({ kid: k1!.kid });

    await changePhone(s, 'acc_k', '+86 13700002222');
    await s.rn.notify.push.runOnce();
    expect(receiver.accepted[1]!.kid).toBe(rotated.body.kid);

    // R-NOTIFY-1: published until exactly 7 days after the rotation…
    s.clock.advance(7 * DAY);
    expect((await jwks()).map((k) => k.kid)).toContain(k1!.kid);
    await expect(receiver.verify(before.jwt, 'app_k')).resolves.toMatchObject({ kid: k1!.kid });
    // …and no longer 1 ms later
    s.clock.advance(1);
    expect((await jwks()).map((k) => k.kid)).toEqual([rotated.body.kid]);
    await expect(receiver.verify(before.jwt, 'app_k')).rejects.toThrow(/no applicable key/i);

    const platform = await s.call('POST', '/v1/keys', { body: { name: 'p', scopes: ['apps:write'] } });
    expect(
      (await s.call('POST', '/v1/admin/signing-keys/rotate', { key: platform.body.secret })).status,
    ).toBe(403);
    const audit = await s.call('GET', '/v1/audit?limit=1000');
    expect(audit.body.some((e: { action: string }) => e.action === 'signing_key.rotated')).toBe(true);
  });

  it('R-NOTIFY-2 introspection: active for an active grant; inactive once the grant ends, while pending_recycle (R-REV-3), when the account is frozen, at expiry, for an unknown token', async () => {
    const { s } = await boot(dialect, running);
    const openIds = await account(s, 'acc_t', 4, [{ appId: 'app_t' }, { appId: 'app_gone', active: false }]);
    const introspector = await s.call('POST', '/v1/keys', { body: { name: 'rs', scopes: ['introspect'] } });
    const rs = introspector.body.secret as string;
    const introspect = async (token: string, form = true) => {
      const r = await s.call('POST', '/v1/oauth/introspect', {
        key: rs,
        body: form ? `token=${encodeURIComponent(token)}&token_type_hint=access_token` : { token },
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.headers['cache-control']).toBe('no-store');
      return r.body as Record<string, unknown>;
    };
    const issue = async (appId: string, body?: object) =>
      s.call('POST', `/v1/accounts/acc_t/grants/${appId}/tokens`, body ? { body } : {});

    const issued = await issue('app_t');
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const token = issued.body.access_token as string;
    const iat = Math.floor(s.clock.now() / 1000);
    expect(await introspect(token)).toEqual({
      active: true,
      client_id: 'app_t',
      sub: openIds.app_t,
      iat,
      exp: iat + 3600,
      token_type: 'Bearer',
    });
    expect((await introspect(token, false)).active).toBe(true); // a JSON body works as well
    // the token is stored hashed only
    const stored = await s.rn.store.db.selectFrom('grant_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    // R-REV-3: grants suspended while the identity is pending_recycle, restored with it
    await s.rn.store.withAccount('acc_t', (tx) => tx.setIdentityStatus('pending_recycle', s.clock.now()));
    expect(await introspect(token)).toEqual({ active: false });
    expect((await issue('app_t')).status).toBe(409);
    await s.rn.store.withAccount('acc_t', (tx) => tx.setIdentityStatus('verified', s.clock.now()));
    expect((await introspect(token)).active).toBe(true);

    // a frozen account's tokens are inactive
    await s.call('PATCH', '/v1/accounts/acc_t', { body: { status: 'frozen' } });
    expect((await introspect(token)).active).toBe(false);
    await s.call('PATCH', '/v1/accounts/acc_t', { body: { status: 'active' } });
    expect((await introspect(token)).active).toBe(true);

    // expiry: active 1 ms before, inactive at it
    const short = (await issue('app_t', { expiresIn: 60 })).body.access_token as string;
    s.clock.advance(60_000 - 1);
    expect((await introspect(short)).active).toBe(true);
    s.clock.advance(1);
    expect((await introspect(short)).active).toBe(false);
    expect((await issue('app_t', { expiresIn: 86_401 })).status).toBe(400);

    // R-NOTIFY-2: the grant revoked → inactive; no token for an ended or missing grant
    await s.call('PUT', '/v1/accounts/acc_t/grants/app_t', {
      body: { appName: 'app_t', developerId: 'dev_1', active: false, grantedAt: s.clock.now() },
    });
    expect(await introspect(token)).toEqual({ active: false });
    expect((await issue('app_gone')).status).toBe(409);
    expect((await issue('app_never')).status).toBe(404);
    // granted again: the old token stays inactive (issued before the new grant), a new one works
    s.clock.advance(1);
    await s.call('PUT', '/v1/accounts/acc_t/grants/app_t', {
      body: { appName: 'app_t', developerId: 'dev_1', active: true, grantedAt: s.clock.now() },
    });
    expect((await introspect(token)).active).toBe(false);
    expect((await introspect((await issue('app_t')).body.access_token as string)).active).toBe(true);

    expect(await introspect('rn_at_made_up')).toEqual({ active: false });
    // the caller must be authenticated, with the introspect scope; the token is required
    const anon = await s.call('POST', '/v1/oauth/introspect', { key: null, body: { token } });
    expect(anon.status).toBe(401);
    const reader = await s.call('POST', '/v1/keys', { body: { name: 'r', scopes: ['facts:read'] } });
    expect(
      (await s.call('POST', '/v1/oauth/introspect', { key: reader.body.secret, body: { token } })).status,
    ).toBe(403);
    const empty = await s.call('POST', '/v1/oauth/introspect', {
      key: rs,
      body: 'token_type_hint=access_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(empty.status).toBe(400);
    // other routes still refuse a form body
    const form = await s.call('POST', '/v1/apps', {
      body: 'appId=x&name=y&developerId=z',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
  });

  it('R-NOTIFY-2 after a purge every token of the account is inactive and its grants ended', async () => {
    const { s } = await boot(dialect, running);
    await account(s, 'acc_p', 5, [{ appId: 'app_p' }]);
    const rs = (await s.call('POST', '/v1/keys', { body: { name: 'rs', scopes: ['introspect'] } })).body
      .secret;
    const token = (await s.call('POST', '/v1/accounts/acc_p/grants/app_p/tokens')).body.access_token;
    await startDeletion(s, 'acc_p');
    const during = await s.call('POST', '/v1/oauth/introspect', { key: rs, body: { token } });
    expect(during.body.active).toBe(false); // deactivating: not an active account
    s.clock.advance(60 * DAY);
    await s.rn.services.timers.sweep();
    const after = await s.call('POST', '/v1/oauth/introspect', { key: rs, body: { token } });
    expect(after.body).toEqual({ active: false });
    expect((await s.call('POST', '/v1/accounts/acc_p/grants/app_p/tokens')).status).toBe(404);
  });

  it('R-NOTIFY-1 the apps registry: receiver URLs are checked, ids are unique, apps are listed by id and changed', async () => {
    const { s, receiver } = await boot(dialect, running);
    const bad = async (receiverUrl: string, detail: RegExp) => {
      const r = await s.call('POST', '/v1/apps', {
        body: { appId: 'app_bad', name: 'Bad', developerId: 'dev_1', receiverUrl },
      });
      expect(r.status, receiverUrl).toBe(400);
      expect(r.body.code).toBe('APP_RECEIVER_INVALID');
      expect(r.body.message).toMatch(detail);
    };
    await bad('not a url', /absolute/);
    await bad('ftp://rp.example/events', /scheme/);
    await bad('http://rp.example/events', /https/);
    await bad('https://user:pw@rp.example/events', /credentials/);
    await bad('https://rp.example/events#x', /fragment/);
    expect((await s.call('GET', '/v1/apps/app_bad')).body.code).toBe('APP_NOT_FOUND');

    await registerApp(s, 'app_1', 'https://rp.example/events');
    await registerApp(s, 'app_2', receiver.url('app_2'), 'iss_sub');
    await registerApp(s, 'app_3', null);
    const dup = await s.call('POST', '/v1/apps', {
      body: { appId: 'app_1', name: 'again', developerId: 'dev_2' },
    });
    expect(dup.status).toBe(409);
    expect((await s.call('GET', '/v1/apps/app_1')).body).toMatchObject({
      appId: 'app_1',
      developerId: 'dev_1',
      receiverUrl: 'https://rp.example/events',
      subIdFormat: 'opaque',
    });
    const page = await s.call('GET', '/v1/apps?limit=2');
    expect(page.body.items.map((a: { appId: string }) => a.appId)).toEqual(['app_1', 'app_2']);
    const rest = await s.call('GET', `/v1/apps?limit=2&after=${page.body.next}`);
    expect(rest.body).toMatchObject({ items: [{ appId: 'app_3' }], next: null });

    const patched = await s.call('PATCH', '/v1/apps/app_1', {
      body: { subIdFormat: 'iss_sub', receiverUrl: null },
    });
    expect(patched.body).toMatchObject({ subIdFormat: 'iss_sub', receiverUrl: null, name: 'App app_1' });
    expect((await s.call('PATCH', '/v1/apps/app_1', { body: { receiverUrl: 'ftp://x' } })).status).toBe(400);
    expect((await s.call('PATCH', '/v1/apps/nope', { body: { name: 'x' } })).status).toBe(404);
    // a reader cannot register
    const reader = await s.call('POST', '/v1/keys', { body: { name: 'r', scopes: ['facts:read'] } });
    expect(
      (
        await s.call('POST', '/v1/apps', {
          key: reader.body.secret,
          body: { appId: 'app_r', name: 'R', developerId: 'dev_1' },
        })
      ).status,
    ).toBe(403);
  });

  it('R-NOTIFY-1 several relays running at once deliver each event exactly once', async () => {
    const { s, receiver } = await boot(dialect, running);
    await registerApp(s, 'app_c', receiver.url('app_c'));
    for (let i = 0; i < 8; i++) await account(s, `acc_c${i}`, 20 + i, [{ appId: 'app_c' }]);
    for (let i = 0; i < 8; i++) await changePhone(s, `acc_c${i}`);
    for (let i = 0; i < 8; i++) await changePhone(s, `acc_c${i}`, '+86 13600003333');
    // PostgreSQL: a second process on the same database; SQLite: one writer per file per process,
    // so the race is between relays of one process (each claims in its own transaction).
    const other =
      dialect === 'postgres' ? (await startService(dialect, ENV, s.home, s.clock.now())).rn : null;
    if (other) running.push(() => other.close());
    const second =
      other?.notify.push ??
      createPushRelay({
        store: s.rn.notify.store,
        keys: s.rn.notify.keys,
        clock: s.clock,
        issuer: ISSUER,
        batch: 3,
      });
    const results = await Promise.all([
      s.rn.notify.push.runOnce(),
      second.runOnce(),
      s.rn.notify.push.runOnce(),
      second.runOnce(),
    ]);
    expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(16);
    expect(receiver.seen).toHaveLength(16);
    expect(new Set(receiver.seen.map((r) => r.claims.jti)).size).toBe(16);
  });

  it('R-NOTIFY-1 the worker of `serve` runs the push relay next to the timers', async () => {
    const { s, receiver } = await boot(dialect, running);
    await registerApp(s, 'app_w', receiver.url('app_w'));
    await account(s, 'acc_w', 6, [{ appId: 'app_w' }]);
    await changePhone(s, 'acc_w');
    s.rn.startWorker(3_600_000);
    // joins the pass the worker started at once, or runs one: either way the event is out after it
    const pass = await s.rn.relayWorker!.runOnce();
    expect(Object.keys(pass)).toEqual(['push']);
    expect(receiver.accepted.map((r) => r.appId)).toEqual(['app_w']);
  });

  it.runIf(dialect === 'sqlite')(
    'R-NOTIFY-1 `realname keys rotate` rotates the signing key from the command line',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'realname-keys-'));
      running.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
      const cli = (...args: string[]) => runRealname({ REALNAME_DATA_DIR: dir }, ...args);
      const first = cli('keys', 'rotate');
      expect(first.code, first.err).toBe(0);
      const [, kid1, retired1] = /signing key (\S+) is current; (\S+) retired/.exec(first.out) ?? [];
      expect(kid1).toBeTruthy();
      expect(retired1).toBeTruthy(); // the key made at the first start
      const second = cli('keys', 'rotate');
      expect(second.out).toContain(`${kid1} retired (published for 7 more days)`);
    },
  );
});
