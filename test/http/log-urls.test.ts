/**
 * Personal data a client puts in a URL or a request id is not written to the log (SPEC §4: PII
 * masked in logs). Found by the PII-in-logs suite (test/reliability/pii-logs.test.ts): the request
 * log kept `/v1/accounts/<an ID number>`, `?name=<a name>` and an ID number sent as X-Request-Id.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { genReqId, logSafeUrl } from '../../src/adapters/http/server.js';
import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

const ID = '11010519491231002X';
const NAME = encodeURIComponent('张三');

describe('URLs and request ids in the log', () => {
  it.each([
    [`/v1/accounts/${ID}`, '/v1/accounts/[masked]'],
    [`/v1/accounts/${NAME}/cards`, '/v1/accounts/[masked]/cards'],
    [`/v1/accounts/acc_1?documentNumber=${ID}&name=${NAME}`, '/v1/accounts/acc_1?documentNumber=…&name=…'],
    [
      '/v1/accounts/acc_1/operations/card-unbind/preflight?cardId=c1',
      '/v1/accounts/acc_1/operations/card-unbind/preflight?cardId=…',
    ],
    ['/v1/accounts/+8613812345678', '/v1/accounts/[masked]'],
    ['/v1/accounts/acc_1', '/v1/accounts/acc_1'],
    ['/v1/audit?limit=10', '/v1/audit?limit=…'],
  ])('%s is logged as %s', (url, logged) => {
    expect(logSafeUrl(url)).toBe(logged);
  });

  it('a request id holding a phone or ID number is replaced; an opaque one is kept', () => {
    expect(genReqId({ headers: { 'x-request-id': ID } })).toMatch(/^[0-9a-f-]{36}$/);
    expect(genReqId({ headers: { 'x-request-id': 'trace-13812345678' } })).toMatch(/^[0-9a-f-]{36}$/);
    expect(genReqId({ headers: { 'x-request-id': '01J9ZK3W6Q8M0T2XN4V7' } })).toBe('01J9ZK3W6Q8M0T2XN4V7');
    expect(genReqId({ headers: { 'x-request-id': 'edge-7f3a.1' } })).toBe('edge-7f3a.1');
  });

  it('the request log of a real request holds neither', async () => {
    h = await harness({ capture: true });
    await h.app.inject({
      method: 'GET',
      url: `/v1/demo/accounts/${ID}?name=${NAME}`,
      headers: { ...bearer(SECRETS.platform), 'x-request-id': ID },
    });
    const text = JSON.stringify(h.logs);
    expect(
      h.logs.some(
        (l) => (l.req as { url?: string } | undefined)?.url === '/v1/demo/accounts/[masked]?name=…',
      ),
    ).toBe(true);
    expect(text).not.toContain(ID);
    expect(text).not.toContain(NAME);
  });
});
