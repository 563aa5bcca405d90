/**
 * The manual review queue through HTTP on every dialect, with the dev clock: appeals (R-ABN-2/3) due
 * in Chinese working days (R-WIN-2), claimed, read, evidence opened (audited) and decided; the two
 * review steps of a non-mainland change (R-CHG-4) across a restart; a minor's revocation (R-MIN-3);
 * who may reach the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import { dialects } from '../support/dialects.js';
import { auxVerified, bankChecked, startService, verifiedCode, type Service } from '../support/service.js';

const DAY = 86_400_000;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('handheld-id-photo-bytes')]);
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('doc'),
]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42liveness')]);
const STATEMENT = '我的账号被他人盗用后被冻结，申请解冻。My account was stolen and frozen.';
const PASSPORT = 'E12345678';
const NEW_NAME = 'John Smith';

async function upload(
  s: Service,
  accountId: string,
  kind: string,
  contentType: string,
  data: Buffer,
): Promise<string> {
  const r = await s.call('POST', `/v1/accounts/${accountId}/evidence`, {
    body: { kind, contentType, data: data.toString('base64'), name: `${kind}.bin` },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function keyFor(s: Service, name: string, scopes: string[]): Promise<{ id: string; secret: string }> {
  const r = await s.call('POST', '/v1/keys', { body: { name, scopes } });
  expect(r.status).toBe(201);
  return { id: r.body.id as string, secret: r.body.secret as string };
}

describe.each(dialects().map((d) => d.name))('review queue on %s', (dialect) => {
  let s: Service;
  let n = 0;
  let reviewerA: { id: string; secret: string };
  let reviewerB: { id: string; secret: string };

  /** A verified adult account with a primary device; frozen (locked) unless told otherwise. */
  /** Each account's identity, for the bank checks of its appeal's auxiliary verifications. */
  const holders = new Map<string, { type: string; number: string; name: string }>();
  async function account(opts: { frozen?: boolean; minor?: boolean } = {}): Promise<string> {
    const id = `acc_rv_${++n}`;
    let guardian: string | null = null;
    if (opts.minor) {
      // R-MIN-1: a minor's guardian is an account of its own, verified on the guardian's phone
      guardian = `${id}_guardian`;
      expect(
        (
          await s.call('POST', '/v1/accounts', {
            body: { id: guardian, region: 'CN', phone: '+86 13900001111' },
          })
        ).status,
      ).toBe(201);
    }
    const created = await s.call('POST', '/v1/accounts', {
      body: {
        id,
        region: 'CN',
        phone: '+86 13812345678',
        ...(opts.minor ? { minor: true, guardianAccountId: guardian } : {}),
      },
    });
    expect(created.status).toBe(201);
    const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(500 + n) },
    });
    holders.set(id, { type: 'cn_id', number: demoIdNumber(500 + n), name: '张三' });
    expect(bound.status).toBe(201);
    await s.call('PUT', `/v1/accounts/${id}/devices/dev_primary`, {
      body: { platform: 'android', osVersion: '14', primary: true, addedAt: s.clock.now() - 400 * DAY },
    });
    if (opts.frozen !== false) expect((await s.call('POST', `/v1/accounts/${id}/lock`)).status).toBe(200);
    return id;
  }

  /** R-ABN-2: 3 auxiliary verifications, an uploaded handheld-ID photo and a statement. */
  async function appeal(accountId: string): Promise<{ opId: string; photo: string; statement: string }> {
    const photo = await upload(s, accountId, 'handheld_id_photo', 'image/jpeg', JPEG);
    const statement = await upload(s, accountId, 'statement', 'text/plain', Buffer.from(STATEMENT));
    const r = await s.call('POST', `/v1/accounts/${accountId}/operations/appeal`, {
      body: {
        evidence: [
          ...(await auxVerified(s, accountId, holders.get(accountId)!)).map((ref) => ({
            kind: 'aux_verification',
            ref,
          })),
          { kind: 'handheld_id_photo', ref: photo },
          { kind: 'statement', ref: statement },
        ],
      },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    return { opId: r.body.id as string, photo, statement };
  }

  const as = (key: { secret: string }) => ({ key: key.secret });

  beforeAll(async () => {
    s = await startService(dialect);
    reviewerA = await keyFor(s, 'reviewer A', ['reviews:write']);
    reviewerB = await keyFor(s, 'reviewer B', ['reviews:write']);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('R-ABN-2 R-WIN-2 an appeal enters the queue due 7 working days later on the Chinese calendar (National Day skipped)', async () => {
    const moved = await s.call('POST', '/v1/dev/clock', { body: { set: '2026-09-30T10:00:00+08:00' } });
    expect(moved.status).toBe(200);
    const id = await account();
    // 2 auxiliary verifications, or one reference given 3 times, are not 3
    const photo = await upload(s, id, 'handheld_id_photo', 'image/jpeg', JPEG);
    const statement = await upload(s, id, 'statement', 'text/plain', Buffer.from(STATEMENT));
    const same = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, {
      body: {
        evidence: [
          ...[1, 2, 3].map(() => ({ kind: 'aux_verification', ref: 'sms_bound_phone' })),
          { kind: 'handheld_id_photo', ref: photo },
          { kind: 'statement', ref: statement },
        ],
      },
    });
    expect(same.status).toBe(422);
    expect(same.body.blockers[0]).toMatchObject({
      code: 'EVIDENCE_MISSING',
      params: { evidence: 'aux_verification', required: 3, provided: 1 },
    });
    // three real codes, all to the bound phone, are one destination: refused, nothing consumed
    const onePhone = [];
    for (let i = 0; i < 3; i++) {
      onePhone.push(await verifiedCode(s, id, 'appeal.submit'));
      s.clock.advance(61_000); // past the resend cooldown
    }
    const samePhone = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, {
      body: {
        evidence: [
          ...onePhone.map((ref) => ({ kind: 'aux_verification', ref })),
          { kind: 'handheld_id_photo', ref: photo },
          { kind: 'statement', ref: statement },
        ],
      },
    });
    expect(samePhone.status).toBe(422);
    expect(samePhone.body).toMatchObject({
      code: 'VERIFICATION_REQUIRED',
      params: { evidence: 'aux_verification', reason: 'verification_same_destination' },
    });
    // a bank check for an appeal must be of a card in the holder's own name
    const notMine = await s.call('POST', `/v1/accounts/${id}/verifications`, {
      body: {
        purpose: 'appeal.submit',
        bankCheck: {
          cardNumber: '6222020200112233446',
          holderName: '张三',
          documentType: 'cn_id',
          documentNumber: demoIdNumber(499),
          reservedPhone: '+86 13700001234',
        },
      },
    });
    expect(notMine.status).toBe(422);
    expect(notMine.body).toMatchObject({
      code: 'BANK_RESERVED_INFO_MISMATCH',
      params: { reason: 'document_mismatch' },
    });
    // made-up references are not verifications
    const madeUp = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, {
      body: {
        evidence: [
          ...['sms_bound_phone', 'email_link', 'face_check'].map((ref) => ({
            kind: 'aux_verification',
            ref,
          })),
          { kind: 'handheld_id_photo', ref: photo },
          { kind: 'statement', ref: statement },
        ],
      },
    });
    expect(madeUp.body).toMatchObject({
      code: 'VERIFICATION_REQUIRED',
      params: { reason: 'verification_not_found' },
    });

    const { opId } = await appeal(id);
    const op = await s.call('GET', `/v1/accounts/${id}/operations/${opId}`);
    expect(op.body).toMatchObject({ kind: 'appeal.submit', state: 'in_review', deadlineKind: 'review_due' });
    // 10-01..10-07 National Day; 10-08 (1), 10-09 (2), Sat 10-10 adjusted working day (3), 10-12..10-15 (4–7)
    expect(op.body.deadlineAt).toBe(shanghaiDateTime(2026, 10, 16) - 1);
    expect(op.body.deadlineAt).toBeGreaterThan(s.clock.now() + 15 * DAY);

    const list = await s.call('GET', '/v1/reviews?kind=appeal.submit', as(reviewerA));
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { operationId: string }) => i.operationId === opId);
    expect(item).toEqual({
      operationId: opId,
      accountId: id,
      kind: 'appeal.submit',
      state: 'in_review',
      step: 1,
      createdAt: s.clock.now(),
      dueAt: shanghaiDateTime(2026, 10, 16) - 1,
      overdue: false,
      workingDaysLeft: 7,
      claimedBy: null,
      claimedAt: null,
    });
  });

  it('R-ABN-2 R-ABN-3 a reviewer claims, reads the case, opens the evidence (audited) and accepts: the freeze lifts', async () => {
    const id = await account();
    const { opId, photo, statement } = await appeal(id);

    const claimed = await s.call('POST', `/v1/reviews/${opId}/claim`, as(reviewerA));
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toMatchObject({
      operationId: opId,
      claimedBy: `reviewer:${reviewerA.id}`,
      claimedAt: s.clock.now(),
    });
    // claiming your own case again is a no-op
    const again = await s.call('POST', `/v1/reviews/${opId}/claim`, as(reviewerA));
    expect(again.status).toBe(200);
    expect(again.body.claimedAt).toBe(claimed.body.claimedAt);
    // another reviewer is told who has it and since when
    const taken = await s.call('POST', `/v1/reviews/${opId}/claim`, as(reviewerB));
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('REVIEW_CLAIMED');
    expect(taken.body.params).toEqual({
      claimedBy: `reviewer:${reviewerA.id}`,
      since: claimed.body.claimedAt,
    });
    expect(taken.body.message).toContain(`reviewer:${reviewerA.id}`);
    const mine = await s.call('GET', '/v1/reviews?claimedBy=me', as(reviewerA));
    expect(mine.body.items.map((i: { operationId: string }) => i.operationId)).toEqual([opId]);

    const c = await s.call('GET', `/v1/reviews/${opId}`, as(reviewerB));
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.operation.timeline.map((t: { event: string }) => t.event)).toEqual([
      'started',
      'queue_review',
    ]);
    expect(c.body.account.account).toMatchObject({ id, status: 'frozen', phoneMasked: '+86 138****5678' });
    expect(c.body.account.identity.nameMasked).toBe('*三');
    expect(c.body.evidence.map((e: { id: string; kind: string }) => [e.kind, e.id]).sort()).toEqual(
      [
        ['handheld_id_photo', photo],
        ['statement', statement],
      ].sort(),
    );
    expect(c.body.verifications).toHaveLength(3);
    expect(c.body.allowedDecisions).toEqual(['accept', 'reject']);
    expect(JSON.stringify(c.body)).not.toContain('13812345678');

    // the decrypted bytes, in their own content type; the access is audited, the content is not
    const photoHref = c.body.evidence.find((e: { kind: string }) => e.kind === 'handheld_id_photo').href;
    const file = await s.rn.server.inject({
      method: 'GET',
      url: photoHref,
      headers: { authorization: `Bearer ${reviewerA.secret}` },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.headers['cache-control']).toBe('no-store');
    expect(file.rawPayload.equals(JPEG)).toBe(true);
    const text = await s.rn.server.inject({
      method: 'GET',
      url: `/v1/reviews/${opId}/evidence/${statement}`,
      headers: { authorization: `Bearer ${reviewerA.secret}` },
    });
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(STATEMENT);
    const trail = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body as {
      action: string;
      actor: string;
      data: Record<string, unknown>;
    }[];
    const viewed = trail.filter((e) => e.action === 'evidence.viewed');
    expect(viewed.map((e) => e.data.evidenceId)).toEqual([photo, statement]);
    expect(viewed[0]).toMatchObject({
      actor: `reviewer:${reviewerA.id}`,
      data: { reviewer: `reviewer:${reviewerA.id}` },
    });
    expect(JSON.stringify(trail)).not.toContain('handheld-id-photo-bytes');
    expect(JSON.stringify(trail)).not.toContain('申请解冻');
    // evidence of another case, or made up, is not served
    const unknown = await s.call('GET', `/v1/reviews/${opId}/evidence/ev_NOTHERE`, as(reviewerA));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('EVIDENCE_NOT_FOUND');

    // only the claimer decides; an illegal decision changes nothing
    const notMine = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerB),
      body: { decision: 'accept', reason: 'Looks genuine to me.' },
    });
    expect(notMine.status).toBe(409);
    expect(notMine.body.code).toBe('REVIEW_NOT_CLAIMED');
    const illegal = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerA),
      body: { decision: 'approve_step', reason: 'First of two steps.' },
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body.code).toBe('ILLEGAL_TRANSITION');
    const still = await s.call('GET', `/v1/reviews/${opId}`, as(reviewerA));
    expect(still.body.review).toMatchObject({ state: 'in_review', claimedBy: `reviewer:${reviewerA.id}` });
    expect(still.body.operation.timeline).toHaveLength(2);
    const short = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerA),
      body: { decision: 'accept', reason: 'ok' },
    });
    expect(short.status).toBe(400);

    const accepted = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerA),
      body: { decision: 'accept', reason: 'Face matches the document; the login pattern confirms theft.' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'accepted', outcome: 'completed', deadlineAt: null });
    expect(accepted.body.timeline.at(-1)).toMatchObject({
      event: 'accept',
      actor: `reviewer:${reviewerA.id}`,
      data: { rule: 'R-ABN-3', decision: 'accept', freezeLifted: true },
    });
    const acc = await s.call('GET', `/v1/accounts/${id}`);
    expect(acc.body.account.status).toBe('active');
    expect(acc.body.account.frozenReason ?? null).toBeNull();
    const pre = await s.call(
      'GET',
      `/v1/accounts/${id}/operations/realname-revoke/preflight?deviceId=dev_primary`,
    );
    expect(pre.body.blockers.map((b: { code: string }) => b.code)).not.toContain('ACCOUNT_FROZEN');
    // decided: out of the queue, and not decidable again
    const queue = await s.call('GET', '/v1/reviews?limit=200', as(reviewerA));
    expect(queue.body.items.map((i: { operationId: string }) => i.operationId)).not.toContain(opId);
    const twice = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerA),
      body: { decision: 'reject', reason: 'Changed my mind.' },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('REVIEW_NOT_OPEN');
    const decided = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body.filter(
      (e: { action: string }) => e.action === 'review.decided',
    );
    expect(decided).toHaveLength(1);
    expect(decided[0].data).toMatchObject({ decision: 'accept', from: 'in_review', to: 'accepted' });
  });

  it('R-ABN-3 a rejected appeal says why: the reason is on the operation the user reads, and the freeze stays', async () => {
    const id = await account();
    const { opId } = await appeal(id);
    expect((await s.call('POST', `/v1/reviews/${opId}/claim`, as(reviewerB))).status).toBe(200);
    const reason = 'The handheld photo does not show the document number clearly; please appeal again.';
    const rejected = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerB),
      body: { decision: 'reject', reason },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'rejected', outcome: 'rejected' });
    const user = (await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: id } })).body.secret;
    const seen = await s.call('GET', `/v1/accounts/${id}/operations/${opId}`, { key: user });
    expect(seen.status).toBe(200);
    expect(seen.body.timeline.at(-1)).toMatchObject({
      event: 'reject',
      data: { decision: 'reject', reason },
    });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.account.status).toBe('frozen');
    // a reason holding personal data is refused (it is shown and kept on the timeline)
    const id2 = await account();
    const second = await appeal(id2);
    await s.call('POST', `/v1/reviews/${second.opId}/claim`, as(reviewerB));
    const pii = await s.call('POST', `/v1/reviews/${second.opId}/decision`, {
      ...as(reviewerB),
      body: { decision: 'reject', reason: `Document ${demoIdNumber(9)} does not match.` },
    });
    expect(pii.status).toBe(400);
    expect(pii.body.code).toBe('VALIDATION_FAILED');
  });

  it('R-ABN-2 R-WIN-2 a case past its due date is flagged overdue (injected clock); the queue pages by due date', async () => {
    const id = await account();
    const { opId } = await appeal(id);
    const before = await s.call('GET', '/v1/reviews?overdue=true&limit=200', as(reviewerA));
    expect(before.body.items.map((i: { operationId: string }) => i.operationId)).not.toContain(opId);

    await s.call('POST', '/v1/dev/clock', { body: { advance: 'P20D' } });
    const overdue = await s.call('GET', '/v1/reviews?overdue=true&limit=200', as(reviewerA));
    const item = overdue.body.items.find((i: { operationId: string }) => i.operationId === opId);
    expect(item).toMatchObject({ overdue: true });
    expect(item.workingDaysLeft).toBeLessThan(0);
    const onTime = await s.call('GET', '/v1/reviews?overdue=false&limit=200', as(reviewerA));
    expect(onTime.body.items.map((i: { operationId: string }) => i.operationId)).not.toContain(opId);

    // pages of one, in due-date order, each case once
    const all = (await s.call('GET', '/v1/reviews?limit=200', as(reviewerA))).body.items;
    const dues = all.map((i: { dueAt: number }) => i.dueAt);
    expect(dues).toEqual([...dues].sort((a: number, b: number) => a - b));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { operationId: string }[]; nextCursor: string | null } } = await s.call(
        'GET',
        `/v1/reviews?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        as(reviewerA),
      );
      paged.push(...page.body.items.map((i) => i.operationId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all.map((i: { operationId: string }) => i.operationId));
    expect((await s.call('GET', '/v1/reviews?cursor=garbage', as(reviewerA))).status).toBe(400);
  });

  it('R-MIN-3 a minor’s revocation approved by a reviewer goes pending_recycle, then the saga revokes it (R-REV-3)', async () => {
    s.clock.set(shanghaiDateTime(2026, 11, 18, 12));
    const id = await account({ frozen: false, minor: true });
    const video = await upload(s, id, 'guardian_handheld_id_video', 'video/mp4', MP4);
    const household = await upload(s, id, 'household_register_proof', 'image/png', PNG);
    const school = await upload(s, id, 'school_enrolment_certificate', 'image/jpeg', JPEG);
    const started = await s.call('POST', `/v1/accounts/${id}/operations/realname-revoke`, {
      body: {
        deviceId: 'dev_primary',
        evidence: [
          { kind: 'guardian_handheld_id_video', ref: video },
          { kind: 'household_register_proof', ref: household },
          { kind: 'school_enrolment_certificate', ref: school },
          { kind: 'guardian_face', ref: await verifiedCode(s, id, 'realname.revoke', undefined, true) },
          // R-REV-2: the step-up SMS code (Android: one)
          { kind: 'sms_code', ref: await verifiedCode(s, id, 'realname.revoke') },
        ],
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ state: 'in_review', deadlineKind: 'review_due' });
    const opId = started.body.id as string;
    const listed = await s.call('GET', '/v1/reviews?kind=realname.revoke', as(reviewerA));
    expect(listed.body.items.map((i: { operationId: string }) => i.operationId)).toEqual([opId]);
    expect(listed.body.items[0].workingDaysLeft).toBe(15);

    await s.call('POST', `/v1/reviews/${opId}/claim`, as(reviewerA));
    const c = await s.call('GET', `/v1/reviews/${opId}`, as(reviewerA));
    expect(c.body.evidence).toHaveLength(3);
    expect(c.body.allowedDecisions).toEqual(['accept', 'reject']);
    const approved = await s.call('POST', `/v1/reviews/${opId}/decision`, {
      ...as(reviewerA),
      body: { decision: 'accept', reason: 'Guardian and school documents are consistent.' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ state: 'pending_recycle', outcome: null, deadlineKind: 'saga' });
    // R-REV-3: the approval hands the revocation to the saga, which revokes it
    expect(await s.rn.services.saga.run(opId)).toBe('revoked');
    const done = await s.call('GET', `/v1/accounts/${id}/operations/${opId}`);
    expect(done.body.timeline.map((t: { state: string }) => t.state)).toEqual([
      'started',
      'in_review',
      'pending_recycle',
      'committing',
      'revoked',
    ]);
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('revoked');
  });

  it('R-ABN-2 only reviewers (and admins) reach the queue: a platform key without reviews:write is 403, an end-user token too', async () => {
    const platform = await keyFor(s, 'platform', [
      'facts:read',
      'facts:write',
      'operations:read',
      'operations:write',
    ]);
    for (const url of ['/v1/reviews', '/v1/reviews/op_x', '/v1/reviews/op_x/evidence/ev_x']) {
      const r = await s.call('GET', url, as(platform));
      expect(r.status, url).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
    }
    const claim = await s.call('POST', '/v1/reviews/op_x/claim', as(platform));
    expect(claim.status).toBe(403);
    const id = await account({ frozen: false });
    const user = (await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: id } })).body.secret;
    expect((await s.call('GET', '/v1/reviews', { key: user })).status).toBe(403);
    expect(
      (
        await s.call('POST', '/v1/reviews/op_x/decision', {
          key: user,
          body: { decision: 'accept', reason: 'let me in please' },
        })
      ).status,
    ).toBe(403);
    expect((await s.call('GET', '/v1/reviews', { key: null })).status).toBe(401);
    // the admin key works the queue too
    expect((await s.call('GET', '/v1/reviews')).status).toBe(200);
  });
});

describe.each(dialects().map((d) => d.name))('non-mainland subject change on %s', (dialect) => {
  it('R-CHG-4 R-CHG-1 a passport change needs two approvals by two reviewers, survives a restart between them, then applies', async () => {
    const first = await startService(dialect);
    let s: Service = first;
    try {
      const id = 'acc_passport';
      await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } });
      await s.call('POST', `/v1/accounts/${id}/identity`, {
        body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(42) },
      });
      const a = await keyFor(s, 'reviewer A', ['reviews:write']);
      const b = await keyFor(s, 'reviewer B', ['reviews:write']);
      const front = await upload(s, id, 'document_front', 'image/jpeg', JPEG);
      const back = await upload(s, id, 'document_back', 'image/png', PNG);
      const liveness = await upload(s, id, 'liveness_video', 'video/mp4', MP4);
      const body = {
        newDocument: { type: 'passport', number: PASSPORT, name: NEW_NAME },
        evidence: [
          { kind: 'document_front', ref: front },
          { kind: 'document_back', ref: back },
          { kind: 'liveness_video', ref: liveness },
          { kind: 'phone_code', ref: await verifiedCode(s, id, 'realname.change') },
          {
            kind: 'bank_reserved_info',
            ref: await bankChecked(s, id, { type: 'passport', number: PASSPORT, name: NEW_NAME }),
          },
        ],
      };
      const started = await s.call('POST', `/v1/accounts/${id}/operations/realname-change`, { body });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      expect(started.body.state).toBe('in_review');
      const opId = started.body.id as string;
      expect(JSON.stringify(started.body)).not.toContain(PASSPORT);

      // the new subject is kept sealed with the operation, never in clear
      const raw = await s.rn.store.db
        .selectFrom('pending_subjects')
        .selectAll()
        .where('operation_id', '=', opId)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(raw)).not.toContain(PASSPORT);
      expect(JSON.stringify(raw)).not.toContain(NEW_NAME);

      // step 1 by A; A cannot take step 2
      await s.call('POST', `/v1/reviews/${opId}/claim`, { key: a.secret });
      const c1 = await s.call('GET', `/v1/reviews/${opId}`, { key: a.secret });
      expect(c1.body.newSubject).toEqual({
        documentType: 'passport',
        documentMasked: expect.any(String),
        nameMasked: expect.any(String),
      });
      expect(c1.body.newSubject.documentMasked).not.toBe(PASSPORT);
      expect(c1.body.allowedDecisions).toEqual(['reject', 'approve_step']);
      const early = await s.call('POST', `/v1/reviews/${opId}/decision`, {
        key: a.secret,
        body: { decision: 'accept', reason: 'Skipping the first step.' },
      });
      expect(early.body.code).toBe('ILLEGAL_TRANSITION');
      const step1 = await s.call('POST', `/v1/reviews/${opId}/decision`, {
        key: a.secret,
        body: { decision: 'approve_step', reason: 'Passport images and liveness video match.' },
      });
      expect(step1.status, JSON.stringify(step1.body)).toBe(200);
      expect(step1.body).toMatchObject({ state: 'in_review_2', outcome: null, deadlineKind: 'review_due' });
      const sameEyes = await s.call('POST', `/v1/reviews/${opId}/claim`, { key: a.secret });
      expect(sameEyes.status).toBe(409);
      expect(sameEyes.body.code).toBe('REVIEW_SECOND_REVIEWER_REQUIRED');

      // restart between the two steps
      await s.stop(true);
      s = await startService(dialect, {}, first.home, s.clock.now() + 3_600_000);
      const queued = await s.call('GET', '/v1/reviews?kind=realname.change', { key: b.secret });
      expect(queued.body.items).toEqual([
        expect.objectContaining({ operationId: opId, state: 'in_review_2', step: 2, claimedBy: null }),
      ]);
      expect((await s.call('POST', `/v1/reviews/${opId}/claim`, { key: b.secret })).status).toBe(200);
      const done = await s.call('POST', `/v1/reviews/${opId}/decision`, {
        key: b.secret,
        body: { decision: 'accept', reason: 'Second review: consistent with the bank records.' },
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({ state: 'completed', outcome: 'completed' });
      expect(done.body.timeline.map((t: { event: string }) => t.event)).toEqual([
        'started',
        'queue_review',
        'approve_step',
        'complete',
      ]);
      const account = await s.call('GET', `/v1/accounts/${id}`);
      expect(account.body.identity).toMatchObject({ status: 'verified', documentType: 'passport' });
      expect(account.body.identity.nameMasked).not.toBe('*三');
      const revealed = await s.rn.store.revealIdentity(id);
      expect(revealed?.current).toMatchObject({
        name: NEW_NAME,
        documentType: 'passport',
        documentNumber: PASSPORT,
      });
      expect(revealed?.history.map((h) => h.name)).toEqual(['张三']);
      expect(await s.rn.store.pendingSubject(opId)).toBeNull();
      const events = await s.rn.store.pendingOutbox(1000);
      expect(events.map((e) => e.topic)).toContain('identity.subject_changed');
      expect(JSON.stringify(await s.rn.store.auditTrail({ accountId: id, limit: 1000 }))).not.toContain(
        PASSPORT,
      );

      // a rejected change discards its new subject; so does a cancelled one
      s.clock.advance(100 * DAY);
      for (const how of ['reject', 'cancel'] as const) {
        const newDocument = { type: 'hk_mo_permit', number: 'H12345678', name: '李四' };
        const again = await s.call('POST', `/v1/accounts/${id}/operations/realname-change`, {
          body: {
            ...body,
            // a code is used once: each attempt gets a fresh one, and the bank check is for the new document
            evidence: [
              ...body.evidence.filter((e) => e.kind !== 'phone_code' && e.kind !== 'bank_reserved_info'),
              { kind: 'phone_code', ref: await verifiedCode(s, id, 'realname.change') },
              { kind: 'bank_reserved_info', ref: await bankChecked(s, id, newDocument) },
            ],
            newDocument,
          },
        });
        expect(again.status, JSON.stringify(again.body)).toBe(202);
        const op2 = again.body.id as string;
        expect(await s.rn.store.pendingSubject(op2)).not.toBeNull();
        if (how === 'reject') {
          await s.call('POST', `/v1/reviews/${op2}/claim`, { key: a.secret });
          const r = await s.call('POST', `/v1/reviews/${op2}/decision`, {
            key: a.secret,
            body: { decision: 'reject', reason: 'The permit photo is unreadable.' },
          });
          expect(r.body.state).toBe('rejected');
        } else {
          expect((await s.call('POST', `/v1/accounts/${id}/operations/${op2}/cancel`)).body.state).toBe(
            'cancelled',
          );
        }
        expect(await s.rn.store.pendingSubject(op2)).toBeNull();
      }
      expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.documentType).toBe('passport');
    } finally {
      await s.stop();
    }
  });
});
