/**
 * Risk control acting on its decisions (R-RISK-1/2/3), through HTTP on every dialect, with realistic
 * event sequences: a step-up passed with a face verification; a denial that shows a code in both
 * languages and never the score; holds in the review queue (AML after inflows, for a deletion and a
 * revocation; the abuse routes of R-RISK-2) released — the effect then runs — or rejected; the
 * account frozen by policy on a detection; a bind refused for the overseas re-registration route;
 * honest look-alikes that go through; shadow mode recording the candidate policy's disagreements.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { DEFAULT_POLICY } from '../../src/core/policy/index.js';
import { dialects } from '../support/dialects.js';
import { auxVerified, startService, verifiedCode, type Service } from '../support/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YUAN = 10_000;
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42liveness')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('handheld-id-photo-bytes')]);
const STATEMENT = '我的账号被他人盗用。My account was stolen.';
/** What a user must never see of a risk decision (R-RISK-1): the score, the signals, an AML case. */
const INTERNAL =
  /"(score|signals?|weight|detections?|detector|aml|inflows?|because)"|abnormal_logins|device_change_recent|R-RISK-[23]/;

/** A policy document like the default with other risk thresholds, written where a service can read it. */
function policyFile(dir: string, name: string, thresholds: { stepUp: number; review: number; deny: number }) {
  const doc = structuredClone(DEFAULT_POLICY) as unknown as {
    name: string;
    defaults: { risk: { thresholds: object } };
  };
  doc.name = name;
  doc.defaults.risk.thresholds = thresholds;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

async function keyFor(s: Service, name: string, scopes: string[]): Promise<string> {
  const r = await s.call('POST', '/v1/keys', { body: { name, scopes } });
  expect(r.status).toBe(201);
  return r.body.secret as string;
}

async function upload(s: Service, accountId: string, kind: string, contentType: string, data: Buffer) {
  const r = await s.call('POST', `/v1/accounts/${accountId}/evidence`, {
    body: { kind, contentType, data: data.toString('base64'), name: `${kind}.bin` },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** `n` wrong codes for one challenge of `purpose`, each refused and recorded as a failed verification. */
async function wrongCodes(s: Service, accountId: string, purpose: string, n: number, cardId?: string) {
  const req = await s.call('POST', `/v1/accounts/${accountId}/verifications`, {
    body: { purpose, ...(cardId ? { cardId } : {}) },
  });
  expect(req.status, JSON.stringify(req.body)).toBe(201);
  const right = s.rn.sms.lastCode(accountId, cardId ? `${purpose}:${cardId}` : purpose)!;
  const wrong = right === '000000' ? '111111' : '000000';
  for (let i = 0; i < n; i++) {
    const r = await s.call('POST', `/v1/accounts/${accountId}/verifications/${req.body.challengeId}/verify`, {
      body: { code: wrong },
    });
    expect(r.body.code).toBe('VERIFICATION_CODE_WRONG');
  }
  // the resend cooldown holds a new code back while this one is unverified
  s.clock.advance(2 * 60_000);
}

describe.each(dialects().map((d) => d.name))('risk control end to end on %s', (dialect) => {
  let s: Service;
  let reviewer: string;
  let platform: string;
  let n = 0;
  const as = (key: string) => ({ key });

  /** A verified adult account (mainland phone unless told) with a primary device of long ago. */
  async function account(opts: { phone?: string; region?: string; seq?: number } = {}): Promise<string> {
    const id = `acc_rk_${++n}`;
    const created = await s.call('POST', '/v1/accounts', {
      body: { id, region: opts.region ?? 'CN', phone: opts.phone ?? '+86 13812345678' },
    });
    expect(created.status).toBe(201);
    const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(opts.seq ?? 700 + n) },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      body: { platform: 'android', osVersion: '14', primary: true, addedAt: s.clock.now() - 400 * DAY },
    });
    return id;
  }

  async function decisions(accountId: string) {
    const r = await s.call('GET', `/v1/admin/risk/decisions?accountId=${accountId}`, as(reviewer));
    expect(r.status).toBe(200);
    return r.body.items as {
      outcome: string;
      decision: string | null;
      score: number | null;
      signals: { id: string; weight: number; contribution: number }[];
      detections: { detector: string }[];
      operationId: string | null;
    }[];
  }

  /** A reviewer claims the case and decides it; the operation as it is afterwards. */
  async function decide(
    operationId: string,
    decision: 'accept' | 'reject',
    reason: string,
  ): Promise<{ state: string; timeline: { event: string; data: Record<string, unknown> }[] }> {
    expect((await s.call('POST', `/v1/reviews/${operationId}/claim`, as(reviewer))).status).toBe(200);
    const r = await s.call('POST', `/v1/reviews/${operationId}/decision`, {
      ...as(reviewer),
      body: { decision, reason },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { state: string; timeline: { event: string; data: Record<string, unknown> }[] };
  }

  /** Money received, one completed receive per day (the daily receive limit is ¥50,000). */
  async function inflows(accountId: string, amountsYuan: number[]) {
    for (const [i, yuan] of amountsYuan.entries()) {
      if (i > 0) s.clock.advance(DAY);
      const r = await s.call('POST', `/v1/accounts/${accountId}/transactions`, {
        body: { kind: 'receive', amount: yuan * YUAN, status: 'completed' },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }

  beforeAll(async () => {
    s = await startService(dialect);
    reviewer = await keyFor(s, 'risk reviewer', ['reviews:write']);
    platform = await keyFor(s, 'platform', ['facts:write', 'operations:write', 'operations:read']);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('R-RISK-1 a clean account is allowed, and the decision is recorded with every signal and its weight for reviewers only', async () => {
    const id = await account();
    const r = await s.call('POST', `/v1/accounts/${id}/operations/data-export`, { body: {} });
    expect(r.status).toBe(202);
    expect(r.body.state).toBe('completed');
    const [d] = await decisions(id);
    expect(d).toMatchObject({ outcome: 'allowed', decision: 'allow', score: 0, operationId: r.body.id });
    expect(d!.signals.map((x) => x.id)).toHaveLength(9);
    for (const x of d!.signals) expect(x.weight).toBeGreaterThan(0);
    // the platform's key reads operations, not risk decisions
    const forbidden = await s.call('GET', `/v1/admin/risk/decisions?accountId=${id}`, as(platform));
    expect(forbidden.status).toBe(403);
  });

  it('R-RISK-1 step_up: a new device and an abnormal login ask for a face verification; the same start with it goes through', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, {
      body: { type: 'debit', last4: '1234', bank: 'ICBC', reservedPhoneMasked: '138****5678', boundAt: 0 },
    });
    s.clock.advance(2 * HOUR);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_new`, {
      body: { platform: 'ios', osVersion: '17.2', primary: false, addedAt: s.clock.now() },
    });
    await s.call('PUT', `/v1/accounts/${id}/logins/l1`, {
      body: { at: s.clock.now(), deviceId: 'dev_new', abnormal: true },
    });
    const code = await verifiedCode(s, id, 'card.unbind', 'd1');
    const refused = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { cardId: 'd1', evidence: [{ kind: 'reserved_phone_code', ref: code }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('OPERATION_BLOCKED');
    expect(refused.body.blockers).toEqual([
      expect.objectContaining({
        code: 'RISK_STEP_UP_REQUIRED',
        rule: 'R-RISK-1',
        params: { evidence: 'liveness_video', required: 1, provided: 0 },
        remediation: expect.objectContaining({ action: 'verify_face' }),
      }),
    ]);
    expect(JSON.stringify(refused.body)).not.toMatch(INTERNAL);
    expect((await s.call('GET', `/v1/accounts/${id}/cards`)).body).toHaveLength(1);

    // the code was not used up by the refusal: the same start, with the face verification, goes through
    const face = await upload(s, id, 'liveness_video', 'video/mp4', MP4);
    const passed = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [
          { kind: 'reserved_phone_code', ref: code },
          { kind: 'liveness_video', ref: face },
        ],
      },
    });
    expect(passed.status, JSON.stringify(passed.body)).toBe(202);
    expect(passed.body.state).toBe('completed');
    const [after, before] = await decisions(id);
    expect(before).toMatchObject({ outcome: 'refused', decision: 'step_up', operationId: null });
    expect(after).toMatchObject({ outcome: 'allowed', decision: 'step_up', operationId: passed.body.id });
    expect(after!.score).toBeGreaterThanOrEqual(25);
  });

  it('R-RISK-1 deny: an account under attack is refused with RISK_DENIED, in en and zh-CN, never the score; nothing is created', async () => {
    const id = await account();
    s.clock.advance(2 * HOUR);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_new`, {
      body: { platform: 'android', osVersion: '14', primary: false, addedAt: s.clock.now() },
    });
    await s.call('PUT', `/v1/accounts/${id}/logins/l1`, {
      body: { at: s.clock.now(), deviceId: 'dev_new', abnormal: true },
    });
    // the bound phone moved abroad, then five wrong codes for a deletion
    expect((await s.call('PATCH', `/v1/accounts/${id}`, { body: { phone: '+852 9123 4567' } })).status).toBe(
      200,
    );
    await wrongCodes(s, id, 'account.delete', 5);
    const code = await verifiedCode(s, id, 'account.delete');
    for (const lang of ['en', 'zh-CN'] as const) {
      const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
        body: { evidence: [{ kind: 'sms_code', ref: code }] },
        headers: { 'accept-language': lang },
      });
      expect(r.status).toBe(422);
      expect(r.headers['content-language']).toBe(lang);
      expect(r.body.blockers).toHaveLength(1);
      const [b] = r.body.blockers;
      expect(b).toMatchObject({
        code: 'RISK_DENIED',
        rule: 'R-RISK-1',
        params: {},
        remediation: { action: 'contact_support', where: 'me/support' },
      });
      expect(b.message.en).toContain('security');
      expect(b.message['zh-CN']).toContain('账户安全');
      expect(b.remediation.message['zh-CN']).toContain('客服');
      expect(JSON.stringify(r.body)).not.toMatch(INTERNAL);
    }
    expect((await s.call('GET', `/v1/accounts/${id}/operations`)).body).toEqual([]);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('active');
    const [d] = await decisions(id);
    expect(d).toMatchObject({ outcome: 'refused', decision: 'deny' });
    expect(d!.score).toBeGreaterThanOrEqual(80);
    expect(d!.signals.filter((x) => x.contribution > 0).map((x) => x.id)).toEqual(
      expect.arrayContaining([
        'device_change_recent',
        'abnormal_logins',
        'failed_attempts_account',
        'failed_attempts_document',
        'phone_country_changed',
      ]),
    );
  });

  it('R-RISK-3 a deletion right after large inflows is held for an AML review: the case shows the inflows, the user only a state and a code; the release runs the deletion', async () => {
    const id = await account();
    await inflows(id, [30_000, 25_000]);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ state: 'risk_review', outcome: null, deadlineAt: null });
    expect(r.body.timeline.map((t: { event: string }) => t.event)).toEqual(['started', 'hold']);
    expect(r.body.timeline[1].data).toEqual({ rule: 'R-RISK-1', code: 'RISK_REVIEW_HELD' });
    const view = await s.call('GET', `/v1/accounts/${id}/operations/${r.body.id}`);
    expect(view.body.reason).toMatchObject({
      code: 'RISK_REVIEW_HELD',
      message: {
        en: expect.stringContaining('security review'),
        'zh-CN': expect.stringContaining('安全审核'),
      },
    });
    expect(JSON.stringify(view.body)).not.toMatch(INTERNAL);
    // nothing of the deletion happened yet; another lifecycle operation waits behind it
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('active');
    const cancel = await s.call('POST', `/v1/accounts/${id}/operations/${r.body.id}/cancel`);
    expect(cancel.body.code).toBe('NOT_CANCELLABLE');

    const queue = await s.call('GET', '/v1/reviews?state=risk_review&kind=account.delete', as(reviewer));
    expect(queue.body.items.map((i: { operationId: string }) => i.operationId)).toContain(r.body.id);
    const c = await s.call('GET', `/v1/reviews/${r.body.id}`, as(reviewer));
    expect(c.status).toBe(200);
    expect(c.body.allowedDecisions).toEqual(['accept', 'reject']);
    expect(c.body.risk).toMatchObject({
      outcome: 'held',
      decision: 'review',
      because: 'aml_hold',
      aml: {
        rule: 'R-RISK-3',
        total: 55_000 * YUAN,
        inflows: [
          { at: expect.any(Number), amount: 30_000 * YUAN },
          { at: expect.any(Number), amount: 25_000 * YUAN },
        ],
      },
    });
    expect(c.body.risk.signals.find((x: { id: string }) => x.id === 'large_inflows')).toMatchObject({
      value: 55_000 * YUAN,
      weight: expect.any(Number),
    });

    const released = await decide(r.body.id, 'accept', 'Inflows are salary and a property sale, documented.');
    expect(released).toMatchObject({ state: 'cooling_off', deadlineKind: 'purge' });
    expect(released.timeline.map((t: { event: string }) => t.event)).toEqual([
      'started',
      'hold',
      'release',
      'start_cooling_off',
    ]);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('deactivating');
    // a released case is no longer open
    const again = await s.call('POST', `/v1/reviews/${r.body.id}/claim`, as(reviewer));
    expect(again.body.code).toBe('REVIEW_NOT_OPEN');
  });

  it('R-RISK-3 a revocation right after large inflows is held; a rejection ends it and nothing is revoked', async () => {
    const id = await account();
    await inflows(id, [30_000, 25_000]);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-revoke`, {
      body: {
        deviceId: 'dev_primary',
        evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'realname.revoke') }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.state).toBe('risk_review');
    const c = await s.call('GET', `/v1/reviews/${r.body.id}`, as(reviewer));
    expect(c.body.risk.aml.inflows).toHaveLength(2);
    const rejected = await decide(r.body.id, 'reject', 'Funds of unclear origin: revocation refused.');
    expect(rejected).toMatchObject({ state: 'rejected', outcome: 'rejected' });
    const facts = (await s.call('GET', `/v1/accounts/${id}`)).body;
    expect(facts.identity.status).toBe('verified');
    expect(facts.account.status).toBe('active');
  });

  it('R-RISK-3 R-REV-3 a held revocation, released by the reviewer, goes on through the saga to revoked', async () => {
    const id = await account();
    await inflows(id, [30_000, 25_000]);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-revoke`, {
      body: {
        deviceId: 'dev_primary',
        evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'realname.revoke') }],
      },
    });
    expect(r.body.state).toBe('risk_review');
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('verified');
    const released = await decide(r.body.id, 'accept', 'Inflows documented as a property sale.');
    expect(released).toMatchObject({ state: 'pending_recycle', deadlineKind: 'saga' });
    expect(await s.rn.services.saga.run(r.body.id)).toBe('revoked');
    const done = await s.call('GET', `/v1/accounts/${id}/operations/${r.body.id}`);
    expect(done.body.timeline.map((t: { event: string }) => t.event)).toEqual([
      'started',
      'hold',
      'release',
      'suspend_grants',
      'decide_commit',
      'commit',
    ]);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('revoked');
  });

  it('R-RISK-3 below the AML threshold a revocation is not held', async () => {
    const id = await account();
    await inflows(id, [30_000, 19_999]);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/realname-revoke`, {
      body: {
        deviceId: 'dev_primary',
        evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'realname.revoke') }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.state).not.toBe('risk_review');
  });

  it('R-RISK-2 deliberate failures before an unbind hold it and freeze the account by policy; the release lifts the freeze and unbinds', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, {
      body: { type: 'debit', last4: '4321', bank: 'CMB', reservedPhoneMasked: '138****5678', boundAt: 0 },
    });
    await wrongCodes(s, id, 'card.unbind', 5, 'd1');
    const r = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'd1') }],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.state).toBe('risk_review');
    expect(JSON.stringify(r.body)).not.toMatch(INTERNAL);
    const frozen = (await s.call('GET', `/v1/accounts/${id}`)).body.account;
    expect(frozen).toMatchObject({ status: 'frozen', frozenReason: 'risk:deliberate_failures' });
    // frozen: no other lifecycle operation meanwhile (R-ABN-1)
    const blocked = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, { body: {} });
    expect(blocked.body.blockers.map((b: { code: string }) => b.code)).toContain('ACCOUNT_FROZEN');

    const c = await s.call('GET', `/v1/reviews/${r.body.id}`, as(reviewer));
    expect(c.body.risk).toMatchObject({
      because: 'abuse_detected',
      detections: [
        {
          detector: 'deliberate_failures',
          rule: 'R-RISK-2',
          evidence: expect.objectContaining({ failedVerifications: 5, then: 'card.unbind' }),
        },
      ],
    });
    const released = await decide(r.body.id, 'accept', 'The owner mistyped; confirmed by phone call.');
    expect(released).toMatchObject({ state: 'completed', outcome: 'completed' });
    expect(released.timeline.find((t) => t.event === 'release')?.data.freezeLifted).toBe(true);
    const after = (await s.call('GET', `/v1/accounts/${id}`)).body;
    expect(after.account).toMatchObject({ status: 'active', frozenReason: null });
    expect(after.cards).toEqual([]);
  });

  it('R-RISK-2 a user mistyping a code twice over days is not held (honest look-alike of deliberate failures)', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, {
      body: { type: 'debit', last4: '4321', bank: 'CMB', reservedPhoneMasked: '138****5678', boundAt: 0 },
    });
    await wrongCodes(s, id, 'card.unbind', 1, 'd1');
    s.clock.advance(3 * DAY);
    await wrongCodes(s, id, 'card.unbind', 1, 'd1');
    const r = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'd1') }],
      },
    });
    expect(r.status).toBe(202);
    expect(r.body.state).toBe('completed');
  });

  it('R-RISK-2 a theft-claiming appeal right after a refused operation is held (stolen_account_appeal); a victim’s appeal without one is not', async () => {
    const appealBody = async (accountId: string) => ({
      claim: 'account_stolen',
      evidence: [
        ...(
          await auxVerified(s, accountId, {
            type: 'cn_id',
            number: demoIdNumber(700 + Number(accountId.split('_').pop())),
            name: '张三',
          })
        ).map((ref) => ({ kind: 'aux_verification', ref })),
        {
          kind: 'handheld_id_photo',
          ref: await upload(s, accountId, 'handheld_id_photo', 'image/jpeg', JPEG),
        },
        {
          kind: 'statement',
          ref: await upload(s, accountId, 'statement', 'text/plain', Buffer.from(STATEMENT)),
        },
      ],
    });
    // the honest victim: abnormal login, account locked, appeal — no refused operation of theirs
    const victim = await account();
    await s.call('PUT', `/v1/accounts/${victim}/logins/l1`, {
      body: { at: s.clock.now(), deviceId: 'dev_primary', abnormal: true },
    });
    expect((await s.call('POST', `/v1/accounts/${victim}/lock`)).status).toBe(200);
    const honest = await s.call('POST', `/v1/accounts/${victim}/operations/appeal`, {
      body: await appealBody(victim),
    });
    expect(honest.status, JSON.stringify(honest.body)).toBe(202);
    expect(honest.body).toMatchObject({ state: 'in_review', request: { claim: 'account_stolen' } });

    // the abuse: a deletion refused (money left), then the account "stolen"
    const id = await account();
    await s.call('PATCH', `/v1/accounts/${id}`, { body: { balance: 100 * YUAN } });
    const refused = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
    });
    expect(refused.body.blockers.map((b: { code: string }) => b.code)).toEqual(['BALANCE_NOT_ZERO']);
    s.clock.advance(5 * HOUR);
    expect((await s.call('POST', `/v1/accounts/${id}/lock`)).status).toBe(200);
    const r = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, { body: await appealBody(id) });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.state).toBe('risk_review');
    const c = await s.call('GET', `/v1/reviews/${r.body.id}`, as(reviewer));
    expect(c.body.risk.detections).toEqual([
      expect.objectContaining({
        detector: 'stolen_account_appeal',
        evidence: expect.objectContaining({ refusals: 1, codes: ['BALANCE_NOT_ZERO'], hoursAfterRefusal: 5 }),
      }),
    ]);
    // the user's own lock stays whatever the reviewer decides: risk control froze nothing more
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.frozenReason).toBe('locked_by_user');
    expect((await decide(r.body.id, 'reject', 'Appeal made to escape a refused deletion.')).state).toBe(
      'rejected',
    );
    // a claim is for appeals only
    const wrong = await s.call('POST', `/v1/accounts/${victim}/operations/data-export`, {
      body: { claim: 'account_stolen' },
    });
    expect(wrong.status).toBe(400);
  });

  it('R-RISK-2 an overseas re-registration bind is refused with IDENTITY_BIND_HELD, freezes the new account by policy and opens a case; released, it binds', async () => {
    // the document's holder was refused a deletion (money left) ...
    const seq = 950;
    const holder = await account({ seq });
    await s.call('PATCH', `/v1/accounts/${holder}`, { body: { balance: 5 * YUAN } });
    const refused = await s.call('POST', `/v1/accounts/${holder}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, holder, 'account.delete') }] },
    });
    expect(refused.status).toBe(422);
    s.clock.advance(DAY);
    // ... then a new account with a Hong Kong phone binds the same document
    const again = `acc_rk_hk_${dialect}`;
    expect(
      (await s.call('POST', '/v1/accounts', { body: { id: again, region: 'CN', phone: '+852 9123 4567' } }))
        .status,
    ).toBe(201);
    const body = { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(seq) };
    const bind = await s.call('POST', `/v1/accounts/${again}/identity`, { body });
    expect(bind.status).toBe(422);
    expect(bind.body).toMatchObject({
      code: 'IDENTITY_BIND_HELD',
      params: { operationId: expect.any(String) },
    });
    expect(bind.body.message).toContain(bind.body.params.operationId);
    expect(JSON.stringify(bind.body)).not.toMatch(INTERNAL);
    // asked again (now frozen), in Chinese: held again, a second case
    const twice = await s.call('POST', `/v1/accounts/${again}/identity`, {
      body,
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(twice.body.code).toBe('IDENTITY_BIND_HELD');
    expect(twice.body.message).toContain('安全审核');
    const facts = (await s.call('GET', `/v1/accounts/${again}`)).body;
    expect(facts.identity).toBeNull();
    expect(facts.account).toMatchObject({ status: 'frozen', frozenReason: 'risk:overseas_reregistration' });
    const ops = (await s.call('GET', `/v1/accounts/${again}/operations`)).body as {
      id: string;
      kind: string;
    }[];
    expect(ops.map((o) => o.kind)).toEqual(['identity.bind', 'identity.bind']);
    const [first, second] = ops;

    const c = await s.call('GET', `/v1/reviews/${first!.id}`, as(reviewer));
    expect(c.body.review.kind).toBe('identity.bind');
    expect(c.body.newSubject).toMatchObject({ documentType: 'cn_id', nameMasked: '*三' });
    expect(JSON.stringify(c.body)).not.toContain(demoIdNumber(seq));
    expect(c.body.risk.detections).toEqual([
      expect.objectContaining({
        detector: 'overseas_reregistration',
        evidence: expect.objectContaining({
          reasons: ['refused_on_other_accounts'],
          phoneCountry: '852',
          refusedAccounts: [expect.stringMatching(/^da_/)],
        }),
      }),
    ]);
    expect(JSON.stringify(c.body.risk)).not.toContain(holder);
    // one case rejected, the other released: the identity is bound and the freeze lifted
    expect((await decide(first!.id, 'reject', 'Duplicate of the other case on this account.')).state).toBe(
      'rejected',
    );
    const released = await decide(second!.id, 'accept', 'Holder moved to Hong Kong; verified by video.');
    expect(released).toMatchObject({ state: 'completed', outcome: 'completed' });
    const bound = (await s.call('GET', `/v1/accounts/${again}`)).body;
    expect(bound.identity).toMatchObject({ status: 'verified', documentType: 'cn_id', nameMasked: '*三' });
    expect(bound.account).toMatchObject({ status: 'active', frozenReason: null });
  });

  it('R-RISK-2 an overseas user binding a fresh document is not held (honest look-alike)', async () => {
    const id = `acc_rk_hk_fresh_${dialect}`;
    await s.call('POST', '/v1/accounts', { body: { id, region: 'HK', phone: '+852 6123 4567' } });
    const bind = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: 'Chan Tai Man', documentType: 'hk_mo_permit', documentNumber: 'H12345678' },
    });
    expect(bind.status, JSON.stringify(bind.body)).toBe(201);
    expect(bind.body.identity.status).toBe('verified');
    const [d] = await decisions(id);
    expect(d).toMatchObject({ outcome: 'allowed', decision: 'allow', operationId: null });
  });

  it('R-RISK-1 a bind is decided too: a step-up asks for a face verification, and the bind with it goes through', async () => {
    const id = `acc_rk_bind_${dialect}`;
    await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
    s.clock.advance(2 * HOUR);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_new`, {
      body: { platform: 'android', osVersion: '14', primary: true, addedAt: s.clock.now() },
    });
    await s.call('PUT', `/v1/accounts/${id}/logins/l1`, {
      body: { at: s.clock.now(), deviceId: 'dev_new', abnormal: true },
    });
    const body = { name: '李四', documentType: 'cn_id', documentNumber: demoIdNumber(880) };
    const asked = await s.call('POST', `/v1/accounts/${id}/identity`, { body });
    expect(asked.status).toBe(422);
    expect(asked.body.blockers.map((b: { code: string }) => b.code)).toEqual(['RISK_STEP_UP_REQUIRED']);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity).toBeNull();
    const face = await upload(s, id, 'liveness_video', 'video/mp4', MP4);
    const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { ...body, evidence: [{ kind: 'liveness_video', ref: face }] },
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    expect(bound.body.identity.status).toBe('verified');
    // a reference to nothing uploaded is refused before anything is decided
    const other = `acc_rk_bind2_${dialect}`;
    await s.call('POST', '/v1/accounts', { body: { id: other, region: 'CN', phone: '+86 13812345678' } });
    const missing = await s.call('POST', `/v1/accounts/${other}/identity`, {
      body: { ...body, evidence: [{ kind: 'liveness_video', ref: 'ev_none' }] },
    });
    expect(missing.body.code).toBe('EVIDENCE_NOT_FOUND');
  });

  it('R-RISK-1 without a shadow policy nothing disagrees, and only admins read the shadow list', async () => {
    const r = await s.call('GET', '/v1/admin/risk/shadow');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ items: [], nextCursor: null, shadowPolicyVersion: null });
    expect((await s.call('GET', '/v1/admin/risk/shadow', as(reviewer))).status).toBe(403);
  });
});

describe.each(dialects().map((d) => d.name))('risk shadow mode on %s', (dialect) => {
  let s: Service;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'realname-shadow-'));
    const shadow = policyFile(dir, 'candidate-strict', { stepUp: 10, review: 50, deny: 80 });
    s = await startService(dialect, { REALNAME_SHADOW_POLICY_FILE: shadow });
  });
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('R-RISK-1 shadow mode: the candidate policy is decided beside the live one, its disagreement recorded and never enforced', async () => {
    const make = async (id: string, abnormal: boolean) => {
      await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
      if (abnormal)
        await s.call('PUT', `/v1/accounts/${id}/logins/l1`, {
          body: { at: s.clock.now(), deviceId: 'dev_x', abnormal: true },
        });
      return s.call('POST', `/v1/accounts/${id}/operations/data-export`, { body: {} });
    };
    const quiet = await make(`acc_sh_quiet_${dialect}`, false);
    const suspicious = await make(`acc_sh_abnormal_${dialect}`, true);
    // the live policy allows both: the candidate is never enforced
    expect([quiet.status, suspicious.status]).toEqual([202, 202]);
    const list = await s.call('GET', '/v1/admin/risk/shadow');
    expect(list.status).toBe(200);
    expect(list.body.shadowPolicyVersion).toMatch(/^sha256:/);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        accountId: `acc_sh_abnormal_${dialect}`,
        operationId: suspicious.body.id,
        outcome: 'allowed',
        decision: 'allow',
        disagreement: true,
        shadow: expect.objectContaining({
          policyVersion: list.body.shadowPolicyVersion,
          outcome: 'refused',
          decision: 'step_up',
          blockers: [{ code: 'RISK_STEP_UP_REQUIRED', rule: 'R-RISK-1' }],
        }),
      }),
    ]);
    // the agreeing decision is recorded with its shadow too
    const all = await s.call('GET', `/v1/admin/risk/decisions?accountId=acc_sh_quiet_${dialect}`);
    expect(all.body.items[0]).toMatchObject({
      disagreement: false,
      shadow: { outcome: 'allowed', decision: 'allow' },
    });
    // paging: one at a time, newest first
    const page = await s.call('GET', '/v1/admin/risk/decisions?limit=1');
    expect(page.body.items).toHaveLength(1);
    const next = await s.call('GET', `/v1/admin/risk/decisions?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).toBeLessThan(page.body.items[0].id);
    const bad = await s.call('GET', '/v1/admin/risk/decisions?since=yesterday');
    expect(bad.status).toBe(400);
  });
});
