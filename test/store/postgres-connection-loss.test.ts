/**
 * A PostgreSQL connection lost in the middle of a transaction (the server restarted, an
 * administrator terminated it) fails that transaction and nothing else: the process lives on and the
 * next transaction gets a fresh connection. Found by the reliability suite (PostgreSQL restarted
 * under load killed the service with an unhandled 'error' event). Only this file's own connection is
 * terminated — the shared server is never stopped.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, TEST_DATABASE_URL, type StoreHandle } from '../support/dialects.js';
import { seedAccount } from './fixtures.js';

const postgres = dialects().find((d) => d.name === 'postgres');

describe.skipIf(!postgres)('store on postgres: a connection lost mid-transaction', () => {
  let h: StoreHandle;
  beforeAll(async () => {
    h = await postgres!.makeStore();
    await seedAccount(h.store, 'acc_conn_lost');
  });
  afterAll(() => h?.cleanup());

  it('fails that transaction, leaves the process up, and the next one runs on a fresh connection', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const lost = h.store.withAccount('acc_conn_lost', async () => {
        const trx = h.store.currentTransaction()!;
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        // Let the termination reach the client while the transaction still holds it.
        await new Promise((r) => setTimeout(r, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(lost).rejects.toThrow();
    } finally {
      await admin.end();
    }
    const account = await h.store.withAccount('acc_conn_lost', async (tx) => (await tx.facts([])).account.id);
    expect(account).toBe('acc_conn_lost');
  });
});

describe.skipIf(!postgres)('store on postgres: a database that cannot be reached', () => {
  it('is NOT_READY (503, retry after 1 s) with the driver error as its cause, not an internal error', async () => {
    const { createStore } = await import('../../src/adapters/store/kysely-store.js');
    const { MasterKey } = await import('../../src/adapters/store/crypto.js');
    const { randomBytes } = await import('node:crypto');
    // A port nothing listens on: every connection is refused.
    const store = await createStore({
      url: 'postgres://postgres@127.0.0.1:1/none',
      masterKey: new MasterKey(randomBytes(32)),
      migrate: false,
      log: { warn: () => undefined },
    });
    try {
      const error = await store.account('acc_x').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'NOT_READY', status: 503, params: { retryAfterSeconds: 1 } });
      expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      await store.close();
    }
  });
});
