/**
 * Read side of the SQLite store: series, bucket rows and top ports.
 *
 * Invariants:
 * - Reads run outside write transactions and see only committed data (WAL snapshot per statement), so they
 *   never see a half-applied batch.
 * - topPorts counts distinct values over the whole window by merging the stored sketches (a source seen in
 *   ten buckets counts once); events are summed. To avoid decoding every sketch of a long window, keys are
 *   pruned with bounds first: a key's union is at least its largest bucket and at most the sum of its
 *   buckets, so a key whose sum is below the limit-th largest maximum cannot be in the top list.
 */
import type Database from 'better-sqlite3';
import { DistinctCounter } from '../../core/distinct/index.js';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import type { PortBucketRow, PortTotals } from '../store.js';

interface KeyBounds {
  proto: Protocol;
  port: number;
  events: number;
  n: number;
  max_sources: number;
  sum_sources: number;
  max_sensors: number;
  max_targets: number;
}

interface SketchRow {
  src_sketch: Buffer;
  sensor_sketch: Buffer;
  target_sketch: Buffer;
}

const ROW_COLUMNS = 'proto, port, granularity, bucket, events, sources, sensors, targets';

export class SqliteReads {
  private readonly series: Database.Statement<[string, number, string, number, number], PortBucketRow>;
  private readonly rowsOfBucket: Database.Statement<[string, number], PortBucketRow>;
  private readonly latest: Database.Statement<[string], { b: number | null }>;
  private readonly earliest: Database.Statement<[string], { b: number | null }>;
  private readonly bounds: Database.Statement<[string, number, number], KeyBounds>;
  private readonly sketches: Database.Statement<[string, number, string, number, number], SketchRow>;

  constructor(db: Database.Database) {
    this.series = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM port_buckets
       WHERE proto = ? AND port = ? AND granularity = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
    this.rowsOfBucket = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM port_buckets WHERE granularity = ? AND bucket = ? ORDER BY proto, port`,
    );
    this.latest = db.prepare('SELECT max(bucket) AS b FROM port_buckets WHERE granularity = ?');
    this.earliest = db.prepare('SELECT min(bucket) AS b FROM port_buckets WHERE granularity = ?');
    this.bounds = db.prepare(
      `SELECT proto, port, sum(events) AS events, count(*) AS n, max(sources) AS max_sources,
              sum(sources) AS sum_sources, max(sensors) AS max_sensors, max(targets) AS max_targets
       FROM port_buckets WHERE granularity = ? AND bucket >= ? AND bucket < ? GROUP BY proto, port`,
    );
    this.sketches = db.prepare(
      `SELECT src_sketch, sensor_sketch, target_sketch FROM port_buckets
       WHERE proto = ? AND port = ? AND granularity = ? AND bucket >= ? AND bucket < ?`,
    );
  }

  portSeries(proto: Protocol, port: number, g: Granularity, from: number, to: number): PortBucketRow[] {
    return this.series.all(proto, port, g, from, to);
  }

  bucketRows(g: Granularity, bucket: number): PortBucketRow[] {
    return this.rowsOfBucket.all(g, bucket);
  }

  latestBucket(g: Granularity): number | null {
    return this.latest.get(g)?.b ?? null;
  }

  earliestBucket(g: Granularity): number | null {
    return this.earliest.get(g)?.b ?? null;
  }

  topPorts(g: Granularity, from: number, to: number, limit: number): PortTotals[] {
    if (limit <= 0 || to <= from) return [];
    const keys = this.bounds.all(g, from, to);
    const threshold = kthLargest(
      keys.map((k) => k.max_sources),
      limit,
    );
    const totals: PortTotals[] = [];
    for (const k of keys) {
      if (k.sum_sources < threshold) continue;
      totals.push(k.n === 1 ? singleRowTotals(k) : this.mergedTotals(k, g, from, to));
    }
    totals.sort(
      (a, b) =>
        b.sources - a.sources || b.events - a.events || a.proto.localeCompare(b.proto) || a.port - b.port,
    );
    return totals.slice(0, limit);
  }

  private mergedTotals(k: KeyBounds, g: Granularity, from: number, to: number): PortTotals {
    const src = DistinctCounter.create();
    const sensors = DistinctCounter.create();
    const targets = DistinctCounter.create();
    for (const row of this.sketches.iterate(k.proto, k.port, g, from, to)) {
      src.merge(DistinctCounter.deserialize(row.src_sketch));
      sensors.merge(DistinctCounter.deserialize(row.sensor_sketch));
      targets.merge(DistinctCounter.deserialize(row.target_sketch));
    }
    return {
      proto: k.proto,
      port: k.port,
      events: k.events,
      sources: src.estimate(),
      sensors: sensors.estimate(),
      targets: targets.estimate(),
    };
  }
}

function singleRowTotals(k: KeyBounds): PortTotals {
  return {
    proto: k.proto,
    port: k.port,
    events: k.events,
    sources: k.max_sources,
    sensors: k.max_sensors,
    targets: k.max_targets,
  };
}

/** The k-th largest value (1-based), or -Infinity when there are fewer than k values. */
function kthLargest(values: number[], k: number): number {
  if (values.length < k) return -Infinity;
  values.sort((a, b) => b - a);
  return values[k - 1] ?? -Infinity;
}
