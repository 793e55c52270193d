/**
 * The retention stage: every `intervalMs` (real time) it prunes the store by the policy (store.prune, bounded steps)
 * and then lets the store do its upkeep (store.maintain: the day spans of long-window reads), and keeps counters
 * for /metrics.
 *
 * Invariants:
 * - Work is done in bounded steps (one store transaction each) with a turn of the event loop in between, so
 *   ingest and the API wait at most one step; a run does at most `maxStepsPerRun` steps of each kind and the next
 *   run comes after CATCH_UP_MS instead of the interval when work was left.
 * - One run at a time: runOnce() during a run waits for that run and starts none of its own.
 * - Data deleted by the size cap is never silent: the store logs each forced deletion as a warning, and the
 *   counters here (forced_rows_total by table, forced_deletions_total) go to /metrics.
 * - `now` for expiry is the event clock (bucket times are event times); last_run_at is wall time.
 * - A failing run is logged and counted; the next one runs at the usual time.
 */
import type { Logger } from 'pino';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { ForcedDeletion, PrunedTable, RetentionPolicy, Store } from '../../store/store.js';

export interface RetentionOptions {
  store: Pick<Store, 'prune' | 'maintain' | 'usage'>;
  /** Event time: what "older than N days" is measured against. */
  clock: Clock;
  logger: Logger;
  policy: RetentionPolicy;
  /** Period between runs (real time); 0 = only runOnce(). Default 600,000 (10 min). */
  intervalMs?: number;
  /** Rows deleted per prune step (one transaction). Default 2000. */
  rowsPerStep?: number;
  /** Prune steps, and maintain steps, per run at most. Default 1000. */
  maxStepsPerRun?: number;
  /** Wall time for last_run_at. Default the system clock. */
  wallClock?: Clock;
}

export interface RetentionStats {
  runs_total: number;
  errors_total: number;
  /** Wall time of the end of the last run (ms), null before the first. */
  last_run_at: number | null;
  last_run_ms: number;
  rows_pruned_total: Record<PrunedTable, number>;
  /** Rows deleted before their time to stay within max_db_bytes, by table. */
  forced_rows_total: Record<ForcedDeletion['table'], number>;
  /** Forced deletions (one per table and prune step that deleted for the cap). */
  forced_deletions_total: number;
  maintain_steps_total: number;
  /** From the end of the last run. */
  db_used_bytes: number;
  db_file_bytes: number;
  /** The last run ended above max_db_bytes with nothing left that the cap may delete. */
  over_cap: boolean;
}

export interface RunReport {
  deleted: Record<PrunedTable, number>;
  forced: ForcedDeletion[];
  maintain_steps: number;
  /** Work was left for the next run. */
  more: boolean;
}

export interface Retention {
  runOnce(): Promise<RunReport>;
  stats(): RetentionStats;
  stop(): Promise<void>;
}

/** Pause before the next run when a run left work. */
export const CATCH_UP_MS = 1000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function zeroTables(): Record<PrunedTable, number> {
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

/**
 * @example const retention = startRetention({ store, clock: eventClock, logger: log.child({ component: 'retention' }), policy });
 */
export function startRetention(opts: RetentionOptions): Retention {
  const { store, clock, policy } = opts;
  const log = opts.logger;
  const wall = opts.wallClock ?? systemClock;
  const intervalMs = opts.intervalMs ?? 600_000;
  const rowsPerStep = opts.rowsPerStep ?? 2000;
  const maxSteps = Math.max(1, opts.maxStepsPerRun ?? 1000);
  const stats: RetentionStats = {
    runs_total: 0,
    errors_total: 0,
    last_run_at: null,
    last_run_ms: 0,
    rows_pruned_total: zeroTables(),
    forced_rows_total: { raw_batches: 0, source_days: 0, port_buckets_5m: 0 },
    forced_deletions_total: 0,
    maintain_steps_total: 0,
    db_used_bytes: 0,
    db_file_bytes: 0,
    over_cap: false,
  };

  const run = async (): Promise<RunReport> => {
    const t0 = wall.now();
    const report: RunReport = { deleted: zeroTables(), forced: [], maintain_steps: 0, more: false };
    let more = true;
    for (let step = 0; more && step < maxSteps; step++) {
      if (step > 0) await nextTurn();
      const r = store.prune(policy, clock.now(), rowsPerStep);
      for (const [t, n] of Object.entries(r.deleted) as Array<[PrunedTable, number]>) {
        report.deleted[t] += n;
        stats.rows_pruned_total[t] += n;
      }
      for (const f of r.forced) {
        report.forced.push(f);
        stats.forced_rows_total[f.table] += f.rows;
        stats.forced_deletions_total++;
      }
      stats.over_cap = r.over_cap;
      more = r.more;
    }
    report.more = more;
    let upkeep = true;
    for (let step = 0; upkeep && step < maxSteps; step++) {
      await nextTurn();
      const m = store.maintain(clock.now(), 1);
      report.maintain_steps += m.steps;
      upkeep = m.more;
    }
    report.more ||= upkeep;
    stats.maintain_steps_total += report.maintain_steps;
    const usage = store.usage();
    stats.db_used_bytes = usage.used_bytes;
    stats.db_file_bytes = usage.file_bytes;
    stats.runs_total++;
    stats.last_run_at = wall.now();
    stats.last_run_ms = stats.last_run_at - t0;
    const pruned = Object.values(report.deleted).reduce((a, b) => a + b, 0);
    if (pruned > 0 || report.forced.length > 0 || report.maintain_steps > 0) {
      log.info(
        {
          deleted: report.deleted,
          forced_rows: report.forced.reduce((a, f) => a + f.rows, 0),
          maintain_steps: report.maintain_steps,
          used_bytes: usage.used_bytes,
          more: report.more,
          ms: stats.last_run_ms,
        },
        'retention run',
      );
    }
    return report;
  };

  let running: Promise<RunReport> | null = null;
  const runOnce = (): Promise<RunReport> => {
    running ??= run()
      .catch((err: unknown) => {
        stats.errors_total++;
        log.error({ err }, 'retention run failed; will retry');
        throw err;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };

  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (ms: number): void => {
    if (stopped || intervalMs === 0) return;
    timer = setTimeout(() => {
      timer = null;
      runOnce().then(
        (r) => schedule(r.more ? CATCH_UP_MS : intervalMs),
        () => schedule(intervalMs),
      );
    }, ms);
    timer.unref();
  };
  schedule(0);
  log.info({ interval_ms: intervalMs, policy }, 'retention started');

  return {
    runOnce,
    stats: () => ({
      ...stats,
      rows_pruned_total: { ...stats.rows_pruned_total },
      forced_rows_total: { ...stats.forced_rows_total },
    }),
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
      log.info('retention stopped');
    },
  };
}
