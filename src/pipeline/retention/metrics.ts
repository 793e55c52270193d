/**
 * The retention stage's Prometheus families (for GET /metrics), from its stats().
 *
 * Invariants: names carry their unit and counters end in `_total`; the last-run time is left out (HELP and TYPE
 * stay) until a run has finished; forced deletions have their own families, so data lost to the size cap can
 * be alerted on by itself.
 */
import type { MetricFamily } from '../../core/prometheus.js';
import type { RetentionStats } from './scheduler.js';

const byTable = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts).map(([table, value]) => ({ labels: { table }, value }));

export function retentionFamilies(s: RetentionStats): MetricFamily[] {
  return [
    {
      name: 'stormwatch_retention_rows_deleted_total',
      help: 'Rows deleted by age (port_buckets by granularity), by table.',
      type: 'counter',
      samples: byTable(s.rows_pruned_total),
    },
    {
      name: 'stormwatch_retention_forced_rows_total',
      help: 'Rows deleted before their time to keep the database within retention.max_db_bytes, by table.',
      type: 'counter',
      samples: byTable(s.forced_rows_total),
    },
    {
      name: 'stormwatch_retention_forced_deletions_total',
      help: 'Forced deletions (a table and a step that deleted data for the size cap; each is logged as a warning).',
      type: 'counter',
      samples: [{ value: s.forced_deletions_total }],
    },
    {
      name: 'stormwatch_retention_over_cap',
      help: '1 when the last run ended above retention.max_db_bytes with nothing left that the cap may delete.',
      type: 'gauge',
      samples: [{ value: s.over_cap ? 1 : 0 }],
    },
    {
      name: 'stormwatch_retention_runs_total',
      help: 'Retention runs finished.',
      type: 'counter',
      samples: [{ value: s.runs_total }],
    },
    {
      name: 'stormwatch_retention_errors_total',
      help: 'Retention runs that failed (retried at the next interval).',
      type: 'counter',
      samples: [{ value: s.errors_total }],
    },
    {
      name: 'stormwatch_retention_last_run_timestamp_seconds',
      help: 'Wall time at which the last retention run finished.',
      type: 'gauge',
      samples: s.last_run_at === null ? [] : [{ value: s.last_run_at / 1000 }],
    },
    {
      name: 'stormwatch_retention_last_run_seconds',
      help: 'Duration of the last retention run (pruning and upkeep, with the pauses between steps).',
      type: 'gauge',
      samples: [{ value: s.last_run_ms / 1000 }],
    },
    {
      name: 'stormwatch_store_used_bytes',
      help: 'Bytes the store database uses ((page_count - freelist_count) * page_size), at the last retention run.',
      type: 'gauge',
      samples: [{ value: s.db_used_bytes }],
    },
  ];
}
