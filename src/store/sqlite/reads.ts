/**
 * Read side of the SQLite store: port series, bucket rows, top ports (port-ranking.ts), and the per-source and
 * per-sensor rollups (source-reads.ts).
 *
 * Invariants:
 * - Reads run outside write transactions and see only committed data (WAL snapshot per statement), so they
 *   never see a half-applied batch.
 * - Rows carry the small count columns only; sketches are decoded only where counts must merge (topPorts).
 */
import type Database from 'better-sqlite3';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import type { PortBucketRow, PortTotals, SensorBucketRow, SourceDayRow, SourceTotals } from '../store.js';
import { PortRanking } from './port-ranking.js';
import { SourceReads } from './source-reads.js';
import { SpanCatalog } from './spans.js';

const ROW_COLUMNS =
  'proto, port, granularity, bucket, events, sources, sensors, operators, targets, sources_handshake, ' +
  'sources_no_handshake';

export class SqliteReads {
  private readonly series: Database.Statement<[string, number, string, number, number], PortBucketRow>;
  private readonly hourlySeries: Database.Statement<[string, number, number, number], PortBucketRow>;
  private readonly rowsOfBucket: Database.Statement<[string, number], PortBucketRow>;
  private readonly latest: Database.Statement<[string], { b: number | null }>;
  private readonly earliest: Database.Statement<[string], { b: number | null }>;
  private readonly ranking: PortRanking;
  private readonly sources: SourceReads;

  constructor(db: Database.Database) {
    this.series = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM port_buckets
       WHERE proto = ? AND port = ? AND granularity = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
    // The literal granularity lets SQLite use the partial covering index port_buckets_hourly (migration 4).
    this.hourlySeries = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM port_buckets
       WHERE proto = ? AND port = ? AND granularity = '1h' AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
    this.rowsOfBucket = db.prepare(
      `SELECT ${ROW_COLUMNS} FROM port_buckets WHERE granularity = ? AND bucket = ? ORDER BY proto, port`,
    );
    this.latest = db.prepare('SELECT max(bucket) AS b FROM port_buckets WHERE granularity = ?');
    this.earliest = db.prepare('SELECT min(bucket) AS b FROM port_buckets WHERE granularity = ?');
    this.ranking = new PortRanking(db, new SpanCatalog(db));
    this.sources = new SourceReads(db);
  }

  portSeries(proto: Protocol, port: number, g: Granularity, from: number, to: number): PortBucketRow[] {
    if (g === '1h') return this.hourlySeries.all(proto, port, from, to);
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
    return this.ranking.topPorts(g, from, to, limit);
  }

  topSources(fromDay: number, toDay: number, limit: number): SourceTotals[] {
    return this.sources.topSources(fromDay, toDay, limit);
  }

  sourceHistory(src: string, fromDay: number, toDay: number): SourceDayRow[] {
    return this.sources.history(src, fromDay, toDay);
  }

  sensorBuckets(sensorId: string, from: number, to: number): SensorBucketRow[] {
    return this.sources.sensorBuckets(sensorId, from, to);
  }
}
