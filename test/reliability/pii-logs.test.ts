/**
 * PII in logs (issue 8 §6; SPEC §4 "PII masked in responses and logs"). The built service runs as a
 * process at log level `debug`, its stdout and stderr in one file, through a realistic flow: people
 * with Chinese names and GB 11643 numbers bind identities, change subject (the bank check carries the
 * new holder's name and number), unbind cards, revoke, delete and cancel — and clients make mistakes
 * that carry personal data: invalid ID numbers, names and numbers in URLs and query strings, PII in
 * refused bodies and headers. Then the whole log is scanned for every name, document number and
 * phone used, in every form a log line could carry them, and for any valid mainland ID number: none.
 * The scanner is shown to catch each kind of leak it looks for, planted in a copy of the log.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { dialects } from '../support/dialects.js';
import { piiOf, scanForPii } from '../support/pii-scan.js';
import {
  ensureBuilt,
  PROCESS_ADMIN_KEY,
  processHome,
  startProcess,
  type ProcessHome,
  type ServiceProcess,
} from '../support/process.js';
import { changeFiles, JPEG_BYTES } from '../support/service.js';
import { person, verifiedAccount, verifiedChallenge, type Api, type Person } from '../support/workload.js';

describe.each(dialects().map((d) => d.name))('PII in the logs of a full run on %s', (dialect) => {
  let home: ProcessHome;
  let proc: ServiceProcess;
  let dir: string;
  let logFile: string;
  const people: Person[] = [];
  const salt = dialect === 'postgres' ? 21 : 20;
  const extra: { names: string[]; documentNumbers: string[]; phones: string[] } = {
    names: [],
    documentNumbers: [],
    phones: [],
  };
  let log = '';
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    ensureBuilt();
    home = await processHome(dialect);
    dir = mkdtempSync(join(tmpdir(), 'realname-pii-'));
    logFile = join(dir, 'service.log');
    proc = await startProcess({
      env: home.env({ REALNAME_LOG_LEVEL: 'debug', REALNAME_RATE_LIMIT: '1000000' }),
      logFile,
    });
  });
  afterAll(async () => {
    await proc?.stop();
    await home?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every request the flow sends (each must be in the log). */
  let requests = 0;
  const api: Api = (method, path, opts = {}) => {
    requests++;
    return proc.call(method, path, opts);
  };

  it('a realistic flow with mistakes carrying personal data leaves no name, ID number or phone in the log', async () => {
    const started = performance.now();
    const now = Number((await api('GET', '/v1/dev/clock')).body.nowMs);
    for (let i = 0; i < 12; i++) {
      const p = person(i, salt);
      people.push(p);
      await verifiedAccount(api, {
        id: `acc_pii_${i}`,
        person: p,
        cards: [
          { id: 'debit_1', type: 'debit' },
          { id: 'credit_1', type: 'credit' },
        ],
        grants: ['app_pii'],
        now,
      });
      // An email too (PII), then the phone changes (R-NOTIFY-1 identifier-changed).
      const newPhone = `+86 139${String(70_000_000 + i).padStart(8, '0')}`;
      extra.phones.push(newPhone);
      await api('PATCH', `/v1/accounts/acc_pii_${i}`, {
        body: { email: `user${i}.pii@example.com`, phone: newPhone },
      });
    }
    // Subject changes: the new holder's name and number travel in the bank check and the start.
    for (let i = 0; i < 3; i++) {
      const id = `acc_pii_${i}`;
      const next = person(100 + i, salt);
      extra.names.push(next.name);
      extra.documentNumbers.push(next.documentNumber);
      const evidence = [
        ...(await changeFiles({ call: api }, id, `${next.name}-身份证.jpg`)),
        { kind: 'phone_code', ref: await verifiedChallenge(api, id, 'realname.change') },
        {
          kind: 'bank_reserved_info',
          ref: await verifiedChallenge(api, id, 'realname.change', {
            bankCheck: {
              cardNumber: '6222020200112233446',
              holderName: next.name,
              documentType: 'cn_id',
              documentNumber: next.documentNumber,
              reservedPhone: '+86 13700001234',
            },
          }),
        },
      ];
      const change = await api('POST', `/v1/accounts/${id}/operations/realname-change`, {
        body: { newDocument: { type: 'cn_id', number: next.documentNumber, name: next.name }, evidence },
      });
      expect(change.status, JSON.stringify(change.body)).toBe(202);
    }
    // Unbinds, revocations, a deletion cancelled.
    for (let i = 3; i < 7; i++) {
      const r = await api('POST', `/v1/accounts/acc_pii_${i}/operations/card-unbind`, {
        body: {
          cardId: 'debit_1',
          evidence: [
            {
              kind: 'reserved_phone_code',
              ref: await verifiedChallenge(api, `acc_pii_${i}`, 'card.unbind', { cardId: 'debit_1' }),
            },
          ],
        },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
    }
    for (let i = 7; i < 10; i++) {
      const r = await api('POST', `/v1/accounts/acc_pii_${i}/operations/realname-revoke`, {
        body: {
          deviceId: 'dev_primary',
          evidence: [
            { kind: 'sms_code', ref: await verifiedChallenge(api, `acc_pii_${i}`, 'realname.revoke') },
          ],
        },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
    }
    // Mistakes that carry personal data.
    const victim = people[11]!;
    const wrongCheck = victim.documentNumber.slice(0, 17) + (victim.documentNumber[17] === '0' ? '1' : '0');
    const unknownValid = demoIdNumber(777, '19770707');
    extra.documentNumbers.push(wrongCheck, unknownValid);
    const mistakes: [string, string, unknown?, Record<string, string>?][] = [
      [
        'POST',
        '/v1/accounts/acc_pii_11/identity',
        { name: victim.name, documentType: 'cn_id', documentNumber: wrongCheck },
      ],
      [
        'POST',
        '/v1/accounts/acc_pii_11/identity',
        { name: victim.name, documentType: 'hk_mo_permit', documentNumber: victim.documentNumber },
      ],
      ['POST', '/v1/accounts', { id: `${unknownValid}!`, region: 'CN', phone: victim.phone }],
      ['GET', `/v1/accounts/${unknownValid}`],
      ['GET', `/v1/accounts/${encodeURIComponent(victim.name)}`],
      [
        'GET',
        `/v1/accounts/acc_pii_11?documentNumber=${victim.documentNumber}&name=${encodeURIComponent(victim.name)}`,
      ],
      ['GET', `/v1/accounts/acc_pii_11/operations/realname-change/preflight?number=${unknownValid}`],
      [
        'POST',
        '/v1/accounts/acc_pii_11/verifications',
        {
          purpose: 'realname.change',
          bankCheck: {
            cardNumber: '1234',
            holderName: victim.name,
            documentType: 'cn_id',
            documentNumber: victim.documentNumber,
            reservedPhone: 'x',
          },
        },
      ],
      ['PATCH', '/v1/accounts/acc_pii_11', { phone: `${victim.phone} ${victim.name}` }],
      [
        'POST',
        '/v1/accounts/acc_pii_11/operations/realname-change',
        { newDocument: { type: 'cn_id', number: unknownValid, name: victim.name }, evidence: [] },
      ],
      [
        'POST',
        '/v1/accounts/acc_pii_11/evidence',
        {
          kind: 'document_front',
          contentType: 'image/jpeg',
          data: JPEG_BYTES,
          name: `../${victim.documentNumber}.jpg`,
        },
      ],
      [
        'POST',
        '/v1/accounts/acc_pii_11/identity',
        `{"name":"${victim.name}","documentNumber":"${victim.documentNumber}"`,
      ],
      [
        'GET',
        '/v1/accounts/acc_pii_11',
        undefined,
        { 'x-request-id': victim.documentNumber, 'idempotency-key': victim.documentNumber },
      ],
    ];
    for (const [method, path, body, headers] of mistakes) {
      // A malformed body goes as it is (past api, so counted here), the rest as JSON.
      if (typeof body === 'string') requests++;
      const r =
        typeof body === 'string'
          ? await fetch(`${proc.base}${path}`, {
              method,
              headers: { authorization: `Bearer ${PROCESS_ADMIN_KEY}`, 'content-type': 'application/json' },
              body,
            })
          : await api(method, path, {
              ...(body !== undefined ? { body } : {}),
              ...(headers ? { headers } : {}),
            });
      expect(r.status, `${method} ${path}`).toBeLessThan(500);
    }
    // Let the workers run (revocation sagas, relays), then stop cleanly so every line is flushed.
    await new Promise((r) => setTimeout(r, 1_500));
    await proc.stop();
    log = readFileSync(logFile, 'utf8');
    figures.requests = log.split('\n').filter((l) => l.includes('"incoming request"')).length;
    expect(figures.requests).toBeGreaterThanOrEqual(requests);
    figures.logLines = log.split('\n').length;
    figures.seconds = Math.round((performance.now() - started) / 100) / 10;
    const known = piiOf(people, extra);
    const hits = scanForPii(log, known);
    expect(
      hits.map((h) => `${h.kind} ${h.value} (${h.form}) line ${h.line}: …${h.excerpt}…`),
      'PII in the log',
    ).toEqual([]);
    // The log is the real thing: requests at debug level, the development verifier's lines.
    expect(log).toContain('incoming request');
    expect(log).toContain('dev SMS verifier');
    expect(figures.logLines).toBeGreaterThan(200);
    console.log(
      `PII log scan on ${dialect}: ${JSON.stringify(figures)}, ${known.names.length} names, ${known.documentNumbers.length} ID numbers, ${known.phones.length} phones looked for: none found`,
    );
  });

  it('the scanner catches each leak it looks for, in every form, planted in the same log', () => {
    expect(log.length).toBeGreaterThan(0);
    const p = people[3]!;
    const known = piiOf([p]);
    const planted: [string, string][] = [
      ['raw number', `{"msg":"bind","documentNumber":"${p.documentNumber}"}`],
      ['raw name', `{"msg":"bind","holder":"${p.name}"}`],
      [
        'JSON-escaped name',
        `{"msg":"bind","holder":${JSON.stringify(p.name).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}}`,
      ],
      ['percent-encoded name in a URL', `{"req":{"url":"/v1/accounts?name=${encodeURIComponent(p.name)}"}}`],
      ['number in a URL', `{"req":{"url":"/v1/accounts/${p.documentNumber}"}}`],
      ['bare phone digits', `sms to ${p.phone.replace(/^\+86 /, '')} sent`],
      ['base64 of the number', `blob ${Buffer.from(p.documentNumber).toString('base64')}`],
      ['an unknown valid ID number', `{"detail":"${demoIdNumber(555, '19851010')}"}`],
    ];
    for (const [what, line] of planted) {
      const lines = log.split('\n');
      lines.splice(Math.floor(lines.length / 2), 0, line);
      expect(scanForPii(lines.join('\n'), known).length, what).toBeGreaterThan(0);
    }
    // And not on what looks alike but is not PII: a masked number, a float, a hash.
    const clean = [
      '"documentMasked":"1101**********1234"',
      '"responseTime":3.4521380000001045',
      `"hash":"${'a1'.repeat(32)}"`,
    ];
    for (const line of clean) expect(scanForPii(line, known), line).toEqual([]);
  });
});
