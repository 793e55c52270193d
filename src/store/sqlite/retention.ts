/**
 * Retention for the SQLite store: prune() deletes what the policy says is expired, then enforces the size cap.
 *
 * Invariants:
 * - One call is ONE transaction deleting at most `maxRows` rows (oldest first, through the time indexes), so a
 *   writer waits at most one bounded step; `more` says the budget ran out. Callers loop, yielding in between.
 * - Expiry: a bucket or day is expired when it ENDED at least `<kind>_days` before `now` (event time); raw batches
 *   by received_at (event time); applied batch ids by applied_at against the store's own clock, which wrote them.
 *   daily_days null keeps 1d rows forever; max_db_bytes null means no cap.
 * - The cap: when (page_count - freelist_count) × page_size is above max_db_bytes after the age-based deletions,
 *   the oldest raw batches go first, then the oldest source days, then the oldest 5m rows, until the used size is
 *   under CAP_LOW_WATER × the cap (so that one more batch does not start it again). Nothing else is ever deleted
 *   for the cap. Every forced deletion is logged as a warning here (callers cannot forget it) and returned.
 * - Freed pages go to SQLite's free list and are reused before the file grows, so the file settles near its
 *   peak size; it is not shrunk (no auto_vacuum, see docs/CONFIG.md: retention).
 * - Deleting 1d rows marks their days dirty for the day spans (spans.ts); maintain() rebuilds them.
 * - Local anomalies (detection.ts) go with the 5m rows: those of buckets past the 5m cutoff, in the same budget.
 *   They are not a PrunedTable (the count shape is shared with the retention scheduler): only `more` shows them.
 */
import { immediateTx } from './immediate.js';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { GRANULARITIES } from '../../core/buckets.js';
import type { ForcedDeletion, PruneResult, PrunedTable, RetentionPolicy, StoreUsage } from '../store.js';
import type { SpanInvalidation } from './spans.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** After a forced deletion the used size is brought under this fraction of the cap. */
export const CAP_LOW_WATER = 0.95;
export const DEFAULT_PRUNE_ROWS = 2000;

type Forced = ForcedDeletion['table'];
const FORCED_ORDER: readonly Forced[] = ['raw_batches', 'source_days', 'port_buckets_5m'];
/** Oldest rows looked at per forced sub-step; of those, just enough bytes to reach the target are deleted. */
const FORCED_CANDIDATES = 256;
/** Per-row overhead added to the payload lengths when estimating what a deletion frees. */
const ROW_OVERHEAD = 64;

interface Candidate {
  id: number;
  t: number;
  bytes: number;
}

export class SqliteRetention {
  private readonly age: Record<PrunedTable, Database.Statement<[number, number]>>;
  private readonly anomalies: Database.Statement<[number, number]>;
  private readonly oldest: Record<Forced, Database.Statement<[number], Candidate>>;
  private readonly remove: Record<Forced, Database.Statement<[number]>>;
  private readonly pruneTx: (policy: RetentionPolicy, now: number, maxRows: number) => PruneResult;

  constructor(
    private readonly db: Database.Database,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly spans: SpanInvalidation,
  ) {
    const ports = (g: string) =>
      db.prepare<[number, number]>(
        `DELETE FROM port_buckets WHERE rowid IN
           (SELECT rowid FROM port_buckets WHERE granularity = '${g}' AND bucket <= ? LIMIT ?)`,
      );
    this.age = {
      port_buckets_5m: ports('5m'),
      port_buckets_1h: ports('1h'),
      port_buckets_1d: db.prepare(
        `DELETE FROM port_buckets WHERE rowid IN
           (SELECT rowid FROM port_buckets WHERE granularity = '1d' AND bucket <= ? LIMIT ?) RETURNING bucket`,
      ),
      source_days: db.prepare(
        'DELETE FROM source_days WHERE rowid IN (SELECT rowid FROM source_days WHERE day <= ? LIMIT ?)',
      ),
      sensor_buckets: db.prepare(
        `DELETE FROM sensor_buckets WHERE (sensor_id, bucket) IN
           (SELECT sensor_id, bucket FROM sensor_buckets WHERE bucket <= ? LIMIT ?)`,
      ),
      raw_batches: db.prepare(
        'DELETE FROM raw_batches WHERE rowid IN (SELECT rowid FROM raw_batches WHERE received_at < ? LIMIT ?)',
      ),
      applied_batches: db.prepare(
        `DELETE FROM applied_batches WHERE batch_id IN
           (SELECT batch_id FROM applied_batches WHERE applied_at < ? LIMIT ?)`,
      ),
    };
    this.anomalies = db.prepare(
      'DELETE FROM local_anomalies WHERE id IN (SELECT id FROM local_anomalies WHERE bucket <= ? LIMIT ?)',
    );
    const sketchBytes =
      'length(src_sketch) + length(sensor_sketch) + coalesce(length(operator_sketch), 0) + ' +
      'length(target_sketch) + coalesce(length(hs_sketch), 0) + coalesce(length(nohs_sketch), 0) + ' +
      'coalesce(length(by_operator), 0) + coalesce(length(src_sample), 0)';
    this.oldest = {
      raw_batches: db.prepare(
        `SELECT rowid AS id, received_at AS t, length(payload) + ${ROW_OVERHEAD} AS bytes
         FROM raw_batches ORDER BY received_at LIMIT ?`,
      ),
      source_days: db.prepare(
        `SELECT rowid AS id, day AS t, length(state) + length(top_ports) + length(src) + ${ROW_OVERHEAD} AS bytes
         FROM source_days ORDER BY day LIMIT ?`,
      ),
      port_buckets_5m: db.prepare(
        `SELECT rowid AS id, bucket AS t, ${sketchBytes} + ${ROW_OVERHEAD} AS bytes
         FROM port_buckets WHERE granularity = '5m' ORDER BY bucket LIMIT ?`,
      ),
    };
    this.remove = {
      raw_batches: db.prepare('DELETE FROM raw_batches WHERE rowid = ?'),
      source_days: db.prepare('DELETE FROM source_days WHERE rowid = ?'),
      port_buckets_5m: db.prepare('DELETE FROM port_buckets WHERE rowid = ?'),
    };
    this.pruneTx = immediateTx(db, (policy: RetentionPolicy, now: number, maxRows: number) =>
      this.pruneInTx(policy, now, maxRows),
    );
  }

  prune(policy: RetentionPolicy, now: number, maxRows = DEFAULT_PRUNE_ROWS): PruneResult {
    const result = this.pruneTx(policy, now, Math.max(1, Math.floor(maxRows)));
    for (const f of result.forced) {
      this.log.warn(
        { ...f, used_bytes: result.usage.used_bytes, max_db_bytes: policy.max_db_bytes },
        'deleted data before its time to keep the database within max_db_bytes',
      );
    }
    if (result.over_cap) {
      this.log.warn(
        { used_bytes: result.usage.used_bytes, max_db_bytes: policy.max_db_bytes },
        'database above max_db_bytes with nothing left that the cap may delete',
      );
    }
    return result;
  }

  usage(): StoreUsage {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return { used_bytes: (pages - free) * pageSize, file_bytes: pages * pageSize };
  }

  private pruneInTx(policy: RetentionPolicy, now: number, maxRows: number): PruneResult {
    const cutoffs: Array<[PrunedTable, number | null]> = [
      ['port_buckets_5m', ended(now, policy.five_minute_days, GRANULARITIES['5m'])],
      ['port_buckets_1h', ended(now, policy.hourly_days, GRANULARITIES['1h'])],
      ['port_buckets_1d', policy.daily_days === null ? null : ended(now, policy.daily_days, DAY)],
      ['source_days', ended(now, policy.source_days, DAY)],
      ['sensor_buckets', ended(now, policy.sensor_days, HOUR)],
      ['raw_batches', now - policy.raw_batch_days * DAY],
      ['applied_batches', this.clock.now() - policy.applied_batch_days * DAY],
    ];
    const deleted = emptyCounts();
    let budget = maxRows;
    for (const [table, cutoff] of cutoffs) {
      if (cutoff === null || budget === 0) continue;
      let n: number;
      if (table === 'port_buckets_1d') {
        const days = (this.age[table].all(cutoff, budget) as Array<{ bucket: number }>).map((r) => r.bucket);
        this.spans.daysChanged(new Set(days));
        n = days.length;
      } else {
        n = this.age[table].run(cutoff, budget).changes;
      }
      deleted[table] = n;
      budget -= n;
      if (table === 'port_buckets_5m' && budget > 0) budget -= this.anomalies.run(cutoff, budget).changes;
    }
    const forced: ForcedDeletion[] = [];
    let usage = this.usage();
    let overCap = false;
    const cap = policy.max_db_bytes;
    if (budget > 0 && cap !== null && usage.used_bytes > cap) {
      const target = Math.floor(cap * CAP_LOW_WATER);
      for (const table of FORCED_ORDER) {
        let f: ForcedDeletion | null = null;
        while (budget > 0 && usage.used_bytes > target) {
          const candidates = this.oldest[table].all(Math.min(budget, FORCED_CANDIDATES));
          if (candidates.length === 0) break;
          // Oldest first, just enough (by payload size) to reach the target; freed pages are measured after.
          let freed = 0;
          for (const c of candidates) {
            if (freed >= usage.used_bytes - target) break;
            this.remove[table].run(c.id);
            freed += c.bytes;
            budget--;
            f ??= { table, rows: 0, oldest: c.t, newest: c.t };
            f.rows++;
            f.oldest = Math.min(f.oldest, c.t);
            f.newest = Math.max(f.newest, c.t);
          }
          usage = this.usage();
        }
        if (f) forced.push(f);
      }
      overCap = budget > 0 && usage.used_bytes > cap;
    }
    return { deleted, forced, more: budget === 0, over_cap: overCap, usage };
  }
}

/** Largest bucket start whose bucket ended `days` or more before `now`. */
function ended(now: number, days: number, size: number): number {
  return now - days * DAY - size;
}

function emptyCounts(): Record<PrunedTable, number> {
  return {
    port_buckets_5m: 0,
    port_buckets_1h: 0,
    port_buckets_1d: 0,
    source_days: 0,
    sensor_buckets: 0,
    raw_batches: 0,
    applied_batches: 0,
  };
}
