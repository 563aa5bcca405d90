/**
 * The revocation saga end to end (R-REV-3, R-REV-4): every participant prepares then commits, or
 * every one that prepared is compensated; the account's side changes in one transaction with its
 * notices; a failure injected at each participant compensates all of them; retries; two runs at
 * once; an external participant over HTTP with signed, idempotent requests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PARTICIPANTS } from '../../src/adapters/participants/builtin.js';
import { verifyParticipantRequest } from '../../src/adapters/participants/http.js';
import { DEFAULT_POLICY } from '../../src/core/policy/defaults.js';
import type { Participant } from '../../src/core/ports.js';
import { dialects } from '../support/dialects.js';
import { revocableAccount, startRevocation } from '../support/revocation.js';
import { startService, type Service, type ServiceHome } from '../support/service.js';

const BUILTIN = Object.keys(BUILTIN_PARTICIPANTS);

/** What the wrapped participants do, by name: set per test. */
interface Fault {
  prepare?: 'fail' | 'hang' | { gate: Promise<void> };
  /** The first N commits fail. */
  commitFailures?: number;
  /** Every commit fails while true. */
  commitDown?: boolean;
}

const SECRET = 'participant-secret-for-tests-0123456789';

describe.each(dialects().map((d) => d.name))('revocation saga on %s', (dialect) => {
  let s: Service & { home: ServiceHome };
  const faults = new Map<string, Fault>();
  const calls: string[] = [];
  let external: Server;
  let externalUrl = '';
  /** What the external service saw: phase, idempotency key, signature valid. */
  const seen: { phase: string; key: string; valid: boolean; body: Record<string, unknown> }[] = [];
  let externalRefuses = false;
  let env: Record<string, string> = {};

  function wrap(p: Participant): Participant {
    return {
      name: p.name,
      async prepare(call, signal) {
        calls.push(`prepare:${p.name}`);
        const f = faults.get(p.name)?.prepare;
        if (f === 'fail') throw new Error('disk full');
        if (f === 'hang')
          await new Promise<void>((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason as Error)),
          );
        if (f && typeof f === 'object') await f.gate;
        return p.prepare(call, signal);
      },
      async commit(call, prepared, signal) {
        calls.push(`commit:${p.name}`);
        const f = faults.get(p.name);
        if (f?.commitDown) throw new Error('connection refused');
        if (f?.commitFailures) {
          f.commitFailures--;
          throw new Error('503');
        }
        await p.commit(call, prepared, signal);
      },
      async abort(call, prepared, signal) {
        calls.push(`abort:${p.name}`);
        await p.abort(call, prepared, signal);
      },
    };
  }

  beforeAll(async () => {
    external = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const phase = (req.url ?? '').split('/').pop() ?? '';
        const valid = verifyParticipantRequest(
          SECRET,
          {
            timestamp: req.headers['x-realname-timestamp'] as string | undefined,
            signature: req.headers['x-realname-signature'] as string | undefined,
          },
          body,
          Math.floor(Date.now() / 1000),
        );
        seen.push({
          phase,
          key: String(req.headers['idempotency-key']),
          valid,
          body: JSON.parse(body) as Record<string, unknown>,
        });
        if (!valid) return res.writeHead(401).end();
        if (phase === 'prepare' && externalRefuses)
          return res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"open dispute"}');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(phase === 'prepare' ? JSON.stringify({ reservation: `r_${seen.length}` }) : '{}');
      });
    });
    await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
    externalUrl = `http://127.0.0.1:${(external.address() as AddressInfo).port}/realname`;

    // A short participant timeout, so the timeout case takes a moment, not 5 s.
    const dir = mkdtempSync(join(tmpdir(), 'realname-policy-'));
    const policyFile = join(dir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        ...DEFAULT_POLICY,
        defaults: {
          ...DEFAULT_POLICY.defaults,
          revoke: { ...DEFAULT_POLICY.defaults.revoke, participantTimeoutsMs: { social: 150 } },
        },
      }),
    );
    env = {
      REALNAME_POLICY_FILE: policyFile,
      REALNAME_HTTP_PARTICIPANTS: `credit_bureau=${externalUrl}`,
      REALNAME_PARTICIPANT_SECRET: SECRET,
    };
    s = await startService(dialect, env, undefined, undefined, {
      participants: (defaults) => defaults.map(wrap),
      sagaRetryBaseMs: 5,
    });
  });
  afterAll(async () => {
    await s?.stop();
    await new Promise((r) => external?.close(r));
  });

  const ALL = [...BUILTIN, 'credit_bureau'];

  async function ledger(opId: string): Promise<Record<string, string>> {
    const rows = await s.rn.store.db
      .selectFrom('participant_ledger')
      .select(['participant', 'phase'])
      .where('operation_id', '=', opId)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.participant, r.phase]));
  }

  async function secEvents(accountId: string): Promise<number> {
    const rows = await s.rn.store.db
      .selectFrom('outbox')
      .select('id')
      .where('account_id', '=', accountId)
      .where('topic', '=', 'secevent')
      .execute();
    return rows.length;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of any route
  async function finished(id: string, opId: string): Promise<any> {
    await s.rn.services.saga.run(opId);
    return (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
  }

  it('R-REV-3 every participant prepares then commits → revoked, with the effects and the notices in the same transaction', async () => {
    faults.clear();
    const id = await revocableAccount(s, { grants: 3, merchant: true, miniPrograms: 1 });
    const token = (await s.call('POST', `/v1/accounts/${id}/grants/app_2/tokens`, { body: {} })).body
      .access_token as string;
    const opId = await startRevocation(s, id);
    const op = await finished(id, opId);
    expect(op).toMatchObject({ state: 'revoked', outcome: 'completed', deadlineAt: null });
    // R-NOTIFY-2: the grant is revoked, so its token answers inactive
    expect((await s.call('POST', '/v1/oauth/introspect', { body: { token } })).body).toEqual({
      active: false,
    });
    expect(op.timeline.map((t: { state: string }) => t.state)).toEqual([
      'started',
      'pending_recycle',
      'committing',
      'revoked',
    ]);
    const last = op.timeline.at(-1);
    expect(last.data.effects).toMatchObject({
      grantsRevoked: 3,
      miniProgramsToRequalify: 1,
      appsNotified: 3,
      dailyReceiveLimit: DEFAULT_POLICY.defaults.effects.dailyReceiveLimitAfter,
    });
    // R-REV-6: the merchant retention warning is repeated in the outcome
    expect(last.data.warnings).toEqual(['MERCHANT_RECORDS_RETAINED']);

    const steps = await s.rn.store.sagaSteps(opId);
    expect(steps.map((x) => [x.participant, x.phase]).sort()).toEqual(
      ALL.map((n) => [n, 'committed']).sort(),
    );
    expect(await ledger(opId)).toEqual(Object.fromEntries(BUILTIN.map((n) => [n, 'committed'])));
    // the external participant got prepare then commit, signed, keyed by the operation
    const ext = seen.filter((x) => x.body.operationId === opId);
    expect(ext.map((x) => [x.phase, x.key, x.valid])).toEqual([
      ['prepare', `${opId}:prepare`, true],
      ['commit', `${opId}:commit`, true],
    ]);
    expect(ext[1]?.body.prepared).toMatchObject({ reservation: expect.any(String) });

    const account = (await s.call('GET', `/v1/accounts/${id}`)).body;
    expect(account.identity.status).toBe('revoked');
    expect(account.grants.every((g: { active: boolean }) => !g.active)).toBe(true);
    expect(account.developerAssets.apiQuotaTier).toBe('test');
    expect(account.history.revokedAt).toBe(s.clock.now());
    // R-NOTIFY-1: one notice per app that held a grant, written with the commit
    expect(await secEvents(id)).toBe(3);
    const audit = await s.rn.store.auditTrail({ accountId: id, limit: 100 });
    expect(audit.map((a) => a.action)).toContain('realname.revoke.completed');
  });

  it.each(ALL.map((name, i) => [i, name]))(
    'R-REV-3 a prepare failure at participant %i (%s) compensates every participant that had prepared; nothing is told to apps',
    async (_i, name) => {
      faults.clear();
      if (name === 'credit_bureau') externalRefuses = true;
      else faults.set(name, { prepare: 'fail' });
      try {
        const id = await revocableAccount(s, { grants: 2 });
        const token = (await s.call('POST', `/v1/accounts/${id}/grants/app_1/tokens`, { body: {} })).body
          .access_token as string;
        const introspect = async () =>
          (await s.call('POST', '/v1/oauth/introspect', { body: { token } })).body.active as boolean;
        expect(await introspect()).toBe(true);
        const opId = await startRevocation(s, id);
        const op = await finished(id, opId);
        expect(op).toMatchObject({ state: 'compensated', outcome: 'compensated' });
        expect(op.timeline.map((t: { state: string }) => t.state)).toEqual([
          'started',
          'pending_recycle',
          'compensating',
          'compensated',
        ]);
        expect(op.timeline.at(-1).data).toMatchObject({
          reason: 'REVOCATION_PARTICIPANT_FAILED',
          participant: name,
          detail: name === 'credit_bureau' ? expect.stringContaining('refused (409)') : 'disk full',
        });
        // every participant is told to abort — those that prepared undo it; the failed one forgets it
        const steps = await s.rn.store.sagaSteps(opId);
        expect(steps.map((x) => [x.participant, x.phase]).sort()).toEqual(
          ALL.map((n) => [n, 'aborted']).sort(),
        );
        const expectedLedger = Object.fromEntries(BUILTIN.map((n) => [n, 'aborted']));
        expect(await ledger(opId)).toEqual(expectedLedger);
        const account = (await s.call('GET', `/v1/accounts/${id}`)).body;
        expect(account.identity.status).toBe('verified');
        expect(account.grants.every((g: { active: boolean }) => g.active)).toBe(true);
        expect(account.history.revokedAt).toBeNull();
        expect(await secEvents(id)).toBe(0);
        // R-NOTIFY-2: the grants, only suspended while pending_recycle, answer active again
        expect(await introspect()).toBe(true);
        // the account can revoke again once the cause is gone
        faults.clear();
        externalRefuses = false;
        s.clock.advance(1000);
        const again = await startRevocation(s, id);
        expect((await finished(id, again)).state).toBe('revoked');
      } finally {
        externalRefuses = false;
      }
    },
  );

  it('R-REV-3 a participant that does not answer within its policy timeout compensates, with the timeout as the reason', async () => {
    faults.clear();
    faults.set('social', { prepare: 'hang' });
    const id = await revocableAccount(s, { grants: 1 });
    const opId = await startRevocation(s, id);
    const op = await finished(id, opId);
    expect(op.state).toBe('compensated');
    expect(op.timeline.at(-1).data).toMatchObject({
      reason: 'REVOCATION_PARTICIPANT_TIMEOUT',
      participant: 'social',
      timeoutMs: 150,
    });
    // the reason, in both languages, with what to do
    expect(op.reason).toEqual({
      code: 'REVOCATION_PARTICIPANT_TIMEOUT',
      message: {
        en: 'The social store did not answer within 150 ms; nothing was revoked and the real name is verified again.',
        'zh-CN': 'social 未在 150 毫秒内响应，撤销未生效，实名已恢复为已认证。',
      },
      remediation: { en: 'Try the revocation again later.', 'zh-CN': '请稍后重新发起撤销。' },
    });
    expect(op.saga.find((x: { participant: string }) => x.participant === 'social')).toMatchObject({
      phase: 'aborted',
    });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('verified');
  });

  it('R-REV-3 a commit that fails twice is retried until it takes; the step records its attempts', async () => {
    faults.clear();
    faults.set('payment', { commitFailures: 2 });
    const id = await revocableAccount(s);
    const opId = await startRevocation(s, id);
    expect((await finished(id, opId)).state).toBe('revoked');
    const payment = (await s.rn.store.sagaSteps(opId)).find((x) => x.participant === 'payment');
    expect(payment).toMatchObject({ phase: 'committed', attempts: 3 });
  });

  it('R-REV-3 a participant down after the decision leaves the revocation committing; the sweep finishes it once it is back', async () => {
    faults.clear();
    faults.set('merchant_platform', { commitDown: true });
    const id = await revocableAccount(s, { grants: 1 });
    const opId = await startRevocation(s, id);
    expect(await s.rn.services.saga.run(opId)).toBe('pending');
    let op = (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    expect(op).toMatchObject({ state: 'committing', deadlineKind: 'saga' });
    expect((await s.call('GET', `/v1/accounts/${id}`)).body.identity.status).toBe('pending_recycle');
    expect(await secEvents(id)).toBe(0);
    // not due before the lease ends
    expect((await s.rn.services.timers.sweep()).fired).toEqual([]);
    faults.clear();
    s.clock.advance(31_000);
    const swept = await s.rn.services.timers.sweep();
    expect(swept.fired).toEqual([{ operationId: opId, kind: 'realname.revoke', timer: 'saga' }]);
    op = (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    expect(op.state).toBe('revoked');
    expect(await secEvents(id)).toBe(1);
  });

  it('R-REV-4 a fund operation recorded while the participants prepare interrupts the revocation; the payment is kept', async () => {
    faults.clear();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    faults.set('payment', { prepare: { gate } });
    const id = await revocableAccount(s, { grants: 1 });
    const opId = await startRevocation(s, id);
    const running = s.rn.services.saga.run(opId);
    const paid = await s.call('POST', `/v1/accounts/${id}/transactions`, {
      body: { id: 'tx_during', kind: 'payment', amount: 12_3400, status: 'pending' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    open();
    expect(await running).toBe('compensated');
    const op = (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    expect(op.timeline.map((t: { state: string }) => t.state)).toEqual([
      'started',
      'pending_recycle',
      'compensating',
      'compensated',
    ]);
    expect(op.timeline.at(-1).data).toMatchObject({
      reason: 'REVOCATION_INTERRUPTED_BY_FUNDS',
      transactionId: 'tx_during',
    });
    expect(await ledger(opId)).toEqual(Object.fromEntries(BUILTIN.map((n) => [n, 'aborted'])));
    const account = (await s.call('GET', `/v1/accounts/${id}`)).body;
    expect(account.identity.status).toBe('verified');
    expect(account.wallet.pendingTransactions.map((t: { id: string }) => t.id)).toEqual(['tx_during']);
    expect(await secEvents(id)).toBe(0);
  });

  it('R-REV-3 two processes running one revocation at once take each transition once and write each notice once', async () => {
    faults.clear();
    const id = await revocableAccount(s, { grants: 2 });
    const opId = await startRevocation(s, id);
    // A second service on the same store stands for another process (its own connections and runs).
    const other = await startService(dialect, env, s.home, s.clock.now(), {
      participants: (defaults) => defaults.map(wrap),
      sagaRetryBaseMs: 5,
    });
    try {
      const outcomes = await Promise.all([s.rn.services.saga.run(opId), other.rn.services.saga.run(opId)]);
      expect(outcomes).toEqual(['revoked', 'revoked']);
    } finally {
      await other.stop(true);
    }
    const op = (await s.call('GET', `/v1/accounts/${id}/operations/${opId}`)).body;
    expect(op.timeline.map((t: { event: string }) => t.event)).toEqual([
      'started',
      'suspend_grants',
      'decide_commit',
      'commit',
    ]);
    expect(await ledger(opId)).toEqual(Object.fromEntries(BUILTIN.map((n) => [n, 'committed'])));
    expect(await secEvents(id)).toBe(2);
  });
});
