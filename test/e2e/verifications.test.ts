/**
 * One-time codes over HTTP (R-CARD-1, R-REV-2), end to end on every dialect: the whole service in
 * memory, codes read back from the development verifier through `GET /v1/dev/sms/{accountId}`, time
 * moved with the dev clock.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRealname } from '../../src/main.js';
import { dialects } from '../support/dialects.js';
import { startService, type Service } from '../support/service.js';

describe.each(dialects().map((d) => d.name))('one-time codes over HTTP on %s', (dialect) => {
  let s: Service;
  let n = 0;

  /** A fresh account with one debit card. */
  async function account(): Promise<string> {
    const id = `acc_${dialect}_v${++n}`;
    expect(
      (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } })).status,
    ).toBe(201);
    const card = await s.call('PUT', `/v1/accounts/${id}/cards/card_1`, {
      body: { type: 'debit', last4: '1234', bank: 'ICBC', reservedPhoneMasked: '139****4321', boundAt: 0 },
    });
    expect(card.status).toBe(200);
    return id;
  }

  async function request(id: string, body: object, key?: string) {
    return s.call('POST', `/v1/accounts/${id}/verifications`, { body, ...(key ? { key } : {}) });
  }

  /** The newest code the development verifier kept for the account, read over HTTP. */
  async function lastCode(id: string, key?: string): Promise<string> {
    const r = await s.call('GET', `/v1/dev/sms/${id}`, key ? { key } : {});
    expect(r.status).toBe(200);
    return r.body.messages[0].code as string;
  }

  const verify = (id: string, challengeId: string, code: string, headers: Record<string, string> = {}) =>
    s.call('POST', `/v1/accounts/${id}/verifications/${challengeId}/verify`, { body: { code }, headers });

  const otherThan = (code: string) => (code === '000000' ? '000001' : '000000');

  beforeAll(async () => {
    s = await startService(dialect);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('R-CARD-1 a code to the card’s reserved phone verifies once; the same code again is VERIFICATION_CODE_USED', async () => {
    const id = await account();
    const sent = await request(id, { purpose: 'card.unbind', cardId: 'card_1' });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      challengeId: expect.stringMatching(/^vrf_/),
      purpose: 'card.unbind:card_1',
      channel: 'reserved_phone',
      destinationMasked: '139****4321',
      expiresAt: s.clock.now() + 300_000,
    });
    const dev = await s.call('GET', `/v1/dev/sms/${id}`);
    expect(dev.body.messages).toEqual([
      expect.objectContaining({
        challengeId: sent.body.challengeId,
        purpose: 'card.unbind:card_1',
        to: '139****4321',
        code: expect.stringMatching(/^\d{6}$/),
      }),
    ]);
    const code = dev.body.messages[0].code as string;
    expect(s.rn.sms.lastCode(id, 'card.unbind:card_1')).toBe(code);

    const ok = await verify(id, sent.body.challengeId, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ verified: true });
    const again = await verify(id, sent.body.challengeId, code, { 'accept-language': 'zh-CN' });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.body.code).toBe('VERIFICATION_CODE_USED');
    expect(again.body.message).toBe('该验证码已被使用。');

    const bound = await request(id, { purpose: 'account.delete' });
    expect(bound.body).toMatchObject({ channel: 'bound_phone', destinationMasked: '+86 138****5678' });
  });

  it('a wrong code says how many attempts are left; after 5 even the right code is VERIFICATION_LOCKED', async () => {
    const id = await account();
    const sent = await request(id, { purpose: 'realname.revoke' });
    const code = await lastCode(id);
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await verify(id, sent.body.challengeId, otherThan(code));
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('VERIFICATION_CODE_WRONG');
      left.push(r.body.params.attemptsLeft as number);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    const locked = await verify(id, sent.body.challengeId, code);
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('VERIFICATION_LOCKED');
    expect(locked.body.remediation).toBe('Request a new code.');
  });

  it('a code past its 5 minutes (dev clock PT6M) is VERIFICATION_CODE_EXPIRED', async () => {
    const id = await account();
    const sent = await request(id, { purpose: 'realname.change' });
    const code = await lastCode(id);
    expect((await s.call('POST', '/v1/dev/clock', { body: { advance: 'PT6M' } })).status).toBe(200);
    const r = await verify(id, sent.body.challengeId, code);
    expect(r.status).toBe(410);
    expect(r.body.code).toBe('VERIFICATION_CODE_EXPIRED');
  });

  it('every failure is counted in the history and the audit trail, and no code is ever written there or stored in clear', async () => {
    const id = await account();
    const sent = await request(id, { purpose: 'account.delete' });
    const code = await lastCode(id);
    expect((await verify(id, sent.body.challengeId, otherThan(code))).status).toBe(422);
    expect((await verify(id, sent.body.challengeId, code)).status).toBe(200);
    expect((await verify(id, sent.body.challengeId, code)).status).toBe(409);

    const history = await s.rn.store.db
      .selectFrom('history')
      .select(['kind', 'detail'])
      .where('account_id', '=', id)
      .where('kind', '=', 'failed_verification')
      .execute();
    expect(history).toEqual([
      { kind: 'failed_verification', detail: 'account.delete' },
      { kind: 'failed_verification', detail: 'account.delete' },
    ]);
    const audit = await s.call('GET', `/v1/audit?accountId=${id}`);
    expect(audit.status).toBe(200);
    const failed = audit.body.filter((e: { action: string }) => e.action === 'verification.failed');
    expect(failed.map((e: { data: { reason: string } }) => e.data.reason)).toEqual(['wrong', 'used']);
    // A code is a string of digits; only a quoted one could be it (instants are numbers).
    expect(JSON.stringify(audit.body.map((e: { data: unknown }) => e.data))).not.toContain(`"${code}"`);

    const raw = await s.rn.store.db
      .selectFrom('verifications')
      .selectAll()
      .where('id', '=', sent.body.challengeId)
      .executeTakeFirstOrThrow();
    expect(raw.code_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const [column, value] of Object.entries(raw)) expect(String(value), column).not.toBe(code);
    expect(raw.code_hash).not.toContain(code);
    expect(Number(raw.attempts)).toBe(3);
  });

  it('consume() inside an account transaction that then throws leaves the challenge unconsumed; a consumed one cannot be consumed again', async () => {
    const id = await account();
    const sent = await request(id, { purpose: 'card.unbind', cardId: 'card_1' });
    expect((await verify(id, sent.body.challengeId, await lastCode(id))).status).toBe(200);
    const { verifications } = s.rn.services;
    const consume = () =>
      s.rn.store.withAccount(id, (tx) =>
        verifications.consume(tx, id, 'reserved_phone_code', sent.body.challengeId, 'card.unbind:card_1'),
      );
    const consumedAt = async () =>
      (
        await s.rn.store.db
          .selectFrom('verifications')
          .select('consumed_at')
          .where('id', '=', sent.body.challengeId)
          .executeTakeFirstOrThrow()
      ).consumed_at;

    await expect(
      s.rn.store.withAccount(id, async (tx) => {
        await verifications.consume(
          tx,
          id,
          'reserved_phone_code',
          sent.body.challengeId,
          'card.unbind:card_1',
        );
        throw new Error('start refused');
      }),
    ).rejects.toThrow('start refused');
    expect(await consumedAt()).toBeNull();
    await consume();
    expect(Number(await consumedAt())).toBe(s.clock.now());
    await expect(consume()).rejects.toMatchObject({
      code: 'VERIFICATION_REQUIRED',
      params: expect.objectContaining({ reason: 'verification_used', evidence: 'reserved_phone_code' }),
    });
  });

  it('another account’s challenge id is VERIFICATION_NOT_FOUND; an end-user token reaches its own account only', async () => {
    const mine = await account();
    const theirs = await account();
    const sent = await request(theirs, { purpose: 'account.delete' });
    const code = await lastCode(theirs);
    const r = await verify(mine, sent.body.challengeId, code);
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('VERIFICATION_NOT_FOUND');

    const token = await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: mine } });
    const key = token.body.secret as string;
    const own = await request(mine, { purpose: 'card.unbind', cardId: 'card_1' }, key);
    expect(own.status).toBe(201);
    const ownCode = await lastCode(mine, key);
    const ok = await s.call('POST', `/v1/accounts/${mine}/verifications/${own.body.challengeId}/verify`, {
      body: { code: ownCode },
      key,
    });
    expect(ok.status).toBe(200);
    const other = await request(theirs, { purpose: 'account.delete' }, key);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ACCOUNT_NOT_FOUND');
    expect((await s.call('GET', `/v1/dev/sms/${theirs}`, { key })).status).toBe(404);
    expect(
      (
        await s.call('POST', `/v1/accounts/${theirs}/verifications/${sent.body.challengeId}/verify`, {
          body: { code },
          key,
        })
      ).status,
    ).toBe(404);
    expect((await request(mine, { purpose: 'account.delete' }, 'rn_not_a_key')).status).toBe(401);
  });

  it('refuses an unknown card (404), a malformed request (400), and a resend within the cooldown (429 with Retry-After)', async () => {
    const id = await account();
    const noCard = await request(id, { purpose: 'card.unbind', cardId: 'card_9' });
    expect(noCard.status).toBe(404);
    expect(noCard.body.code).toBe('VERIFICATION_CARD_NOT_FOUND');
    expect(noCard.body.params).toEqual({ cardId: 'card_9' });
    for (const body of [
      { purpose: 'card.unbind' },
      { purpose: 'account.delete', cardId: 'card_1' },
      { purpose: 'data.export' },
    ]) {
      const r = await request(id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
    }
    const sent = await request(id, { purpose: 'account.delete' });
    expect((await verify(id, sent.body.challengeId, '12345')).status).toBe(400);
    const soon = await request(id, { purpose: 'account.delete' });
    expect(soon.status).toBe(429);
    expect(soon.body.code).toBe('VERIFICATION_RESEND_TOO_SOON');
    expect(soon.headers['retry-after']).toBe('60');
    expect(soon.body.params).toMatchObject({ retryAfter: 60, cooldownSeconds: 60 });
    await s.call('POST', '/v1/dev/clock', { body: { advance: 'PT1M' } });
    expect((await request(id, { purpose: 'account.delete' })).status).toBe(201);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = await s.call('GET', '/openapi.json', { key: null });
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/accounts/{accountId}/verifications',
        '/v1/accounts/{accountId}/verifications/{challengeId}/verify',
        '/v1/dev/sms/{accountId}',
      ]),
    );
  });
});

// The switch does not depend on the store: SQLite only.
describe('without the dev clock', () => {
  it('GET /v1/dev/sms is 404 DEV_CLOCK_DISABLED, and the start warns that codes are only logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realname-nodev-'));
    const warnings: string[] = [];
    const rn = await createRealname(
      loadConfig({
        NODE_ENV: 'test',
        REALNAME_DATA_DIR: dir,
        REALNAME_MASTER_KEY: randomBytes(32).toString('base64'),
        REALNAME_ADMIN_KEY: 'rn_test_admin_key_0123456789abcdef',
        REALNAME_LOG_LEVEL: 'silent',
      }),
      { log: { info: () => undefined, warn: (m) => warnings.push(m) }, httpLogger: false },
    );
    try {
      const r = await rn.server.inject({
        method: 'GET',
        url: '/v1/dev/sms/acc_1',
        headers: { authorization: 'Bearer rn_test_admin_key_0123456789abcdef' },
      });
      expect(r.statusCode).toBe(404);
      expect((JSON.parse(r.body) as { code: string }).code).toBe('DEV_CLOCK_DISABLED');
      expect(warnings.some((w) => /SMS codes are NOT sent/.test(w))).toBe(true);
    } finally {
      await rn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
