/**
 * Evidence files through HTTP on every dialect (R-CHG-1, R-ABN-2, R-MIN-3): accepted uploads are
 * sealed under the account's data key and answered with metadata only; every refusal (too large,
 * wrong type, content that is not the declared type, a path in the name, bad base64) has its own
 * code and stores nothing; an operation's start refuses unknown references; the purge (R-DEL-4)
 * deletes the files.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { EVIDENCE_BODY_LIMIT } from '../../src/adapters/http/routes/evidence.js';
import { dialects } from '../support/dialects.js';
import {
  auxVerified,
  startService,
  verifiedCode,
  type Service,
  type ServiceHome,
} from '../support/service.js';

const MiB = 1024 * 1024;
const DAY = 86_400_000;

/** Bytes that start with the magic number of `type`, then `body` (a marker we can search for). */
function file(type: 'jpeg' | 'png' | 'mp4' | 'pdf' | 'text', body: Buffer | string = 'marker'): Buffer {
  const rest = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = {
    jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    mp4: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42', 'ascii')]),
    pdf: Buffer.from('%PDF-1.7\n', 'ascii'),
    text: Buffer.alloc(0),
  }[type];
  return Buffer.concat([head, rest]);
}

const upload = (
  s: Service,
  accountId: string,
  body: { kind: string; contentType: string; data: Buffer | string; name?: string },
  key?: string,
) =>
  s.call('POST', `/v1/accounts/${accountId}/evidence`, {
    body: { ...body, data: typeof body.data === 'string' ? body.data : body.data.toString('base64') },
    ...(key === undefined ? {} : { key }),
  });

describe.each(dialects().map((d) => d.name))('evidence files on %s', (dialect) => {
  let s: Service & { home: ServiceHome };
  let n = 0;

  async function account(): Promise<string> {
    const id = `acc_ev_${++n}`;
    expect(
      (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13812345678' } })).status,
    ).toBe(201);
    const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
      body: { name: '张三', documentType: 'cn_id', documentNumber: demoIdNumber(300 + n) },
    });
    expect(bound.status).toBe(201);
    return id;
  }

  const count = async (accountId: string): Promise<number> =>
    Number(
      (
        await s.rn.store.db
          .selectFrom('evidence')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('account_id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    s = await startService(dialect);
  });
  afterAll(async () => {
    await s.stop();
  });

  it('R-CHG-1 R-ABN-2 accepts each allowed type and answers with metadata only: id, kind, type, size, sha256', async () => {
    const id = await account();
    const cases = [
      { kind: 'document_front', contentType: 'image/jpeg', data: file('jpeg', 'CONTENT-front') },
      { kind: 'document_back', contentType: 'application/pdf', data: file('pdf', 'CONTENT-back') },
      { kind: 'handheld_id_photo', contentType: 'image/png', data: file('png', 'CONTENT-photo') },
      { kind: 'liveness_video', contentType: 'video/mp4', data: file('mp4', 'CONTENT-video') },
      { kind: 'statement', contentType: 'text/plain', data: file('text', '我的账号被盗，请解冻。\nThanks.') },
    ];
    for (const c of cases) {
      const r = await upload(s, id, { ...c, name: `${c.kind}.bin` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(Object.keys(r.body).sort()).toEqual([
        'contentType',
        'createdAt',
        'id',
        'kind',
        'sha256',
        'size',
      ]);
      expect(r.body).toMatchObject({
        kind: c.kind,
        contentType: c.contentType,
        size: c.data.length,
        sha256: createHash('sha256').update(c.data).digest('hex'),
        createdAt: s.clock.now(),
      });
      expect(r.body.id).toMatch(/^ev_/);
    }
    const list = await s.call('GET', `/v1/accounts/${id}/evidence`);
    expect(list.status).toBe(200);
    expect(list.body.map((e: { kind: string }) => e.kind).sort()).toEqual(cases.map((c) => c.kind).sort());
    expect(JSON.stringify(list.body)).not.toContain('CONTENT-');
    // the upload is audited without content or name
    const trail = JSON.stringify((await s.call('GET', `/v1/audit?accountId=${id}&limit=100`)).body);
    expect(trail).toContain('evidence.uploaded');
    expect(trail).not.toContain('document_front.bin');
  });

  it('R-CHG-1 refuses each bad upload with its own code and stores nothing', async () => {
    const id = await account();
    const refusals: [string, Parameters<typeof upload>[2], number, string][] = [
      [
        'too large',
        { kind: 'handheld_id_photo', contentType: 'image/jpeg', data: file('jpeg', Buffer.alloc(5 * MiB)) },
        413,
        'EVIDENCE_TOO_LARGE',
      ],
      [
        'a type not allowed for the kind',
        { kind: 'statement', contentType: 'image/png', data: file('png') },
        415,
        'EVIDENCE_TYPE_NOT_ALLOWED',
      ],
      [
        'a type never allowed',
        { kind: 'document_front', contentType: 'image/gif', data: Buffer.from('GIF89a') },
        415,
        'EVIDENCE_TYPE_NOT_ALLOWED',
      ],
      [
        'a video as a document',
        { kind: 'document_front', contentType: 'video/mp4', data: file('mp4') },
        415,
        'EVIDENCE_TYPE_NOT_ALLOWED',
      ],
      [
        'a PNG declared as JPEG',
        { kind: 'document_front', contentType: 'image/jpeg', data: file('png') },
        400,
        'EVIDENCE_CONTENT_MISMATCH',
      ],
      [
        'an executable declared as PDF',
        { kind: 'document_back', contentType: 'application/pdf', data: Buffer.from('MZ\x90\x00binary') },
        400,
        'EVIDENCE_CONTENT_MISMATCH',
      ],
      [
        'binary declared as text',
        { kind: 'statement', contentType: 'text/plain', data: Buffer.from([0x00, 0x01, 0xff, 0xfe]) },
        400,
        'EVIDENCE_CONTENT_MISMATCH',
      ],
      [
        'a path traversal name',
        { kind: 'document_front', contentType: 'image/jpeg', data: file('jpeg'), name: '../../etc/passwd' },
        400,
        'EVIDENCE_NAME_INVALID',
      ],
      [
        'a backslash in the name',
        { kind: 'document_front', contentType: 'image/jpeg', data: file('jpeg'), name: '..\\windows\\a.jpg' },
        400,
        'EVIDENCE_NAME_INVALID',
      ],
      [
        // Refused earlier, by the JSON parser: no body may carry U+0000 (PostgreSQL text cannot hold it).
        'a NUL in the name',
        { kind: 'document_front', contentType: 'image/jpeg', data: file('jpeg'), name: 'a.jpg\u0000.txt' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a bare ".." name',
        { kind: 'document_front', contentType: 'image/jpeg', data: file('jpeg'), name: '..' },
        400,
        'EVIDENCE_NAME_INVALID',
      ],
      [
        'data that is not base64',
        { kind: 'document_front', contentType: 'image/jpeg', data: '/9j/4AAQ*' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'a verification kind',
        { kind: 'sms_code', contentType: 'text/plain', data: file('text', '123456') },
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const [what, body, status, code] of refusals) {
      const r = await upload(s, id, body);
      expect(r.status, what).toBe(status);
      expect(r.body.code, what).toBe(code);
      expect(r.headers['content-type'], what).toContain('application/problem+json');
    }
    expect(await count(id)).toBe(0);
    const tooLarge = await upload(s, id, refusals[0]![1], undefined);
    expect(tooLarge.body.params).toMatchObject({ kind: 'handheld_id_photo', limit: 5 * MiB });
    const zh = await s.call('POST', `/v1/accounts/${id}/evidence`, {
      body: { kind: 'document_front', contentType: 'image/jpeg', data: file('png').toString('base64') },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(zh.body.message).toContain('不符');
  });

  it('R-CHG-1 takes a 20 MiB liveness video (the largest kind) past the 1 MiB server limit; a body beyond the route limit is a 413', async () => {
    const id = await account();
    const video = file('mp4', Buffer.alloc(20 * MiB - 12, 7));
    expect(video.length).toBe(20 * MiB);
    const ok = await upload(s, id, { kind: 'liveness_video', contentType: 'video/mp4', data: video });
    expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).toBe(201);
    expect(ok.body.size).toBe(20 * MiB);
    const over = await upload(s, id, {
      kind: 'liveness_video',
      contentType: 'video/mp4',
      data: 'A'.repeat(EVIDENCE_BODY_LIMIT + 4),
    });
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await count(id)).toBe(1);
  });

  it('PII at rest: the content and the file name are sealed; the raw row holds neither', async () => {
    const id = await account();
    const marker = `UNIQUE-EVIDENCE-MARKER-${dialect}-${'x'.repeat(40)}`;
    const r = await upload(s, id, {
      kind: 'statement',
      contentType: 'text/plain',
      data: file('text', marker),
      name: '张三-申诉说明.txt',
    });
    expect(r.status).toBe(201);
    const row = await s.rn.store.db
      .selectFrom('evidence')
      .selectAll()
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    const raw = Buffer.from(row.data_enc);
    expect(raw.includes(Buffer.from(marker, 'utf8'))).toBe(false);
    expect(raw.length).toBeGreaterThan(marker.length); // version, iv and tag around the ciphertext
    expect(JSON.stringify({ ...row, data_enc: null })).not.toContain('张三');
    expect(row.name_enc).toMatch(/^v1:/);
    const opened = await s.rn.store.revealEvidence(id, r.body.id);
    expect(Buffer.from(opened!.data).toString('utf8')).toBe(marker);
    expect(opened!.name).toBe('张三-申诉说明.txt');
    if (dialect === 'sqlite') {
      for (const f of ['realname.db', 'realname.db-wal']) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(join(s.home.dir, f));
        } catch {
          continue;
        }
        expect(bytes.includes(Buffer.from(marker, 'utf8')), f).toBe(false);
      }
    }
  });

  it('R-ABN-2 an operation’s start refuses a reference that is not an uploaded item of this account and kind, naming it, and writes nothing', async () => {
    const id = await account();
    const other = await account();
    await s.call('POST', `/v1/accounts/${id}/lock`);
    const photo = await upload(s, id, {
      kind: 'handheld_id_photo',
      contentType: 'image/jpeg',
      data: file('jpeg'),
    });
    const statement = await upload(s, id, {
      kind: 'statement',
      contentType: 'text/plain',
      data: file('text', 'hi'),
    });
    const elsewhere = await upload(s, other, {
      kind: 'statement',
      contentType: 'text/plain',
      data: file('text', 'x'),
    });
    const holder = { type: 'cn_id', number: demoIdNumber(300 + Number(id.split('_').pop())), name: '张三' };
    const aux = (await auxVerified(s, id, holder)).map((ref) => ({ kind: 'aux_verification', ref }));
    const auditBefore = (await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body.length;
    for (const [what, ref, kind] of [
      ['made up', 'ev_DOESNOTEXIST', 'statement'],
      ['another account’s', elsewhere.body.id, 'statement'],
      ['another kind’s', photo.body.id, 'statement'],
    ] as const) {
      const r = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, {
        body: { evidence: [...aux, { kind: 'handheld_id_photo', ref: photo.body.id }, { kind, ref }] },
      });
      expect(r.status, what).toBe(404);
      expect(r.body.code, what).toBe('EVIDENCE_NOT_FOUND');
      expect(r.body.params.ref, what).toBe(ref);
      expect(r.body.message, what).toContain(ref);
    }
    expect((await s.call('GET', `/v1/accounts/${id}/operations`)).body).toEqual([]);
    expect((await s.call('GET', `/v1/audit?accountId=${id}&limit=1000`)).body.length).toBe(auditBefore);
    // the same start with the right references is accepted
    const ok = await s.call('POST', `/v1/accounts/${id}/operations/appeal`, {
      body: {
        evidence: [
          ...aux,
          { kind: 'handheld_id_photo', ref: photo.body.id },
          { kind: 'statement', ref: statement.body.id },
        ],
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
  });

  it('an end-user token uploads to its own account only; another account is a 404', async () => {
    const mine = await account();
    const theirs = await account();
    const key = (await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: mine } })).body
      .secret as string;
    const body = { kind: 'statement', contentType: 'text/plain', data: file('text', 'mine') };
    expect((await upload(s, mine, body, key)).status).toBe(201);
    const other = await upload(s, theirs, body, key);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ACCOUNT_NOT_FOUND');
    expect(await count(theirs)).toBe(0);
  });

  it('R-DEL-4 the purge deletes the account’s evidence files with its other personal data', async () => {
    const id = await account();
    await upload(s, id, { kind: 'statement', contentType: 'text/plain', data: file('text', 'bye') });
    expect(await count(id)).toBe(1);
    const del = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
    });
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    s.clock.advance(60 * DAY);
    const swept = await s.rn.services.timers.sweep();
    expect(swept.fired.map((f) => f.operationId)).toContain(del.body.id);
    expect(await count(id)).toBe(0);
  });
});
