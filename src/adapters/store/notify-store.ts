/**
 * The `NotifyStore` port (core/ports.ts) over the store's database (R-NOTIFY-1/2): registered apps,
 * the SET signing keys (private parts sealed at rest), grant tokens for introspection, and what the
 * outbox relays need — claiming due events with a lease, dead letters, and cursors.
 *
 * Its own module rather than more of kysely-store.ts: nothing here runs inside an account's
 * transaction (a notice enters the outbox through `AccountTx.outbox`), so every method is one short
 * transaction of its own. Do not call these from inside `withAccount` (on SQLite the one connection
 * is held by the account's transaction).
 */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AccountStatus, Grant, IdentityStatus } from '../../core/model.js';
import type {
  AppPatch,
  AppRecord,
  DeadLetter,
  GrantTokenRecord,
  GrantTokenState,
  NotifyStore,
  RelayCursor,
  SigningKeyRecord,
  StoredOutboxEvent,
} from '../../core/ports.js';
import { MasterKey, unwrapDataKey, wrapDataKey } from './crypto.js';
import type { Dialect } from './ddl.js';
import type { KyselyStore } from './kysely-store.js';
import {
  isSet,
  toNullableNumber,
  toNumber,
  type AppsTable,
  type Database,
  type OutboxTable,
  type SigningKeysTable,
} from './schema.js';

/**
 * The key that seals signing keys: derived from the master key for this one purpose, so a sealed
 * signing key can never be opened as an account's data key (nor the reverse), whatever its kid.
 */
function signingKeyMaster(master: MasterKey): MasterKey {
  return new MasterKey(createHmac('sha256', master.bytes()).update('realname/signing-keys/v1').digest());
}

function toApp(r: Selectable<AppsTable>): AppRecord {
  return {
    appId: r.app_id,
    name: r.name,
    developerId: r.developer_id,
    receiverUrl: r.receiver_url,
    subIdFormat: r.sub_id_format === 'iss_sub' ? 'iss_sub' : 'opaque',
    createdAt: toNumber(r.created_at),
    updatedAt: toNumber(r.updated_at),
  };
}

function toEvent(r: Selectable<OutboxTable>): StoredOutboxEvent {
  return {
    id: toNumber(r.id),
    topic: r.topic,
    key: r.key,
    accountId: r.account_id,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: toNumber(r.created_at),
    attempts: r.attempts,
    deliveredAt: toNullableNumber(r.delivered_at),
  };
}

export interface NotifyStoreOptions {
  /** The store whose database this works on (its outbox delivery methods are reused). */
  store: KyselyStore;
  masterKey: MasterKey;
}

/**
 * @example
 * const notifyStore = createNotifyStore({ store, masterKey });
 * await notifyStore.createApp({ appId: 'app_1', name: 'Mini Shop', developerId: 'dev_1', receiverUrl: null, subIdFormat: 'opaque', createdAt: now, updatedAt: now });
 */
export function createNotifyStore(options: NotifyStoreOptions): NotifyStore {
  const { store } = options;
  const db: Kysely<Database> = store.db;
  const dialect: Dialect = store.dialect;
  const sealer = signingKeyMaster(options.masterKey);

  /** One write transaction: SQLite takes the write lock up front (BEGIN IMMEDIATE), as the store does. */
  async function write<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (dialect === 'postgres') return db.transaction().execute(fn);
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw error;
      }
    });
  }

  function toKey(r: Selectable<SigningKeysTable>): SigningKeyRecord {
    const opened = unwrapDataKey(sealer, r.kid, r.private_sealed);
    try {
      return {
        kid: r.kid,
        alg: 'ES256',
        publicJwk: JSON.parse(r.public_jwk) as Record<string, string>,
        privateJwk: JSON.parse(opened.toString('utf8')) as Record<string, string>,
        createdAt: toNumber(r.created_at),
        retiredAt: toNullableNumber(r.retired_at),
      };
    } finally {
      opened.fill(0);
    }
  }

  const self: NotifyStore = {
    async createApp(app) {
      const res = await db
        .insertInto('apps')
        .values({
          app_id: app.appId,
          name: app.name,
          developer_id: app.developerId,
          receiver_url: app.receiverUrl,
          sub_id_format: app.subIdFormat,
          created_at: app.createdAt,
          updated_at: app.updatedAt,
        })
        .onConflict((oc) => oc.column('app_id').doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async updateApp(appId: string, patch: AppPatch, at: number) {
      return write(async (trx) => {
        const set: Updateable<AppsTable> = { updated_at: at };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.developerId !== undefined) set.developer_id = patch.developerId;
        if (patch.receiverUrl !== undefined) set.receiver_url = patch.receiverUrl;
        if (patch.subIdFormat !== undefined) set.sub_id_format = patch.subIdFormat;
        await trx.updateTable('apps').set(set).where('app_id', '=', appId).execute();
        const row = await trx.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
        return row ? toApp(row) : null;
      });
    },

    async app(appId) {
      const row = await db.selectFrom('apps').selectAll().where('app_id', '=', appId).executeTakeFirst();
      return row ? toApp(row) : null;
    },

    async apps(page) {
      let q = db.selectFrom('apps').selectAll();
      if (page.after) q = q.where('app_id', '>', page.after);
      return (await q.orderBy('app_id').limit(page.limit).execute()).map(toApp);
    },

    async signingKeys(retiredSince) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('state', '=', 'current'), eb('retired_at', '>=', retiredSince)]))
        // The current key first ('current' < 'retired'), then the most recently retired.
        .orderBy('state')
        .orderBy('retired_at', 'desc')
        .orderBy('kid')
        .execute();
      return rows.map(toKey);
    },

    async currentSigningKey() {
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('state', '=', 'current')
        .executeTakeFirst();
      return row ? toKey(row) : null;
    },

    async addSigningKey(key, opts = {}) {
      const sealed = wrapDataKey(sealer, key.kid, Buffer.from(JSON.stringify(key.privateJwk), 'utf8'));
      try {
        return await write(async (trx) => {
          let q = trx.selectFrom('signing_keys').select('kid').where('state', '=', 'current');
          if (dialect === 'postgres') q = q.forUpdate();
          const current = await q.executeTakeFirst();
          if (current && opts.onlyIfNone) return { added: false, retired: null };
          if (current)
            await trx
              .updateTable('signing_keys')
              .set({ state: 'retired', retired_at: key.createdAt })
              .where('kid', '=', current.kid)
              .execute();
          await trx
            .insertInto('signing_keys')
            .values({
              kid: key.kid,
              alg: key.alg,
              state: 'current',
              public_jwk: JSON.stringify(key.publicJwk),
              private_sealed: sealed,
              created_at: key.createdAt,
              retired_at: null,
            })
            .execute();
          return { added: true, retired: current?.kid ?? null };
        });
      } catch (error) {
        // Two first starts at once on PostgreSQL: both saw no current key; the unique index let
        // one of them in. The other one's key is not needed.
        if (opts.onlyIfNone && (await self.currentSigningKey()) !== null)
          return { added: false, retired: null };
        throw error;
      }
    },

    async createGrantToken(token: GrantTokenRecord) {
      await db
        .insertInto('grant_tokens')
        .values({
          token_hash: token.hash,
          account_id: token.accountId,
          app_id: token.appId,
          issued_at: token.issuedAt,
          expires_at: token.expiresAt,
        })
        .execute();
    },

    async grantTokenState(hash): Promise<GrantTokenState | null> {
      const row = await db
        .selectFrom('grant_tokens')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return null;
      const token: GrantTokenRecord = {
        hash: row.token_hash,
        accountId: row.account_id,
        appId: row.app_id,
        issuedAt: toNumber(row.issued_at),
        expiresAt: toNumber(row.expires_at),
      };
      const state = await self.grantState(token.accountId, token.appId);
      if (!state) return null;
      return {
        token,
        grant: state.grant
          ? { active: state.grant.active, openId: state.grant.openId, grantedAt: state.grant.grantedAt }
          : null,
        accountStatus: state.accountStatus,
        identityStatus: state.identityStatus,
      };
    },

    async grantState(accountId, appId) {
      const [account, identity, grant] = await Promise.all([
        db.selectFrom('accounts').select('status').where('id', '=', accountId).executeTakeFirst(),
        db.selectFrom('identities').select('status').where('account_id', '=', accountId).executeTakeFirst(),
        db
          .selectFrom('grants')
          .selectAll()
          .where('account_id', '=', accountId)
          .where('id', '=', appId)
          .executeTakeFirst(),
      ]);
      if (!account) return null;
      const g: Grant | null = grant
        ? {
            appId: grant.id,
            appName: grant.app_name,
            developerId: grant.developer_id,
            openId: grant.open_id,
            unionId: grant.union_id,
            active: isSet(grant.active),
            grantedAt: toNumber(grant.granted_at),
          }
        : null;
      return {
        grant: g,
        accountStatus: account.status as AccountStatus,
        identityStatus: (identity?.status as IdentityStatus | undefined) ?? null,
      };
    },

    async claimOutbox({ topic, now, leaseUntil, limit }) {
      return write(async (trx) => {
        let q = trx
          .selectFrom('outbox')
          .select('id')
          .where('topic', '=', topic)
          .where('delivered_at', 'is', null)
          .where('dead_at', 'is', null)
          .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
          .orderBy('id')
          .limit(limit);
        // Several relays (processes) on PostgreSQL: each takes rows no other one is taking.
        if (dialect === 'postgres') q = q.forUpdate().skipLocked();
        const ids = (await q.execute()).map((r) => toNumber(r.id));
        if (ids.length === 0) return [];
        const rows = await trx
          .updateTable('outbox')
          .set({ next_attempt_at: leaseUntil })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        return rows.map(toEvent).sort((a, b) => a.id - b.id);
      });
    },

    markOutboxDelivered: (id, at) => store.markOutboxDelivered(id, at),
    recordOutboxFailure: (id, failure) => store.recordOutboxFailure(id, failure),

    async deadLetterOutbox(id, failure) {
      await db
        .updateTable('outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: failure.error.slice(0, 2_000),
          dead_at: failure.at,
          next_attempt_at: null,
        }))
        .where('id', '=', id)
        .where('delivered_at', 'is', null)
        .execute();
    },

    async deadLetters(page): Promise<DeadLetter[]> {
      let q = db.selectFrom('outbox').selectAll().where('dead_at', 'is not', null);
      if (page.topic !== undefined) q = q.where('topic', '=', page.topic);
      if (page.after !== undefined && page.after !== null) q = q.where('id', '>', page.after);
      const rows = await q.orderBy('id').limit(page.limit).execute();
      return rows.map((r) => ({
        ...toEvent(r),
        deadAt: toNumber(r.dead_at as number | string | bigint),
        lastError: r.last_error,
      }));
    },

    async requeueDeadLetters(error, at) {
      const res = await write((trx) =>
        trx
          .updateTable('outbox')
          .set({ dead_at: null, attempts: 0, next_attempt_at: at, last_error: null })
          .where('dead_at', 'is not', null)
          .where('delivered_at', 'is', null)
          .where('last_error', '=', error)
          .executeTakeFirst(),
      );
      return Number(res.numUpdatedRows);
    },

    async retryOutbox(id, at) {
      return write(async (trx) => {
        const row = await trx
          .selectFrom('outbox')
          .select(['delivered_at'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return 'missing' as const;
        if (row.delivered_at !== null) return 'delivered' as const;
        await trx
          .updateTable('outbox')
          .set({ dead_at: null, attempts: 0, next_attempt_at: at, last_error: null })
          .where('id', '=', id)
          .execute();
        return 'retried' as const;
      });
    },

    async outboxAfter(afterId, ids, limit) {
      const after = await db
        .selectFrom('outbox')
        .selectAll()
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      const filled =
        ids.length > 0
          ? await db
              .selectFrom('outbox')
              .selectAll()
              .where('id', 'in', [...ids])
              .execute()
          : [];
      return [...filled, ...after].map(toEvent).sort((a, b) => a.id - b.id);
    },

    async claimRelayCursor(name, owner, now, leaseUntil) {
      return write(async (trx) => {
        let q = trx.selectFrom('relay_cursors').selectAll().where('name', '=', name);
        if (dialect === 'postgres') q = q.forUpdate();
        const row = await q.executeTakeFirst();
        if (!row) {
          await trx
            .insertInto('relay_cursors')
            .values({ name, last_id: 0, gaps: '[]', lease_owner: owner, lease_until: leaseUntil })
            .onConflict((oc) => oc.column('name').doNothing())
            .execute();
          return { lastId: 0, gaps: [] };
        }
        const held = toNullableNumber(row.lease_until);
        if (row.lease_owner !== null && row.lease_owner !== owner && held !== null && held > now) return null;
        await trx
          .updateTable('relay_cursors')
          .set({ lease_owner: owner, lease_until: leaseUntil })
          .where('name', '=', name)
          .execute();
        return { lastId: toNumber(row.last_id), gaps: JSON.parse(row.gaps) as RelayCursor['gaps'] };
      });
    },

    async saveRelayCursor(name, owner, cursor) {
      await db
        .updateTable('relay_cursors')
        .set({
          last_id: cursor.lastId,
          gaps: JSON.stringify(cursor.gaps),
          lease_owner: null,
          lease_until: null,
        })
        .where('name', '=', name)
        .where('lease_owner', '=', owner)
        .execute();
    },
  };
  return self;
}
