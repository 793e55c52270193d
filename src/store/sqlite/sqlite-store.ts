/**
 * The embedded Store (src/store/store.ts) on one SQLite database file, via better-sqlite3.
 *
 * Invariants:
 * - WAL journal, synchronous=FULL by default: a commitRollups (rows + applied batch ids) is on disk before it
 *   returns, so the aggregator may ack the bus right after. (NORMAL is available for measurement; it can lose the
 *   last commits on power loss, and the bus would then have acked data the store lost.)
 * - commitRollups and applyBatches are one transaction each (see rollup.ts); better-sqlite3 is synchronous, so no
 *   other statement of this connection runs in the middle. The aggregator's worker thread has its own connection
 *   to the same file (WAL: readers here see whole commits).
 * - The hash seed never changes for a database (see ../seed.ts); `hasher` is exposed so that other server
 *   parts hash the same way (e.g. the detector's source sets).
 * - Every write transaction begins IMMEDIATE: the aggregator's worker writes the same file from its own
 *   connection, and a deferred transaction that reads before it writes fails at once with SQLITE_BUSY (no
 *   busy_timeout wait) when the other connection committed after its read began.
 * - Prepared statements are made once at open. The rollup rows held in memory belong to the RollupEngine of the
 *   caller (src/store/rollups), not to this object.
 */
import { immediateTx } from './immediate.js';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { createKeyedHasher } from '../../core/distinct/index.js';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import type { BusBatch } from '../../bus/bus.js';
import type { Store } from '../store.js';
import { migrate } from './migrations.js';
import { SqliteAdvisoryStore } from './advisories.js';
import { SqliteBlocklistStore } from './blocklist.js';
import { createSqliteDeliveryStore } from './deliveries.js';
import { SqliteDetection } from './detection.js';
import { SqliteIntelStore } from './intel.js';
import { SqliteObservation } from './observation.js';
import { SqliteReads } from './reads.js';
import { SqliteRecords } from './records.js';
import { SqliteRetention } from './retention.js';
import { SpanBuilder, SpanInvalidation } from './spans.js';
import { prepareRollup } from './rollup.js';
import { RollupEngine } from '../rollups/index.js';
import type { RollupCommit } from '../rollups/index.js';

export interface SqliteStoreOptions {
  /** Database file (created when missing), or ':memory:' for tests. */
  path: string;
  /** The server's 16-byte secret hash seed (loadOrCreateSeed). */
  seed: Uint8Array;
  logger: Logger;
  /** Time for bookkeeping (applied_at). Default: the system clock. */
  clock?: Clock;
  /** Durability of commits; default 'FULL' (see the module header before changing it). */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a new sensor carries no weight in detection (src/store/rollups/probation.ts). Default 14 days. */
  probationMs?: number;
  /** SQLite's page cache for this connection, MiB. Default 64. */
  cacheMb?: number;
}

export type SqliteStore = Store;

/**
 * Opens (creating and migrating when needed) the SQLite store.
 * @example const store = openSqliteStore({ path: 'data/stormwatch.db', seed, logger: log.child({ c: 'store' }) });
 */
export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const log = opts.logger;
  const clock = opts.clock ?? systemClock;
  const hasher = createKeyedHasher(opts.seed);
  const db = new Database(opts.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = -${Math.max(1, Math.round((opts.cacheMb ?? 64) * 1024))}`);
    // Commits write many rows at once: checkpoint the WAL in bigger steps.
    db.pragma('wal_autocheckpoint = 4000');
    const version = migrate(db);
    log.info({ path: opts.path, schema_version: version }, 'store opened');
  } catch (err) {
    db.close();
    throw err;
  }

  const rollup = prepareRollup(db);
  const reads = new SqliteReads(db);
  const records = new SqliteRecords(db);
  const spanDirt = new SpanInvalidation(db);
  const retention = new SqliteRetention(db, log, clock, spanDirt);
  const spans = new SpanBuilder(db);
  const observation = new SqliteObservation(db, hasher, opts.probationMs);
  const detection = new SqliteDetection(db, clock);
  const isApplied = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM applied_batches WHERE batch_id = ?',
  );
  const commit = immediateTx(db, (c: RollupCommit) => {
    rollup.commitTx(c, clock.now());
    spanDirt.rowsWritten(c.ports); // day spans of changed days are rebuilt (spans.ts)
  });
  const operatorOf = (sensorId: string): string =>
    records.getSensor(sensorId)?.operator ?? `sensor:${sensorId}`;
  const apply = immediateTx(db, (batches: readonly BusBatch[]) => {
    const engine = new RollupEngine(rollup, {
      hasher,
      operatorOf,
      ...(opts.probationMs !== undefined ? { probationMs: opts.probationMs } : {}),
    });
    const seen = new Set<string>();
    let skipped = 0;
    let events = 0;
    for (const b of batches) {
      if (seen.has(b.batch_id) || isApplied.get(b.batch_id) !== undefined) {
        skipped++;
        continue;
      }
      seen.add(b.batch_id);
      engine.add(b);
      events += b.events.length;
    }
    const c = engine.takeCommit();
    rollup.commitTx(c, clock.now());
    spanDirt.rowsWritten(c.ports);
    return { applied: seen.size, skipped, events };
  });

  const intel = new SqliteIntelStore(db);
  const advisories = new SqliteAdvisoryStore(db);
  const blocklists = new SqliteBlocklistStore(db);
  const deliveries = createSqliteDeliveryStore(db);

  return {
    hasher,
    intel,
    advisories,
    blocklists,
    deliveries,
    createEnrollmentToken: (tokenHash: string, expiresAt: number, operator: string) =>
      records.createEnrollmentToken(tokenHash, expiresAt, operator),
    consumeEnrollmentToken: (tokenHash: string, now: number) =>
      records.consumeEnrollmentToken(tokenHash, now),
    addSensor: (sensor) => records.addSensor(sensor),
    getSensor: (id: string) => records.getSensor(id),
    listSensors: () => records.listSensors(),
    revokeSensor: (id: string) => records.revokeSensor(id),
    setPendingSensorKey: (id: string, pem: string) => records.setPendingSensorKey(id, pem),
    promoteSensorKey: (id: string, pem: string, validUntil: number) =>
      records.promoteSensorKey(id, pem, validUntil),
    ensureOperator: (name: string, createdAt: number) => records.ensureOperator(name, createdAt),
    getOperator: (id: string) => records.getOperator(id),
    listOperators: () => records.listOperators(),

    hasPortRows: (g, bucket) => rollup.hasPortRows(g, bucket),
    hasSourceDays: (day) => rollup.hasSourceDays(day),
    loadPortRow: (proto, port, g, bucket) => rollup.loadPortRow(proto, port, g, bucket),
    loadSourceDay: (day, src) => rollup.loadSourceDay(day, src),
    loadSensorBucket: (sensorId, bucket) => rollup.loadSensorBucket(sensorId, bucket),
    sensorCreatedAt: (sensorId) => rollup.sensorCreatedAt(sensorId),
    commitRollups(c: RollupCommit) {
      commit(c);
    },

    applyBatches(batches: BusBatch[]) {
      if (batches.length === 0) return { applied: 0, skipped: 0, events: 0 };
      const result = apply(batches);
      log.debug(result, 'batches applied');
      return result;
    },
    isBatchApplied: (batchId: string) => isApplied.get(batchId) !== undefined,

    portSeries: (proto: Protocol, port: number, g: Granularity, from: number, to: number) =>
      reads.portSeries(proto, port, g, from, to),
    topPorts: (g: Granularity, from: number, to: number, limit: number) => reads.topPorts(g, from, to, limit),
    bucketRows: (g: Granularity, bucket: number) => reads.bucketRows(g, bucket),
    bucketObservation: (g, bucket) => observation.bucketObservation(g, bucket),
    latestBucket: (g: Granularity) => reads.latestBucket(g),
    earliestBucket: (g: Granularity) => reads.earliestBucket(g),
    topSources: (fromDay: number, toDay: number, limit: number) => reads.topSources(fromDay, toDay, limit),
    sourceHistory: (src: string, fromDay: number, toDay: number) => reads.sourceHistory(src, fromDay, toDay),
    sensorBuckets: (sensorId: string, from: number, to: number) => reads.sensorBuckets(sensorId, from, to),

    prune: (policy, now, maxRows) => retention.prune(policy, now, maxRows),
    maintain: (now: number, maxSteps?: number) => spans.run(now, maxSteps),
    usage: () => retention.usage(),

    saveAlert: (alert) => records.saveAlert(alert),
    openAlertFor: (proto: Protocol, port: number) => records.openAlertFor(proto, port),
    listAlerts: (limit, status) => records.listAlerts(limit, status),
    saveDetectorState: (name, data, position, found) => detection.saveState(name, data, position, found),
    loadDetectorState: (name) => detection.loadState(name),
    saveIncidents: (items) => detection.saveIncidents(items),
    listIncidents: (q) => detection.listIncidents(q),
    getIncident: (id) => detection.getIncident(id),
    saveAnomalies: (items) => detection.saveAnomalies(items),
    listAnomalies: (q) => detection.listAnomalies(q),
    getMeta: (key: string) => records.getMeta(key),
    setMeta: (key: string, value: string) => records.setMeta(key, value),

    close() {
      if (!db.open) return;
      db.close();
      log.info('store closed');
    },
  };
}
