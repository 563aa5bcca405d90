/**
 * The whole service in memory for end-to-end tests (fastify.inject): the real store on the dialect
 * under test, a ManualClock the dev-clock route moves, a known admin key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { shanghaiDateTime } from '../../src/core/calendar.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config.js';
import { createRealname, type CreateOptions, type Realname } from '../../src/main.js';
import { createSchema, dropSchema, schemaUrl, TEST_DATABASE_URL, type DialectName } from './dialects.js';
import type { Api } from './workload.js';

export const ADMIN_KEY = 'rn_test_admin_key_0123456789abcdef';
/** Wednesday 2026-11-18 12:00 Asia/Shanghai: outside every window. */
export const T0 = shanghaiDateTime(2026, 11, 18, 12, 0);

export interface Service {
  rn: Realname;
  clock: ManualClock;
  /** Inject a request as the admin (or with `key`), JSON in and out. */
  call(
    method: string,
    url: string,
    opts?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any route;
  /** Close; with `keep`, leave the data for a restart on the same home. */
  stop(keep?: boolean): Promise<void>;
}

/** Where a service keeps its data: reuse it to restart the service on the same store. */
export interface ServiceHome {
  dir: string;
  masterKey: string;
  schema?: string | undefined;
}

/**
 * The environment another `realname` process needs to open the store of `home`: its directory, its
 * master key and, on PostgreSQL, its schema.
 * @example runRealname({ ...homeEnv(s.home), REALNAME_ID_SECRET: secret }, 'audit', 'verify');
 */
export function homeEnv(home: ServiceHome): Record<string, string> {
  return {
    REALNAME_DATA_DIR: home.dir,
    REALNAME_MASTER_KEY: home.masterKey,
    ...(home.schema ? { REALNAME_DATABASE_URL: schemaUrl(home.schema) } : {}),
  };
}

export async function startService(
  dialect: DialectName,
  env: Record<string, string> = {},
  home?: ServiceHome,
  startAt = T0,
  /** More options for createRealname (e.g. saga participants that fail on purpose). */
  extra: Pick<CreateOptions, 'participants' | 'sagaRetryBaseMs' | 'demo' | 'webRoot'> = {},
): Promise<Service & { home: ServiceHome }> {
  const dir = home?.dir ?? mkdtempSync(join(tmpdir(), 'realname-e2e-'));
  const masterKey = home?.masterKey ?? randomBytes(32).toString('base64');
  let schema: string | undefined = home?.schema;
  if (dialect === 'postgres' && !schema) schema = await createSchema();
  const config = loadConfig({
    NODE_ENV: 'test',
    REALNAME_DATA_DIR: dir,
    REALNAME_MASTER_KEY: masterKey,
    REALNAME_ADMIN_KEY: ADMIN_KEY,
    REALNAME_DEV_CLOCK: '1',
    REALNAME_LOG_LEVEL: 'silent',
    ...(dialect === 'postgres' ? { REALNAME_DATABASE_URL: TEST_DATABASE_URL } : {}),
    ...env,
  });
  const clock = new ManualClock(startAt);
  const rn = await createRealname(config, {
    clock,
    log: { info: () => undefined, warn: () => undefined },
    httpLogger: false,
    ...(schema ? { schema } : {}),
    ...extra,
  });
  await rn.server.ready();
  return {
    home: { dir, masterKey, schema },
    rn,
    clock,
    async call(method, url, opts = {}) {
      const key = opts.key === undefined ? ADMIN_KEY : opts.key;
      const res = await rn.server.inject({
        method: method as 'GET',
        url,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(opts.headers ?? {}) },
        ...(opts.body === undefined ? {} : { payload: opts.body as object }),
      });
      let body: unknown = res.body;
      try {
        body = res.body ? JSON.parse(res.body) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body, headers: res.headers };
    },
    async stop(keep = false) {
      await rn.close();
      if (keep) return;
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

/**
 * Listen on a free loopback port, for clients outside this process (a SET receiver fetching the
 * JWKS, raw sockets); the base URL.
 * @example const base = await listenOnLoopback(s); await fetch(`${base}/healthz`);
 */
export async function listenOnLoopback(s: Service): Promise<string> {
  await s.rn.server.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(s.rn.server.server.address() as AddressInfo).port}`;
}

/**
 * A one-time code requested and verified through the API, as a user would (the development SMS
 * sender makes the code readable): returns the challenge id to give as evidence.
 * @example evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }]
 */
export async function verifiedCode(
  s: Service,
  accountId: string,
  purpose: string,
  cardId?: string,
  guardian = false,
): Promise<string> {
  const req = await s.call('POST', `/v1/accounts/${accountId}/verifications`, {
    body: { purpose, ...(cardId ? { cardId } : {}), ...(guardian ? { guardian } : {}) },
  });
  if (req.status !== 201)
    throw new Error(`verification request ${purpose}: ${req.status} ${JSON.stringify(req.body)}`);
  const challengeId = req.body.challengeId as string;
  const code = s.rn.sms.lastCode(
    accountId,
    `${cardId ? `${purpose}:${cardId}` : purpose}${guardian ? '#guardian' : ''}`,
  );
  const ok = await s.call('POST', `/v1/accounts/${accountId}/verifications/${challengeId}/verify`, {
    body: { code },
  });
  if (ok.status !== 200) throw new Error(`verify ${purpose}: ${ok.status} ${JSON.stringify(ok.body)}`);
  return challengeId;
}

/**
 * The bank reserved-information check of R-CHG-1 through the API, as a user would: a card in the new
 * subject's name (any Luhn-valid number: the development bank accepts cards it does not know), the
 * bank's code read back and verified. Returns the challenge id to cite as `bank_reserved_info`.
 * @example evidence.push({ kind: 'bank_reserved_info', ref: await bankChecked(s, id, { type: 'cn_id', number, name }) })
 */
export async function bankChecked(
  s: Service,
  accountId: string,
  newDocument: { type: string; number: string; name: string },
): Promise<string> {
  const req = await s.call('POST', `/v1/accounts/${accountId}/verifications`, {
    body: {
      purpose: 'realname.change',
      bankCheck: {
        cardNumber: '6222020200112233446',
        holderName: newDocument.name,
        documentType: newDocument.type,
        documentNumber: newDocument.number,
        reservedPhone: '+86 13700001234',
      },
    },
  });
  if (req.status !== 201) throw new Error(`bank check: ${req.status} ${JSON.stringify(req.body)}`);
  const challengeId = req.body.challengeId as string;
  const code = s.rn.sms.lastCode(accountId, req.body.purpose as string);
  const ok = await s.call('POST', `/v1/accounts/${accountId}/verifications/${challengeId}/verify`, {
    body: { code },
  });
  if (ok.status !== 200) throw new Error(`verify bank check: ${ok.status} ${JSON.stringify(ok.body)}`);
  return challengeId;
}

/**
 * R-ABN-2: three auxiliary verifications for an appeal, each from another destination: a code to the
 * bound phone, and bank checks of two cards in the holder's own name (codes to their reserved phones).
 * @example evidence: (await auxVerified(s, id, { type: 'cn_id', number, name: '张三' })).map((ref) => ({ kind: 'aux_verification', ref }))
 */
export async function auxVerified(
  s: Service,
  accountId: string,
  holder: { type: string; number: string; name: string },
): Promise<string[]> {
  const refs = [await verifiedCode(s, accountId, 'appeal.submit')];
  for (const cardNumber of ['6222020200112233446', '6222020200112233453']) {
    const req = await s.call('POST', `/v1/accounts/${accountId}/verifications`, {
      body: {
        purpose: 'appeal.submit',
        bankCheck: {
          cardNumber,
          holderName: holder.name,
          documentType: holder.type,
          documentNumber: holder.number,
          reservedPhone: '+86 13700001234',
        },
      },
    });
    if (req.status !== 201) throw new Error(`aux bank check: ${req.status} ${JSON.stringify(req.body)}`);
    const code = s.rn.sms.lastCode(accountId, req.body.purpose as string);
    const ok = await s.call(
      'POST',
      `/v1/accounts/${accountId}/verifications/${req.body.challengeId}/verify`,
      {
        body: { code },
      },
    );
    if (ok.status !== 200) throw new Error(`verify aux: ${ok.status} ${JSON.stringify(ok.body)}`);
    refs.push(req.body.challengeId as string);
  }
  return refs;
}

/** A JPEG's first bytes, base64: what the evidence checks take for an image. */
export const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64');
const MP4_BYTES = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42')]).toString('base64');

/**
 * R-CHG-1: the document images and the liveness video of a change, uploaded (under `name`, when
 * given) through the in-memory service or any other `Api`; their evidence refs.
 */
export async function changeFiles(
  s: { call: Api },
  accountId: string,
  name?: string,
): Promise<{ kind: string; ref: string }[]> {
  const files: { kind: string; ref: string }[] = [];
  for (const [kind, contentType, data] of [
    ['document_front', 'image/jpeg', JPEG_BYTES],
    ['document_back', 'image/jpeg', JPEG_BYTES],
    ['liveness_video', 'video/mp4', MP4_BYTES],
  ] as const) {
    const up = await s.call('POST', `/v1/accounts/${accountId}/evidence`, {
      body: { kind, contentType, data, ...(name === undefined ? {} : { name }) },
    });
    if (up.status !== 201) throw new Error(`upload ${kind}: ${up.status} ${JSON.stringify(up.body)}`);
    files.push({ kind, ref: up.body.id as string });
  }
  return files;
}

/**
 * Everything a subject change to `newDocument` cites (R-CHG-1): the uploaded files, a verified code
 * to the bound phone and the bank check of the new subject's card.
 */
export async function changeEvidence(
  s: Service,
  accountId: string,
  newDocument: { type: string; number: string; name: string },
): Promise<{ kind: string; ref: string }[]> {
  return [
    ...(await changeFiles(s, accountId)),
    { kind: 'phone_code', ref: await verifiedCode(s, accountId, 'realname.change') },
    { kind: 'bank_reserved_info', ref: await bankChecked(s, accountId, newDocument) },
  ];
}
