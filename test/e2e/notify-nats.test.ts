/**
 * The NATS JetStream relay of the outbox (REALNAME_NATS_URL), against the local NATS server
 * (`REALNAME_TEST_NATS_URL`, default nats://127.0.0.1:4222). Skipped, saying so, when none answers.
 * Every test uses a stream and subject prefix of its own, deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { demoIdNumber } from '../../src/adapters/cli/demo.js';
import { createNatsRelay } from '../../src/adapters/notify/nats.js';
import { dialects } from '../support/dialects.js';
import { startService, verifiedCode, type Service } from '../support/service.js';

const NATS_URL = process.env.REALNAME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const ISSUER = 'https://realname.test';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 4222), timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const natsUp = await reachable(NATS_URL);
if (!natsUp) console.warn(`NATS relay tests SKIPPED: no NATS server answers at ${NATS_URL}`);

interface Setup {
  s: Service;
  nc: NatsConnection;
  stream: string;
  prefix: string;
}

async function setup(dialect: 'sqlite' | 'postgres', cleanups: (() => Promise<void>)[]): Promise<Setup> {
  const suffix = randomBytes(5).toString('hex');
  const stream = `RNT_${suffix}`;
  const prefix = `rnt${suffix}`;
  const s = await startService(dialect, {
    REALNAME_ISSUER: ISSUER,
    REALNAME_NATS_URL: NATS_URL,
    REALNAME_NATS_STREAM: stream,
    REALNAME_NATS_SUBJECT: prefix,
  });
  cleanups.push(() => s.stop());
  const nc = await connect({ servers: NATS_URL });
  cleanups.push(async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });
  return { s, nc, stream, prefix };
}

async function busyAccount(s: Service, id: string, seq: number): Promise<void> {
  expect(
    (await s.call('POST', '/v1/apps', { body: { appId: 'app_n', name: 'N', developerId: 'dev_1' } })).status,
  ).toBe(201);
  await s.call('POST', '/v1/accounts', { body: { id, region: 'CN', phone: '+86 13912345678' } });
  await s.call('POST', `/v1/accounts/${id}/identity`, {
    body: { name: '欧阳娜娜', documentType: 'cn_id', documentNumber: demoIdNumber(seq, '19880808') },
  });
  await s.call('PUT', `/v1/accounts/${id}/grants/app_n`, {
    body: { appName: 'N', developerId: 'dev_1', active: true, grantedAt: s.clock.now() },
  });
  await s.call('PATCH', `/v1/accounts/${id}`, { body: { phone: '+86 13700001111' } });
  const r = await s.call('POST', `/v1/accounts/${id}/operations/deletion`, {
    body: { evidence: [{ kind: 'sms_code', ref: await verifiedCode(s, id, 'account.delete') }] },
  });
  expect(r.status).toBe(202);
}

async function streamMessages(nc: NatsConnection, stream: string, count: number): Promise<JsMsg[]> {
  const consumer = await jetstream(nc).consumers.get(stream);
  const out: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count, expires: 5_000 });
  for await (const m of batch) {
    out.push(m);
    if (out.length === count) break;
  }
  return out;
}

const outboxRows = (s: Service) => s.rn.store.db.selectFrom('outbox').selectAll().orderBy('id').execute();

describe.skipIf(!natsUp).each(dialects().map((d) => d.name))(
  `NATS JetStream relay on %s (${NATS_URL})`,
  (dialect) => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    it('R-NOTIFY-1 every outbox row reaches JetStream once, in order; SETs signed as on the webhook and without the account id; a republish is dropped by Nats-Msg-Id', async () => {
      const { s, nc, stream, prefix } = await setup(dialect, cleanups);
      await busyAccount(s, 'acc_nats', 1);
      const rows = await outboxRows(s);
      const topics = new Set(rows.map((r) => r.topic));
      expect(topics).toContain('secevent');
      expect(topics).toContain('account.deactivating');

      const relay = s.rn.notify.nats!;
      expect(await relay.runOnce()).toEqual({ published: rows.length, duplicates: 0, held: false });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(stream)).state.messages).toBe(rows.length);

      const jwks = createLocalJWKSet((await s.call('GET', '/.well-known/jwks.json')).body);
      const messages = await streamMessages(nc, stream, rows.length);
      expect(messages.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(
        rows.map((r) => `${r.topic}:${r.key}`),
      );
      for (const [i, m] of messages.entries()) {
        const row = rows[i]!;
        const body = m.json<Record<string, unknown>>();
        expect(body.id).toBe(Number(row.id));
        if (row.topic === 'secevent') {
          expect(m.subject).toBe(`${prefix}.secevent.app_n`);
          expect(body).not.toHaveProperty('accountId');
          expect(JSON.stringify(body)).not.toContain('acc_nats');
          const { payload } = await jwtVerify(body.set as string, jwks, {
            typ: 'secevent+jwt',
            issuer: ISSUER,
            audience: 'app_n',
          });
          expect(payload.jti).toBe(row.key);
        } else {
          expect(m.subject).toBe(`${prefix}.${row.topic}`);
          expect(body).toMatchObject({ topic: row.topic, key: row.key, accountId: row.account_id });
        }
      }

      // the cursor lost (reset to 0): everything is published again, and JetStream drops it all
      await s.rn.store.db.updateTable('relay_cursors').set({ last_id: 0 }).execute();
      expect(await relay.runOnce()).toEqual({ published: 0, duplicates: rows.length, held: false });
      expect((await jsm.streams.info(stream)).state.messages).toBe(rows.length);
      // the next event goes on from there; nothing before it again
      await s.call('PATCH', '/v1/accounts/acc_nats', { body: { email: 'n@example.com' } });
      await s.call('PATCH', '/v1/accounts/acc_nats', { body: { phone: '+86 13700002222' } });
      expect(await relay.runOnce()).toEqual({ published: 1, duplicates: 0, held: false });
      // independent from webhook delivery: the SETs are still undelivered for the push relay
      const pending = await s.rn.store.db
        .selectFrom('outbox')
        .select('delivered_at')
        .where('topic', '=', 'secevent')
        .execute();
      expect(pending.every((r) => r.delivered_at === null)).toBe(true);
    });

    it('R-NOTIFY-1 the cursor re-reads ids it passed while missing (a later commit fills them) and gives up on them after the grace; one process holds the cursor at a time', async () => {
      const { s, nc, stream, prefix } = await setup(dialect, cleanups);
      let wall = 1_000_000;
      const relay = createNatsRelay({
        url: NATS_URL,
        stream,
        subjectPrefix: prefix,
        store: s.rn.notify.store,
        keys: s.rn.notify.keys,
        issuer: ISSUER,
        gapGraceMs: 1_000,
        now: () => wall,
      });
      cleanups.push(() => relay.close());
      const insert = (id: number) =>
        sql`insert into outbox (id, topic, key, account_id, payload, created_at, attempts)
            values (${id}, 'test.gap', ${`k${id}`}, null, '{}', ${s.clock.now()}, 0)`.execute(s.rn.store.db);
      await insert(1);
      expect((await relay.runOnce()).published).toBe(1);

      // id 4 commits before 2 and 3: the cursor passes them and keeps them as gaps
      await insert(4);
      expect((await relay.runOnce()).published).toBe(1);
      const cursor = () =>
        s.rn.store.db
          .selectFrom('relay_cursors')
          .selectAll()
          .where('name', '=', 'nats')
          .executeTakeFirstOrThrow();
      expect(Number((await cursor()).last_id)).toBe(4);
      expect((JSON.parse((await cursor()).gaps) as { id: number }[]).map((g) => g.id)).toEqual([2, 3]);
      // 2 commits late: published at the next pass
      await insert(2);
      expect((await relay.runOnce()).published).toBe(1);
      // 3 never comes within the grace (1 s of wall clock): given up
      wall += 1_001;
      expect((await relay.runOnce()).published).toBe(0);
      expect(JSON.parse((await cursor()).gaps)).toEqual([]);
      await insert(3);
      expect((await relay.runOnce()).published).toBe(0);
      const msgs = await streamMessages(nc, stream, 3);
      expect(msgs.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual([
        'test.gap:k1',
        'test.gap:k4',
        'test.gap:k2',
      ]);

      // another process holds the cursor: this pass does nothing until the lease is released
      const held = await s.rn.notify.store.claimRelayCursor('nats', 'other-process', wall, wall + 60_000);
      expect(held).not.toBeNull();
      await insert(5);
      expect(await relay.runOnce()).toEqual({ published: 0, duplicates: 0, held: true });
      await s.rn.notify.store.saveRelayCursor('nats', 'other-process', held!);
      expect(await relay.runOnce()).toMatchObject({ published: 1, held: false });
    });
  },
);
