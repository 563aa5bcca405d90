/**
 * Security (issue 8 §6), over every route of the served /openapi.json where it applies:
 *
 * - an end-user token reaching another account — read or act, on every account route — gets the
 *   404 ACCOUNT_NOT_FOUND an absent account gets (never 403, never data), and nothing changes; the
 *   routes of platforms, reviewers and admins refuse it;
 * - a reviewer is refused every admin-only route (403 FORBIDDEN naming `admin`), and nothing changes;
 * - a forged Security Event Token (payload edited, re-signed with another key under the same `kid`,
 *   `alg: none`, HS256 keyed with the public key, another `typ` or audience) fails the verification
 *   a receiver does against the JWKS; a replayed one carries the same `jti` (deduplicable); a forged
 *   or stale participant request signature is refused;
 * - a tampered audit record (edited, removed, reordered) is named by GET /v1/audit/verify and by
 *   `realname audit verify` (exit 1);
 * - no secret — the master key, the admin key, API key secrets after their creation, grant access
 *   tokens, the participant and id secrets, the signing keys' private parts, the stored hashes of
 *   keys and codes — appears in any answer of any route.
 *
 * The PII-in-logs check is in pii-logs.test.ts (it runs the service as a process).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, exportJWK, generateKeyPair, decodeProtectedHeader, decodeJwt, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signParticipantRequest, verifyParticipantRequest } from '../../src/adapters/participants/http.js';
import { runRealname } from '../support/cli.js';
import { dialects } from '../support/dialects.js';
import { operationsOf, validValue, type JsonSchema, type Operation } from '../support/openapi-fuzz.js';
import { startReceiver, type SetReceiver } from '../support/set-receiver.js';
import {
  ADMIN_KEY,
  homeEnv,
  listenOnLoopback,
  startService,
  verifiedCode,
  type Service,
  type ServiceHome,
} from '../support/service.js';
import { diffDigest, stateDigest } from '../support/state-digest.js';
import { person, verifiedAccount, type Api } from '../support/workload.js';

const ISSUER = 'https://realname.security.test';
const PARTICIPANT_SECRET = 'security-participant-secret-0123456789';
const ID_SECRET = 'security-id-secret-0123456789abcdef';

/** The routes only an admin may use (README "API overview": scope `admin`). */
const ADMIN_ONLY = [
  'POST /v1/keys',
  'GET /v1/admin/risk/shadow',
  'POST /v1/admin/signing-keys/rotate',
  'GET /v1/admin/outbox/dead-letters',
  'POST /v1/admin/outbox/{id}/retry',
  'GET /v1/dev/clock',
  'POST /v1/dev/clock',
];

describe.each(dialects().map((d) => d.name))('security on %s', (dialect) => {
  let s: Service & { home: ServiceHome };
  let doc: JsonSchema;
  let operations: Operation[];
  let receiver: SetReceiver;
  const secrets: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  /** Real ids of each account's resources, by path parameter name. */
  const ids: Record<'a' | 'b', Record<string, string>> = { a: {}, b: {} };
  const A = 'acc_sec_a';
  const B = 'acc_sec_b';

  const digest = () => stateDigest(s.rn.store.db as never, dialect === 'postgres');

  beforeAll(async () => {
    s = await startService(dialect, {
      REALNAME_ISSUER: ISSUER,
      REALNAME_PARTICIPANT_SECRET: PARTICIPANT_SECRET,
      REALNAME_ID_SECRET: ID_SECRET,
      REALNAME_RATE_LIMIT: '1000000',
    });
    receiver = await startReceiver({
      jwksUrl: `${await listenOnLoopback(s)}/.well-known/jwks.json`,
      issuer: ISSUER,
    });
    doc = (await s.call('GET', '/openapi.json')).body as JsonSchema;
    operations = operationsOf(doc);
    const call: Api = (m, p, o) => s.call(m, p, o);
    const now = s.clock.now();
    expect(
      (
        await s.call('POST', '/v1/apps', {
          body: { appId: 'app_sec', name: 'Sec', developerId: 'dev_1', receiverUrl: receiver.url('app_sec') },
        })
      ).status,
    ).toBe(201);
    for (const [key, id, p] of [
      ['a', A, person(1, 9)],
      ['b', B, person(2, 9)],
    ] as const) {
      await verifiedAccount(call, {
        id,
        person: p,
        cards: [
          { id: 'credit_1', type: 'credit' },
          { id: 'debit_1', type: 'debit' },
        ],
        grants: ['app_sec'],
        now,
      });
      const ev = await s.call('POST', `/v1/accounts/${id}/evidence`, {
        body: { kind: 'document_front', contentType: 'image/jpeg', data: '/9j/4AECAw==' },
      });
      const unbind = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
        body: {
          cardId: 'debit_1',
          evidence: [
            { kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'debit_1') },
          ],
        },
      });
      expect(unbind.status, JSON.stringify(unbind.body)).toBe(202);
      const challenge = await s.call('POST', `/v1/accounts/${id}/verifications`, {
        body: { purpose: 'realname.revoke' },
      });
      const token = await s.call('POST', `/v1/accounts/${id}/grants/app_sec/tokens`, { body: {} });
      expect(token.status, JSON.stringify(token.body)).toBe(201);
      secrets[`access token of ${id}`] = token.body.access_token as string;
      ids[key] = {
        accountId: id,
        operationId: unbind.body.id as string,
        evidenceId: ev.body.id as string,
        challengeId: challenge.body.challengeId as string,
        appId: 'app_sec',
        id: 'credit_1',
      };
    }
    // A deletion of B (its credit card unbound first, R-DEL-1): security events, delivered to the receiver.
    const unbound = await s.call('POST', `/v1/accounts/${B}/operations/card-unbind`, {
      body: {
        cardId: 'credit_1',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, B, 'card.unbind', 'credit_1') }],
      },
    });
    expect(unbound.status, JSON.stringify(unbound.body)).toBe(202);
    const del = await s.call('POST', `/v1/accounts/${B}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, B, 'account.delete') }] },
    });
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    await s.rn.notify.push.runOnce();
    expect(receiver.accepted.length).toBeGreaterThan(0);
    for (const [name, body] of [
      ['user', { name: 'user a', accountId: A }],
      ['reviewer', { name: 'reviewer', scopes: ['reviews:write'] }],
      [
        'platform',
        { name: 'platform', scopes: ['facts:read', 'facts:write', 'operations:read', 'operations:write'] },
      ],
      ['admin', { name: 'admin', scopes: ['admin'] }],
    ] as const) {
      const k = await s.call('POST', '/v1/keys', { body });
      expect(k.status).toBe(201);
      tokens[name] = k.body.secret as string;
      secrets[`${name} key`] = k.body.secret as string;
    }
    secrets['bootstrap admin key'] = ADMIN_KEY;
    secrets['master key'] = s.home.masterKey;
    secrets['participant secret'] = PARTICIPANT_SECRET;
    secrets['id secret'] = ID_SECRET;
    for (const key of await s.rn.notify.store.signingKeys(0))
      secrets[`signing key ${key.kid} (d)`] = String((key.privateJwk as { d?: string }).d);
  });

  afterAll(async () => {
    await receiver?.close();
    await s?.stop();
  });

  /** The URL of `op` with every path parameter taken from `who`'s resources. */
  function url(op: Operation, who: Record<string, string>): string {
    return op.pathParams.reduce(
      (p, prm) => p.replace(`{${prm.name}}`, encodeURIComponent(who[prm.name] ?? 'x')),
      op.path,
    );
  }

  /** Bodies that pass the schema of `op` (the refusal must come from the access check, not validation). */
  function bodies(op: Operation): unknown[] {
    if (op.method === 'GET' || op.method === 'DELETE') return [undefined];
    if (!op.body) return [{}];
    return fc.sample(validValue(op.body, doc, { known: {} }), { seed: 7, numRuns: 12 });
  }

  async function send(op: Operation, path: string, body: unknown, key: string | null) {
    return s.rn.server.inject({
      method: op.method as 'GET',
      url: path,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  }

  const strip = (body: string) => {
    const { requestId: _r, instance: _i, ...rest } = JSON.parse(body) as Record<string, unknown>;
    return rest;
  };

  it('a user token reading or acting on another account: 404 ACCOUNT_NOT_FOUND exactly as for an absent account, on every account route; nothing changes', async () => {
    const accountRoutes = operations.filter((op) => op.path.includes('{accountId}'));
    expect(accountRoutes.length).toBeGreaterThan(40);
    const before = await digest();
    let refused404 = 0;
    let forbiddenToUsers = 0;
    for (const op of accountRoutes) {
      const absent = { ...ids.b, accountId: 'acc_absent' };
      // A body the route's schema takes, so that what answers is the access check.
      let body: unknown;
      let absentRes = await send(op, url(op, absent), undefined, tokens.user!);
      for (const candidate of bodies(op)) {
        absentRes = await send(op, url(op, absent), candidate, tokens.user!);
        body = candidate;
        if (absentRes.statusCode === 404) break;
      }
      const other = await send(op, url(op, ids.b), body, tokens.user!);
      expect(other.statusCode, `${op.method} ${op.path}: ${other.body}`).toBe(absentRes.statusCode);
      expect(strip(other.body), `${op.method} ${op.path}`).toEqual(strip(absentRes.body));
      if (other.statusCode === 404) {
        refused404++;
        expect(JSON.parse(other.body).code).toBe('ACCOUNT_NOT_FOUND');
      } else if (other.statusCode === 403) {
        // A route no end-user token may use, whoever's account (platform facts): refused alike on its own.
        const own = await send(op, url(op, ids.a), body, tokens.user!);
        expect(own.statusCode, `${op.method} ${op.path} on its own account`).toBe(403);
        forbiddenToUsers++;
      } else {
        // Only a body no schema-valid sample was found for: refused by validation, alike for both.
        expect(other.statusCode, `${op.method} ${op.path}`).toBe(400);
      }
      // Nothing of B in the answer (`instance` is the URL the caller sent, left out).
      const answer = JSON.stringify(strip(other.body));
      for (const v of [ids.b.operationId, ids.b.evidenceId, ids.b.challengeId, person(2, 9).phone.slice(-4)])
        expect(answer, `${op.method} ${op.path}`).not.toContain(v);
    }
    expect(refused404 + forbiddenToUsers, 'routes refused with 404 (or 403 on any account)').toBeGreaterThan(
      accountRoutes.length * 0.9,
    );
    expect(refused404).toBeGreaterThan(accountRoutes.length / 2);
    // Its own account with the other account's operation, challenge or evidence: not found either.
    for (const [method, path, body] of [
      ['GET', `/v1/accounts/${A}/operations/${ids.b.operationId}`, undefined],
      ['POST', `/v1/accounts/${A}/operations/${ids.b.operationId}/cancel`, {}],
      ['POST', `/v1/accounts/${A}/verifications/${ids.b.challengeId}/verify`, { code: '123456' }],
      [
        'POST',
        `/v1/accounts/${A}/operations/deletion`,
        { evidence: [{ kind: 'sms_code', ref: ids.b.challengeId }] },
      ],
    ] as const) {
      const r = await s.call(method, path, { key: tokens.user!, ...(body ? { body } : {}) });
      expect([404, 422], `${method} ${path} ${JSON.stringify(r.body)}`).toContain(r.status);
      expect(JSON.stringify(r.body)).not.toContain(B);
    }
    expect(diffDigest(before, await digest()), 'changed by cross-account requests').toEqual([]);
  });

  it('a user token on the routes of platforms, reviewers and admins: refused, never data', async () => {
    const open = new Set([
      'GET /healthz',
      'GET /readyz',
      'GET /.well-known/jwks.json',
      'GET /v1/session',
      'GET /v1/evidence-kinds',
    ]);
    const before = await digest();
    for (const op of operations.filter((o) => !o.path.includes('{accountId}'))) {
      const name = `${op.method} ${op.path}`;
      const known = { ...ids.b, id: '1' };
      const r = await send(op, url(op, known), bodies(op)[0], tokens.user!);
      if (open.has(name)) continue;
      // 400: a body its schema refuses (validation comes before the scope check; the schema is public).
      expect([400, 401, 403, 404], `${name}: ${r.statusCode} ${r.body.slice(0, 200)}`).toContain(
        r.statusCode,
      );
      expect(r.headers['content-type'], name).toMatch(/^application\/problem\+json/);
    }
    expect(diffDigest(before, await digest())).toEqual([]);
  });

  it('a reviewer reaching admin-only routes: 403 FORBIDDEN naming the admin scope; nothing changes', async () => {
    const byName = new Map(operations.map((o) => [`${o.method} ${o.path}`, o]));
    const before = await digest();
    for (const name of ADMIN_ONLY) {
      const op = byName.get(name);
      expect(op, `${name} is served`).toBeDefined();
      for (const body of bodies(op!).slice(0, 3)) {
        const r = await send(op!, url(op!, { id: '1' }), body, tokens.reviewer!);
        if (r.statusCode === 400) continue; // a body the schema refuses first
        expect(r.statusCode, `${name}: ${r.body}`).toBe(403);
        expect(JSON.parse(r.body)).toMatchObject({ code: 'FORBIDDEN', params: { scope: 'admin' } });
      }
    }
    // What reviewers are for still works for them.
    expect((await s.call('GET', '/v1/reviews', { key: tokens.reviewer! })).status).toBe(200);
    expect((await s.call('GET', '/v1/audit/verify', { key: tokens.reviewer! })).status).toBe(200);
    expect(diffDigest(before, await digest())).toEqual([]);
  });

  it('R-NOTIFY-1 forged security events fail the receiver’s verification against the JWKS; a replayed one is known by its jti', async () => {
    const genuine = receiver.accepted[0]!;
    await expect(receiver.verify(genuine.jwt, genuine.appId)).resolves.toBeDefined();
    const [h, p, sig] = genuine.jwt.split('.') as [string, string, string];
    const claims = decodeJwt(genuine.jwt);
    const header = decodeProtectedHeader(genuine.jwt);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const jwks = (await s.call('GET', '/.well-known/jwks.json', { key: null })).body as { keys: JWK[] };
    const forged: Record<string, string> = {
      'payload edited, signature kept': `${h}.${b64({ ...claims, sub_id: { format: 'opaque', id: 'o-someone-else' } })}.${sig}`,
      'signed by another key under the same kid': await new SignJWT(claims)
        .setProtectedHeader({ ...header, alg: 'ES256' })
        .sign(attacker.privateKey),
      'alg none': `${b64({ ...header, alg: 'none' })}.${p}.`,
      'HS256 keyed with the public key': await new SignJWT(claims)
        .setProtectedHeader({ ...header, alg: 'HS256' })
        .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0]))),
      'typ JWT': await new SignJWT(claims)
        .setProtectedHeader({ ...header, alg: 'ES256', typ: 'JWT' })
        .sign(attacker.privateKey),
      'another audience': `${h}.${b64({ ...claims, aud: 'app_other' })}.${sig}`,
      'signature of another event': `${h}.${p}.${receiver.accepted.at(-1)!.jwt.split('.')[2]}`,
    };
    if (receiver.accepted.length < 2) delete forged['signature of another event'];
    for (const [what, jwt] of Object.entries(forged))
      await expect(receiver.verify(jwt, genuine.appId), what).rejects.toThrow();
    // The published keys carry no private part.
    for (const k of jwks.keys)
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(JSON.stringify(await exportJWK(attacker.publicKey))).not.toContain('"d"');
    // A replay is the same token again: it verifies, and its jti names it as seen (RFC 8935 §2.1).
    const replay = await receiver.verify(genuine.jwt, genuine.appId);
    expect(replay.claims.jti).toBe(claims.jti);
    expect(new Set(receiver.accepted.map((r) => r.claims.jti)).size).toBe(receiver.accepted.length);
  });

  it('R-REV-3 a forged, tampered or stale participant request signature is refused', () => {
    const body = JSON.stringify({
      operationId: 'op_1',
      accountId: 'acc_1',
      region: 'CN',
      minor: false,
      at: 1,
    });
    const now = Math.floor(Date.now() / 1000);
    const good = { timestamp: String(now), signature: signParticipantRequest(PARTICIPANT_SECRET, now, body) };
    expect(verifyParticipantRequest(PARTICIPANT_SECRET, good, body, now)).toBe(true);
    expect(
      verifyParticipantRequest(
        PARTICIPANT_SECRET,
        { ...good, signature: signParticipantRequest('another-secret-0123456789', now, body) },
        body,
        now,
      ),
    ).toBe(false);
    expect(verifyParticipantRequest(PARTICIPANT_SECRET, good, body.replace('acc_1', 'acc_2'), now)).toBe(
      false,
    );
    expect(
      verifyParticipantRequest(PARTICIPANT_SECRET, { ...good, timestamp: String(now + 1) }, body, now),
    ).toBe(false);
    // Replayed after the tolerance (5 minutes): refused; within it, the Idempotency-Key
    // <operationId>:<phase> makes a replay a no-op at the participant.
    expect(verifyParticipantRequest(PARTICIPANT_SECRET, good, body, now + 301)).toBe(false);
    expect(verifyParticipantRequest(PARTICIPANT_SECRET, { ...good, signature: undefined }, body, now)).toBe(
      false,
    );
  });

  it('a tampered audit record is named by GET /v1/audit/verify and by `realname audit verify` (exit 1)', async () => {
    const ok = await s.call('GET', '/v1/audit/verify');
    expect(ok.body).toMatchObject({ ok: true });
    const db = s.rn.store.db;
    const rows = await db.selectFrom('audit').selectAll().orderBy('seq').execute();
    const target = rows[Math.floor(rows.length / 2)]!;
    const next = rows[Math.floor(rows.length / 2) + 1]!;
    const seq = Number(target.seq);
    // A row as read (PostgreSQL bigints as strings) to write back.
    const row = (r: typeof target) => ({ ...r, seq: Number(r.seq), at: Number(r.at) });
    const cliEnv = { ...homeEnv(s.home), REALNAME_ID_SECRET: ID_SECRET };
    const tampers: [string, () => Promise<void>, () => Promise<void>][] = [
      [
        'edited',
        () =>
          db
            .updateTable('audit')
            .set({ data: JSON.stringify({ tampered: true }) })
            .where('seq', '=', target.seq)
            .execute()
            .then(() => undefined),
        () =>
          db
            .updateTable('audit')
            .set({ data: target.data })
            .where('seq', '=', target.seq)
            .execute()
            .then(() => undefined),
      ],
      [
        'removed',
        () =>
          db
            .deleteFrom('audit')
            .where('seq', '=', target.seq)
            .execute()
            .then(() => undefined),
        () =>
          db
            .insertInto('audit')
            .values(row(target))
            .execute()
            .then(() => undefined),
      ],
      [
        'reordered',
        // Two records swap places (their content moves, the numbering stays).
        async () => {
          const { seq: _a, ...a } = row(target);
          const { seq: _b, ...b } = row(next);
          await db.updateTable('audit').set(b).where('seq', '=', target.seq).execute();
          await db.updateTable('audit').set(a).where('seq', '=', next.seq).execute();
        },
        async () => {
          const { seq: _a, ...a } = row(target);
          const { seq: _b, ...b } = row(next);
          await db.updateTable('audit').set(a).where('seq', '=', target.seq).execute();
          await db.updateTable('audit').set(b).where('seq', '=', next.seq).execute();
        },
      ],
    ];
    for (const [what, tamper, restore] of tampers) {
      await tamper();
      const v = await s.call('GET', '/v1/audit/verify');
      expect(v.body, what).toMatchObject({ ok: false, firstBadSeq: seq });
      const cli = runRealname(cliEnv, 'audit', 'verify');
      expect(cli.code, `${what}: ${cli.err}`).toBe(1);
      expect(cli.err).toContain(`BROKEN at record ${seq}`);
      await restore();
      expect((await s.call('GET', '/v1/audit/verify')).body, `restored after ${what}`).toMatchObject({
        ok: true,
      });
    }
    const cli = runRealname(cliEnv, 'audit', 'verify');
    expect(cli.code, cli.err).toBe(0);
  });

  it('no secret appears in any answer of any route', async () => {
    // Everything that must never come back, in the forms a leak would take.
    const forms = new Map<string, string>();
    for (const [name, secret] of Object.entries(secrets)) {
      forms.set(secret, name);
      forms.set(Buffer.from(secret, 'utf8').toString('base64'), `${name} (base64)`);
      forms.set(createHash('sha256').update(secret, 'utf8').digest('hex'), `${name} (its sha256, as stored)`);
      if (/^[A-Za-z0-9+/=]+$/.test(secret) && secret.length >= 40)
        forms.set(Buffer.from(secret, 'base64').toString('hex'), `${name} (hex)`);
    }
    const codeHashes = await s.rn.store.db.selectFrom('verifications').select('code_hash').execute();
    for (const c of codeHashes) forms.set(c.code_hash, 'a one-time code hash');
    const keyHashes = await s.rn.store.db.selectFrom('api_keys').select('hash').execute();
    for (const k of keyHashes) forms.set(k.hash, 'an API key hash');
    const scan = (what: string, text: string) => {
      for (const [form, name] of forms)
        if (form.length >= 8) expect(text.includes(form), `${what} returns the ${name}`).toBe(false);
    };
    // The scan catches what it looks for: a key's creation answer (its secret shown once) fails it.
    expect(() => scan('control', JSON.stringify({ secret: tokens.user }))).toThrow();
    expect(() => scan('control', createHash('sha256').update(ADMIN_KEY, 'utf8').digest('hex'))).toThrow();
    let answers = 0;
    for (const op of operations) {
      // Reads of every route as an admin and as the account's own user; writes that refuse.
      const body = bodies(op)[0];
      for (const key of [ADMIN_KEY, tokens.user!, tokens.platform!]) {
        for (const who of [ids.a, ids.b]) {
          if (
            op.method !== 'GET' &&
            key === ADMIN_KEY &&
            ['POST /v1/keys', 'POST /v1/admin/signing-keys/rotate', 'POST /v1/dev/clock'].includes(
              `${op.method} ${op.path}`,
            )
          )
            continue; // a new secret, returned once by design; a rotation; the clock
          const r = await send(op, url(op, { ...who, id: '1' }), body, key);
          scan(`${op.method} ${op.path} (${r.statusCode})`, `${JSON.stringify(r.headers)}\n${r.body}`);
          answers++;
        }
      }
    }
    expect(answers).toBeGreaterThan(operations.length * 5);
    // A second token for a grant is a new secret; the first is never shown again.
    const again = await s.call('POST', `/v1/accounts/${A}/grants/app_sec/tokens`, { body: {} });
    expect(again.body.access_token).not.toBe(secrets[`access token of ${A}`]);
  });
});
