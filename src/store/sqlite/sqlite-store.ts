/**
 * The embedded Store (src/store/store.ts) on one SQLite database file, via better-sqlite3.
 *
 * Invariants:
 * - WAL journal, synchronous=FULL by default: applyBatches' commit (rollups + applied batch ids) is on disk
 *   before it returns, so the aggregator may ack the bus right after. (NORMAL is available for measurement;
 *   it can lose the last commits on power loss, and the bus would then have acked data the store lost.)
 * - applyBatches is one transaction (see rollup.ts); better-sqlite3 is synchronous, so no other statement of
 *   this connection runs in the middle of it.
 * - The hash seed never changes for a database (see ../seed.ts); `hasher` is exposed so that other server
 *   parts hash the same way (e.g. the detector's source sets).
 * - Prepared statements are made once at open; nothing mutable is cached between calls.
 */
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
import { SqliteReads } from './reads.js';
import { SqliteRecords } from './records.js';
import { applyBatchesTx, prepareRollup } from './rollup.js';
import type { KeyedHasher } from './rollup.js';

export type { KeyedHasher } from './rollup.js';

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
}

export type SqliteStore = Store & { hasher: KeyedHasher };

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
    db.pragma('cache_size = -65536');
    const version = migrate(db);
    log.info({ path: opts.path, schema_version: version }, 'store opened');
  } catch (err) {
    db.close();
    throw err;
  }

  const rollup = prepareRollup(db);
  const reads = new SqliteReads(db);
  const records = new SqliteRecords(db);
  const isApplied = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM applied_batches WHERE batch_id = ?',
  );
  const apply = db.transaction((batches: readonly BusBatch[]) =>
    applyBatchesTx(rollup, hasher, batches, clock.now()),
  );

  return {
    hasher,
    createEnrollmentToken: (tokenHash: string, expiresAt: number, operator: string) =>
      records.createEnrollmentToken(tokenHash, expiresAt, operator),
    consumeEnrollmentToken: (tokenHash: string, now: number) =>
      records.consumeEnrollmentToken(tokenHash, now),
    addSensor: (sensor) => records.addSensor(sensor),
    getSensor: (id: string) => records.getSensor(id),
    listSensors: () => records.listSensors(),
    revokeSensor: (id: string) => records.revokeSensor(id),

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
    latestBucket: (g: Granularity) => reads.latestBucket(g),
    earliestBucket: (g: Granularity) => reads.earliestBucket(g),

    saveAlert: (alert) => records.saveAlert(alert),
    openAlertFor: (proto: Protocol, port: number) => records.openAlertFor(proto, port),
    listAlerts: (limit, status) => records.listAlerts(limit, status),
    getMeta: (key: string) => records.getMeta(key),
    setMeta: (key: string, value: string) => records.setMeta(key, value),

    close() {
      if (!db.open) return;
      db.close();
      log.info('store closed');
    },
  };
}
