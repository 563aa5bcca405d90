/**
 * Idempotency-Key while the store is away (SPEC §4). A request that fails because the database is
 * restarting cannot release its key at that moment either; found by the reliability suite (PostgreSQL
 * restarted under load), such keys stayed in progress and every retry was 409 IDEMPOTENCY_IN_PROGRESS
 * until the claim's lease ended. Now the release (or the recording of an answer) is tried again in the
 * background as soon as the store answers.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { SECRETS, bearer, harness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.app.close();
});

const post = (key: string) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/demo/flaky',
    headers: { ...bearer(SECRETS.platform), 'idempotency-key': key, 'content-type': 'application/json' },
    payload: {},
  });

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('Idempotency-Key when the store cannot settle the claim at once', () => {
  it('a 5xx whose key could not be released: released in the background once the store answers, and the retry runs again', async () => {
    h = await harness();
    const release = h.store.releaseIdempotency.bind(h.store);
    let refusals = 2;
    h.store.releaseIdempotency = async (scope, key) => {
      if (refusals-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return release(scope, key);
    };
    const failed = await post('away-1');
    expect(failed.statusCode).toBe(500);
    expect(h.store.idempotency.size).toBe(1); // still in progress: the store refused the release
    await eventually(() => h.store.idempotency.size === 0);
    expect(h.store.idempotency.size).toBe(0);
    const retried = await post('away-1');
    expect(retried.statusCode).toBe(201);
    expect(h.ran.flaky).toBe(2);
  });

  it('an answer that could not be recorded is recorded in the background, and then replayed', async () => {
    h = await harness();
    h.ran.flaky = 1; // the next call succeeds
    const complete = h.store.completeIdempotency.bind(h.store);
    let refusals = 1;
    h.store.completeIdempotency = async (scope, key, response) => {
      if (refusals-- > 0) throw new Error('Connection terminated unexpectedly');
      return complete(scope, key, response);
    };
    const first = await post('away-2');
    expect(first.statusCode).toBe(201);
    await eventually(() => [...h.store.idempotency.values()].some((r) => r.status === 'done'));
    const replay = await post('away-2');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(first.body);
    expect(h.ran.flaky).toBe(2);
  });
});
