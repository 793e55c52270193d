/**
 * applyBatches for the SQLite store: merges batches into the per-(proto, port, granularity, bucket) rollups.
 *
 * Invariants (src/store/store.ts):
 * - Runs inside ONE transaction opened by the caller: the applied-batch records, the rollup rows and the
 *   sensor counters commit together or not at all. Nothing is cached across calls, so a rollback cannot
 *   leave memory disagreeing with the database.
 * - A batch id already in applied_batches (or earlier in the same call) is skipped whole.
 * - Every event counts in its 5m, 1h and 1d bucket by its own event time: late events land in their own
 *   (old) buckets. Distinct counts merge by union, so the 1h and 1d rows equal the union of their 5m rows.
 *
 * Cost: one or two keyed hashes, one Map lookup and up to nine set inserts per event, then one read, merge
 * and upsert per touched row (not per event). Rows written, not events, bound the throughput.
 */
import type Database from 'better-sqlite3';
import { DistinctCounter } from '../../core/distinct/index.js';
import type { createKeyedHasher } from '../../core/distinct/index.js';
import { GRANULARITIES } from '../../core/buckets.js';
import type { Granularity } from '../../core/buckets.js';
import { PROTOCOLS } from '../../core/event.js';
import type { Protocol } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import type { BusBatch } from '../../bus/bus.js';

export type KeyedHasher = ReturnType<typeof createKeyedHasher>;

/** One rollup row being built in memory for this call. */
interface Acc {
  proto: Protocol;
  port: number;
  g: Granularity;
  bucket: number;
  events: number;
  src: DistinctCounter;
  sensors: DistinctCounter;
  targets: DistinctCounter;
}

/** The three rows an event lands in, found with one lookup; `batch` = last batch whose sensor was added. */
interface Group {
  rows: [Acc, Acc, Acc];
  batch: number;
}

interface StoredRow {
  events: number;
  src_sketch: Buffer;
  sensor_sketch: Buffer;
  target_sketch: Buffer;
}

const KEYS_PER_BUCKET = PROTOCOLS.length * 65536;
const PROTO_INDEX = new Map<string, number>(PROTOCOLS.map((p, i) => [p, i]));
const SIZE_5M = GRANULARITIES['5m'];
const SIZE_1H = GRANULARITIES['1h'];
const SIZE_1D = GRANULARITIES['1d'];

export interface RollupStatements {
  markApplied: Database.Statement<[string, number]>;
  selectRow: Database.Statement<[string, number, string, number], StoredRow>;
  upsertRow: Database.Statement<
    [string, number, string, number, number, number, number, number, Buffer, Buffer, Buffer]
  >;
  touchSensor: Database.Statement<[number, number, string]>;
}

export function prepareRollup(db: Database.Database): RollupStatements {
  return {
    markApplied: db.prepare(
      'INSERT INTO applied_batches (batch_id, applied_at) VALUES (?, ?) ON CONFLICT (batch_id) DO NOTHING',
    ),
    selectRow: db.prepare(
      `SELECT events, src_sketch, sensor_sketch, target_sketch FROM port_buckets
       WHERE proto = ? AND port = ? AND granularity = ? AND bucket = ?`,
    ),
    upsertRow: db.prepare(
      `INSERT INTO port_buckets (proto, port, granularity, bucket, events, sources, sensors, targets,
                                 src_sketch, sensor_sketch, target_sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (proto, port, granularity, bucket) DO UPDATE SET
         events = excluded.events, sources = excluded.sources, sensors = excluded.sensors,
         targets = excluded.targets, src_sketch = excluded.src_sketch,
         sensor_sketch = excluded.sensor_sketch, target_sketch = excluded.target_sketch`,
    ),
    touchSensor: db.prepare(
      'UPDATE sensors SET last_seen = max(coalesce(last_seen, 0), ?), events_total = events_total + ? WHERE id = ?',
    ),
  };
}

/** Must be called inside a transaction. */
export function applyBatchesTx(
  st: RollupStatements,
  hasher: KeyedHasher,
  batches: readonly BusBatch[],
  now: number,
): { applied: number; skipped: number; events: number } {
  const builder = new RollupBuilder(hasher);
  const perSensor = new Map<string, { lastSeen: number; events: number }>();
  let applied = 0;
  let skipped = 0;
  for (const batch of batches) {
    if (st.markApplied.run(batch.batch_id, now).changes === 0) {
      skipped++;
      continue;
    }
    applied++;
    builder.add(batch);
    const s = perSensor.get(batch.sensor_id) ?? { lastSeen: batch.received_at, events: 0 };
    s.lastSeen = Math.max(s.lastSeen, batch.received_at);
    s.events += batch.events.length;
    perSensor.set(batch.sensor_id, s);
  }
  for (const acc of builder.rows()) writeRow(st, acc);
  for (const [id, s] of perSensor) st.touchSensor.run(s.lastSeen, s.events, id);
  return { applied, skipped, events: builder.events };
}

function writeRow(st: RollupStatements, acc: Acc): void {
  let { events, src, sensors, targets } = acc;
  const old = st.selectRow.get(acc.proto, acc.port, acc.g, acc.bucket);
  if (old) {
    events += old.events;
    src = mergedInto(old.src_sketch, src);
    sensors = mergedInto(old.sensor_sketch, sensors);
    targets = mergedInto(old.target_sketch, targets);
  }
  st.upsertRow.run(
    acc.proto,
    acc.port,
    acc.g,
    acc.bucket,
    events,
    src.estimate(),
    sensors.estimate(),
    targets.estimate(),
    src.serialize(),
    sensors.serialize(),
    targets.serialize(),
  );
}

function mergedInto(stored: Buffer, fresh: DistinctCounter): DistinctCounter {
  const c = DistinctCounter.deserialize(stored);
  c.merge(fresh);
  return c;
}

/**
 * Groups events of one call into rollup rows. Hashes are not memoised: the keyed hash is cheaper than a
 * Map lookup over a call's many distinct addresses (measured).
 */
class RollupBuilder {
  events = 0;
  private readonly groups = new Map<number, Group>();
  private readonly hours = new Map<number, Acc>();
  private readonly days = new Map<number, Acc>();
  private batchNo = 0;

  constructor(private readonly hasher: KeyedHasher) {}

  add(batch: BusBatch): void {
    const batchNo = ++this.batchNo;
    const hasher = this.hasher;
    const sensorHash = hasher.hash(batch.sensor_id);
    for (const e of batch.events) {
      const protoIndex = PROTO_INDEX.get(e.proto);
      if (protoIndex === undefined || !isPort(e.port) || !Number.isSafeInteger(e.ts) || e.ts < 0) {
        throw makeError('SW_BATCH_INVALID', `batch ${batch.batch_id}: event out of range`, {
          details: { proto: e.proto, port: e.port, ts: e.ts },
        });
      }
      const keyId = protoIndex * 65536 + e.port;
      const slot = Math.floor(e.ts / SIZE_5M);
      const id = slot * KEYS_PER_BUCKET + keyId;
      let group = this.groups.get(id);
      if (group === undefined) {
        group = this.newGroup(e.proto, e.port, keyId, slot * SIZE_5M);
        this.groups.set(id, group);
      }
      const srcHash = hasher.hash(e.src);
      const dstHash = e.dst === undefined ? -1 : hasher.hash(e.dst);
      const addSensor = group.batch !== batchNo;
      group.batch = batchNo;
      for (const acc of group.rows) {
        acc.events++;
        acc.src.addHash(srcHash);
        if (dstHash >= 0) acc.targets.addHash(dstHash);
        if (addSensor) acc.sensors.addHash(sensorHash);
      }
    }
    this.events += batch.events.length;
  }

  *rows(): Iterable<Acc> {
    for (const g of this.groups.values()) yield g.rows[0];
    yield* this.hours.values();
    yield* this.days.values();
  }

  private newGroup(proto: Protocol, port: number, keyId: number, bucket5m: number): Group {
    const hour = Math.floor(bucket5m / SIZE_1H) * SIZE_1H;
    const day = Math.floor(bucket5m / SIZE_1D) * SIZE_1D;
    return {
      rows: [
        newAcc(proto, port, '5m', bucket5m),
        getOrAdd(this.hours, (hour / SIZE_1H) * KEYS_PER_BUCKET + keyId, () =>
          newAcc(proto, port, '1h', hour),
        ),
        getOrAdd(this.days, (day / SIZE_1D) * KEYS_PER_BUCKET + keyId, () => newAcc(proto, port, '1d', day)),
      ],
      batch: 0,
    };
  }
}

function newAcc(proto: Protocol, port: number, g: Granularity, bucket: number): Acc {
  return {
    proto,
    port,
    g,
    bucket,
    events: 0,
    src: DistinctCounter.create(),
    sensors: DistinctCounter.create(),
    targets: DistinctCounter.create(),
  };
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= 0 && p <= 65535;
}
