/** The embedded SQLite store: see sqlite-store.ts. */
export { openSqliteStore } from './sqlite-store.js';
export type { SqliteStore, SqliteStoreOptions } from './sqlite-store.js';
export { MIGRATIONS, migrate } from './migrations.js';
