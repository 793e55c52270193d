/**
 * Schema of the embedded SQLite store, as numbered migrations.
 *
 * Invariants:
 * - `PRAGMA user_version` is the number of the last migration applied; migrations run in order, each in its
 *   own transaction together with the user_version bump, so a crash leaves the schema at a whole version.
 * - Migrations are append-only: a shipped migration is never edited; a change is a new, higher number.
 * - A database newer than this code (user_version above the last migration) is refused, not guessed at.
 * - Small integer columns come before the sketch BLOBs in port_buckets, so that reads of the counts (the
 *   detector's history scans) do not have to walk a row's overflow pages. (Migration 5 appends events_capped
 *   after them: ALTER TABLE can only append, and the rewrite of a large table would stall the upgrade.)
 */
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';
import { ADVISORY_MIGRATION } from './migration-advisories.js';
import { BLOCKLIST_MIGRATION } from './migration-blocklist.js';
import { DELIVERY_MIGRATION } from './migration-deliveries.js';
import { INTEL_MIGRATION } from './migration-intel.js';

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
  {
    version: 2,
    name: 'operators as records, public ids, key rotation',
    // Every distinct operator string of version 1 (sensors and tokens) becomes an operator; sensors and tokens
    // then hold its internal id. Ids are random and stored (formats in records.ts: o_, po_, ps_ + 16 hex).
    sql: `
      CREATE TABLE operators (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        public_id TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO operators (id, name, public_id, created_at)
        SELECT 'o_' || lower(hex(randomblob(8))), name, 'po_' || lower(hex(randomblob(8))), min(created_at)
        FROM (SELECT operator AS name, created_at FROM sensors
              UNION ALL
              SELECT operator, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM enrollment_tokens)
        GROUP BY name;
      CREATE TABLE sensors_v2 (
        id TEXT PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        operator TEXT NOT NULL,
        public_key_pem TEXT NOT NULL,
        pending_public_key_pem TEXT,
        previous_public_key_pem TEXT,
        previous_key_valid_until INTEGER,
        created_at INTEGER NOT NULL,
        last_seen INTEGER,
        events_total INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO sensors_v2 (id, public_id, name, operator, public_key_pem, created_at, last_seen, events_total,
                              revoked)
        SELECT s.id, 'ps_' || lower(hex(randomblob(8))), s.name, o.id, s.public_key_pem, s.created_at, s.last_seen,
               s.events_total, s.revoked
        FROM sensors s JOIN operators o ON o.name = s.operator;
      DROP TABLE sensors;
      ALTER TABLE sensors_v2 RENAME TO sensors;
      CREATE INDEX sensors_by_operator ON sensors (operator);
      UPDATE enrollment_tokens SET operator = (SELECT o.id FROM operators o WHERE o.name = enrollment_tokens.operator);
    `,
  },
  {
    version: 3,
    name: 'rollups: operators, handshake split, per-source days, per-sensor hours, raw batches',
    sql: `
      CREATE TABLE port_buckets_v3 (
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        granularity TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        events INTEGER NOT NULL,
        sources INTEGER NOT NULL,
        sensors INTEGER NOT NULL,
        operators INTEGER NOT NULL,
        targets INTEGER NOT NULL,
        sources_handshake INTEGER NOT NULL,
        sources_no_handshake INTEGER NOT NULL,
        src_sketch BLOB NOT NULL,
        sensor_sketch BLOB NOT NULL,
        operator_sketch BLOB,
        target_sketch BLOB NOT NULL,
        hs_sketch BLOB,
        nohs_sketch BLOB,
        PRIMARY KEY (proto, port, granularity, bucket)
      );
      INSERT INTO port_buckets_v3 (proto, port, granularity, bucket, events, sources, sensors, operators, targets,
                                   sources_handshake, sources_no_handshake, src_sketch, sensor_sketch, target_sketch)
        SELECT proto, port, granularity, bucket, events, sources, sensors, 0, targets, 0, 0,
               src_sketch, sensor_sketch, target_sketch FROM port_buckets;
      DROP TABLE port_buckets;
      ALTER TABLE port_buckets_v3 RENAME TO port_buckets;
      CREATE INDEX port_buckets_by_bucket ON port_buckets (granularity, bucket);

      CREATE TABLE source_days (
        day INTEGER NOT NULL,
        src TEXT NOT NULL,
        events INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        ports INTEGER NOT NULL,
        sensors INTEGER NOT NULL,
        operators INTEGER NOT NULL,
        country TEXT,
        asn INTEGER,
        as_name TEXT,
        top_ports TEXT NOT NULL,
        state BLOB NOT NULL,
        PRIMARY KEY (day, src)
      );
      CREATE INDEX source_days_by_events ON source_days (day, events DESC);

      CREATE TABLE sensor_buckets (
        sensor_id TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        events INTEGER NOT NULL,
        batches INTEGER NOT NULL,
        lag_ms_sum INTEGER NOT NULL,
        lag_ms_max INTEGER NOT NULL,
        stats TEXT NOT NULL,
        PRIMARY KEY (sensor_id, bucket)
      ) WITHOUT ROWID;

      CREATE TABLE raw_batches (
        batch_id TEXT PRIMARY KEY,
        sensor_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        events INTEGER NOT NULL,
        min_ts INTEGER NOT NULL,
        max_ts INTEGER NOT NULL,
        payload BLOB NOT NULL
      );
      CREATE INDEX raw_batches_by_received ON raw_batches (received_at);
    `,
  },
  {
    version: 4,
    name: 'day spans and an hourly series index for fast long-window reads; sensor hours by time (retention)',
    // port_spans: the union of the 1d rows of an aligned block of 2^level days (spans.ts builds them). A block
    // is usable only while span_blocks lists it and none of its days is in span_dirty, where the store's writes
    // of 1d rows of already summarised days (late events, retention) put them (spans.ts SpanInvalidation; not
    // triggers: they cost about a fifth of every port row write).
    sql: `
      CREATE TABLE port_spans (
        level INTEGER NOT NULL,
        start INTEGER NOT NULL,
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        events INTEGER NOT NULL,
        sources INTEGER NOT NULL,
        sensors INTEGER NOT NULL,
        operators INTEGER NOT NULL,
        targets INTEGER NOT NULL,
        sources_handshake INTEGER NOT NULL,
        sources_no_handshake INTEGER NOT NULL,
        src_sketch BLOB NOT NULL,
        sensor_sketch BLOB NOT NULL,
        operator_sketch BLOB,
        target_sketch BLOB NOT NULL,
        hs_sketch BLOB,
        nohs_sketch BLOB,
        PRIMARY KEY (level, start, proto, port)
      );
      CREATE INDEX port_spans_by_sources ON port_spans (level, start, sources, proto, port);
      CREATE TABLE span_blocks (
        level INTEGER NOT NULL,
        start INTEGER NOT NULL,
        keys INTEGER NOT NULL,
        built_at INTEGER NOT NULL,
        PRIMARY KEY (level, start)
      ) WITHOUT ROWID;
      CREATE TABLE span_dirty (day INTEGER PRIMARY KEY) WITHOUT ROWID;
      CREATE TABLE span_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        built_until INTEGER NOT NULL,
        generation INTEGER NOT NULL
      );
      INSERT INTO span_state (id, built_until, generation) VALUES (1, 0, 0);
      CREATE INDEX sensor_buckets_by_bucket ON sensor_buckets (bucket);
      -- Hourly series (90 days = 2,160 rows of one key) read from one index range instead of one table row each.
      CREATE INDEX port_buckets_hourly ON port_buckets (proto, port, bucket, events, sources, sensors, operators,
        targets, sources_handshake, sources_no_handshake) WHERE granularity = '1h';
    `,
  },
  {
    version: 5,
    name: 'detector inputs (capped events, per-operator shares) and detector state, incidents, local anomalies',
    // Rows written before have NULL in both new columns: no breakdown (an empty list) and capped events read as
    // the uncapped events (an upper bound). detector_state holds the engine's opaque state and its position,
    // written in one transaction with the incidents and anomalies of the same bucket (detection.ts).
    sql: `
      ALTER TABLE port_buckets ADD COLUMN events_capped INTEGER;
      ALTER TABLE port_buckets ADD COLUMN by_operator BLOB;
      CREATE TABLE detector_state (
        name TEXT PRIMARY KEY,
        data BLOB NOT NULL,
        position TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        status TEXT NOT NULL,
        level TEXT NOT NULL,
        severity REAL NOT NULL,
        opened_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        campaign TEXT,
        backfilled INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL
      );
      CREATE INDEX incidents_by_updated ON incidents (updated_at);
      CREATE INDEX incidents_by_key ON incidents (proto, port, updated_at);
      CREATE TABLE local_anomalies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        proto TEXT NOT NULL,
        port INTEGER NOT NULL,
        granularity TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX local_anomalies_by_bucket ON local_anomalies (bucket);
      CREATE INDEX local_anomalies_by_key ON local_anomalies (proto, port, id);
    `,
  },
  // The analyst's side (issue 6): each area keeps its schema beside its code (migration-*.ts).
  { version: 6, ...INTEL_MIGRATION },
  { version: 7, ...ADVISORY_MIGRATION },
  { version: 8, ...BLOCKLIST_MIGRATION },
  { version: 9, ...DELIVERY_MIGRATION },
  {
    version: 10,
    name: 'a sample of each port row’s sources (the detector’s sample sources, top networks and countries)',
    // Rows written before have NULL: no sample, so their incidents show no networks or countries.
    sql: 'ALTER TABLE port_buckets ADD COLUMN src_sample TEXT;',
  },
  {
    version: 11,
    name: 'the addresses each sensor watches (its weight in the detector’s exposure)',
    // Sensors that never said count as one address, as every sensor did before.
    sql: 'ALTER TABLE sensors ADD COLUMN watched_addresses INTEGER NOT NULL DEFAULT 1;',
  },
  {
    version: 12,
    name: 'the detector state in parts (detector_state.data is the first; the rest here, in order)',
    sql: `CREATE TABLE detector_state_parts (
      name TEXT NOT NULL,
      part INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (name, part)
    ) WITHOUT ROWID;`,
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
