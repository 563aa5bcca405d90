/**
 * Crash safety (issue 8 §3; SPEC §4 "nothing is lost: a crash at any point resumes or rolls back on
 * restart"). The built service runs as a real process (`node bin/realname.js serve`) with two
 * external participants behind the HTTP participant protocol, apps whose SET receiver verifies every
 * token against the JWKS, and the NATS relay. Eight clients drive a few hundred operations — credit,
 * debit and overseas card unbinds, deletions and their cancellations, revocations (some refused by
 * a participant, some interrupted by a payment, R-REV-4) — retrying through every failure with the
 * same Idempotency-Key, while the process is killed with SIGKILL at random moments (seeded) and
 * started again. Then time runs on (leases, backoff, the 60-day cooling-off) and the whole store is
 * checked:
 *
 * - every operation is in exactly one terminal state of its flow, reached once, last on its timeline;
 * - every acknowledged start (202) is in the store, and every replay answered what the first did;
 * - no limit was exceeded (R-CARD-2: 3 credit-card unbinds a day; R-CARD-3: 1 overseas card a week);
 * - the audit chain verifies;
 * - every outbox event was delivered at least once — each security event to its app's receiver
 *   (verified, deduplicable by `jti`), every row to JetStream (deduplicable by `Nats-Msg-Id`);
 * - no participant is left prepared, built-in (ledger) or external; each agrees with the outcome;
 * - the process logs hold none of the names, document numbers or phones used.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiParts } from '../../src/core/calendar.js';
import { DAY_MS } from '../../src/core/clock.js';
import { FLOWS } from '../../src/core/flows/index.js';
import { DEFAULT_POLICY } from '../../src/core/policy/index.js';
import type { OperationKind } from '../../src/core/model.js';
import { dialects } from '../support/dialects.js';
import { startFakeParticipant, type FakeParticipant } from '../support/fake-participant.js';
import { piiOf, scanForPii } from '../support/pii-scan.js';
import {
  ensureBuilt,
  freePort,
  processHome,
  startProcess,
  type ProcessHome,
  type ServiceProcess,
} from '../support/process.js';
import { rng, seedFromEnv } from '../support/random.js';
import { copiesByJti, startReceiver, type SetReceiver } from '../support/set-receiver.js';
import {
  person,
  RetryLater,
  verifiedAccount,
  verifiedChallenge,
  type Api,
  type Person,
} from '../support/workload.js';

const SEED = seedFromEnv('crash');
const KILLS = Number(process.env.REALNAME_CRASH_KILLS ?? 8);
const SECRET = 'crash-participant-secret-0123456789';
const NATS_URL = process.env.REALNAME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const UNBIND_ACCOUNTS = 24;
const DELETE_ACCOUNTS = 20;
const REVOKE_ACCOUNTS = 36;
const APPS = ['app_news', 'app_shop', 'app_game'];
const CLIENTS = 8;

async function natsReachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: NATS_URL, timeout: 2_000 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}
const natsUp = await natsReachable();
if (!natsUp)
  console.warn(`crash suite: no NATS at ${NATS_URL}; the JetStream part of the outbox check is skipped`);

type Intent =
  | { id: string; kind: 'unbind'; account: string; card: string; cardType: 'credit' | 'debit' | 'overseas' }
  | { id: string; kind: 'delete'; account: string }
  | { id: string; kind: 'cancel'; account: string; operation: string }
  | { id: string; kind: 'revoke'; account: string }
  | { id: string; kind: 'pay'; account: string };

/** The definitive answer a client got for an intent (after every retry). */
interface Outcome {
  intent: Intent;
  status: number;
  code: string | null;
  operationId: string | null;
  idempotencyKeys: string[];
  attempts: number;
}

/** The driver stops (and the gate holds it) while the process is down and until its clock is set. */
class Gate {
  #open = true;
  #waiters: (() => void)[] = [];
  close() {
    this.#open = false;
  }
  open() {
    this.#open = true;
    for (const w of this.#waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((r) => this.#waiters.push(r));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(dialects().map((d) => d.name))('crash safety on %s', (dialect) => {
  let home: ProcessHome;
  let dir: string;
  let logFile: string;
  let port: number;
  let proc: ServiceProcess;
  let receiver: SetReceiver;
  let bureau: FakeParticipant;
  let tax: FakeParticipant;
  const natsStream = `RNCRASH_${randomBytes(4).toString('hex').toUpperCase()}`;
  const natsPrefix = `rncrash_${randomBytes(4).toString('hex')}`;
  const gate = new Gate();
  /** The service's time is the wall clock moved by this much (set again after each restart). */
  let offsetMs = 0;
  const people: Person[] = [];
  const figures: Record<string, number | string> = {};

  function env(): Record<string, string> {
    return home.env({
      REALNAME_LOG_LEVEL: 'info',
      REALNAME_POLICY_FILE: join(dir, 'policy.json'),
      REALNAME_SAGA_LEASE_MS: '1000',
      REALNAME_HTTP_PARTICIPANTS: `bureau=${bureau.url},tax=${tax.url}`,
      REALNAME_PARTICIPANT_SECRET: SECRET,
      REALNAME_PUSH_BACKOFF_BASE_MS: '200',
      REALNAME_PUSH_BACKOFF_MAX_MS: '5000',
      REALNAME_PUSH_MAX_ATTEMPTS: '100',
      REALNAME_PUSH_TIMEOUT_MS: '2000',
      REALNAME_RATE_LIMIT: '1000000',
      ...(natsUp
        ? { REALNAME_NATS_URL: NATS_URL, REALNAME_NATS_STREAM: natsStream, REALNAME_NATS_SUBJECT: natsPrefix }
        : {}),
    });
  }

  /** Start (or restart) the process and put its clock where the run's time is. */
  async function boot(): Promise<void> {
    proc = await startProcess({ env: env(), port, logFile });
    const set = await proc.call('POST', '/v1/dev/clock', {
      body: { set: new Date(Date.now() + offsetMs).toISOString() },
    });
    if (set.status !== 200) throw new Error(`dev clock: ${set.status} ${JSON.stringify(set.body)}`);
  }

  let requests = 0;
  const api: Api = async (method, path, opts = {}) => {
    await gate.wait();
    requests++;
    return proc.call(method, path, { ...opts, timeoutMs: 20_000 });
  };

  async function advance(duration: string): Promise<void> {
    const r = await api('POST', '/v1/dev/clock', { body: { advance: duration } });
    if (r.status !== 200) throw new Error(`advance: ${r.status}`);
    offsetMs = Number(r.body.nowMs) - Date.now();
  }

  beforeAll(async () => {
    figures.build = ensureBuilt();
    home = await processHome(dialect);
    dir = mkdtempSync(join(tmpdir(), 'realname-crash-'));
    logFile = join(dir, 'service.log');
    // Short participant timeouts, and a code may be asked for again at once (a restart loses the
    // development verifier's memory of the code it "sent").
    writeFileSync(
      join(dir, 'policy.json'),
      JSON.stringify({
        ...DEFAULT_POLICY,
        defaults: {
          ...DEFAULT_POLICY.defaults,
          revoke: { ...DEFAULT_POLICY.defaults.revoke, participantTimeoutMs: 3_000 },
          verification: { ...DEFAULT_POLICY.defaults.verification, resendCooldownSeconds: 0 },
        },
      }),
    );
    bureau = await startFakeParticipant('bureau', SECRET);
    tax = await startFakeParticipant('tax', SECRET);
    port = await freePort();
    receiver = await startReceiver({
      jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      issuer: `http://localhost:${port}`,
    });
    // The run's time: the next noon in Shanghai, away from the night and maintenance windows.
    const now = Date.now();
    const civil = shanghaiParts(now);
    offsetMs = ((12 - civil.hour + 24) % 24) * 3_600_000 - civil.minute * 60_000 + DAY_MS;
    await boot();
  });

  afterAll(async () => {
    await proc?.stop();
    await receiver?.close();
    await bureau?.close();
    await tax?.close();
    if (natsUp) {
      const nc = await connect({ servers: NATS_URL });
      await (await jetstreamManager(nc)).streams.delete(natsStream).catch(() => undefined);
      await nc.close();
    }
    await home?.remove();
    rmSync(dir, { recursive: true, force: true });
    console.log(`crash suite on ${dialect} (seed ${SEED}): ${JSON.stringify(figures)}`);
  });

  it('R-REV-3 R-CARD-2 R-CARD-3 R-NOTIFY-1 killed with SIGKILL at random moments, the service loses nothing and every invariant holds', async () => {
    const started = performance.now();
    const random = rng(SEED);
    const nowOf = () => Date.now() + offsetMs;

    // ── The population, through the API
    for (const app of APPS) {
      const r = await api('POST', '/v1/apps', {
        body: { appId: app, name: app, developerId: 'dev_1', receiverUrl: receiver.url(app) },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const intents: Intent[] = [];
    let seq = 0;
    const nextPerson = () => {
      const p = person(people.length, dialect === 'postgres' ? 1 : 0);
      people.push(p);
      return p;
    };
    for (let i = 0; i < UNBIND_ACCOUNTS; i++) {
      const id = `acc_unbind_${i}`;
      const cards = [
        ...[1, 2, 3, 4, 5].map((n) => ({ id: `credit_${n}`, type: 'credit' as const })),
        { id: 'debit_1', type: 'debit' as const },
        { id: 'debit_2', type: 'debit' as const },
        { id: 'overseas_1', type: 'overseas' as const },
        { id: 'overseas_2', type: 'overseas' as const },
      ];
      await verifiedAccount(api, { id, person: nextPerson(), cards, grants: [APPS[0]!], now: nowOf() });
      for (const c of cards)
        intents.push({ id: `i${++seq}`, kind: 'unbind', account: id, card: c.id, cardType: c.type });
    }
    for (let i = 0; i < DELETE_ACCOUNTS; i++) {
      const id = `acc_delete_${i}`;
      await verifiedAccount(api, {
        id,
        person: nextPerson(),
        grants: APPS.slice(0, 1 + (i % 3)),
        now: nowOf(),
      });
      intents.push({ id: `i${++seq}`, kind: 'delete', account: id });
    }
    for (let i = 0; i < REVOKE_ACCOUNTS; i++) {
      const id = `acc_revoke_${i}`;
      await verifiedAccount(api, {
        id,
        person: nextPerson(),
        cards: [{ id: 'debit_1', type: 'debit' }],
        grants: APPS.slice(0, 1 + (i % 3)),
        now: nowOf(),
      });
      intents.push({ id: `i${++seq}`, kind: 'revoke', account: id });
    }
    // The bureau refuses a quarter of the revocations (R-REV-3 compensation); the tax office is slow now and then.
    const refusedBy = new Set(
      Array.from({ length: REVOKE_ACCOUNTS }, (_, i) => `acc_revoke_${i}`).filter((_, i) => i % 4 === 1),
    );
    bureau.behave((phase, body) => (phase === 'prepare' && refusedBy.has(body.accountId) ? 'refuse' : 'ok'));
    const slow = rng(SEED + 1);
    tax.behave(() => (slow() < 0.2 ? { delayMs: 150 } : 'ok'));
    for (let i = intents.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [intents[i], intents[j]] = [intents[j]!, intents[i]!];
    }
    figures.setupSeconds = Math.round((performance.now() - started) / 100) / 10;

    // ── The clients: each intent retried through every failure until it has a definitive answer
    const outcomes: Outcome[] = [];
    let networkErrors = 0;
    let abandonedClaims = 0;

    async function attemptOnce(intent: Intent, keys: string[]): Promise<Outcome | null> {
      const path = `/v1/accounts/${intent.account}`;
      let body: unknown;
      let url: string;
      if (intent.kind === 'unbind') {
        const ref = await verifiedChallenge(api, intent.account, 'card.unbind', { cardId: intent.card });
        url = `${path}/operations/card-unbind`;
        body = { cardId: intent.card, evidence: [{ kind: 'reserved_phone_code', ref }] };
      } else if (intent.kind === 'delete') {
        const ref = await verifiedChallenge(api, intent.account, 'account.delete');
        url = `${path}/operations/deletion`;
        body = { evidence: [{ kind: 'sms_code', ref }] };
      } else if (intent.kind === 'revoke') {
        const ref = await verifiedChallenge(api, intent.account, 'realname.revoke');
        url = `${path}/operations/realname-revoke`;
        body = { deviceId: 'dev_primary', evidence: [{ kind: 'sms_code', ref }] };
      } else if (intent.kind === 'cancel') {
        url = `${path}/operations/${intent.operation}/cancel`;
        body = {};
      } else {
        url = `${path}/transactions`;
        body = { id: `pay_${intent.id}`, kind: 'payment', amount: 10_000, status: 'completed' };
      }
      // The start itself: the same key (and body) until it has an answer.
      const key = `${intent.id}-${keys.length + 1}`;
      keys.push(key);
      let inProgress = 0;
      for (let tries = 0; tries < 400; tries++) {
        let r: Awaited<ReturnType<Api>>;
        try {
          r = await api('POST', url, { body, headers: { 'idempotency-key': key } });
        } catch {
          networkErrors++;
          await sleep(100);
          continue;
        }
        if (r.status === 409 && r.body?.code === 'IDEMPOTENCY_IN_PROGRESS') {
          // The first attempt's process may have died holding the claim: like a client that waits
          // the claim's lease out (60 s), move the service's time past it instead of waiting.
          if (++inProgress % 15 === 0) {
            abandonedClaims++;
            await advance('PT61S').catch(() => undefined);
          }
          await sleep(100);
          continue;
        }
        if (r.status >= 500) throw new Error(`${url}: ${r.status} ${JSON.stringify(r.body)}`);
        return {
          intent,
          status: r.status,
          code: r.status >= 400 ? (r.body?.code ?? null) : null,
          operationId:
            r.status === 202 || (intent.kind === 'cancel' && r.status === 200) ? (r.body?.id ?? null) : null,
          idempotencyKeys: keys,
          attempts: keys.length,
        };
      }
      return {
        intent,
        status: 0,
        code: 'STUCK',
        operationId: null,
        idempotencyKeys: keys,
        attempts: keys.length,
      };
    }

    async function settle(intent: Intent): Promise<Outcome> {
      const keys: string[] = [];
      for (;;) {
        try {
          const o = await attemptOnce(intent, keys);
          if (o) return o;
        } catch (error) {
          // The process went away mid-way, or a code was lost with it: begin this intent again.
          if (
            !(error instanceof RetryLater) &&
            !(error instanceof TypeError) &&
            !String(error).includes('abort')
          )
            throw error;
          networkErrors++;
          await sleep(100);
        }
      }
    }

    let pending = [...intents];
    let driving = true;
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (let intent = pending.shift(); intent; intent = pending.shift()) {
        const o = await settle(intent);
        outcomes.push(o);
        // Follow-ups: a third of the deletions are cancelled; a quarter of the revocations meet a payment (R-REV-4).
        if (o.status === 202 && intent.kind === 'delete' && random() < 0.35)
          pending.push({
            id: `i${++seq}`,
            kind: 'cancel',
            account: intent.account,
            operation: o.operationId!,
          });
        if (o.status === 202 && intent.kind === 'revoke' && random() < 0.25)
          pending.push({ id: `i${++seq}`, kind: 'pay', account: intent.account });
      }
    });

    // ── The killer: SIGKILL at random moments, restart on the same store and port
    const killTimes: number[] = [];
    let killsWhileDriving = 0;
    const killer = (async () => {
      while (killTimes.length < KILLS) {
        await sleep(250 + random() * 750);
        gate.close();
        await proc.kill();
        killTimes.push(performance.now());
        if (driving) killsWhileDriving++;
        await boot();
        gate.open();
        if (!driving && killTimes.length >= KILLS) break;
      }
    })();
    await Promise.all(clients);
    driving = false;
    figures.driveSeconds =
      Math.round(((performance.now() - started) / 1000 - Number(figures.setupSeconds)) * 10) / 10;
    await killer;
    pending = [];

    // ── Time runs on: leases pass, sagas resume, backoff elapses; then the 60-day cooling-off ends.
    let coolingOffEnded = false;
    const nonTerminal = async () =>
      (
        await home.query<{ n: number }>(
          `select count(*) as n from operations where outcome is null${coolingOffEnded ? '' : " and state <> 'cooling_off'"}`,
        )
      )[0]!.n;
    const undelivered = async () =>
      Number(
        (
          await home.query<{ n: number }>(
            "select count(*) as n from outbox where topic = 'secevent' and delivered_at is null",
          )
        )[0]!.n,
      );
    const natsBehind = async () => {
      if (!natsUp) return 0;
      const max = (await home.query<{ m: number | null }>('select max(id) as m from outbox'))[0]!.m;
      const cur = (
        await home.query<{ last_id: number }>("select last_id from relay_cursors where name = 'nats'")
      )[0];
      return Number(max ?? 0) - Number(cur?.last_id ?? 0);
    };
    // The JetStream relay's cursor is leased for 60 s of wall-clock time: a process killed in the
    // middle of a pass holds it that long. It is waited for last, while the cooling-off ends.
    async function settleDown(what: string, withNats: boolean): Promise<void> {
      for (let i = 0; ; i++) {
        const left = {
          ops: Number(await nonTerminal()),
          events: await undelivered(),
          nats: withNats ? await natsBehind() : 0,
        };
        if (left.ops === 0 && left.events === 0 && left.nats === 0) return;
        if (process.env.REALNAME_RELIABILITY_VERBOSE) console.log(what, i, left);
        if (i > 180) throw new Error(`${what}: still ${JSON.stringify(left)} after 3 minutes`);
        await advance('PT1M');
        await sleep(1_000);
      }
    }
    await settleDown('after the kills', false);
    await advance('P61D');
    coolingOffEnded = true;
    await settleDown('after the cooling-off', true);
    figures.totalSeconds = Math.round((performance.now() - started) / 100) / 10;

    // ── Invariants
    const acked = outcomes.filter(
      (o) => o.operationId !== null && o.intent.kind !== 'cancel' && o.intent.kind !== 'pay',
    );
    figures.intents = outcomes.length;
    figures.operationsAcknowledged = acked.length;
    figures.refused = outcomes.filter((o) => o.status >= 400).length;
    figures.kills = killTimes.length;
    figures.killsWhileDriving = killsWhileDriving;
    figures.requests = requests;
    figures.abandonedClaimsTakenOver = abandonedClaims;
    figures.networkErrors = networkErrors;
    expect(
      outcomes.filter((o) => o.code === 'STUCK'),
      'clients that never got an answer',
    ).toEqual([]);
    expect(killTimes.length).toBe(KILLS);

    const ops = await home.query<{
      id: string;
      account_id: string;
      kind: string;
      state: string;
      outcome: string | null;
      idempotency_key: string | null;
      created_at: number;
    }>('select id, account_id, kind, state, outcome, idempotency_key, created_at from operations');
    const timeline = await home.query<{ operation_id: string; state: string; event: string; id: number }>(
      'select operation_id, state, event, id from operation_timeline order by id',
    );
    figures.operations = ops.length;
    const byOp = new Map<string, { state: string; event: string }[]>();
    for (const t of timeline)
      (byOp.get(t.operation_id) ?? byOp.set(t.operation_id, []).get(t.operation_id)!).push(t);

    // 1. Every operation in exactly one terminal state, reached once and last.
    const notTerminal: string[] = [];
    for (const op of ops) {
      const terminal = FLOWS[op.kind as OperationKind].terminal;
      const entries = byOp.get(op.id) ?? [];
      const terminalEntries = entries.filter((e) => e.state in terminal);
      if (
        !(op.state in terminal) ||
        op.outcome !== terminal[op.state] ||
        terminalEntries.length !== 1 ||
        entries.at(-1)?.state !== op.state
      )
        notTerminal.push(
          `${op.id} ${op.kind} ${op.state}/${op.outcome}: ${entries.map((e) => `${e.event}→${e.state}`).join(', ')}`,
        );
    }
    expect(notTerminal, 'operations not in exactly one terminal state').toEqual([]);

    // 2. Every acknowledged start is in the store; every operation the clients started answered them with its id.
    const ids = new Set(ops.map((o) => o.id));
    expect(
      acked.filter((o) => !ids.has(o.operationId!)).map((o) => o.operationId),
      'acknowledged operations lost',
    ).toEqual([]);
    const answerByKey = new Map(outcomes.flatMap((o) => o.idempotencyKeys.map((k) => [k, o] as const)));
    const unanswered = ops.filter((op) => {
      if (!op.idempotency_key) return false;
      const o = answerByKey.get(op.idempotency_key);
      return o !== undefined && o.operationId !== op.id;
    });
    expect(
      unanswered.map(
        (op) =>
          `${op.id} (${op.kind}, key ${op.idempotency_key}) answered ${answerByKey.get(op.idempotency_key!)?.status} ${answerByKey.get(op.idempotency_key!)?.code}`,
      ),
      'operations whose start was answered otherwise (a replay must return the first result)',
    ).toEqual([]);

    // 3. Limits: R-CARD-2 three credit cards a Shanghai day, R-CARD-3 one overseas card in 7 days.
    const unbinds = await home.query<{ account_id: string; request: string; created_at: number }>(
      "select account_id, request, created_at from operations where kind = 'card.unbind' and outcome = 'completed'",
    );
    const perDay = new Map<string, number>();
    const overseas = new Map<string, number[]>();
    for (const u of unbinds) {
      const card = (JSON.parse(u.request) as { cardId: string }).cardId;
      const c = shanghaiParts(Number(u.created_at));
      if (card.startsWith('credit')) {
        const k = `${u.account_id} ${c.year}-${c.month}-${c.day}`;
        perDay.set(k, (perDay.get(k) ?? 0) + 1);
      }
      if (card.startsWith('overseas'))
        (overseas.get(u.account_id) ?? overseas.set(u.account_id, []).get(u.account_id)!).push(
          Number(u.created_at),
        );
    }
    expect(
      [...perDay].filter(([, n]) => n > 3),
      'R-CARD-2 more than 3 credit unbinds a day',
    ).toEqual([]);
    expect(
      [...perDay.values()].filter((n) => n === 3).length,
      'the credit limit was reached on most accounts',
    ).toBeGreaterThan(UNBIND_ACCOUNTS / 2);
    for (const [account, times] of overseas) {
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++)
        expect(
          times[i]! - times[i - 1]!,
          `R-CARD-3 ${account}: two overseas unbinds within 7 days`,
        ).toBeGreaterThanOrEqual(7 * DAY_MS);
    }
    figures.unbindsCompleted = unbinds.length;

    // 4. The audit chain verifies.
    const audit = await api('GET', '/v1/audit/verify');
    expect(audit.body, 'audit chain').toMatchObject({ ok: true });
    figures.auditRecords = audit.body.count as number;

    // 5. Every outbox event delivered at least once, deduplicable.
    const outbox = await home.query<{
      id: number;
      topic: string;
      key: string;
      delivered_at: number | null;
      dead_at: number | null;
    }>('select id, topic, key, delivered_at, dead_at from outbox order by id');
    const secevents = outbox.filter((r) => r.topic === 'secevent');
    expect(
      secevents.filter((r) => r.delivered_at === null || r.dead_at !== null).map((r) => r.key),
      'security events not delivered',
    ).toEqual([]);
    const receivedByJti = copiesByJti(receiver.accepted);
    expect(
      secevents.filter((r) => !receivedByJti.has(r.key)).map((r) => r.key),
      'events the receiver never accepted',
    ).toEqual([]);
    for (const [jti, copies] of receivedByJti)
      expect(new Set(copies).size, `the copies of ${jti} differ: not deduplicable`).toBe(1);
    expect(
      receiver.rejected.filter((r) => !/fetch|JWKS|ECONNREFUSED|timed out|network|socket/i.test(r.reason)),
      'tokens the receiver refused',
    ).toEqual([]);
    figures.securityEvents = secevents.length;
    figures.receiverRejections = receiver.rejected.length;
    figures.securityEventCopies = receiver.accepted.length;
    figures.outboxRows = outbox.length;
    if (natsUp) {
      const nc = await connect({ servers: NATS_URL });
      try {
        const info = await (await jetstreamManager(nc)).streams.info(natsStream);
        // JetStream dropped every republished row (Nats-Msg-Id = topic:key): one message per row.
        expect(info.state.messages, 'JetStream messages = outbox rows').toBe(outbox.length);
        figures.natsMessages = info.state.messages;
      } finally {
        await nc.close();
      }
    }

    // 6. No participant left prepared; each agrees with the outcome of its revocation.
    const ledger = await home.query<{ participant: string; operation_id: string; phase: string }>(
      'select participant, operation_id, phase from participant_ledger',
    );
    expect(
      ledger.filter((l) => l.phase === 'prepared'),
      'built-in participants left prepared',
    ).toEqual([]);
    const revocations = ops.filter((o) => o.kind === 'realname.revoke');
    const disagree: string[] = [];
    for (const op of revocations) {
      const want = op.state === 'revoked' ? 'committed' : 'aborted';
      for (const l of ledger.filter((x) => x.operation_id === op.id))
        if (l.phase !== want) disagree.push(`${op.id} ${op.state}: ${l.participant} ${l.phase}`);
      for (const fake of [bureau, tax]) {
        const rec = fake.records.get(op.id);
        if (op.state === 'revoked' ? rec !== 'committed' : rec === 'prepared' || rec === 'committed')
          disagree.push(`${op.id} ${op.state}: ${fake.name} ${rec ?? 'never called'}`);
      }
    }
    expect(disagree, 'participants that disagree with the outcome').toEqual([]);
    expect([...bureau.violations, ...tax.violations], 'participant protocol violations').toEqual([]);
    figures.revoked = revocations.filter((o) => o.state === 'revoked').length;
    figures.compensated = revocations.filter((o) => o.state === 'compensated').length;
    figures.purged = ops.filter((o) => o.state === 'purged').length;
    figures.cancelled = ops.filter((o) => o.state === 'cancelled').length;
    expect(figures.revoked).toBeGreaterThan(0);
    expect(figures.compensated).toBeGreaterThan(0);
    expect(figures.purged).toBeGreaterThan(0);

    // 7. The identities agree with the operations.
    const identities = await home.query<{ account_id: string; status: string }>(
      'select account_id, status from identities',
    );
    const identityOf = new Map(identities.map((i) => [i.account_id, i.status]));
    for (const op of revocations)
      expect(identityOf.get(op.account_id), `${op.account_id} after ${op.state}`).toBe(
        op.state === 'revoked' ? 'revoked' : 'verified',
      );
    for (const op of ops.filter((o) => o.state === 'purged'))
      expect(identityOf.has(op.account_id)).toBe(false);

    // 8. No personal data in the logs of every process of the run.
    const log = readFileSync(logFile, 'utf8');
    const hits = scanForPii(log, piiOf(people));
    expect(hits, 'PII in the service log').toEqual([]);
    figures.logLines = log.split('\n').length;
  });
});
