/**
 * Faults (issue 8 §4): a flaky third party and a database that goes away, under load.
 *
 * - An external participant of the revocation saga (R-REV-3), behind the real HTTP participant
 *   protocol, that answers slowly, hangs past its timeout, answers 500 to prepares, fails half of its
 *   commits and aborts, or is down after the decision — each time with 20 revocations at once. Every
 *   revocation ends (revoked or compensated, with the reason), nothing is left prepared anywhere, a
 *   late prepare after the abort is refused, and only revoked accounts' apps are told.
 * - A SET receiver that is down (connection refused), then answers 503, then comes back, while 60
 *   security events wait: they are retried with growing backoff, never dead-lettered, and each is
 *   delivered at least once, verified against the JWKS and deduplicable by `jti` (R-NOTIFY-1).
 * - PostgreSQL restarted under load — a private server, never the shared one — once cleanly and
 *   once by a crash: the service process lives through it, reports not ready while the database is
 *   away and ready again after, answers 503 (not 500) meanwhile, and loses no acknowledged write.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/core/policy/index.js';
import { dialects } from '../support/dialects.js';
import { startFakeParticipant, type Behaviour, type FakeParticipant } from '../support/fake-participant.js';
import {
  privatePostgresAvailable,
  startPrivatePostgres,
  type PrivatePostgres,
} from '../support/private-postgres.js';
import {
  ensureBuilt,
  processHome,
  startProcess,
  type ProcessHome,
  type ServiceProcess,
} from '../support/process.js';
import { revocableAccount, startRevocation } from '../support/revocation.js';
import { copiesByJti, startReceiver, type SetReceiver } from '../support/set-receiver.js';
import { listenOnLoopback, startService, verifiedCode, type Service } from '../support/service.js';
import { person, verifiedAccount } from '../support/workload.js';

const SECRET = 'faults-participant-secret-0123456789';
const TIMEOUT_MS = 2_500;
const AT_ONCE = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const figures: Record<string, unknown> = {};

afterAll(() => console.log(`faults suite: ${JSON.stringify(figures)}`));

/** The bureau's own timeout (R-REV-3 per-participant override); the built-in stores keep the default 5 s. */
function policyFile(dir: string): string {
  const file = join(dir, 'policy.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...DEFAULT_POLICY,
      defaults: {
        ...DEFAULT_POLICY.defaults,
        revoke: { ...DEFAULT_POLICY.defaults.revoke, participantTimeoutsMs: { bureau: TIMEOUT_MS } },
      },
    }),
  );
  return file;
}

describe.each(dialects().map((d) => d.name))('faults on %s', (dialect) => {
  describe('R-REV-3 a flaky external participant, 20 revocations at once', () => {
    let s: Service;
    let bureau: FakeParticipant;
    let dir: string;
    let seq = 0;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'realname-faults-'));
      bureau = await startFakeParticipant('bureau', SECRET);
      s = await startService(
        dialect,
        {
          REALNAME_POLICY_FILE: policyFile(dir),
          REALNAME_HTTP_PARTICIPANTS: `bureau=${bureau.url}`,
          REALNAME_PARTICIPANT_SECRET: SECRET,
          REALNAME_SAGA_LEASE_MS: '2000',
        },
        undefined,
        undefined,
        { sagaRetryBaseMs: 20 },
      );
    });
    afterAll(async () => {
      await s?.stop();
      await bureau?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** 20 revocable accounts (2 grants each), their revocations started all at once. */
    async function revokeMany(tag: string): Promise<{ id: string; opId: string }[]> {
      const ids: string[] = [];
      for (let i = 0; i < AT_ONCE; i++)
        ids.push(await revocableAccount(s, { id: `acc_${tag}_${++seq}`, grants: 2 }));
      const opIds = await Promise.all(ids.map((id) => startRevocation(s, id)));
      return ids.map((id, i) => ({ id, opId: opIds[i]! }));
    }

    /** Run every saga to its end: resumed by the sweep when a run gave up (the lease passed). */
    async function settle(ops: { opId: string }[]): Promise<void> {
      for (let round = 0; round < 40; round++) {
        const outcomes = await Promise.all(ops.map((o) => s.rn.services.saga.run(o.opId)));
        if (outcomes.every((x) => x === 'revoked' || x === 'compensated')) return;
        s.clock.advance(2_500);
        await s.rn.services.timers.sweep();
        await sleep(50);
      }
      throw new Error('revocations still running after 40 rounds');
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the operation route
    async function operation(id: string, opId: string): Promise<any> {
      return (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    }

    /** Every invariant of a finished revocation, and its outcome. */
    async function check(o: { id: string; opId: string }): Promise<{ state: string; reason: string | null }> {
      const op = await operation(o.id, o.opId);
      expect(['revoked', 'compensated'], `${o.opId}`).toContain(op.state);
      const phase = op.state === 'revoked' ? 'committed' : 'aborted';
      const ledger = await s.rn.store.db
        .selectFrom('participant_ledger')
        .select(['participant', 'phase'])
        .where('operation_id', '=', o.opId)
        .execute();
      // Built-in participants that prepared took the decision; none is left prepared.
      for (const l of ledger) expect(l.phase, `${l.participant} of ${o.opId}`).toBe(phase);
      const ext = bureau.records.get(o.opId);
      if (op.state === 'revoked') expect(ext).toBe('committed');
      else expect(ext === undefined || ext === 'aborted', `bureau ${ext} for ${o.opId}`).toBe(true);
      const notices = await s.rn.store.db
        .selectFrom('outbox')
        .select('key')
        .where('account_id', '=', o.id)
        .where('topic', '=', 'secevent')
        .execute();
      expect(notices.length, `notices of ${o.opId}`).toBe(op.state === 'revoked' ? 2 : 0);
      const account = (await s.call('GET', `/v1/accounts/${o.id}`)).body;
      expect(account.identity.status).toBe(op.state === 'revoked' ? 'revoked' : 'verified');
      return { state: op.state as string, reason: (op.reason?.code as string | undefined) ?? null };
    }

    /** What a batch of revocations came to, for the suite's figures. */
    const tally = (results: { state: string }[]) => ({
      revocations: results.length,
      revoked: results.filter((r) => r.state === 'revoked').length,
      compensated: results.filter((r) => r.state === 'compensated').length,
    });

    async function scenario(tag: string, behave: (phase: string, accountId: string) => Behaviour) {
      const started = performance.now();
      bureau.behave((phase, body) => behave(phase, body.accountId));
      const ops = await revokeMany(tag);
      await settle(ops);
      bureau.behave(() => 'ok');
      const results = await Promise.all(ops.map(check));
      expect(bureau.violations).toEqual([]);
      figures[`${dialect} participant ${tag}`] = {
        ...tally(results),
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
      return { ops, results };
    }

    it('answers slowly (300 ms, within its 2.5 s timeout): all revoked, the time recorded on the step', async () => {
      const { ops, results } = await scenario('slow', (phase) =>
        phase === 'prepare' ? { delayMs: 300 } : 'ok',
      );
      const compensated = ops.filter((_, i) => results[i]!.state !== 'revoked');
      const why = await Promise.all(
        compensated.map(async (o) =>
          JSON.stringify(
            (await operation(o.id, o.opId)).timeline.find((t: { event: string }) => t.event === 'abort'),
          ),
        ),
      );
      expect(why, 'compensated').toEqual([]);
      const op = await operation(ops[0]!.id, ops[0]!.opId);
      expect(op.saga.find((x: { participant: string }) => x.participant === 'bureau').phase).toBe(
        'committed',
      );
    });

    it('hangs past its timeout for half of them: those compensate with REVOCATION_PARTICIPANT_TIMEOUT, the late prepares are refused, the rest revoked', async () => {
      const slow = new Set<string>();
      const { ops, results } = await scenario('timeout', (phase, accountId) => {
        if (phase !== 'prepare') return 'ok';
        if (slow.size < AT_ONCE / 2 && !slow.has(accountId)) slow.add(accountId);
        return slow.has(accountId) ? { delayMs: TIMEOUT_MS + 1_000 } : 'ok';
      });
      // A prepare answered late lands after the abort: wait for the last of them before judging.
      const late = () => bureau.calls.filter((c) => c.phase === 'prepare' && slow.has(c.accountId));
      for (let i = 0; i < 100 && late().length < AT_ONCE / 2; i++) await sleep(100);
      ops.forEach((o, i) => {
        expect(results[i], o.id).toEqual(
          slow.has(o.id)
            ? { state: 'compensated', reason: 'REVOCATION_PARTICIPANT_TIMEOUT' }
            : { state: 'revoked', reason: null },
        );
      });
      // Each late prepare reached the participant after its abort and was refused (409): not prepared.
      expect(late().length).toBe(AT_ONCE / 2);
      expect(late().every((c) => c.status === 409)).toBe(true);
      for (const o of ops) if (slow.has(o.id)) expect(bureau.records.get(o.opId)).toBe('aborted');
    });

    it('answers 500 to prepares: every one compensates with REVOCATION_PARTICIPANT_FAILED, every participant aborted', async () => {
      const { results } = await scenario('500', (phase) => (phase === 'prepare' ? 'fail' : 'ok'));
      expect(
        results.every((r) => r.state === 'compensated' && r.reason === 'REVOCATION_PARTICIPANT_FAILED'),
      ).toBe(true);
    });

    it('fails every other commit and abort with a 500: retried until each takes; all end, nothing left prepared', async () => {
      let n = 0;
      const half = new Set<string>();
      const { results } = await scenario('flaky', (phase, accountId) => {
        if (phase === 'prepare') {
          // A quarter refused, so that aborts meet the failures too.
          if (half.size < AT_ONCE / 4 && !half.has(accountId)) half.add(accountId);
          return half.has(accountId) ? 'refuse' : 'ok';
        }
        return ++n % 2 === 0 ? 'fail' : 'ok';
      });
      expect(results.filter((r) => r.state === 'revoked')).toHaveLength(AT_ONCE - AT_ONCE / 4);
      expect(bureau.calls.filter((c) => c.status === 500).length).toBeGreaterThan(AT_ONCE / 2);
    });

    it('goes down at the first commit (connection refused), then comes back: the revocations wait in committing (or compensating), then the sweep finishes each as decided', async () => {
      // The first commit takes it down (its own answer is cut): every later call is refused a
      // connection — the commits of the revocations decided, and the prepares of any not yet decided.
      let wentDown = false;
      bureau.behave((phase) => {
        if (phase !== 'commit' || wentDown) return 'ok';
        wentDown = true;
        setImmediate(() => void bureau.down());
        return 'hang';
      });
      const ops = await revokeMany('down');
      // A commit already on its way when it went down may have taken (revoked); the others wait.
      const outcomes = await Promise.all(ops.map((o) => s.rn.services.saga.run(o.opId)));
      expect(
        outcomes.every((x) => x === 'pending' || x === 'revoked'),
        outcomes.join(),
      ).toBe(true);
      const waiting = await Promise.all(
        ops.map(async (o) => (await operation(o.id, o.opId)).state as string),
      );
      expect(
        waiting.every((x) => ['committing', 'compensating', 'revoked'].includes(x)),
        waiting.join(),
      ).toBe(true);
      expect(waiting.filter((x) => x === 'committing').length, waiting.join()).toBeGreaterThan(0);
      await bureau.up();
      await settle(ops);
      const results = await Promise.all(ops.map(check));
      results.forEach((r, i) =>
        expect(r.state).toBe(waiting[i] === 'compensating' ? 'compensated' : 'revoked'),
      );
      figures[`${dialect} participant down`] = tally(results);
    });
  });

  describe('R-NOTIFY-1 a SET receiver down for a while, 60 events waiting', () => {
    let s: Service;
    let receiver: SetReceiver;
    const ISSUER = 'https://realname.faults.test';
    const APPS = ['app_a', 'app_b', 'app_c'];

    beforeAll(async () => {
      s = await startService(dialect, {
        REALNAME_ISSUER: ISSUER,
        REALNAME_PUSH_BACKOFF_BASE_MS: '1000',
        REALNAME_PUSH_BACKOFF_MAX_MS: '120000',
        REALNAME_PUSH_MAX_ATTEMPTS: '50',
        REALNAME_PUSH_TIMEOUT_MS: '2000',
      });
      receiver = await startReceiver({
        jwksUrl: `${await listenOnLoopback(s)}/.well-known/jwks.json`,
        issuer: ISSUER,
      });
    });
    afterAll(async () => {
      await s?.stop();
      await receiver?.close();
    });

    it('retried with growing backoff while down and while answering 503, never dead-lettered, each delivered once back, deduplicable by jti', async () => {
      const started = performance.now();
      for (const app of APPS)
        expect(
          (
            await s.call('POST', '/v1/apps', {
              body: { appId: app, name: app, developerId: 'dev_1', receiverUrl: receiver.url(app) },
            })
          ).status,
        ).toBe(201);
      await receiver.down();
      // 20 deletions, each telling 3 apps (account-disabled): 60 events.
      for (let i = 0; i < 20; i++) {
        const id = `acc_recv_${i}`;
        await verifiedAccount((m, p, o) => s.call(m, p, o), {
          id,
          person: person(i, 3),
          grants: APPS,
          now: s.clock.now(),
        });
        const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
          body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
        });
        expect(r.status).toBe(202);
      }
      const events = async () =>
        s.rn.store.db
          .selectFrom('outbox')
          .selectAll()
          .where('topic', '=', 'secevent')
          .orderBy('id')
          .execute();
      expect(await events()).toHaveLength(60);

      // Down: connection refused, pass after pass, across 10 virtual minutes.
      const gaps: number[] = [];
      for (let pass = 0; pass < 8; pass++) {
        const r = await s.rn.notify.push.runOnce();
        expect(r.delivered).toBe(0);
        expect(r.dead).toBe(0);
        const rows = await events();
        gaps.push(Math.min(...rows.map((e) => Number(e.next_attempt_at))) - s.clock.now());
        s.clock.advance(75_000);
      }
      // Backoff grows (base 1 s, doubling, with jitter): later waits are longer than the first.
      expect(Math.max(...gaps.slice(4))).toBeGreaterThan(gaps[0]!);
      // Up but answering 503 for one app: its events keep waiting, the others are delivered.
      await receiver.start();
      receiver.mode('app_a', 'unavailable');
      for (let pass = 0; pass < 5; pass++) {
        await s.rn.notify.push.runOnce();
        s.clock.advance(150_000);
      }
      const waiting = (await events()).filter((e) => e.delivered_at === null);
      expect(waiting).toHaveLength(20);
      const appOf = (payload: string) => (JSON.parse(payload) as { appId: string }).appId;
      expect(waiting.every((e) => appOf(e.payload) === 'app_a')).toBe(true);
      receiver.mode('app_a', 'up');
      for (let pass = 0; pass < 5 && (await events()).some((e) => e.delivered_at === null); pass++) {
        await s.rn.notify.push.runOnce();
        s.clock.advance(150_000);
      }
      const rows = await events();
      expect(rows.filter((e) => e.delivered_at === null || e.dead_at !== null)).toEqual([]);
      const byJti = copiesByJti(receiver.accepted);
      for (const e of rows) expect(byJti.get(e.key), `event ${e.key} never accepted`).toBeDefined();
      for (const copies of byJti.values()) expect(new Set(copies).size).toBe(1);
      expect(receiver.rejected).toEqual([]);
      figures[`${dialect} receiver down`] = {
        events: rows.length,
        attempts: rows.reduce((n, e) => n + Number(e.attempts), 0),
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
    });
  });
});

const withPostgres = dialects().some((d) => d.name === 'postgres');

describe.skipIf(!withPostgres || !privatePostgresAvailable)(
  'PostgreSQL restarted under load (a private server)',
  () => {
    let pgs: PrivatePostgres;
    let home: ProcessHome;
    let proc: ServiceProcess;
    let logDir: string;

    beforeAll(async () => {
      ensureBuilt();
      pgs = await startPrivatePostgres();
      home = await processHome('postgres', pgs.url);
      logDir = mkdtempSync(join(tmpdir(), 'realname-pgrestart-'));
      proc = await startProcess({
        env: home.env({ REALNAME_RATE_LIMIT: '1000000' }),
        logFile: join(logDir, 'service.log'),
      });
    });
    afterAll(async () => {
      await proc?.stop();
      await home?.remove().catch(() => undefined);
      pgs?.remove();
      rmSync(logDir, { recursive: true, force: true });
    });

    it('SPEC §4 not ready while the database is away, ready after, 503 meanwhile, no acknowledged write lost (a clean restart and a crash)', async () => {
      const started = performance.now();
      const acked: { id: string; kind: 'account' | 'card' | 'receipt' }[] = [];
      const statuses: Record<string, number> = {};
      const readiness: number[] = [];
      let stop = false;
      let n = 0;

      /** One write, retried with its Idempotency-Key until it is acknowledged. */
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the answer
      async function write(method: string, path: string, body: unknown, key: string): Promise<any> {
        let last = '';
        for (let i = 0; i < 600; i++) {
          try {
            const r = await proc.call(method, path, {
              body,
              headers: { 'idempotency-key': key },
              timeoutMs: 10_000,
            });
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            last = `${r.status} ${r.text.slice(0, 200)}`;
            if (r.status < 300) return r.body;
            if (r.status === 503 || (r.status === 409 && r.body?.code === 'IDEMPOTENCY_IN_PROGRESS')) {
              await sleep(100);
              continue;
            }
            throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
          } catch (error) {
            if (error instanceof Error && error.message.startsWith(method)) throw error;
            statuses.network = (statuses.network ?? 0) + 1;
            await sleep(100);
          }
        }
        throw new Error(`${method} ${path} never acknowledged: ${JSON.stringify(statuses)} last ${last}`);
      }

      const clients = Array.from({ length: 6 }, async (_, c) => {
        while (!stop) {
          const i = ++n;
          // No id: the service derives it from the Idempotency-Key, so a retry names the same account.
          const created = await write(
            'POST',
            '/v1/accounts',
            { region: 'CN', phone: person(i, 5).phone },
            `pg-${c}-${i}:create`,
          );
          const id = created.account.id as string;
          acked.push({ id, kind: 'account' });
          await write(
            'PUT',
            `/v1/accounts/${id}/cards/debit_1`,
            {
              type: 'debit',
              last4: '1234',
              bank: '工商银行',
              reservedPhoneMasked: '138****0000',
              boundAt: 0,
            },
            `pg-${c}-${i}:card`,
          );
          acked.push({ id, kind: 'card' });
          await write(
            'POST',
            `/v1/accounts/${id}/transactions`,
            { id: `rcv_${i}`, kind: 'receive', amount: 10_000, status: 'completed' },
            `pg-${c}-${i}:receipt`,
          );
          acked.push({ id, kind: 'receipt' });
        }
      });
      const watch = (async () => {
        while (!stop) {
          try {
            readiness.push((await proc.call('GET', '/readyz', { key: null, timeoutMs: 5_000 })).status);
          } catch {
            readiness.push(0);
          }
          await sleep(100);
        }
      })();

      const outage = async (mode: 'fast' | 'immediate') => {
        await sleep(2_000);
        const before = readiness.length;
        pgs.stop(mode);
        await sleep(2_000);
        const down = readiness.slice(before);
        pgs.start();
        // Ready again within 30 s.
        for (let i = 0; i < 300 && readiness.at(-1) !== 200; i++) await sleep(100);
        return { notReady: down.filter((x) => x === 503).length, readyAgain: readiness.at(-1) === 200 };
      };
      const clean = await outage('fast');
      const crash = await outage('immediate');
      await sleep(2_000);
      stop = true;
      await Promise.all(clients);
      await watch;

      expect(clean).toMatchObject({ readyAgain: true });
      expect(crash).toMatchObject({ readyAgain: true });
      expect(clean.notReady, '/readyz said 503 while the database was away').toBeGreaterThan(0);
      expect(crash.notReady).toBeGreaterThan(0);
      expect(proc.child.exitCode, 'the service process lived through it').toBeNull();
      expect(statuses['500'] ?? 0, `answers while the database was away: ${JSON.stringify(statuses)}`).toBe(
        0,
      );
      expect(statuses['503'] ?? 0).toBeGreaterThan(0);

      // Every acknowledged write is there.
      const accounts = new Set(
        (await home.query<{ id: string }>('select id from accounts')).map((r) => r.id),
      );
      const cards = new Set(
        (await home.query<{ account_id: string }>("select account_id from cards where id = 'debit_1'")).map(
          (r) => r.account_id,
        ),
      );
      const receipts = new Set(
        (await home.query<{ account_id: string }>('select account_id from receipts')).map(
          (r) => r.account_id,
        ),
      );
      const lost = acked.filter(
        (a) => !(a.kind === 'account' ? accounts : a.kind === 'card' ? cards : receipts).has(a.id),
      );
      expect(lost, 'acknowledged writes lost').toEqual([]);
      const audit = await proc.call('GET', '/v1/audit/verify');
      expect(audit.body).toMatchObject({ ok: true });
      figures['postgres restart'] = {
        acknowledgedWrites: acked.length,
        answers: statuses,
        notReadyProbes: { clean: clean.notReady, crash: crash.notReady },
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
    });
  },
);
