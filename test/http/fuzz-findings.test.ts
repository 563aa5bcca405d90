/**
 * Inputs the fuzz suite (test/reliability/fuzz.test.ts) found answered wrongly, each pinned here so
 * that it stays fixed: a client's mistake is a 4xx problem+json with a catalogue code, never Fastify's
 * own JSON and never a 500 (SPEC §4).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

describe('the router’s own refusals are problems too', () => {
  it.each([
    ['a path segment over 100 characters', `/v1/demo/accounts/${'x'.repeat(101)}`],
    ['a malformed percent-encoding', '/v1/demo/accounts/%E0%A4%A'],
    ['percent-encoded bytes that are not UTF-8 (a lone surrogate)', '/v1/demo/accounts/%ED%A0%80'],
  ])('%s: 400 VALIDATION_FAILED problem+json whose message does not echo the URL', async (_name, url) => {
    h = await harness();
    const res = await h.app.inject({
      method: 'GET',
      url,
      headers: { ...bearer(SECRETS.platform), 'accept-language': 'zh-CN' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(body.message).toMatch(/请求无效/);
    // The message and detail say what is wrong without repeating it (only `instance` is the URL).
    expect(`${body.message} ${body.detail}`).not.toContain('xxxxxxxxxx');
    expect(`${body.message} ${body.detail}`).not.toContain('%E0');
  });
});
