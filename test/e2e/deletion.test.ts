/**
 * Account deletion as a durable process (R-DEL-2/3/4), driven through the HTTP API with the dev
 * clock: cancellable through day 59, purged on day 60 by the timer worker, across a restart, with
 * the PII unrecoverable afterwards, and each timer fired once when several workers race.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { decryptField, parseMasterKey, unwrapDataKey } from '../../src/adapters/store/crypto.js';
import { dialects } from '../support/dialects.js';
import { startService, T0, verifiedCode, type Service, type ServiceHome } from '../support/service.js';

const DAY = 86_400_000;
const NAME = '欧阳娜娜';

async function deletable(s: Service, id: string, seq: number): Promise<void> {
  expect(
    (await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13912345678' } })).status,
  ).toBe(201);
  const bound = await s.call('POST', `/v1/accounts/${id}/identity`, {
    body: { name: NAME, documentType: 'cn_id', documentNumber: demoIdNumber(seq, '19880808') },
  });
  expect(bound.status).toBe(201);
  await s.call('PUT', `/v1/accounts/${id}/grants/app_1`, {
    body: { appName: 'Mini Shop', developerId: 'dev_1', active: true, grantedAt: T0 },
  });
}

async function startDeletion(s: Service, id: string): Promise<string> {
  const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
    body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id as string;
}

describe.each(dialects().map((d) => d.name))('deletion workflow on %s', (dialect) => {
  const running: Service[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });

  it('R-DEL-3 R-DEL-4 day 59: still cancellable and not purged; day 60: purged by the timer, PII gone for good', async () => {
    const s = await startService(dialect);
    running.push(s);
    await deletable(s, 'acc_del', 1);
    const opId = await startDeletion(s, 'acc_del');

    // a backup taken during the cooling-off: the sealed name as it sits in the database
    const sealed = await s.rn.store.db
      .selectFrom('identities')
      .select(['name_enc', 'document_enc'])
      .where('account_id', '=', 'acc_del')
      .executeTakeFirstOrThrow();

    await s.call('POST', '/v1/dev/clock', { body: { advance: 'P59D' } });
    expect((await s.rn.services.timers.sweep()).fired).toEqual([]);
    let account = await s.call('GET', '/v1/accounts/acc_del');
    expect(account.body.account.status).toBe('deactivating');
    expect((await s.call('GET', `/v1/accounts/acc_del/operations/${opId}`)).body.state).toBe('cooling_off');

    await s.call('POST', '/v1/dev/clock', { body: { advance: 'P1D' } });
    const swept = await s.rn.services.timers.sweep();
    expect(swept.fired).toEqual([{ operationId: opId, kind: 'account.delete', timer: 'purge' }]);

    const op = await s.call('GET', `/v1/accounts/acc_del/operations/${opId}`);
    expect(op.body).toMatchObject({ state: 'purged', outcome: 'completed', deadlineAt: null });
    expect(op.body.timeline.map((t: { event: string }) => t.event)).toEqual([
      'started',
      'start_cooling_off',
      'purge',
    ]);
    account = await s.call('GET', '/v1/accounts/acc_del');
    expect(account.body.account.status).toBe('deleted');
    expect(account.body.identity).toBeNull();
    expect(account.body.grants.map((g: { active: boolean }) => g.active)).toEqual([false]);
    // cancelling after the purge is refused and changes nothing
    expect((await s.call('POST', `/v1/accounts/acc_del/operations/${opId}/cancel`)).body.code).toBe(
      'NOT_CANCELLABLE',
    );
    // identifiers are retired: the id cannot be taken again
    const again = await s.call('POST', '/v1/accounts', {
      body: { id: 'acc_del', region: 'CN', phone: '+86 13912345678' },
    });
    expect(again.status).toBe(409);

    // crypto-shredding: the data key is gone, so even the backed-up ciphertext cannot be opened
    expect(await s.rn.store.revealIdentity('acc_del')).toBeNull();
    const row = await s.rn.store.db
      .selectFrom('accounts')
      .select('data_key_wrapped')
      .where('id', '=', 'acc_del')
      .executeTakeFirstOrThrow();
    expect(row.data_key_wrapped).toBeNull();
    const master = parseMasterKey(s.home.masterKey);
    expect(() => unwrapDataKey(master, 'acc_del', row.data_key_wrapped)).toThrow();
    expect(() => decryptField(Buffer.alloc(32), 'acc_del', 'identity.name', sealed.name_enc)).toThrow();

    // the apps are told through the outbox; the audit record of the purge holds no PII
    const events = await s.rn.store.pendingOutbox(100);
    const purged = events.find((e) => e.topic === 'account.purged');
    expect(purged?.payload).toMatchObject({ accountId: 'acc_del', apps: [{ appId: 'app_1' }] });
    const trail = JSON.stringify(await s.rn.store.auditTrail({ accountId: 'acc_del', limit: 1000 }));
    expect(trail).toContain('account.purged');
    expect(trail).not.toContain(NAME);
    expect(trail).not.toContain(demoIdNumber(1, '19880808'));

    if (dialect === 'sqlite') {
      await s.stop(true);
      running.pop();
      for (const file of ['realname.db', 'realname.db-wal']) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(join(s.home.dir, file));
        } catch {
          continue;
        }
        expect(bytes.includes(Buffer.from(NAME, 'utf8')), file).toBe(false);
        expect(bytes.includes(Buffer.from(demoIdNumber(1, '19880808'), 'utf8')), file).toBe(false);
        expect(bytes.includes(Buffer.from('13912345678', 'utf8')), file).toBe(false);
      }
      rmSync(s.home.dir, { recursive: true, force: true });
    }
  });

  it('R-DEL-2 a timer that falls due while the service is down fires at the next start', async () => {
    const first = await startService(dialect);
    await deletable(first, 'acc_restart', 2);
    const opId = await startDeletion(first, 'acc_restart');
    await first.call('POST', '/v1/dev/clock', { body: { advance: 'P30D' } });
    const home: ServiceHome = first.home;
    await first.stop(true);

    // restarted 31 days later (61 days after the request): nothing was lost, and the purge fires at start
    const second = await startService(dialect, {}, home, T0 + 61 * DAY);
    running.push(second);
    expect((await second.call('GET', `/v1/accounts/acc_restart/operations/${opId}`)).body.state).toBe(
      'cooling_off',
    );
    const worker = second.rn.startWorker(60_000);
    const r = await worker.runOnce();
    expect(r.fired.map((f) => f.operationId)).toContain(opId);
    expect((await second.call('GET', '/v1/accounts/acc_restart')).body.account.status).toBe('deleted');
  });

  it('R-DEL-4 several workers racing for the same timers fire each exactly once', async () => {
    const a = await startService(dialect);
    running.push(a);
    const ids = Array.from({ length: 12 }, (_, i) => `acc_race_${i}`);
    for (const [i, id] of ids.entries()) await deletable(a, id, 10 + i);
    const ops = [];
    for (const id of ids) ops.push(await startDeletion(a, id));
    a.clock.advance(60 * DAY);

    // a second process on the same store (PostgreSQL: its own pool; SQLite: the same file is one
    // writer per process, so the race is between concurrent sweeps of one process)
    const workers =
      dialect === 'postgres' ? [a, await startService(dialect, {}, a.home, a.clock.now())] : [a];
    if (workers.length > 1) running.push(workers[1]!);
    const sweeps = await Promise.all(
      workers.flatMap((w) => [w.rn.services.timers.sweep(3), w.rn.services.timers.sweep(3)]),
    );
    const fired = sweeps.flatMap((r) => r.fired.map((f) => f.operationId));
    expect(fired.sort()).toEqual([...ops].sort());
    for (const [i, id] of ids.entries()) {
      const op = await a.call('GET', `/v1/accounts/${id}/operations/${ops[i]}`);
      expect(op.body.timeline.filter((t: { event: string }) => t.event === 'purge')).toHaveLength(1);
    }
    const purges = (await a.rn.store.pendingOutbox(1000)).filter((e) => e.topic === 'account.purged');
    expect(purges).toHaveLength(ids.length);
  });
});
