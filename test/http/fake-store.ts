/**
 * An in-memory fake of the five store methods the HTTP plumbing uses. The real store proves the same
 * contract in its own suite; here each method yields to the event loop first, as I/O would, and then
 * checks and writes without yielding, which is the atomicity a real `INSERT … ON CONFLICT` gives.
 */
import type { ServerStore } from '../../src/adapters/http/server.js';
import { hashSecret } from '../../src/adapters/http/auth.js';
import type { ApiKeyRecord, IdempotencyClaim, IdempotencyRecord } from '../../src/core/ports.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeStore implements ServerStore {
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly idempotency = new Map<string, IdempotencyRecord & { createdAt: number }>();
  healthy = true;
  /** Makes health() throw, as an unreachable database would. */
  healthThrows = false;
  readonly calls = { claim: 0, complete: 0, release: 0 };

  /** Store a key for `secret` and return its record. */
  addKey(secret: string, fields: Partial<ApiKeyRecord> & { id: string }): ApiKeyRecord {
    const record: ApiKeyRecord = {
      hash: hashSecret(secret),
      name: fields.id,
      scopes: [],
      accountId: null,
      createdAt: 0,
      revokedAt: null,
      ...fields,
    };
    this.keys.set(record.hash, record);
    return record;
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    await tick();
    return this.keys.get(hash) ?? null;
  }

  async claimIdempotency(rec: IdempotencyClaim): Promise<IdempotencyRecord | null> {
    await tick();
    this.calls.claim++;
    const id = `${rec.scope}\u0000${rec.key}`;
    const existing = this.idempotency.get(id);
    if (existing)
      return { requestHash: existing.requestHash, status: existing.status, response: existing.response };
    this.idempotency.set(id, {
      requestHash: rec.requestHash,
      status: 'in_progress',
      response: null,
      createdAt: rec.createdAt,
    });
    return null;
  }

  async completeIdempotency(
    scope: string,
    key: string,
    response: { status: number; body: string },
  ): Promise<void> {
    await tick();
    this.calls.complete++;
    const rec = this.idempotency.get(`${scope}\u0000${key}`);
    if (rec) Object.assign(rec, { status: 'done', response });
  }

  async releaseIdempotency(scope: string, key: string): Promise<void> {
    await tick();
    this.calls.release++;
    this.idempotency.delete(`${scope}\u0000${key}`);
  }

  async health(): Promise<{ ok: boolean; detail: string }> {
    await tick();
    if (this.healthThrows) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return this.healthy
      ? { ok: true, detail: 'migrations current' }
      : { ok: false, detail: 'migrations pending' };
  }
}
