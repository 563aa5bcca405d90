/**
 * The store adapter: what the composition root (main.ts) and the CLI import.
 *
 * @example
 * import { createStore, loadMasterKey } from './adapters/store/index.js';
 * const store = await createStore({ url: config.databaseUrl, masterKey: loadMasterKey({ env: process.env }), clock });
 */
export {
  createStore,
  type CreateStoreOptions,
  type KyselyStore,
  type StoreAccountTx,
  type StoreLog,
} from './kysely-store.js';
export {
  DataKeyDestroyedError,
  DecryptionError,
  MasterKey,
  loadMasterKey,
  parseMasterKey,
  type LoadMasterKeyOptions,
} from './crypto.js';
export { AuditPiiError, GENESIS_HASH } from './audit.js';
export {
  MIGRATIONS,
  migrateDown,
  migrateDownAll,
  migrateToLatest,
  migrationStatus,
} from './migrations/index.js';
