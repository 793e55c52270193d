/**
 * Schema of the embedded SQLite store, as numbered migrations.
 *
 * Invariants:
 * - `PRAGMA user_version` is the number of the last migration applied; migrations run in order, each in its
 *   own transaction together with the user_version bump, so a crash leaves the schema at a whole version.
 * - Migrations are append-only: a shipped migration is never edited; a change is a new, higher number.
 * - A database newer than this code (user_version above the last migration) is refused, not guessed at.
 * - Small integer columns come before the sketch BLOBs in port_buckets, so that reads of the counts (the
 *   detector's history scans) do not have to walk a row's overflow pages.
 */
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE sensors (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        operator TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen INTEGER,
        events_total INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE enrollment_tokens (
        token_hash TEXT PRIMARY KEY,
        operator TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) WITHOUT ROWID;
      CREATE TABLE applied_batches (
        batch_id TEXT PRIMARY KEY,
        applied_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX applied_batches_applied_at ON applied_batches (applied_at);
      CREATE TABLE port_buckets (
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        granularity TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        events INTEGER NOT NULL,
        sources INTEGER NOT NULL,
        sensors INTEGER NOT NULL,
        targets INTEGER NOT NULL,
        src_sketch BLOB NOT NULL,
        sensor_sketch BLOB NOT NULL,
        target_sketch BLOB NOT NULL,
        PRIMARY KEY (proto, port, granularity, bucket)
      );
      CREATE INDEX port_buckets_by_bucket ON port_buckets (granularity, bucket);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        severity REAL NOT NULL,
        level TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        evidence TEXT NOT NULL
      );
      CREATE INDEX alerts_open_by_key ON alerts (proto, port) WHERE status = 'open';
      CREATE INDEX alerts_by_updated ON alerts (updated_at);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** Applies the pending migrations; returns the schema version now in force. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `database schema version ${current} is newer than this build knows (${latest}); refusing to open it`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // PRAGMA takes no bound parameters; the version is an integer from the list above.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
  }
  return latest;
}
