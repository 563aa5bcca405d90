/**
 * The dialects the store contract suite runs against (ARCHITECTURE.md habit 6), narrowed by the
 * `DIALECTS` environment variable: `sqlite` by default, `sqlite,postgres` in CI.
 *
 * Isolation: every `makeStore()` gets a database of its own — a fresh temporary directory for
 * SQLite, a fresh schema (`rn_<random>`, set as the pool's `search_path`) for PostgreSQL at
 * `REALNAME_TEST_DATABASE_URL` — so test files running in parallel never see each other's rows.
 *
 * @example
 * describe.each(dialects())('store on $name', ({ makeStore }) => {
 *   let h: StoreHandle;
 *   beforeAll(async () => { h = await makeStore(); });
 *   afterAll(() => h.cleanup());
 * });
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';
import { MasterKey } from '../../src/adapters/store/crypto.js';
import { createStore, type KyselyStore } from '../../src/adapters/store/kysely-store.js';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreHandle {
  store: KyselyStore;
  masterKey: MasterKey;
  /** SQLite: the database file (its WAL is `${file}-wal`). */
  file?: string;
  /** PostgreSQL: the schema of this store. */
  schema?: string;
  /** Another Store instance on the same database: a second pool on PostgreSQL. */
  openAnother: () => Promise<KyselyStore>;
  /** Close every store opened here and drop the database (directory or schema). */
  cleanup: () => Promise<void>;
}

export interface MakeStoreOptions {
  clock?: Clock;
  migrate?: boolean;
}

export interface DialectUnderTest {
  name: DialectName;
  makeStore: (options?: MakeStoreOptions) => Promise<StoreHandle>;
}

export const TEST_DATABASE_URL =
  process.env.REALNAME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * `url` with `schema` as the connection's search_path: what a separate `realname` process is given
 * as REALNAME_DATABASE_URL to open the store of one test schema.
 *
 * @example schemaUrl(TEST_DATABASE_URL, 'rn_ab12') // '…/test?options=-c%20search_path%3Drn_ab12'
 */
export function schemaUrl(schema: string, url = TEST_DATABASE_URL): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function exec(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * A fresh, empty schema `<prefix>_<random>` on `url`, for a store of its own; its name.
 *
 * @example const schema = await createSchema(); … await dropSchema(schema);
 */
export async function createSchema(url = TEST_DATABASE_URL, prefix = 'rn'): Promise<string> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await exec(url, `create schema ${schema}`);
  return schema;
}

/** Drop `schema` and everything in it, if it is there. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  await exec(url, `drop schema if exists ${schema} cascade`);
}

const quiet = { warn: () => undefined };

function sqlite(): DialectUnderTest {
  return {
    name: 'sqlite',
    async makeStore(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'realname-store-'));
      const file = join(dir, 'realname.db');
      const masterKey = new MasterKey(randomBytes(32));
      const open = (): Promise<KyselyStore> => createStore({ url: file, masterKey, log: quiet, ...options });
      const stores = [await open()];
      return {
        store: stores[0]!,
        masterKey,
        file,
        async openAnother() {
          const s = await open();
          stores.push(s);
          return s;
        },
        async cleanup() {
          for (const s of stores) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

function postgres(): DialectUnderTest {
  return {
    name: 'postgres',
    async makeStore(options = {}) {
      const schema = await createSchema();
      const masterKey = new MasterKey(randomBytes(32));
      // Small pools: parallel test files share the server's connection limit.
      const open = (): Promise<KyselyStore> =>
        createStore({ url: TEST_DATABASE_URL, schema, poolSize: 4, masterKey, log: quiet, ...options });
      const stores = [await open()];
      return {
        store: stores[0]!,
        masterKey,
        schema,
        async openAnother() {
          const s = await open();
          stores.push(s);
          return s;
        },
        async cleanup() {
          for (const s of stores) await s.close();
          await dropSchema(schema);
        },
      };
    },
  };
}

const ALL: Record<DialectName, () => DialectUnderTest> = { sqlite, postgres };

/**
 * The dialects selected by `DIALECTS` (comma-separated; default `sqlite`).
 *
 * @example
 * // DIALECTS=sqlite,postgres npx vitest run test/store
 * describe.each(dialects())('$name', ({ makeStore }) => { … });
 */
export function dialects(): DialectUnderTest[] {
  const names = (process.env.DIALECTS ?? 'sqlite')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.map((name) => {
    if (!(name in ALL))
      throw new Error(`DIALECTS: unknown dialect "${name}" (known: ${Object.keys(ALL).join(', ')})`);
    return ALL[name as DialectName]();
  });
}
