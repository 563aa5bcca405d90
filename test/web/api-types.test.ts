/**
 * The web pages are typed against the API they call: web/src/api/schema.d.ts is generated from the
 * OpenAPI document the service serves. This fails when a route or schema changed without
 * regenerating it (`npm run gen:api`), so the committed types never drift from the API.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, generateApiTypes } from '../../scripts/api-types.js';

describe('web API types', () => {
  it('web/src/api/schema.d.ts is what the served /openapi.json generates (else: npm run gen:api)', async () => {
    const expected = await generateApiTypes();
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    expect(committed === expected, 'web/src/api/schema.d.ts is out of date: run npm run gen:api').toBe(true);
    // the routes the pages use are in it
    for (const path of ['/v1/demo/sessions', '/v1/session', '/v1/admin/stats', '/v1/evidence-kinds'])
      expect(committed).toContain(`'${path}'`);
  });
});
