/**
 * The SQLite side of the rollup engine (src/store/rollups): point reads of whole rows for the engine's first
 * touch, and the commit of a RollupCommit.
 *
 * Invariants (src/store/store.ts):
 * - commitTx runs inside ONE transaction opened by the caller: applied batch ids, rollup rows, source days,
 *   sensor hours, sensor counters and raw batches commit together or not at all; a port row's capped events and
 *   per-operator shares are columns of the row, so they commit with it.
 * - Rows are written whole (the engine loaded them before changing them), so a write is an upsert that replaces.
 * - A batch id already in applied_batches is a caller bug (the engine takes only unapplied batches): the commit
 *   is refused whole (SW_INTERNAL) rather than counting a batch twice.
 */
import type Database from 'better-sqlite3';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import type {
  PortRowSketches,
  RollupCommit,
  RollupLoader,
  StoredSensorBucket,
  StoredSourceDay,
} from '../rollups/index.js';

export interface RollupStatements extends RollupLoader {
  commitTx(c: RollupCommit, now: number): void;
}

export function prepareRollup(db: Database.Database): RollupStatements {
  const st = {
    markApplied: db.prepare<[string, number]>(
      'INSERT INTO applied_batches (batch_id, applied_at) VALUES (?, ?) ON CONFLICT (batch_id) DO NOTHING',
    ),
    selectPort: db.prepare<[string, number, string, number], PortRowSketches>(
      `SELECT events, src_sketch, sensor_sketch, operator_sketch, target_sketch, hs_sketch, nohs_sketch,
              events_capped, by_operator, src_sample
       FROM port_buckets WHERE proto = ? AND port = ? AND granularity = ? AND bucket = ?`,
    ),
    upsertPort: db.prepare(
      `INSERT INTO port_buckets (proto, port, granularity, bucket, events, sources, sensors, operators, targets,
                                 sources_handshake, sources_no_handshake, src_sketch, sensor_sketch,
                                 operator_sketch, target_sketch, hs_sketch, nohs_sketch, events_capped,
                                 by_operator, src_sample)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (proto, port, granularity, bucket) DO UPDATE SET
         events = excluded.events, sources = excluded.sources, sensors = excluded.sensors,
         operators = excluded.operators, targets = excluded.targets,
         sources_handshake = excluded.sources_handshake, sources_no_handshake = excluded.sources_no_handshake,
         src_sketch = excluded.src_sketch, sensor_sketch = excluded.sensor_sketch,
         operator_sketch = excluded.operator_sketch, target_sketch = excluded.target_sketch,
         hs_sketch = excluded.hs_sketch, nohs_sketch = excluded.nohs_sketch,
         events_capped = excluded.events_capped, by_operator = excluded.by_operator,
         src_sample = excluded.src_sample`,
    ),
    anyPort: db.prepare<[string, number], { one: number }>(
      'SELECT 1 AS one FROM port_buckets WHERE granularity = ? AND bucket = ? LIMIT 1',
    ),
    anySource: db.prepare<[number], { one: number }>(
      'SELECT 1 AS one FROM source_days WHERE day = ? LIMIT 1',
    ),
    selectSource: db.prepare<[number, string], StoredSourceDay>(
      `SELECT day, src, events, first_seen, last_seen, ports, sensors, operators, country, asn, as_name,
              top_ports, state FROM source_days WHERE day = ? AND src = ?`,
    ),
    upsertSource: db.prepare(
      `INSERT INTO source_days (day, src, events, first_seen, last_seen, ports, sensors, operators, country, asn,
                                as_name, top_ports, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (day, src) DO UPDATE SET
         events = excluded.events, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
         ports = excluded.ports, sensors = excluded.sensors, operators = excluded.operators,
         top_ports = excluded.top_ports, state = excluded.state`,
    ),
    selectSensorBucket: db.prepare<[string, number], StoredSensorBucket>(
      `SELECT sensor_id, bucket, events, batches, lag_ms_sum, lag_ms_max, stats FROM sensor_buckets
       WHERE sensor_id = ? AND bucket = ?`,
    ),
    upsertSensorBucket: db.prepare(
      `INSERT INTO sensor_buckets (sensor_id, bucket, events, batches, lag_ms_sum, lag_ms_max, stats)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sensor_id, bucket) DO UPDATE SET
         events = excluded.events, batches = excluded.batches, lag_ms_sum = excluded.lag_ms_sum,
         lag_ms_max = excluded.lag_ms_max, stats = excluded.stats`,
    ),
    touchSensor: db.prepare<[number, number, number | null, string]>(
      `UPDATE sensors SET last_seen = max(coalesce(last_seen, 0), ?), events_total = events_total + ?,
         watched_addresses = coalesce(?, watched_addresses) WHERE id = ?`,
    ),
    sensorCreated: db.prepare<[string], { created_at: number }>(
      'SELECT created_at FROM sensors WHERE id = ?',
    ),
    archive: db.prepare<[string, string, number, number, number, number, Buffer]>(
      `INSERT INTO raw_batches (batch_id, sensor_id, received_at, events, min_ts, max_ts, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING`,
    ),
  };

  return {
    hasPortRows: (g: Granularity, bucket: number) => st.anyPort.get(g, bucket) !== undefined,
    hasSourceDays: (day: number) => st.anySource.get(day) !== undefined,
    loadPortRow: (proto: Protocol, port: number, g: Granularity, bucket: number) =>
      st.selectPort.get(proto, port, g, bucket),
    loadSourceDay: (day: number, src: string) => st.selectSource.get(day, src),
    loadSensorBucket: (sensorId: string, bucket: number) => st.selectSensorBucket.get(sensorId, bucket),
    sensorCreatedAt: (sensorId: string) => st.sensorCreated.get(sensorId)?.created_at,

    commitTx(c: RollupCommit, now: number): void {
      for (const b of c.batches) {
        if (st.markApplied.run(b.batch_id, now).changes === 0) {
          throw makeError('SW_INTERNAL', `batch ${b.batch_id} was already applied; commit refused`);
        }
        if (b.raw)
          st.archive.run(b.batch_id, b.sensor_id, b.received_at, b.events, b.min_ts, b.max_ts, b.raw);
      }
      // Positional parameters: binding an object by names costs a key walk per row, and there are many rows.
      for (const r of c.ports) {
        st.upsertPort.run(
          r.proto,
          r.port,
          r.granularity,
          r.bucket,
          r.events,
          r.sources,
          r.sensors,
          r.operators,
          r.targets,
          r.sources_handshake,
          r.sources_no_handshake,
          r.src_sketch,
          r.sensor_sketch,
          r.operator_sketch,
          r.target_sketch,
          r.hs_sketch,
          r.nohs_sketch,
          r.events_capped ?? r.events,
          r.by_operator ?? null,
          r.src_sample ?? null,
        );
      }
      for (const s of c.sources) {
        st.upsertSource.run(
          s.day,
          s.src,
          s.events,
          s.first_seen,
          s.last_seen,
          s.ports,
          s.sensors,
          s.operators,
          s.country,
          s.asn,
          s.as_name,
          s.top_ports,
          s.state,
        );
      }
      for (const s of c.sensorBuckets) {
        st.upsertSensorBucket.run(
          s.sensor_id,
          s.bucket,
          s.events,
          s.batches,
          s.lag_ms_sum,
          s.lag_ms_max,
          s.stats,
        );
      }
      for (const s of c.sensors) st.touchSensor.run(s.last_seen, s.events, s.watched_addresses ?? null, s.id);
    },
  };
}
