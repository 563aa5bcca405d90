/**
 * Optional relay of the outbox to NATS JetStream (REALNAME_NATS_URL), for platforms that consume
 * events from a stream instead of webhooks. Every outbox row — every topic — is published once, in
 * id order, to `<prefix>.<topic>`; a Security Event Token goes to `<prefix>.secevent.<appId>`
 * signed, exactly as its webhook would carry it. Each message's `Nats-Msg-Id` is `<topic>:<key>`,
 * so JetStream drops a republished row within its duplicate window.
 *
 * The relay keeps its own cursor (table `relay_cursors`), independent from webhook delivery. Ids
 * are handed out at insert but rows become visible at commit, so on PostgreSQL a later id can be
 * seen before an earlier one: ids the cursor passes while missing are kept as gaps and read again
 * on each pass for `gapGraceMs` (an uncommitted transaction may still fill them; a rolled-back one
 * never will). Several processes may run the relay: the cursor is leased to one at a time.
 *
 * A SET's stream message carries the signed token, its `jti` and the app id — never the account id
 * (an app may consume its own subject, and the account id is not its to know).
 */
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NotifyStore, RelayCursor, StoredOutboxEvent } from '../../core/ports.js';
import { parseNoticePayload, SECEVENT_TOPIC, setClaims } from '../../core/security-events.js';
import type { SetSigner, SigningKeys } from './keys.js';

export interface NatsRelayOptions {
  /** e.g. `nats://127.0.0.1:4222` (several servers comma-separated). */
  url: string;
  /** JetStream stream (created when missing), default `REALNAME`. */
  stream?: string;
  /** Subject prefix, default `realname`: the stream takes `<prefix>.>`. */
  subjectPrefix?: string;
  store: Pick<NotifyStore, 'outboxAfter' | 'claimRelayCursor' | 'saveRelayCursor' | 'app'>;
  keys: Pick<SigningKeys, 'signer'>;
  /** The SETs' `iss`. */
  issuer: string;
  /** Rows read at a time (default 200). */
  batch?: number;
  /** How long a missing id is waited for (default 5 minutes, wall clock). */
  gapGraceMs?: number;
  /** How long one pass holds the cursor (default 60 s, wall clock). */
  leaseMs?: number;
  /** The wall clock (leases and gaps coordinate processes, not business time). */
  now?: () => number;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface NatsPassResult {
  published: number;
  /** Rows JetStream already had (republished after a crash or a cursor reset). */
  duplicates: number;
  /** Another process held the cursor: this pass did nothing. */
  held: boolean;
}

export interface NatsRelay {
  runOnce(): Promise<NatsPassResult>;
  close(): Promise<void>;
}

/** The cursor's name in `relay_cursors`. */
export const NATS_CURSOR = 'nats';

const MAX_GAPS = 10_000;

/** A subject token: NATS separates tokens with `.` and reserves `*`, `>` and whitespace. */
function token(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/**
 * The subject of an outbox row.
 *
 * @example
 * natsSubject('realname', 'account.deactivating') // 'realname.account.deactivating'
 * natsSubject('realname', 'secevent', 'app_1')     // 'realname.secevent.app_1'
 */
export function natsSubject(prefix: string, topic: string, appId?: string): string {
  const parts = [prefix, ...topic.split('.').map(token)];
  if (appId !== undefined) parts.push(token(appId));
  return parts.join('.');
}

/**
 * @example
 * const relay = createNatsRelay({ url: 'nats://127.0.0.1:4222', store: notifyStore, keys, issuer });
 * await relay.runOnce(); // { published: 12, duplicates: 0, held: false }
 */
export function createNatsRelay(options: NatsRelayOptions): NatsRelay {
  const { store, keys, issuer } = options;
  const stream = options.stream ?? 'REALNAME';
  const prefix = options.subjectPrefix ?? 'realname';
  const batch = options.batch ?? 200;
  const gapGraceMs = options.gapGraceMs ?? 5 * 60_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const now = options.now ?? (() => Date.now());
  const owner = `nats-relay-${randomBytes(8).toString('hex')}`;
  let nc: NatsConnection | null = null;
  let js: JetStreamClient | null = null;

  async function client(): Promise<JetStreamClient> {
    if (nc && !nc.isClosed() && js) return js;
    nc = await connect({ servers: options.url.split(','), name: 'realname-outbox-relay', timeout: 5_000 });
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
      options.log?.info(`nats: created stream ${stream} (${prefix}.>)`);
    }
    js = jetstream(nc);
    return js;
  }

  async function message(
    row: StoredOutboxEvent,
    signer: () => Promise<SetSigner>,
  ): Promise<{ subject: string; body: string }> {
    if (row.topic !== SECEVENT_TOPIC) {
      return {
        subject: natsSubject(prefix, row.topic),
        body: JSON.stringify({
          id: row.id,
          topic: row.topic,
          key: row.key,
          accountId: row.accountId,
          createdAt: row.createdAt,
          payload: row.payload,
        }),
      };
    }
    const payload = parseNoticePayload(row.payload);
    if (!payload)
      return {
        subject: natsSubject(prefix, row.topic),
        body: JSON.stringify({ id: row.id, topic: row.topic, key: row.key, set: null }),
      };
    const app = await store.app(payload.appId);
    const claims = setClaims(payload, { issuer, subIdFormat: app?.subIdFormat ?? 'opaque' });
    const set = await (await signer()).sign(claims);
    return {
      subject: natsSubject(prefix, row.topic, payload.appId),
      body: JSON.stringify({ id: row.id, topic: row.topic, key: row.key, appId: payload.appId, set }),
    };
  }

  return {
    async runOnce() {
      const result: NatsPassResult = { published: 0, duplicates: 0, held: false };
      const start = now();
      const claimed = await store.claimRelayCursor(NATS_CURSOR, owner, start, start + leaseMs);
      if (!claimed) return { ...result, held: true };
      const cursor: RelayCursor = { lastId: claimed.lastId, gaps: [...claimed.gaps] };
      let signer: Promise<SetSigner> | null = null;
      const signerOnce = () => (signer ??= keys.signer());
      try {
        const client_ = await client();
        for (;;) {
          const gapIds = new Set(cursor.gaps.map((g) => g.id));
          const rows = await store.outboxAfter(cursor.lastId, [...gapIds], batch);
          let fresh = 0;
          for (const row of rows) {
            const { subject, body } = await message(row, signerOnce);
            const ack = await client_.publish(subject, body, { msgID: `${row.topic}:${row.key}` });
            if (ack.duplicate) result.duplicates++;
            else result.published++;
            if (gapIds.has(row.id)) {
              cursor.gaps = cursor.gaps.filter((g) => g.id !== row.id);
              continue;
            }
            fresh++;
            const seenAt = now();
            for (let missing = Math.max(cursor.lastId + 1, row.id - MAX_GAPS); missing < row.id; missing++)
              cursor.gaps.push({ id: missing, seenAt });
            cursor.lastId = row.id;
          }
          if (fresh < batch) break;
        }
      } finally {
        // What was published stays published, even when a later row failed.
        const expired = now() - gapGraceMs;
        cursor.gaps = cursor.gaps.filter((g) => g.seenAt >= expired).slice(-MAX_GAPS);
        await store.saveRelayCursor(NATS_CURSOR, owner, cursor);
      }
      return result;
    },

    async close() {
      const c = nc;
      nc = null;
      js = null;
      if (c && !c.isClosed()) await c.drain();
    },
  };
}
