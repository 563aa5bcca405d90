/**
 * Idempotency-Key across a crash (SPEC §4: "a replay returns the first result and does not act
 * twice"; "a crash at any point resumes"). A process that dies between committing a request and
 * recording its answer leaves the key's claim in progress. Found by the crash suite
 * (test/reliability/crash.test.ts): the client's retry was told IDEMPOTENCY_IN_PROGRESS for ever.
 * Now the claim is honoured for its lease (60 s), then taken over by the same request; and an
 * operation start taken over answers the operation the first attempt started — never a refusal of a
 * second one; an account created without an id answers, on the retry, the account it made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentId } from '../../src/core/ids.js';
import { dialects } from '../support/dialects.js';
import { startService, verifiedCode, type Service } from '../support/service.js';
import { person, verifiedAccount } from '../support/workload.js';

describe.each(dialects())('Idempotency-Key after a crash on $name', ({ name, makeStore }) => {
  describe('store contract', () => {
    let h: Awaited<ReturnType<typeof makeStore>>;
    beforeAll(async () => {
      h = await makeStore();
    });
    afterAll(() => h.cleanup());

    it('an in-progress claim older than staleBefore is taken over by the same request, once', async () => {
      const claim = { scope: 'key_1', key: 'k-abandoned', requestHash: 'h1', createdAt: 1_000 };
      expect(await h.store.claimIdempotency(claim)).toBeNull();
      // Within its lease: still in progress, whoever asks.
      expect(await h.store.claimIdempotency({ ...claim, createdAt: 30_000, staleBefore: 500 })).toMatchObject(
        {
          status: 'in_progress',
        },
      );
      // Another request with the key is refused as ever, lease or not.
      expect(
        await h.store.claimIdempotency({
          ...claim,
          requestHash: 'h2',
          createdAt: 90_000,
          staleBefore: 30_000,
        }),
      ).toMatchObject({ requestHash: 'h1', status: 'in_progress' });
      // Past it: of 10 concurrent retries exactly one takes the claim over; the others see it in progress.
      const retries = await Promise.all(
        Array.from({ length: 10 }, () =>
          h.store.claimIdempotency({ ...claim, createdAt: 90_000, staleBefore: 30_000 }),
        ),
      );
      expect(retries.filter((r) => r === null)).toHaveLength(1);
      expect(retries.filter((r) => r?.status === 'in_progress')).toHaveLength(9);
      // A completed claim is the answer for ever.
      await h.store.completeIdempotency('key_1', 'k-abandoned', { status: 202, body: '{"id":"op_1"}' });
      expect(
        await h.store.claimIdempotency({ ...claim, createdAt: 10_000_000, staleBefore: 9_000_000 }),
      ).toMatchObject({ status: 'done', response: { status: 202 } });
    });
  });

  describe('over HTTP', () => {
    let s: Service;
    beforeAll(async () => {
      s = await startService(name);
    });
    afterAll(() => s.stop());

    /** What a process killed after the start committed leaves behind: the claim in progress, no answer. */
    async function forgetAnswer(key: string): Promise<void> {
      await s.rn.store.db
        .updateTable('idempotency')
        .set({ status: 'in_progress', response_status: null, response_body: null })
        .where('key', '=', key)
        .execute();
    }

    it('SPEC §4 a card unbind whose answer was lost: in progress during the lease, then the same operation (202), acted once', async () => {
      const id = 'acc_idem_crash';
      await verifiedAccount((m, p, o) => s.call(m, p, o), {
        id,
        person: person(1),
        cards: [{ id: 'credit_1', type: 'credit' }],
        now: s.clock.now(),
      });
      const ref = await verifiedCode(s, id, 'card.unbind', 'credit_1');
      const start = () =>
        s.call('POST', `/v1/accounts/${id}/operations/card-unbind`, {
          body: { cardId: 'credit_1', evidence: [{ kind: 'reserved_phone_code', ref }] },
          headers: { 'idempotency-key': 'unbind-credit-1' },
        });
      const first = await start();
      expect(first.status).toBe(202);
      await forgetAnswer('unbind-credit-1');

      const during = await start();
      expect(during.status).toBe(409);
      expect(during.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');

      s.clock.advance(61_000);
      const after = await start();
      expect(after.status, JSON.stringify(after.body)).toBe(202);
      expect(after.body.id).toBe(first.body.id);
      expect(after.body.state).toBe('completed');
      // Acted once: one operation, the card gone once, and the answer now recorded for replays.
      const ops = (await s.call('GET', `/v1/accounts/${id}/operations`)).body as { kind: string }[];
      expect(ops.filter((o) => o.kind === 'card.unbind')).toHaveLength(1);
      const replay = await start();
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(first.body.id);
    });

    it('SPEC §4 an account created without an id whose answer was lost: the retry answers the same account, never a second one', async () => {
      const create = () =>
        s.call('POST', '/v1/accounts', {
          body: { region: 'CN', phone: '+86 13911112222' },
          headers: { 'idempotency-key': 'create-lost-1' },
        });
      const first = await create();
      expect(first.status).toBe(201);
      const id = first.body.account.id as string;
      expect(id).toMatch(/^acc_[0-9A-Z]{20}$/);
      await forgetAnswer('create-lost-1');
      s.clock.advance(61_000);
      const again = await create();
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      expect(again.body.account.id).toBe(id);
      const rows = await s.rn.store.db
        .selectFrom('audit')
        .select('account_id')
        .where('action', '=', 'account.created')
        .where('account_id', '=', id)
        .execute();
      expect(rows).toHaveLength(1);
      // Another key, or another caller, is another account; no key at all, a random id as ever.
      const other = await s.call('POST', '/v1/accounts', {
        body: { region: 'CN', phone: '+86 13911112222' },
        headers: { 'idempotency-key': 'create-lost-2' },
      });
      expect(other.body.account.id).not.toBe(id);
      expect(idempotentId('secret', 'acc', 'platform:k1', 'x')).not.toBe(
        idempotentId('secret', 'acc', 'platform:k2', 'x'),
      );
      expect(idempotentId('secret', 'acc', 'platform:k1', 'x')).toBe(
        idempotentId('secret', 'acc', 'platform:k1', 'x'),
      );
    });

    it('another caller with the same key and request starts nothing of the first caller’s', async () => {
      const id = 'acc_idem_other';
      await verifiedAccount((m, p, o) => s.call(m, p, o), { id, person: person(2), now: s.clock.now() });
      const platform = await s.call('POST', '/v1/keys', {
        body: { name: 'p', scopes: ['operations:write'] },
      });
      const body = async () => ({
        evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }],
      });
      const first = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
        body: await body(),
        headers: { 'idempotency-key': 'delete-1' },
      });
      expect(first.status).toBe(202);
      // The same key from another principal is another request: refused as a second deletion.
      const other = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
        body: await body(),
        key: platform.body.secret as string,
        headers: { 'idempotency-key': 'delete-1' },
      });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('OPERATION_BLOCKED');
    });
  });
});
