/**
 * The detect stage in the server: closes every 5m, 1h and 1d bucket once, in order, feeds the store's
 * observation of it to the detection engine (model/engine.ts) and keeps what the engine says.
 *
 * Invariants:
 * - A bucket is closed when the event clock passes its end + grace_ms. Buckets are given to the engine in order
 *   of their end time (5m before 1h before 1d on a tie), each once.
 * - After each bucket, one store transaction holds the engine's state, the position (the last bucket closed per
 *   granularity), the incidents the bucket changed and its local anomalies: a crash repeats at most the bucket
 *   in flight, and repeating it gives the same records (the engine is deterministic, incident ids are stable).
 * - A bucket closed more than backfill_after_ms after its end (a catch-up after downtime, history uploaded
 *   late) is marked backfill: it teaches the baselines and records incidents marked as such, but notifies
 *   nobody.
 * - Without a saved position the detector starts at max(first data, now − initial_lookback_ms).
 */
import type { Logger } from 'pino';
import { bucketStart, GRANULARITIES } from '../../core/buckets.js';
import type { Clock } from '../../core/clock.js';
import type { DetectGranularity } from '../../core/observation.js';
import type { Store } from '../../store/store.js';
import type { EngineConfig, EngineSettings } from './model/config.js';
import { GRAN_ORDER, createDetectionEngine } from './model/engine.js';
import type { Engine } from './model/engine.js';
import type { Incident, Notification, ThreatAssessment } from './model/types.js';

export const STATE_NAME = 'engine';

export interface RunnerConfig {
  /** A bucket is closed once the event clock passes its end by this much. */
  grace_ms: number;
  /** A detector with no saved position starts this far back (learning from the stored buckets). */
  initial_lookback_ms: number;
  /** A bucket closed this long after its end is backfill: recorded, never notified. */
  backfill_after_ms: number;
}

/** The detector's settings as the server config gives them: the runner's and the engine's, flat. */
export type DetectorSettings = RunnerConfig & EngineConfig;

export const DEFAULT_RUNNER_CONFIG: Readonly<RunnerConfig> = Object.freeze({
  grace_ms: 60_000,
  initial_lookback_ms: 14 * 86_400_000,
  backfill_after_ms: 3_600_000,
});

export interface DetectorOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  config?: Partial<RunnerConfig> & EngineSettings;
  /** How often (real time) the detector looks for closed buckets by itself. Default 5000 ms; 0 = never. */
  intervalMs?: number;
  /** Buckets closed per turn of the event loop when running by itself. Default 24. */
  maxBucketsPerTick?: number;
  /** Called for each notification (opened, escalated, reopened, resolved) of a live (not backfilled) bucket. */
  onNotification?: (n: Notification) => void;
}

export interface DetectorStats {
  buckets_evaluated_total: Record<DetectGranularity, number>;
  incidents_opened_total: number;
  anomalies_total: number;
  notifications_total: number;
  keys_known: number;
  /** Seconds spent in the engine and in the store's observation reads, for /metrics. */
  engine_seconds_total: number;
  observe_seconds_total: number;
}

export interface Detector {
  stop(): Promise<void>;
  /** Closes every bucket that is due; returns how many. */
  runOnce(): number;
  stats(): DetectorStats;
  threatLevel(): ThreatAssessment;
  flaggedOperators(): Array<{ operator: string; anomalies: number; since: number }>;
  flaggedSensors(): Array<{ sensor: string; anomalies: number; since: number }>;
  activeIncidents(): Incident[];
  /** The last bucket closed per granularity (start, ms). */
  position(): Partial<Record<DetectGranularity, number>>;
}

type Position = Partial<Record<DetectGranularity, number>>;

export function startDetector(opts: DetectorOptions): Detector {
  const { store, clock } = opts;
  const log = opts.logger;
  const { grace_ms, initial_lookback_ms, backfill_after_ms, ...engineSettings } = opts.config ?? {};
  const cfg = {
    grace_ms: grace_ms ?? DEFAULT_RUNNER_CONFIG.grace_ms,
    initial_lookback_ms: initial_lookback_ms ?? DEFAULT_RUNNER_CONFIG.initial_lookback_ms,
    backfill_after_ms: backfill_after_ms ?? DEFAULT_RUNNER_CONFIG.backfill_after_ms,
    engine: engineSettings,
  };
  const saved = store.loadDetectorState(STATE_NAME);
  let engine: Engine;
  let position: Position = {};
  try {
    engine = createDetectionEngine(cfg.engine, saved ? [saved.data, ...saved.parts] : undefined);
    position = saved ? (JSON.parse(saved.position) as Position) : {};
  } catch (err) {
    // A state that cannot be read is not half-used: the engine relearns from the stored buckets.
    log.error({ err }, 'saved detector state refused; relearning from the stored buckets');
    engine = createDetectionEngine(cfg.engine);
    position = {};
  }
  const stats: DetectorStats = {
    buckets_evaluated_total: { '5m': 0, '1h': 0, '1d': 0 },
    incidents_opened_total: 0,
    anomalies_total: 0,
    notifications_total: 0,
    keys_known: 0,
    engine_seconds_total: 0,
    observe_seconds_total: 0,
  };

  const pending = (now: number): Array<{ g: DetectGranularity; bucket: number }> => {
    const out: Array<{ g: DetectGranularity; bucket: number }> = [];
    for (const g of GRAN_ORDER) {
      const size = GRANULARITIES[g];
      const lastClosed = bucketStart(now - cfg.grace_ms - size, g);
      const at = position[g];
      let next: number;
      if (at !== undefined) {
        next = at + size;
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

  const close = (g: DetectGranularity, bucket: number, now: number): void => {
    const t0 = performance.now();
    const obs = store.bucketObservation(g, bucket);
    const t1 = performance.now();
    const backfill = now - (bucket + GRANULARITIES[g]) > cfg.backfill_after_ms;
    const result = engine.closeBucket({ ...obs, backfill });
    const t2 = performance.now();
    position = { ...position, [g]: bucket };
    // In parts, each made as the store writes it: the whole state is about 100 MB at 131,072 keys.
    store.saveDetectorState(STATE_NAME, engine.saveStateParts(), JSON.stringify(position), {
      incidents: result.changed.map(toStored),
      anomalies: result.anomalies.map((a) => ({
        proto: a.proto,
        port: a.port,
        granularity: a.granularity,
        bucket: a.bucket,
        body: a,
      })),
    });
    stats.engine_seconds_total += (t2 - t1) / 1000;
    stats.observe_seconds_total += (t1 - t0) / 1000;
    stats.buckets_evaluated_total[g]++;
    stats.anomalies_total += result.anomalies.length;
    stats.keys_known = engine.counters.keys_known;
    for (const n of result.notifications) {
      stats.notifications_total++;
      if (n.kind === 'opened') stats.incidents_opened_total++;
      log.info(
        { incident: n.incident.id, kind: n.kind, level: n.incident.level, severity: n.incident.severity },
        `incident ${n.kind}: ${n.incident.proto}/${n.incident.port}`,
      );
      opts.onNotification?.(n);
    }
  };

  const run = (maxBuckets: number): { closed: number; more: boolean } => {
    const now = clock.now();
    const due = pending(now);
    let closed = 0;
    for (const { g, bucket } of due.slice(0, maxBuckets)) {
      close(g, bucket, now);
      closed++;
    }
    return { closed, more: due.length > closed };
  };

  const perTick = Math.max(1, opts.maxBucketsPerTick ?? 24);
  const intervalMs = opts.intervalMs ?? 5000;
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
  log.info({ interval_ms: intervalMs, resumed: saved !== undefined }, 'detector started');

  return {
    runOnce: () => run(Infinity).closed,
    stats: () => ({ ...stats, buckets_evaluated_total: { ...stats.buckets_evaluated_total } }),
    threatLevel: () => engine.threatLevel(),
    flaggedOperators: () => engine.flaggedOperators(),
    flaggedSensors: () => engine.flaggedSensors(),
    activeIncidents: () => engine.activeIncidents(),
    position: () => ({ ...position }),
    stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      log.info('detector stopped');
      return Promise.resolve();
    },
  };
}

function toStored(i: Incident): {
  id: string;
  proto: Incident['proto'];
  port: number;
  status: Incident['status'];
  level: Incident['level'];
  severity: number;
  opened_at: number;
  updated_at: number;
  campaign: string | null;
  backfilled: boolean;
  body: Incident;
} {
  return {
    id: i.id,
    proto: i.proto,
    port: i.port,
    status: i.status,
    level: i.level,
    severity: i.severity,
    opened_at: i.opened_at,
    updated_at: i.updated_at,
    campaign: i.campaign,
    backfilled: i.backfilled,
    body: i,
  };
}
