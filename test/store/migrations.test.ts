/**
 * Migrations (ARCHITECTURE.md habit 9): timestamped, up and down, through Kysely's Migrator with a
 * static provider; health reports reachability and whether the schema is current.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIGRATIONS,
  migrateDown,
  migrateDownAll,
  migrateToLatest,
  migrationStatus,
} from '../../src/adapters/store/migrations/index.js';
import { dialects, type StoreHandle } from '../support/dialects.js';
import { NOON, sampleFacts, seedAccount } from './fixtures.js';

const NAMES = Object.keys(MIGRATIONS);

describe('migration list', () => {
  it('names every migration by a sortable UTC timestamp, in order', () => {
    expect(NAMES.length).toBeGreaterThan(0);
    for (const name of NAMES) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect([...NAMES].sort()).toEqual(NAMES);
    for (const m of Object.values(MIGRATIONS)) expect(typeof m.down).toBe('function');
  });
});

describe.each(dialects())('store contract on $name: migrations', ({ makeStore }) => {
  let h: StoreHandle;
  beforeAll(async () => {
    h = await makeStore({ migrate: false });
  });
  afterAll(() => h.cleanup());

  const tables = async (): Promise<string[]> =>
    (await h.store.db.introspection.getTables())
      .filter((t) => h.schema === undefined || t.schema === h.schema)
      .map((t) => t.name)
      .sort();

  it('starts empty and reports pending migrations as not ready', async () => {
    expect(await tables()).toEqual([]);
    expect(await migrationStatus(h.store.db)).toEqual({ applied: [], pending: NAMES });
    const health = await h.store.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toMatch(/pending migrations/);
  });

  it('migrates up, down step by step, and up again, and the store works after', async () => {
    await migrateToLatest(h.store.db);
    const all = await tables();
    for (const t of [
      'accounts',
      'identities',
      'cards',
      'grants',
      'history',
      'operations',
      'audit',
      'outbox',
      'api_keys',
      'idempotency',
    ])
      expect(all).toContain(t);
    expect(await h.store.health()).toEqual({
      ok: true,
      detail: `${h.store.dialect} reachable; migrations current (${NAMES.length})`,
    });

    // Down one step at a time, newest first: each leaves the schema of the one before.
    for (let applied = NAMES.length - 1; applied >= 0; applied--) {
      await migrateDown(h.store.db);
      expect((await migrationStatus(h.store.db)).applied).toEqual(NAMES.slice(0, applied));
    }
    expect(await tables()).toEqual([]);

    await migrateToLatest(h.store.db);
    await migrateDownAll(h.store.db);
    expect(await tables()).toEqual([]);
    await migrateToLatest(h.store.db);
    expect(await tables()).toEqual(all);
    expect((await h.store.health()).ok).toBe(true);
    // Idempotent: nothing left to do.
    expect((await migrateToLatest(h.store.db)).results).toEqual([]);

    await seedAccount(h.store, 'acc_after_migrations');
    await h.store.withAccount('acc_after_migrations', (tx) => tx.putFact('cards', sampleFacts().cards[0]!));
    expect((await h.store.facts('acc_after_migrations'))!.cards).toHaveLength(1);
    expect(await h.store.verifyAudit()).toMatchObject({ ok: true, count: 1 });
    expect((await h.store.auditTrail({}))[0]?.at).toBe(NOON - 900 * 86_400_000);
  });
});
