import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { dialects } from '../support/dialects.js';
import {
  bankChecked,
  changeEvidence,
  changeFiles,
  startService,
  verifiedCode,
  type Service,
} from '../support/service.js';

const YUAN = 10_000;
const card = (type: 'debit' | 'credit' | 'overseas', extra: object = {}) => ({
  type,
  last4: '1234',
  bank: 'ICBC',
  reservedPhoneMasked: '138****5678',
  boundAt: 0,
  ...extra,
});

describe.each(dialects().map((d) => d.name))('HTTP API end to end on %s', (dialect) => {
  let s: Service;
  let n = 0;
  /** A fresh verified adult account with a primary device. */
  async function account(extra: object = {}): Promise<string> {
    const id = `acc_${dialect}_${++n}`;
    const created = await s.call('POST', '/v1/accounts', {
      body: { id, region: 'CN', phone: '+86 13812345678', ...extra },
    });
    expect(created.status).toBe(201);
    const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(n) },
    });
    expect(bound.status).toBe(201);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      body: {
        platform: 'android',
        osVersion: '14',
        primary: true,
        addedAt: s.clock.now() - 400 * 86_400_000,
      },
    });
    return id;
  }

  beforeAll(async () => {
    s = await startService(dialect);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('creates an account and binds an identity, masked in every response', async () => {
    const id = await account();
    const res = await s.call('GET', `/v1/accounts/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.identity).toMatchObject({ status: 'verified', documentType: 'cn_id', nameMasked: '*三' });
    expect(res.body.identity.documentMasked).toMatch(/^1\*{16}.$/);
    expect(JSON.stringify(res.body)).not.toContain(demoIdNumber(n));
    expect(JSON.stringify(res.body)).not.toContain('13812345678');
    expect(res.body.account.phoneMasked).toBe('+86 138****5678');
  });

  it('refuses a bad ID number naming the problem, in the caller’s language, changing nothing', async () => {
    const id = `acc_${dialect}_bad`;
    await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
    const res = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '李四', documentType: 'cn_id', documentNumber: '110105194912310021' },
      headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe('DOCUMENT_NUMBER_INVALID');
    expect(res.body.message).toContain('校验位');
    expect(res.body.requestId).toBeTruthy();
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity).toBeNull();
  });

  it('R-UX-1 R-DEL-1 deletion: the start refuses with the same blockers as the preflight; fixed, it starts the cooling-off; R-DEL-3 cancel restores', async () => {
    const id = await account();
    await s.call('PATCH', `/v1/accounts/${id}`, { body: { balance: 50 } });
    await s.call('PUT', `/v1/accounts/${id}/subscriptions/sub_1`, {
      body: { merchant: 'Tencent Video', product: 'VIP', amount: 25 * YUAN, active: true },
    });
    const pre = await s.call('GET', `/v1/accounts/${id}/operations/deletion/preflight`);
    expect(pre.status).toBe(200);
    expect(pre.body.blockers.map((b: { code: string }) => b.code)).toEqual([
      'BALANCE_RESIDUE',
      'SUBSCRIPTION_ACTIVE',
    ]);

    const refused = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('OPERATION_BLOCKED');
    expect(refused.body.blockers).toEqual(pre.body.blockers);

    await s.call('PATCH', `/v1/accounts/${id}`, { body: { balance: 0 } });
    await s.call('PUT', `/v1/accounts/${id}/subscriptions/sub_1`, {
      body: { merchant: 'Tencent Video', product: 'VIP', amount: 25 * YUAN, active: false },
    });
    const noEvidence = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, { body: {} });
    expect(noEvidence.status).toBe(422);
    expect(noEvidence.body.blockers.map((b: { code: string }) => b.code)).toEqual(['EVIDENCE_MISSING']);

    const started = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      kind: 'account.delete',
      state: 'cooling_off',
      deadlineKind: 'purge',
    });
    expect(started.body.deadlineAt).toBe(s.clock.now() + 60 * 86_400_000);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('deactivating');

    const op = await s.call('GET', `/v1/accounts/${id}/operations/${started.body.id}`);
    expect(op.body.timeline.map((t: { event: string }) => t.event)).toEqual(['started', 'start_cooling_off']);

    const cancelled = await s.call('POST', `/v1/accounts/${id}/operations/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('active');
    const again = await s.call('POST', `/v1/accounts/${id}/operations/${started.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('NOT_CANCELLABLE');
  });

  it('R-CARD-2 R-CARD-5 20 parallel credit-card unbinds on one day: exactly 3 succeed; the next day one more can', async () => {
    const id = await account();
    for (let i = 0; i < 20; i++)
      await s.call('PUT', `/v1/accounts/${id}/cards/c${i}`, { body: card('credit') });
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) codes.push(await verifiedCode(s, id, 'card.unbind', `c${i}`));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
          body: { cardId: `c${i}`, evidence: [{ kind: 'reserved_phone_code', ref: codes[i]! }] },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(3);
    const refusals = results.filter((r) => r.status === 422);
    expect(refusals).toHaveLength(17);
    expect(refusals[0]!.body.blockers.map((b: { code: string }) => b.code)).toEqual([
      'CREDIT_CARD_DAILY_LIMIT',
    ]);
    expect((await s.call('GET', `/v1/accounts/${id}/cards`)).body).toHaveLength(17);

    const moved = await s.call('POST', '/v1/dev/clock', { body: { advance: 'P1D' } });
    expect(moved.status).toBe(200);
    const next = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'c19',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'c19') }],
      },
    });
    expect(next.status).toBe(202);
  });

  it('R-CARD-1 R-CARD-4 unbinding the last card (with a verified code) leaves the identity pending_completion; binding one again restores it', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, { body: card('debit') });
    // R-CARD-1 without a verified code to the reserved phone nothing happens
    const unverified = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { cardId: 'd1', evidence: [{ kind: 'reserved_phone_code', ref: 'vrf_made_up' }] },
    });
    expect(unverified.status).toBe(422);
    expect(unverified.body.code).toBe('VERIFICATION_REQUIRED');
    expect((await s.call('GET', `/v1/accounts/${id}/cards`)).body).toHaveLength(1);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'd1') }],
      },
    });
    expect(r.status).toBe(202);
    expect(r.body.outcome).toBe('completed');
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('pending_completion');
    await s.call('PUT', `/v1/accounts/${id}/cards/d2`, { body: card('debit') });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('verified');
    const del = await s.call('DELETE', `/v1/accounts/${id}/cards/d2`);
    expect(del.status).toBe(409);
  });

  it('R-CHG-3 one document, 3 changes across accounts; the 4th is refused and starts a cooldown named in every later refusal', async () => {
    const doc = demoIdNumber(777, '19850505');
    // R-CHG-1: the images and the video are files uploaded to the account first, referenced by id.
    const bodyFor = async (id: string) => {
      const newDocument = { type: 'cn_id', number: doc, name: '王五' };
      return { newDocument, evidence: await changeEvidence(s, id, newDocument) };
    };
    for (let i = 0; i < 3; i++) {
      const id = await account();
      const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-change`, {
        body: await bodyFor(id),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.body.outcome).toBe('completed');
    }
    const fourth = await account();
    const refused = await s.call('POST', `/v1/accounts/${fourth}/operations/realname-change`, {
      body: await bodyFor(fourth),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.blockers.map((b: { code: string }) => b.code)).toEqual(['DOCUMENT_CHANGE_LIMIT']);
    const fifth = await account();
    const cooled = await s.call('POST', `/v1/accounts/${fifth}/operations/realname-change`, {
      body: await bodyFor(fifth),
    });
    expect(cooled.body.blockers.map((b: { code: string }) => b.code)).toEqual(['DOCUMENT_COOLDOWN']);
    expect(cooled.body.blockers[0].params.until).toBe(s.clock.now() + 180 * 86_400_000);
    expect(JSON.stringify(cooled.body)).not.toContain(doc);
  });

  it('R-CHG-1 the bank check counts only for the new document it was made for; a mismatch is refused with its reason', async () => {
    const id = await account();
    const files = await changeFiles(s, id);
    const target = { type: 'cn_id', number: demoIdNumber(611, '19850505'), name: '赵六' };
    const other = { type: 'cn_id', number: demoIdNumber(612, '19850505'), name: '赵六' };
    const start = async (bankRef: string) =>
      s.call('POST', `/v1/accounts/${id}/operations/realname-change`, {
        body: {
          newDocument: target,
          evidence: [
            ...files,
            { kind: 'phone_code', ref: await verifiedCode(s, id, 'realname.change') },
            { kind: 'bank_reserved_info', ref: bankRef },
          ],
        },
      });
    const wrong = await start(await bankChecked(s, id, other));
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({
      code: 'VERIFICATION_REQUIRED',
      params: { evidence: 'bank_reserved_info', reason: 'verification_other_purpose' },
    });
    // a card the bank knows, with another holder: refused, in the client's language, nothing sent
    s.rn.bank.register({
      cardNumber: '6222020200112233453',
      holderName: '孙八',
      documentType: 'cn_id',
      documentNumber: target.number,
      reservedPhone: '+86 13700001234',
    });
    const mismatch = await s.call('POST', `/v1/accounts/${id}/verifications`, {
      headers: { 'accept-language': 'zh-CN' },
      body: {
        purpose: 'realname.change',
        bankCheck: {
          cardNumber: '6222020200112233453',
          holderName: target.name,
          documentType: 'cn_id',
          documentNumber: target.number,
          reservedPhone: '+86 13700001234',
        },
      },
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('BANK_RESERVED_INFO_MISMATCH');
    expect(mismatch.body.message).toContain('持卡人姓名不一致');
    expect(JSON.stringify(mismatch.body)).not.toContain(target.number);
    const ok = await start(await bankChecked(s, id, target));
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
  });

  it('R-CHG-3 four accounts changing to one document at the same instant: the per-document count holds (1 of 4 with 2 used)', async () => {
    const doc = demoIdNumber(888, '19790909');
    const bodyFor = async (id: string) => {
      const newDocument = { type: 'cn_id', number: doc, name: '钱七' };
      return { newDocument, evidence: await changeEvidence(s, id, newDocument) };
    };
    for (let i = 0; i < 2; i++) {
      const id = await account();
      expect(
        (await s.call('POST', `/v1/accounts/${id}/operations/realname-change`, { body: await bodyFor(id) }))
          .status,
      ).toBe(202);
    }
    const racers = [];
    for (let i = 0; i < 4; i++) {
      const id = await account();
      racers.push({ id, body: await bodyFor(id) });
    }
    const results = await Promise.all(
      racers.map((r) => s.call('POST', `/v1/accounts/${r.id}/operations/realname-change`, { body: r.body })),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    const codes = results.filter((r) => r.status === 422).map((r) => r.body.blockers[0].code as string);
    // the first refused attempt starts the cooldown; later ones see it
    expect(codes).toHaveLength(3);
    expect(codes.every((c: string) => c === 'DOCUMENT_CHANGE_LIMIT' || c === 'DOCUMENT_COOLDOWN')).toBe(true);
  });

  it('Idempotency-Key: a replay returns the first response and acts once; another body with the same key is a 409', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, { body: card('debit') });
    await s.call('PUT', `/v1/accounts/${id}/cards/d2`, { body: card('debit') });
    const body = {
      cardId: 'd1',
      evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'd1') }],
    };
    const headers = { 'idempotency-key': `unbind-${id}` };
    const [a, b] = await Promise.all([
      s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, { body, headers }),
      s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, { body, headers }),
    ]);
    const done = [a, b].filter((r) => r.status === 202);
    expect(done.length).toBeGreaterThanOrEqual(1);
    const replay = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, { body, headers });
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(done[0]!.body.id);
    expect((await s.call('GET', `/v1/accounts/${id}/operations`)).body).toHaveLength(1);
    const other = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { ...body, cardId: 'd2' },
      headers,
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('an end-user token acts on its own account only; another account is a 404, never its data', async () => {
    const mine = await account();
    const theirs = await account();
    const token = await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: mine } });
    expect(token.status).toBe(201);
    const key = token.body.secret as string;
    expect((await s.call('GET', `/v1/accounts/${mine}`, { key })).status).toBe(200);
    const other = await s.call('GET', `/v1/accounts/${theirs}`, { key });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ACCOUNT_NOT_FOUND');
    expect(
      (await s.call('GET', `/v1/accounts/${theirs}/operations/deletion/preflight`, { key })).status,
    ).toBe(404);
    expect((await s.call('GET', '/v1/audit', { key })).status).toBe(403);
    expect((await s.call('GET', `/v1/accounts/${mine}`, { key: null })).status).toBe(401);
  });

  it('R-CMP-1 R-CHK-1 R-EXP-1 comparison, account check with lock, and export', async () => {
    const id = await account();
    const cmp = await s.call('GET', `/v1/accounts/${id}/comparison`);
    expect(cmp.status).toBe(200);
    expect(cmp.body.routes.map((r: { route: string }) => r.route)).toEqual([
      'account.delete',
      'card.unbind',
      'realname.change',
    ]);
    const check = await s.call('GET', `/v1/accounts/${id}/check`);
    expect(check.body).toMatchObject({ status: 'active', canLock: true, realname: { status: 'verified' } });
    const exported = await s.call('GET', `/v1/accounts/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.format).toBe('realname-export/v1');
    expect(JSON.stringify(exported.body)).not.toContain('13812345678');
    const locked = await s.call('POST', `/v1/accounts/${id}/lock`);
    expect(locked.body.account.status).toBe('frozen');
    const pre = await s.call(
      'GET',
      `/v1/accounts/${id}/operations/realname-revoke/preflight?deviceId=dev_primary`,
    );
    expect(pre.body.blockers.map((b: { code: string }) => b.code)).toEqual(['ACCOUNT_FROZEN']);
    const appeal = await s.call('GET', `/v1/accounts/${id}/operations/appeal/preflight`);
    expect(appeal.body.allowed).toBe(true);
  });

  it('the audit trail verifies after all of the above and holds no raw PII', async () => {
    const v = await s.call('GET', '/v1/audit/verify');
    expect(v.status).toBe(200);
    expect(v.body.ok).toBe(true);
    expect(v.body.count).toBeGreaterThan(20);
    const trail = await s.call('GET', '/v1/audit?limit=1000');
    const text = JSON.stringify(trail.body);
    for (let i = 1; i <= n; i++) expect(text).not.toContain(demoIdNumber(i));
    expect(text).not.toContain(demoIdNumber(777, '19850505'));
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('张三');
  });

  it('serves OpenAPI 3.1 with the routes and their schemas, docs, health and metrics', async () => {
    const spec = await s.call('GET', '/openapi.json', { key: null });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/accounts',
        '/v1/accounts/{accountId}/operations/deletion/preflight',
        '/v1/accounts/{accountId}/operations/card-unbind',
      ]),
    );
    expect((await s.call('GET', '/docs', { key: null })).status).toBeLessThan(400);
    expect((await s.call('GET', '/healthz', { key: null })).status).toBe(200);
    expect((await s.call('GET', '/readyz', { key: null })).status).toBe(200);
    const metrics = await s.call('GET', '/metrics', { key: null });
    expect(metrics.body).toContain('realname_operations_started_total');
    expect(metrics.body).toContain('realname_refusals_total{code="CREDIT_CARD_DAILY_LIMIT"}');
  });
});
