/**
 * Schema of the SQLite bus, as numbered migrations kept in the bus's own `bus_meta` table (not in
 * PRAGMA user_version), so that the bus can share a database file with the store or live in its own.
 *
 * Invariants:
 * - bus_inbox holds only unacked batches; seq is AUTOINCREMENT, so a seq is never reused even after acks
 *   delete rows, and publish order is seq order.
 * - bus_acked remembers the ids of acked batches for a retention period, so a sensor's late retry of an
 *   already consumed batch is still answered 'duplicate'.
 */
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';

const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE bus_inbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id TEXT NOT NULL UNIQUE,
        sensor_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        clock_offset_ms INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE TABLE bus_acked (
        batch_id TEXT PRIMARY KEY,
        acked_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX bus_acked_by_time ON bus_acked (acked_at);
    `,
  },
];

export function migrateBus(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS bus_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
  const row = db
    .prepare<[], { value: string }>("SELECT value FROM bus_meta WHERE key = 'schema_version'")
    .get();
  const current = row ? Number(row.value) : 0;
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > latest) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `bus schema version ${current} is newer than this build knows (${latest})`,
    );
  }
  const setVersion = db.prepare<[string]>(
    "INSERT INTO bus_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      setVersion.run(String(m.version));
    })();
  }
  return latest;
}
