/**
 * The families behind GET /metrics, beyond the ingest counters (which IngestMetrics writes itself): aggregator,
 * bus backlog, detector, publishing (dispatcher and drafts), store file sizes, sensors and process uptime.
 *
 * Invariants:
 * - Names carry their unit and counters end in `_total` (docs/STYLE.md); durations are in seconds.
 * - A stage the app was not given (tests build apps without a detector) is left out, never reported as zeros.
 * - A store or bus that does not answer leaves its samples out (HELP and TYPE stay) instead of failing the
 *   scrape: the aggregator's error counters matter most exactly then. Readiness names the broken component.
 * - The detector's position and lag come from the store (`detect.last_bucket.<g>`), so they survive restarts;
 *   the lag is event-clock now minus the end of the last evaluated bucket.
 */
import { retentionFamilies } from '../pipeline/retention/index.js';
import { publishFamilies } from '../publish/metrics.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { GRANULARITIES } from '../core/buckets.js';
import { GRAN_ORDER } from '../pipeline/detect/index.js';
import type { ApiContext } from './context.js';
import { DATA_FILES } from './data-files.js';
import type { MetricFamily, Sample } from '../core/prometheus.js';

function aggregatorFamilies(ctx: ApiContext): MetricFamily[] {
  const agg = ctx.pipeline.aggregator;
  if (!agg) return [];
  const s = agg.stats();
  return [
    {
      name: 'stormwatch_aggregate_batches_total',
      help: 'Batches taken from the bus by outcome: applied to the store, skipped (applied before), rejected (invalid, dropped).',
      type: 'counter',
      samples: [
        { labels: { outcome: 'applied' }, value: s.batches_applied_total },
        { labels: { outcome: 'skipped' }, value: s.batches_skipped_total },
        { labels: { outcome: 'rejected' }, value: s.batches_rejected_total },
      ],
    },
    {
      name: 'stormwatch_aggregate_events_applied_total',
      help: 'Events merged into the rollups.',
      type: 'counter',
      samples: [{ value: s.events_applied_total }],
    },
    {
      name: 'stormwatch_aggregate_steps_total',
      help: 'Aggregation steps run (fetch, apply, ack), empty ones included.',
      type: 'counter',
      samples: [{ value: s.steps_total }],
    },
    {
      name: 'stormwatch_aggregate_errors_total',
      help: 'Aggregation steps that failed (retried with backoff).',
      type: 'counter',
      samples: [{ value: s.errors_total }],
    },
    {
      name: 'stormwatch_aggregate_last_step_seconds',
      help: 'Duration of the last non-empty aggregation step.',
      type: 'gauge',
      samples: [{ value: s.last_step_ms / 1000 }],
    },
    {
      name: 'stormwatch_aggregate_commits_total',
      help: 'Rollup commits (rows and applied batch ids in one transaction, then the bus ack).',
      type: 'counter',
      samples: [{ value: s.commits_total }],
    },
    {
      name: 'stormwatch_aggregate_last_commit_seconds',
      help: 'Duration of the last rollup commit, bus ack included.',
      type: 'gauge',
      samples: [{ value: s.last_commit_ms / 1000 }],
    },
    {
      name: 'stormwatch_aggregate_last_commit_rows',
      help: 'Rows written by the last commit (port buckets, source days, sensor hours).',
      type: 'gauge',
      samples: [{ value: s.last_commit_rows }],
    },
    {
      name: 'stormwatch_aggregate_flush_lag_seconds',
      help: 'At the last commit, how long its oldest batch had waited since the aggregator read it.',
      type: 'gauge',
      samples: [{ value: s.flush_lag_ms / 1000 }],
    },
    {
      name: 'stormwatch_aggregate_rows_in_memory',
      help: 'Rollup rows the aggregator holds in memory, by kind (evicted when idle).',
      type: 'gauge',
      samples: [
        { labels: { kind: 'port' }, value: s.engine.port_rows },
        { labels: { kind: 'source_day' }, value: s.engine.source_states },
        { labels: { kind: 'sensor_hour' }, value: s.engine.sensor_rows },
      ],
    },
    {
      name: 'stormwatch_aggregate_heap_bytes',
      help: 'V8 heap of the aggregator thread: used, committed (reserved from the system), and the limit collection keeps it under.',
      type: 'gauge',
      samples: [
        { labels: { kind: 'used' }, value: s.heap.used_bytes },
        { labels: { kind: 'committed' }, value: s.heap.committed_bytes },
        { labels: { kind: 'limit' }, value: s.heap.limit_bytes },
      ],
    },
    {
      name: 'stormwatch_aggregate_pending_events',
      help: 'Events read from the bus and counted in memory, waiting for the next commit.',
      type: 'gauge',
      samples: [{ value: s.engine.pending_events }],
    },
    {
      name: 'stormwatch_aggregate_last_step_failed',
      help: '1 when the most recent aggregation step failed, else 0.',
      type: 'gauge',
      samples: [{ value: s.last_step_failed ? 1 : 0 }],
    },
  ];
}

/** The value, or undefined when the component throws (closed store or bus). */
async function attempt<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch {
    return undefined;
  }
}

function detectorFamilies(ctx: ApiContext): MetricFamily[] {
  const det = ctx.pipeline.detector;
  if (!det) return [];
  const now = ctx.eventClock.now();
  const position = det.position();
  const lastEnd: Sample[] = [];
  const lag: Sample[] = [];
  for (const g of GRAN_ORDER) {
    const at = position[g];
    if (at === undefined) continue;
    const end = at + GRANULARITIES[g];
    lastEnd.push({ labels: { granularity: g }, value: end / 1000 });
    lag.push({ labels: { granularity: g }, value: (now - end) / 1000 });
  }
  const s = det.stats();
  const counter = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: 'counter',
    samples: [{ value }],
  });
  return [
    {
      name: 'stormwatch_detect_buckets_evaluated_total',
      help: 'Closed buckets given to the detection engine, by granularity.',
      type: 'counter',
      samples: GRAN_ORDER.map((g) => ({ labels: { granularity: g }, value: s.buckets_evaluated_total[g] })),
    },
    counter(
      'stormwatch_detect_incidents_opened_total',
      'Incidents opened (notified; backfill not counted).',
      s.incidents_opened_total,
    ),
    counter(
      'stormwatch_detect_notifications_total',
      'Incident notifications: opened, escalated, reopened, resolved.',
      s.notifications_total,
    ),
    counter(
      'stormwatch_detect_local_anomalies_total',
      'Firings that failed a breadth or poisoning gate.',
      s.anomalies_total,
    ),
    counter(
      'stormwatch_detect_engine_seconds_total',
      'Time spent in the detection engine.',
      s.engine_seconds_total,
    ),
    counter(
      'stormwatch_detect_observe_seconds_total',
      'Time spent reading closed buckets from the store.',
      s.observe_seconds_total,
    ),
    {
      name: 'stormwatch_detect_keys_known',
      help: 'Keys (protocol, port) with a baseline.',
      type: 'gauge',
      samples: [{ value: s.keys_known }],
    },
    {
      name: 'stormwatch_detect_last_bucket_end_timestamp_seconds',
      help: 'Event-clock end of the last bucket the detector closed, by granularity.',
      type: 'gauge',
      samples: lastEnd,
    },
    {
      name: 'stormwatch_detect_bucket_close_lag_seconds',
      help: 'Event-clock now minus the end of the last closed bucket, by granularity.',
      type: 'gauge',
      samples: lag,
    },
  ];
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // not there (e.g. no -wal after a checkpoint on close): no bytes on disk
  }
}

/** Every family but the ingest counters, in a stable order. */
export async function serverFamilies(ctx: ApiContext): Promise<MetricFamily[]> {
  const backlog = await attempt(() => ctx.bus.backlog());
  const sensors = await attempt(() => ctx.store.listSensors());
  const revoked = sensors?.filter((s) => s.revoked).length ?? 0;
  const dataDir = ctx.dataDir;
  return [
    ...aggregatorFamilies(ctx),
    ...(ctx.pipeline.retention ? retentionFamilies(ctx.pipeline.retention.stats()) : []),
    {
      name: 'stormwatch_bus_backlog_batches',
      help: 'Batches on the bus not yet applied and acknowledged.',
      type: 'gauge',
      samples: backlog === undefined ? [] : [{ value: backlog }],
    },
    ...detectorFamilies(ctx),
    ...(ctx.pipeline.publish
      ? publishFamilies(ctx.pipeline.publish.dispatcherStats(), ctx.pipeline.publish.publisherStats())
      : []),
    {
      name: 'stormwatch_store_size_bytes',
      help: 'Size of the SQLite files in the data folder (0 when absent).',
      type: 'gauge',
      samples:
        dataDir === null
          ? []
          : DATA_FILES.map((file) => ({ labels: { file }, value: fileSize(join(dataDir, file)) })),
    },
    {
      name: 'stormwatch_sensors',
      help: 'Enrolled sensors by status (their sum is every sensor ever enrolled).',
      type: 'gauge',
      samples:
        sensors === undefined
          ? []
          : [
              { labels: { status: 'active' }, value: sensors.length - revoked },
              { labels: { status: 'revoked' }, value: revoked },
            ],
    },
    {
      name: 'stormwatch_process_uptime_seconds',
      help: 'Seconds since this server process started.',
      type: 'gauge',
      samples: [{ value: process.uptime() }],
    },
  ];
}
