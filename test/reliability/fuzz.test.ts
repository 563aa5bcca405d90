/**
 * Bad input (issue 8 §5; SPEC §4, README "a client's mistake is never a 500, and a refused request
 * changes nothing"). Property-based fuzzing (fast-check) of every operation of the served
 * /openapi.json: path parameters, query and body generated from the operation's own schemas — valid
 * ones mixed with the real ids of a seeded store, so that the business rules run — and hostile ones:
 * malformed JSON, wrong types, missing and extra fields, huge bodies, unicode edge cases, invalid
 * ID numbers, negative and overflowing amounts, path traversal, wrong media types, odd headers and
 * credentials. For every response:
 *
 * - never a 5xx;
 * - a 4xx is `application/problem+json` whose `code` is in the catalogue, with the catalogue's status;
 * - a 2xx body is valid against the operation's declared response schema (ajv, independent of the
 *   zod serializer that wrote it), and every status is one the operation declares;
 * - a refusal changes nothing: the digest of every table is the same before and after, and the only
 *   audit records added are refusal records.
 *
 * Replayed Idempotency-Keys get the first answer and change nothing; a key reused with another body
 * is refused and changes nothing. Three hostile families are also driven on their own, so that each
 * is certain to be tried: path traversal in evidence names, corrupted GB 11643 numbers (refused, never
 * echoed), negative, fractional and overflowing amounts. The seed is fixed (REALNAME_RELIABILITY_SEED replays another);
 * REALNAME_FUZZ_RUNS sets the runs per operation.
 */
import { request } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/core/errors/catalogue.js';
import { dialects, type DialectName } from '../support/dialects.js';
import {
  HOSTILE_NUMBERS,
  INVALID_ID_NUMBERS,
  operationsOf,
  requestArbitrary,
  validBody,
  type FuzzRequest,
  type JsonSchema,
  type Operation,
} from '../support/openapi-fuzz.js';
import { seedFromEnv } from '../support/random.js';
import { ADMIN_KEY, listenOnLoopback, startService, verifiedCode, type Service } from '../support/service.js';
import { auditActionsAfter, diffDigest, isRefusalAudit, stateDigest } from '../support/state-digest.js';
import { person, verifiedAccount, type Api } from '../support/workload.js';

const SEED = seedFromEnv('fuzz');
const RUNS = Number(process.env.REALNAME_FUZZ_RUNS ?? 100);
/** REALNAME_FUZZ_TRIAGE=1: go on after a failure and print every one (to list all bugs at once). */
const TRIAGE = process.env.REALNAME_FUZZ_TRIAGE === '1';

// The document does not depend on the store: read it once from a throwaway service.
const doc = await (async () => {
  const s = await startService('sqlite');
  try {
    const body: JsonSchema = (await s.call('GET', '/openapi.json')).body as JsonSchema;
    return body;
  } finally {
    await s.stop();
  }
})();
const OPERATIONS = operationsOf(doc);

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(op: Operation, status: string) {
  const key = `${op.method} ${op.path} ${status}`;
  let v = validators.get(key);
  if (!v) {
    // The components travel with the schema, so `#/components/schemas/X` resolves inside it.
    v = ajv.compile({ ...(op.responses[status] as object), components: doc.components });
    validators.set(key, v);
  }
  return v;
}

function describeRequest(r: FuzzRequest): string {
  const payload =
    r.payload === undefined ? '' : Buffer.isBuffer(r.payload) ? `<${r.payload.length} bytes>` : r.payload;
  return `${r.method} ${r.url.slice(0, 300)} [${r.label}] headers=${JSON.stringify(r.headers).slice(0, 300)} body=${payload.slice(0, 400)}${payload.length > 400 ? `…(${payload.length})` : ''}`;
}

describe.each(dialects().map((d) => d.name))('fuzzing every operation on %s', (dialect: DialectName) => {
  let s: Service;
  const keys: (string | null)[] = [];
  const known: Record<string, string[]> = {};
  const figures = { requests: 0, status: {} as Record<string, number>, undeclared: new Set<string>() };
  let started = 0;

  const digest = () => stateDigest(s.rn.store.db as never, dialect === 'postgres');

  beforeAll(async () => {
    started = performance.now();
    s = await startService(dialect, { REALNAME_RATE_LIMIT: '100000000' });
    const now = s.clock.now();
    const call: Api = (m, p, o) => s.call(m, p, o);
    await verifiedAccount(call, {
      id: 'acc_fuzz_1',
      person: person(1, 7),
      cards: [
        { id: 'credit_1', type: 'credit' },
        { id: 'debit_1', type: 'debit' },
        { id: 'overseas_1', type: 'overseas' },
      ],
      grants: ['app_fuzz'],
      now,
    });
    await verifiedAccount(call, { id: 'acc_fuzz_2', person: person(2, 7), grants: ['app_fuzz'], now });
    await verifiedAccount(call, { id: 'acc_fuzz_3', person: person(3, 7), grants: ['app_fuzz'], now });
    await s.call('POST', '/v1/apps', {
      body: { appId: 'app_fuzz', name: 'Fuzz', developerId: 'dev_1', receiverUrl: null },
    });
    // A deletion in its cooling-off (an operation to read and cancel) and its notice in the outbox.
    const del = await s.call('POST', '/v1/accounts/acc_fuzz_3/operations/deletion', {
      body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, 'acc_fuzz_3', 'account.delete') }] },
    });
    expect(del.status, JSON.stringify(del.body)).toBe(202);
    const evidence = await s.call('POST', '/v1/accounts/acc_fuzz_1/evidence', {
      body: {
        kind: 'document_front',
        contentType: 'image/jpeg',
        data: '/9j/4AECAw==',
        name: '身份证正面.jpg',
      },
    });
    expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
    const challenge = await s.call('POST', '/v1/accounts/acc_fuzz_1/verifications', {
      body: { purpose: 'account.delete' },
    });
    const outbox = await s.rn.store.db.selectFrom('outbox').select('id').limit(1).execute();
    const user = await s.call('POST', '/v1/keys', { body: { name: 'user', accountId: 'acc_fuzz_1' } });
    const reviewer = await s.call('POST', '/v1/keys', {
      body: { name: 'reviewer', scopes: ['reviews:write'] },
    });
    const platform = await s.call('POST', '/v1/keys', {
      body: {
        name: 'platform',
        scopes: ['facts:write', 'facts:read', 'operations:write', 'operations:read'],
      },
    });
    keys.push(
      ADMIN_KEY,
      user.body.secret as string,
      reviewer.body.secret as string,
      platform.body.secret as string,
    );
    Object.assign(known, {
      accountId: ['acc_fuzz_1', 'acc_fuzz_2', 'acc_fuzz_3', 'acc_missing'],
      operationId: [del.body.id as string, 'op_missing'],
      challengeId: [challenge.body.challengeId as string, 'ch_missing'],
      evidenceId: [evidence.body.id as string, 'ev_missing'],
      appId: ['app_fuzz', 'app_missing'],
      id: ['credit_1', 'debit_1', 'overseas_1', 'dev_primary', String(outbox[0]?.id ?? 1), '999999'],
      cardId: ['credit_1', 'debit_1', 'overseas_1', 'card_missing'],
      deviceId: ['dev_primary', 'dev_other'],
      linkId: ['link_missing'],
      ref: [evidence.body.id as string, challenge.body.challengeId as string],
    });
  });

  afterAll(async () => {
    await s?.stop();
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    console.log(
      `fuzz on ${dialect} (seed ${SEED}, ${RUNS} runs per operation): ${figures.requests} requests over ${OPERATIONS.length} operations in ${seconds} s; statuses ${JSON.stringify(figures.status)}; undeclared statuses: ${[...figures.undeclared].join(', ') || 'none'}`,
    );
  });

  /** Send one request and check every promise about its answer; the problems found (empty: none). */
  async function check(op: Operation, r: FuzzRequest): Promise<string[]> {
    const before = await digest();
    const res = await s.rn.server.inject({
      method: r.method as 'GET',
      url: r.url,
      headers: r.headers,
      ...(r.payload !== undefined ? { payload: r.payload } : {}),
    });
    figures.requests++;
    const status = res.statusCode;
    figures.status[status] = (figures.status[status] ?? 0) + 1;
    if (TRIAGE) console.log(`STATUS ${r.label} ${op.method} ${op.path} ${status} ${res.body.slice(0, 600)}`);
    // A revocation's saga runs after its start answered: let it end before the store is read.
    await s.rn.services.saga.drain();
    if (status >= 500) return [`${status}: ${res.body.slice(0, 500)}`];
    const problems: string[] = [];
    // ARCHITECTURE habit 7: a route answers only the statuses it declares — except the router's own
    // 404/405 when the generated URL did not reach this route at all.
    if (!(String(status) in op.responses)) {
      const code = (() => {
        try {
          return (JSON.parse(res.body) as { code?: string }).code;
        } catch {
          return undefined;
        }
      })();
      const routerLevel =
        (status === 404 && code === 'NOT_FOUND') || (status === 405 && code === 'METHOD_NOT_ALLOWED');
      if (!routerLevel) {
        figures.undeclared.add(`${op.method} ${op.path} ${status}`);
        problems.push(`${status} ${code} is not among the statuses the route declares`);
      }
    }
    const type = String(res.headers['content-type'] ?? '');
    if (status >= 400) {
      if (!type.startsWith('application/problem+json')) problems.push(`${status} with content-type ${type}`);
      let body: { code?: string; status?: number; message?: string } = {};
      try {
        body = JSON.parse(res.body) as typeof body;
      } catch {
        problems.push(`${status} body is not JSON: ${res.body.slice(0, 200)}`);
      }
      const info = body.code ? (CATALOGUE as Record<string, { status?: number }>)[body.code] : undefined;
      if (!info) problems.push(`${status} with a code not in the catalogue: ${body.code}`);
      else if (info.status !== status)
        problems.push(`${body.code} answered ${status}, the catalogue says ${info.status}`);
      if (body.status !== status) problems.push(`problem.status ${body.status} ≠ ${status}`);
      if (!body.message) problems.push(`${body.code} without a message`);
      const after = await digest();
      const changed = diffDigest(before, after);
      if (changed.length)
        problems.push(`refused (${status} ${body.code}) but changed: ${changed.join(', ')}`);
      const actions = await auditActionsAfter(s.rn.store.db as never, before.auditSeq);
      const unexpected = actions.filter((a) => !isRefusalAudit(a));
      if (unexpected.length)
        problems.push(`refused (${status} ${body.code}) but audited ${unexpected.join(', ')}`);
    } else if (status >= 200 && status < 300) {
      const schema = op.responses[String(status)];
      if (schema && status !== 204) {
        const validate = validatorFor(op, String(status));
        let body: unknown;
        try {
          body = JSON.parse(res.body);
        } catch {
          problems.push(`${status} body is not JSON`);
        }
        if (body !== undefined && !validate(body))
          problems.push(
            `${status} body does not match its schema: ${ajv.errorsText(validate.errors).slice(0, 500)}`,
          );
      }
      if (op.method === 'GET') {
        const changed = diffDigest(before, await digest());
        if (changed.length) problems.push(`GET ${status} changed ${changed.join(', ')}`);
      }
    }
    return problems;
  }

  it.each(OPERATIONS.map((op, i) => [`${op.method} ${op.path}`, op, i] as const))(
    '%s: never a 5xx; 4xx problem+json from the catalogue; 2xx valid; a refusal changes nothing',
    async (_name, op, index) => {
      const found: string[] = [];
      await fc
        .assert(
          fc.asyncProperty(requestArbitrary(op, doc, { known, keys }), async (r) => {
            let problems: string[];
            try {
              problems = await check(op, r);
            } catch (error) {
              problems = [`the check itself failed: ${String(error)}`];
            }
            if (problems.length) {
              found.push(`${problems.join('; ')}\n    ← ${describeRequest(r)}`);
              return TRIAGE;
            }
            return true;
          }),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
        )
        .catch((error: unknown) => {
          // A counterexample is already in `found`; anything else (a generator that cannot run) is a failure too.
          if (found.length === 0) found.push(`fast-check: ${String(error).slice(0, 2_000)}`);
        });
      if (TRIAGE) for (const f of found) console.log(`TRIAGE ${op.method} ${op.path}: ${f}`);
      expect(found.slice(0, 1), `seed ${SEED}`).toEqual([]);
    },
  );

  it('SPEC §4 replayed Idempotency-Keys: the first answer again, acted once; the key with another body is refused and changes nothing', async () => {
    const mutating = OPERATIONS.filter((op) => op.method !== 'GET' && !op.path.startsWith('/v1/dev/'));
    const arb = fc.constantFrom(...mutating).chain((op) =>
      fc.tuple(
        fc.constant(op),
        requestArbitrary(op, doc, { known, keys: [ADMIN_KEY] }),
        fc.uuid(),
        validBody(op, doc, { known }).map((v) => JSON.stringify(v)),
      ),
    );
    let replays = 0;
    let reused = 0;
    await fc.assert(
      fc.asyncProperty(arb, async ([op, r, key, otherBody]) => {
        const headers = { ...r.headers, authorization: `Bearer ${ADMIN_KEY}`, 'idempotency-key': key };
        const send = (payload: FuzzRequest['payload']) =>
          s.rn.server.inject({
            method: r.method as 'POST',
            url: r.url,
            headers,
            ...(payload !== undefined ? { payload } : {}),
          });
        const first = await send(r.payload);
        await s.rn.services.saga.drain();
        if (first.statusCode >= 500)
          throw new Error(`${first.statusCode} ${first.body.slice(0, 300)} ← ${describeRequest(r)}`);
        const afterFirst = await digest();
        const again = await send(r.payload);
        await s.rn.services.saga.drain();
        // A refusal before the key was claimed (credentials, the key's own syntax) is not stored: it
        // is answered the same way again.
        expect(again.statusCode, describeRequest(r)).toBe(first.statusCode);
        if (again.headers['idempotent-replayed'] === 'true') {
          replays++;
          expect(again.body).toBe(first.body);
        }
        expect(
          diffDigest(afterFirst, await digest()),
          `replay of ${op.method} ${op.path} changed the store`,
        ).toEqual([]);
        if (again.headers['idempotent-replayed'] === 'true' && otherBody !== r.payload) {
          // The key with another body: refused — 409, or 400 when that body does not validate
          // (validation comes first) — and nothing changes.
          const other = await send(otherBody);
          expect([400, 409], `${describeRequest(r)} then ${otherBody}`).toContain(other.statusCode);
          if (other.statusCode === 409) {
            reused++;
            expect(JSON.parse(other.body).code).toBe('IDEMPOTENCY_KEY_REUSED');
          }
          expect(diffDigest(afterFirst, await digest())).toEqual([]);
        }
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
    expect(replays, 'replayed answers').toBeGreaterThan(RUNS);
    expect(reused, 'keys reused with another body').toBeGreaterThan(RUNS / 4);
    console.log(
      `fuzz on ${dialect}: ${replays} idempotent replays, ${reused} keys reused with another body refused`,
    );
  });

  /** Send `body` to `path` as the admin: the refusal's code, and whether the store changed. */
  async function refusal(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; code: string; text: string; changed: string[] }> {
    const before = await digest();
    const res = await s.call(method, path, { body });
    return {
      status: res.status,
      code: String(res.body?.code),
      text: JSON.stringify(res.body),
      changed: diffDigest(before, await digest()),
    };
  }

  it('path traversal in evidence names: 400 EVIDENCE_NAME_INVALID, nothing stored; a plain name is taken', async () => {
    const traversal = fc.oneof(
      fc.constantFrom(
        '../../etc/passwd',
        '..\\..\\boot.ini',
        '..',
        '.',
        'a/b.jpg',
        'C:\\x.jpg',
        'x\u0000.jpg',
        '/abs.jpg',
        '..%2f..%2fx.jpg',
        ' ',
      ),
      fc
        .tuple(
          fc.integer({ min: 1, max: 8 }),
          fc.constantFrom('../', '..\\', './../'),
          fc.string({ maxLength: 12 }),
        )
        .map(([n, sep, rest]) => `${sep.repeat(n)}${rest}.jpg`),
      fc.string({ minLength: 256, maxLength: 400 }).map((x) => `${x}.jpg`),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(traversal, async (name) => {
        const r = await refusal('POST', '/v1/accounts/acc_fuzz_1/evidence', {
          kind: 'document_front',
          contentType: 'image/jpeg',
          data: '/9j/4AECAw==',
          name,
        });
        expect(r.status, name).toBeGreaterThanOrEqual(400);
        expect(r.status, name).toBeLessThan(500);
        expect(['EVIDENCE_NAME_INVALID', 'VALIDATION_FAILED'], name).toContain(r.code);
        expect(r.changed, name).toEqual([]);
        refused++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(refused).toBe(RUNS);
    const ok = await s.call('POST', '/v1/accounts/acc_fuzz_1/evidence', {
      body: {
        kind: 'document_front',
        contentType: 'image/jpeg',
        data: '/9j/4AECAw==',
        name: '身份证 正面 (1).jpg',
      },
    });
    expect(ok.status).toBe(201);
  });

  it('invalid mainland ID numbers: refused with the problem named, never echoed, nothing stored', async () => {
    // Every corruption of a valid number: one character changed, dropped, added, swapped.
    const valid = person(40, 7).documentNumber;
    const corrupted = fc
      .tuple(
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom('change', 'drop', 'add', 'swap'),
        fc.constantFrom(...'0123456789Xx '),
      )
      .map(([i, how, c]) => {
        const chars = [...valid];
        if (how === 'change') chars[i] = c === chars[i] ? (c === '0' ? '1' : '0') : c;
        else if (how === 'drop') chars.splice(i, 1);
        else if (how === 'add') chars.splice(i, 0, c);
        else [chars[i], chars[(i + 1) % 18]] = [chars[(i + 1) % 18]!, chars[i]!];
        return chars.join('');
      })
      .filter((n) => n !== valid && n.toUpperCase() !== valid);
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(corrupted, fc.constantFrom(...INVALID_ID_NUMBERS)), async (number) => {
        const r = await refusal('POST', '/v1/accounts/acc_fuzz_2/identity', {
          name: '欧阳娜娜',
          documentType: 'cn_id',
          documentNumber: number,
        });
        // A swap or a change can land on another valid number: then it is only not this account's to bind anew.
        if (r.status === 409 || r.status === 422) return;
        expect(r.status, number).toBe(400);
        invalid++;
        expect(['DOCUMENT_NUMBER_INVALID', 'VALIDATION_FAILED'], number).toContain(r.code);
        if (number.trim().length >= 6)
          expect(r.text, 'the number is not echoed').not.toContain(number.trim());
        expect(r.changed, number).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(invalid, 'refused as invalid').toBeGreaterThan(RUNS * 0.8);
  });

  it('negative, fractional and overflowing amounts: 400, nothing recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(
            ...HOSTILE_NUMBERS.filter((n) => !(Number.isSafeInteger(n) && n >= 0 && n <= 9e15)),
          ),
          fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n)),
          fc.integer({ max: -1 }),
        ),
        fc.constantFrom('payment', 'transfer', 'withdrawal', 'receive', 'refund', 'red_packet'),
        async (amount, kind) => {
          const r = await refusal('POST', '/v1/accounts/acc_fuzz_1/transactions', {
            kind,
            amount,
            status: 'completed',
          });
          expect(r.status, `${kind} ${amount}`).toBe(400);
          expect(r.code).toBe('VALIDATION_FAILED');
          expect(r.changed).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('huge, chunked and lying bodies over a real socket: 413 or 400 problem+json, never a 5xx, the connection answered', async () => {
    const base = await listenOnLoopback(s);
    const url = `${base}/v1/accounts`;
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
    const cases: { name: string; init: RequestInit & { duplex?: string } }[] = [
      { name: '2 MiB', init: { method: 'POST', headers, body: `{"id":"${'a'.repeat(2 * 1024 * 1024)}"}` } },
      {
        name: 'chunked 3 MiB without a length',
        init: {
          method: 'POST',
          headers,
          duplex: 'half',
          body: new ReadableStream({
            start(c) {
              for (let i = 0; i < 48; i++) c.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
              c.close();
            },
          }),
        },
      },
    ];
    for (const c of cases) {
      const res = await fetch(url, c.init);
      const body = (await res.json()) as { code: string };
      expect([413, 400], c.name).toContain(res.status);
      expect(res.headers.get('content-type'), c.name).toMatch(/^application\/problem\+json/);
      expect(body.code, c.name).toBe(res.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_JSON');
    }
    // A Content-Length larger than what is sent, then the socket closed: nothing is written, the
    // server goes on answering.
    const before = await digest();
    await new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"id":"acc_lying","region":"CN"');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    expect(diffDigest(before, await digest())).toEqual([]);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
