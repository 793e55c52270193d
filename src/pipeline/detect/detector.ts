/**
 * The detect stage, v0: tests every closed 5-minute and 1-hour bucket once (spike.ts) and keeps the alerts
 * (lifecycle.ts).
 *
 * Invariants:
 * - A bucket is closed when clock.now() >= its end + grace_ms (server time). Only closed buckets are tested.
 * - Each granularity's position (the last bucket tested) is kept in store meta, `detect.last_bucket.<g>`,
 *   written after the bucket's alerts: a restart neither skips nor repeats a bucket (a crash in between
 *   repeats one bucket, which is idempotent, see lifecycle.ts). Without a saved position the detector starts
 *   at max(first data, now - initial_lookback_ms).
 * - Pending buckets are tested in order of their end time (5m before 1h on a tie), so a catch-up after
 *   downtime tests the same sequence as a detector that never stopped.
 * - Only keys with a row in the bucket are tested, and the history query runs only for keys that pass the
 *   cheap gates (sources, sensors) first.
 * - Late events that land in an already tested bucket are not tested again (v0; backfill is a later step).
 *
 * Known v0 limit: the breadth gate counts all sensors with the key in the bucket, without attributing sources
 * to them. Two sensors that flood a key which a third sensor sees lightly pass the gate, more easily in 1-hour
 * buckets. The operator-share gates of DETECTION.md (per-sensor attribution in the rollups) close this.
 */
import type { Logger } from 'pino';
import { GRANULARITIES, bucketStart } from '../../core/buckets.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import { zeroFilledHistory } from './baseline.js';
import { resolveDetectorConfig } from './config.js';
import type { DetectGranularity, DetectorConfig } from './config.js';
import { recordFiring, resolveStale } from './lifecycle.js';
import { evaluateSpike } from './spike.js';

export interface DetectorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  config?: Partial<DetectorConfig>;
  /** How often (real time) the detector looks for closed buckets by itself. Default 5000 ms; 0 = never
   * (call runOnce yourself). */
  intervalMs?: number;
  /** Buckets tested per turn of the event loop when running by itself (a catch-up yields in between, so
   * that the API stays responsive). Default 12. */
  maxBucketsPerTick?: number;
}

export interface Detector {
  stop(): Promise<void>;
  /** Tests every bucket that has closed since the last run; returns how many buckets it tested. */
  runOnce(): number;
  /** Counters since this detector started (read-only; /metrics). */
  stats(): DetectorStats;
}

export interface DetectorStats {
  /** Buckets tested (the position moved past them), by granularity. */
  buckets_evaluated_total: Record<DetectGranularity, number>;
  /** Firings that opened a new alert (updates of an open alert are not counted). */
  alerts_opened_total: number;
}

const DETECT_GRANULARITIES: readonly DetectGranularity[] = ['5m', '1h'];

export const positionKey = (g: DetectGranularity): string => `detect.last_bucket.${g}`;

/**
 * @example const det = startDetector({ store, clock, logger: log.child({ c: 'detect' }) });
 */
export function startDetector(opts: DetectorOptions): Detector {
  const { store, clock } = opts;
  const log = opts.logger;
  const cfg = resolveDetectorConfig(opts.config);
  const intervalMs = opts.intervalMs ?? 5000;
  const stats: DetectorStats = { buckets_evaluated_total: { '5m': 0, '1h': 0 }, alerts_opened_total: 0 };

  const pendingBuckets = (now: number): Array<{ g: DetectGranularity; bucket: number }> => {
    const out: Array<{ g: DetectGranularity; bucket: number }> = [];
    for (const g of DETECT_GRANULARITIES) {
      const size = GRANULARITIES[g];
      const lastClosed = bucketStart(now - cfg.grace_ms - size, g);
      const saved = store.getMeta(positionKey(g));
      let next: number;
      if (saved !== undefined) {
        next = Number(saved) + size;
      } else {
        const first = store.earliestBucket(g);
        if (first === null) continue;
        next = Math.max(first, bucketStart(now - cfg.initial_lookback_ms, g));
      }
      for (let b = next; b <= lastClosed; b += size) out.push({ g, bucket: b });
    }
    return out.sort(
      (a, b) =>
        a.bucket + GRANULARITIES[a.g] - (b.bucket + GRANULARITIES[b.g]) ||
        GRANULARITIES[a.g] - GRANULARITIES[b.g],
    );
  };

  const testBucket = (g: DetectGranularity, bucket: number, now: number): void => {
    const rows = store.bucketRows(g, bucket);
    const size = GRANULARITIES[g];
    const h = cfg.history[g];
    const first = store.earliestBucket(g) ?? bucket;
    const from = Math.max(bucket - h.window_buckets * size, first);
    const n = Math.max(0, Math.round((bucket - from) / size));
    const gates = { ...cfg, min_history_buckets: h.min_history_buckets };
    let fired = 0;
    if (n < h.min_history_buckets) return;
    for (const row of rows) {
      if (row.sources < cfg.min_sources || row.sensors < cfg.min_sensors) continue;
      const history = zeroFilledHistory(
        store.portSeries(row.proto, row.port, g, from, bucket),
        from,
        n,
        size,
      );
      const verdict = evaluateSpike(row, history, gates);
      if (verdict.outcome !== 'fire') {
        log.debug({ key: `${row.proto}/${row.port}`, g, bucket, outcome: verdict.outcome }, 'not fired');
        continue;
      }
      const opens = store.openAlertFor(row.proto, row.port) === undefined;
      recordFiring(store, row, verdict, now, log);
      if (opens) stats.alerts_opened_total++;
      fired++;
    }
    if (fired > 0) log.debug({ g, bucket, keys: rows.length, fired }, 'bucket tested');
  };

  /** Tests up to maxBuckets pending buckets in order; `more` when some were left for the next call. */
  const run = (maxBuckets: number): { tested: number; more: boolean } => {
    const now = clock.now();
    const pending = pendingBuckets(now);
    let tested = 0;
    for (const { g, bucket } of pending.slice(0, maxBuckets)) {
      testBucket(g, bucket, now);
      store.setMeta(positionKey(g), String(bucket));
      stats.buckets_evaluated_total[g]++;
      tested++;
    }
    resolveStale(store, now, cfg.resolve_after_ms, log);
    return { tested, more: pending.length > tested };
  };

  const perTick = Math.max(1, opts.maxBucketsPerTick ?? 12);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = (): void => {
    timer = null;
    if (stopped) return;
    let more = false;
    try {
      more = run(perTick).more;
    } catch (err) {
      log.error({ err }, 'detection run failed; will retry');
    }
    if (stopped) return;
    timer = setTimeout(tick, more ? 0 : intervalMs);
    timer.unref();
  };
  if (intervalMs > 0) {
    timer = setTimeout(tick, 0);
    timer.unref();
  }
  log.info({ interval_ms: intervalMs, max_buckets_per_tick: perTick }, 'detector started');

  return {
    runOnce: () => run(Infinity).tested,
    stats: () => ({ ...stats, buckets_evaluated_total: { ...stats.buckets_evaluated_total } }),
    stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      log.info('detector stopped');
      return Promise.resolve();
    },
  };
}
