/**
 * Time windows and enterprise links end to end through HTTP with the dev clock: the maintenance
 * window refuses unbinds with a Retry-After (R-WIN-1), a minor is refused at night (R-MIN-1), and
 * enterprise links detach per kind with their proof, admin role first, approvals voided (R-ENT-*).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { dialects } from '../support/dialects.js';
import { startService, verifiedCode, type Service } from '../support/service.js';

const PDF = Buffer.from('%PDF-1.4\n% resignation\n').toString('base64');

describe.each(dialects().map((d) => d.name))('windows and enterprise links on %s', (dialect) => {
  let s: Service;
  let n = 0;
  async function account(extra: object = {}): Promise<string> {
    const id = `acc_win_${dialect}_${++n}`;
    expect(
      (
        await s.call('POST', '/v1/accounts', {
          body: { id, region: 'CN', phone: '+86 13712345678', ...extra },
        })
      ).status,
    ).toBe(201);
    await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '赵六', documentType: 'cn_id', documentNumber: demoIdNumber(500 + n) },
    });
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
  const card = { type: 'debit', last4: '8888', bank: 'ABC', reservedPhoneMasked: '137****5678', boundAt: 0 };

  beforeAll(async () => {
    s = await startService(dialect);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('R-WIN-1 an unbind at 04:30 is refused with Retry-After until 06:00 and nothing changes; at 06:00 it runs', async () => {
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, { body: card });
    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-19T04:30:00+08:00' } });
    const code = await verifiedCode(s, id, 'card.unbind', 'd1');
    const refused = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { cardId: 'd1', evidence: [{ kind: 'reserved_phone_code', ref: code }] },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.blockers.map((b: { code: string }) => b.code)).toEqual(['MAINTENANCE_WINDOW']);
    expect(refused.headers['retry-after']).toBe(String(90 * 60));
    expect(refused.body.params.retryAt).toBe(Date.parse('2026-11-19T06:00:00+08:00'));
    expect((await s.call('GET', `/v1/accounts/${id}/cards`)).body).toHaveLength(1);

    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-19T06:00:00+08:00' } });
    const ok = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [{ kind: 'reserved_phone_code', ref: await verifiedCode(s, id, 'card.unbind', 'd1') }],
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
  });

  it('R-MIN-1 a minor is refused at 22:00 with the guardian’s face still required, and can at 21:59', async () => {
    const id = await account({ minor: true });
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, { body: card });
    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-19T22:00:00+08:00' } });
    const night = await s.call('GET', `/v1/accounts/${id}/operations/card-unbind/preflight?cardId=d1`);
    expect(night.body.blockers.map((b: { code: string }) => b.code)).toEqual(['MINOR_NIGHT_WINDOW']);
    expect(night.body.retryAfter).toBe(Date.parse('2026-11-20T06:00:00+08:00'));
    expect(night.body.requiredEvidence.map((e: { kind: string }) => e.kind)).toContain('guardian_face');
    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-19T21:59:00+08:00' } });
    const day = await s.call('GET', `/v1/accounts/${id}/operations/card-unbind/preflight?cardId=d1`);
    expect(day.body.allowed).toBe(true);
  });

  it('R-MIN-1 a minor unbinds only with the guardian’s verification, sent to the guardian’s own phone', async () => {
    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-20T10:00:00+08:00' } });
    const guardian = `acc_guardian_${dialect}`;
    await s.call('POST', '/v1/accounts', { body: { id: guardian, region: 'CN', phone: '+86 13600002222' } });
    const id = await account({ minor: true, guardianAccountId: guardian });
    await s.call('PUT', `/v1/accounts/${id}/cards/d1`, { body: card });
    const own = await verifiedCode(s, id, 'card.unbind', 'd1');
    const alone = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: { cardId: 'd1', evidence: [{ kind: 'reserved_phone_code', ref: own }] },
    });
    expect(alone.status).toBe(422);
    expect(alone.body.blockers.map((b: { params: { evidence: string } }) => b.params.evidence)).toEqual([
      'guardian_face',
    ]);
    // the minor's own code does not stand in for the guardian's
    const forged = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [
          { kind: 'reserved_phone_code', ref: own },
          { kind: 'guardian_face', ref: own },
        ],
      },
    });
    expect(forged.status).toBe(422);
    expect(forged.body.code).toBe('VERIFICATION_REQUIRED');
    const request = await s.call('POST', `/v1/accounts/${id}/verifications`, {
      body: { purpose: 'card.unbind', cardId: 'd1', guardian: true },
    });
    expect(request.body).toMatchObject({ channel: 'guardian', destinationMasked: '+86 136****2222' });
    const guardianCode = request.body.challengeId as string;
    const code = s.rn.sms.lastCode(id, 'card.unbind:d1#guardian');
    expect(
      (await s.call('POST', `/v1/accounts/${id}/verifications/${guardianCode}/verify`, { body: { code } }))
        .status,
    ).toBe(200);
    const done = await s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
      body: {
        cardId: 'd1',
        evidence: [
          { kind: 'reserved_phone_code', ref: own },
          { kind: 'guardian_face', ref: guardianCode },
        ],
      },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(202);
    // an adult has no guardian to ask
    const adult = await account();
    const none = await s.call('POST', `/v1/accounts/${adult}/verifications`, {
      body: { purpose: 'account.delete', guardian: true },
    });
    expect(none.status).toBe(400);
  });

  it('R-ENT-1 R-ENT-4 detaching an attendance link needs the resignation certificate; the admin role goes first; approvals are voided', async () => {
    await s.call('POST', '/v1/dev/clock', { body: { set: '2026-11-20T12:00:00+08:00' } });
    const id = await account();
    await s.call('PUT', `/v1/accounts/${id}/enterprise-links/ent_1`, {
      body: {
        enterprise: 'Acme Ltd',
        kind: 'attendance',
        active: true,
        adminRole: true,
        pendingApprovals: 2,
      },
    });
    const withRole = await s.call(
      'GET',
      `/v1/accounts/${id}/operations/enterprise-detach/preflight?linkId=ent_1`,
    );
    expect(withRole.body.blockers.map((b: { code: string }) => b.code)).toEqual([
      'ENTERPRISE_ADMIN_ROLE_HELD',
    ]);
    expect(withRole.body.requiredEvidence.map((e: { kind: string }) => e.kind)).toEqual([
      'resignation_certificate',
    ]);

    await s.call('PUT', `/v1/accounts/${id}/enterprise-links/ent_1`, {
      body: {
        enterprise: 'Acme Ltd',
        kind: 'attendance',
        active: true,
        adminRole: false,
        pendingApprovals: 2,
      },
    });
    const missing = await s.call('POST', `/v1/accounts/${id}/operations/enterprise-detach`, {
      body: { linkId: 'ent_1' },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.blockers.map((b: { code: string }) => b.code)).toEqual(['EVIDENCE_MISSING']);
    expect(missing.headers['retry-after']).toBeUndefined();

    const up = await s.call('POST', `/v1/accounts/${id}/evidence`, {
      body: { kind: 'resignation_certificate', contentType: 'application/pdf', data: PDF },
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const done = await s.call('POST', `/v1/accounts/${id}/operations/enterprise-detach`, {
      body: { linkId: 'ent_1', evidence: [{ kind: 'resignation_certificate', ref: up.body.id }] },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(202);
    expect(done.body.outcome).toBe('completed');
    const link = (await s.call('GET', `/v1/accounts/${id}/enterprise-links`)).body[0];
    expect(link).toMatchObject({ active: false, pendingApprovals: 0 });
    // the revocation is no longer blocked by that link
    const revoke = await s.call(
      'GET',
      `/v1/accounts/${id}/operations/realname-revoke/preflight?deviceId=dev_primary`,
    );
    expect(revoke.body.blockers.map((b: { code: string }) => b.code)).not.toContain('ENTERPRISE_LINK_ACTIVE');
  });
});
