/**
 * Opens the knowledge base of a store database file for the `stormwatch intel` commands, without the rest of
 * the server: better-sqlite3 directly, WAL like the server, and the knowledge-base tables made when the file has
 * none (the same `IF NOT EXISTS` SQL as the numbered migration, so the server's migration later passes over
 * them). A file that does not exist is created only when asked; otherwise an in-memory base holds the shipped
 * knowledge alone.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensureIntelTables, SqliteIntelStore } from '../store/sqlite/intel.js';

export interface OpenedIntelDb {
  store: SqliteIntelStore;
  /** The file, or ':memory:' when it did not exist and was not to be created. */
  path: string;
  /** Whether this call made the knowledge-base tables. */
  madeTables: boolean;
  close(): void;
}

/** @example const db = openIntelDb('stormwatch-data/stormwatch.db', { create: true }); try { ... } finally { db.close() } */
export function openIntelDb(path: string, o: { create: boolean }): OpenedIntelDb {
  const file = o.create || existsSync(path) ? path : ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    const madeTables = ensureIntelTables(db);
    return { store: new SqliteIntelStore(db), path: file, madeTables, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}
