/**
 * The server configuration: one zod schema with defaults, validated once at start, then frozen.
 *
 * Invariants:
 * - `{}` is a complete configuration (every field has a default or is optional and passed through unset).
 * - Unknown keys are errors (a typo must not silently fall back to a default).
 * - Every problem is reported together, each named by its path, in one SW_CONFIG_INVALID error.
 * - Option names carry their unit. The fields and defaults are what docs/CONFIG.md must list.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import { ingestConfigShape } from '../ingest/config.js';
import type { DetectorSettings } from '../pipeline/detect/index.js';
import type { GeoOptions } from '../pipeline/enrich/index.js';
import { DEFAULT_MAX_BATCHES, DEFAULT_MAX_STEP_EVENTS, heapNeedMb } from '../pipeline/aggregate/index.js';
import { retentionConfigSchema } from '../pipeline/retention/index.js';
import { publishConfigSchema } from '../publish/config.js';

const nonNeg = z.number().nonnegative().optional();
const granularity = z.strictObject({
  windows: z.array(z.number().int().min(1).max(48)).min(1).optional(),
  memory_days: z.number().positive().optional(),
  seasonal: z.boolean().optional(),
  warmup_days: z.number().nonnegative().optional(),
});

/** Partial detector settings (src/pipeline/detect/README.md); the detector fills the rest from its defaults. */
export const detectorConfigSchema = z.strictObject({
  grace_ms: z.number().int().nonnegative().optional(),
  initial_lookback_ms: z.number().int().nonnegative().optional(),
  backfill_after_ms: z.number().int().nonnegative().optional(),
  alert_budget_per_day: z.number().positive().optional(),
  alpha_scale: z.number().positive().optional(),
  min_sources: z.number().int().positive().optional(),
  min_fold: z.number().positive().optional(),
  min_operators: z.number().int().nonnegative().optional(),
  min_effective_operators: nonNeg,
  max_operator_share: z.number().gt(0).max(1).optional(),
  trim_fraction: z.number().min(0).lt(1).optional(),
  operator_cap_factor: z.number().gt(0).optional(),
  operator_cap_min: z.number().min(0).optional(),
  new_port_quiet_days: nonNeg,
  new_port_min_sources: z.number().int().nonnegative().optional(),
  prior_rate_per_sensor_day: nonNeg,
  prior_weight_days: nonNeg,
  clip_sd: z.number().positive().optional(),
  events_cap: z.number().int().positive().optional(),
  cusum_shift: z.number().gt(1).optional(),
  cusum_arl0_buckets: z.number().gt(1).optional(),
  cusum_guard_days: z.number().int().nonnegative().optional(),
  growth_min_sources: nonNeg,
  growth_buckets: z.number().int().min(3).max(24).optional(),
  cool_after_ms: z.number().int().nonnegative().optional(),
  resolve_after_ms: z.number().int().nonnegative().optional(),
  reopen_within_ms: z.number().int().nonnegative().optional(),
  accept_after_ms: z.number().int().nonnegative().optional(),
  candidate_expire_ms: z.number().int().nonnegative().optional(),
  flag_after_anomalies: z.number().int().positive().optional(),
  flag_window_ms: z.number().int().positive().optional(),
  flag_min_share: z.number().min(0).max(0.999).optional(),
  flag_min_sources: z.number().int().nonnegative().optional(),
  campaign_jaccard: z.number().min(0).max(1).optional(),
  granularities: z
    .strictObject({
      '5m': granularity.optional(),
      '1h': granularity.optional(),
      '1d': granularity.optional(),
    })
    .optional(),
});

/** Compile-time check that the schema stays a subset of the detector's own settings. */
type DetectorInput = z.infer<typeof detectorConfigSchema>;
type SameKeys = keyof DetectorInput extends keyof DetectorSettings ? true : never;
const _detectorKeysMatch: SameKeys = true;

/** A geo data file: a path; unset: the installed package's file; null: that part off (docs/CONFIG.md). */
const geoFile = z.string().min(1).nullable().optional();
/** Country and AS data of source addresses, passed to loadGeo (src/pipeline/enrich/geo.ts). */
export const geoConfigSchema = z.strictObject({
  country_file: geoFile,
  asn_ipv4_file: geoFile,
  asn_ipv6_file: geoFile,
});
const _geoKeysMatch: keyof z.infer<typeof geoConfigSchema> extends keyof GeoOptions ? true : never = true;

export const serverConfigSchema = z.strictObject({
  ...ingestConfigShape,
  /** Body limit of the JSON API routes (enrolment, admin); submissions have their own limits. */
  max_json_body_bytes: z.number().int().positive().default(65_536),
  /** Most points one series request may return (zero-filled buckets included); more → 400. */
  max_series_points: z.number().int().positive().default(40_000),
  /** Default lifetime of an enrolment token made through the admin API. */
  enrollment_token_ttl_ms: z.number().int().positive().default(86_400_000),
  /** Upper bound for a requested token lifetime. */
  enrollment_token_max_ttl_ms: z
    .number()
    .int()
    .positive()
    .default(30 * 86_400_000),
  /** Aggregator loop period and batch size (unset: the aggregator's own defaults). */
  aggregate_interval_ms: z.number().int().positive().optional(),
  aggregate_max_batches: z.number().int().positive().optional(),
  aggregate_max_step_events: z.number().int().min(1000).optional(),
  aggregate_flush_interval_ms: z.number().int().positive().optional(),
  aggregate_flush_max_events: z.number().int().positive().optional(),
  /** Rollup rows the aggregator keeps in memory; at a cap it commits and evicts the least recently touched,
   * which are in the store already. The defaults keep the whole server under 1 GB (bench/ingest.bench.ts). */
  aggregate_max_port_rows: z.number().int().min(1000).default(60_000),
  aggregate_max_source_days: z.number().int().min(1000).default(150_000),
  /** SQLite's page cache per store connection (the server has two: the main thread's and the aggregator's). */
  store_cache_mb: z.number().int().min(1).max(4096).default(32),
  /** The aggregator thread's V8 old-generation limit, MiB; checked at start against what the caps need. */
  aggregate_worker_heap_mb: z.number().int().min(128).default(512),
  archive_raw_batches: z.boolean().optional(),
  /** Detector loop period (unset: the detector's own default; 0: only drain() runs it). */
  detect_interval_ms: z.number().int().nonnegative().optional(),
  /** A newly enrolled sensor carries no weight in detection for this many days (poisoning defence). */
  sensor_probation_days: z.number().nonnegative().default(14),
  /** Passed to the detector as its `config` (see src/pipeline/detect/config.ts for meanings and defaults). */
  detector: detectorConfigSchema.optional(),
  /** Geo data files (unset: the installed packages' files). */
  geo: geoConfigSchema.optional(),
  /** How long data is kept and the database size cap (src/pipeline/retention/config.ts; every key defaults). */
  retention: retentionConfigSchema.prefault({}),
  /** Base URL of this server in published links (advisories, incidents, feeds); unset: the listening address. */
  public_url: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** The advise stage: incidents at this level or above get an automatic advisory draft and a message. */
  advise: z
    .strictObject({
      draft_min_level: z.enum(['low', 'medium', 'high']).default('medium'),
      /** How long an analyst's threat-level decision stays in force. */
      decision_expiry_ms: z.number().int().positive().default(86_400_000),
    })
    .prefault({}),
  /** Channels, routes and the dispatcher (docs/CHANNELS.md); secrets come from the environment at start. */
  publish: publishConfigSchema.prefault({}),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a (partial) configuration and fills the defaults; throws SW_CONFIG_INVALID naming every problem.
 * @example const cfg = resolveServerConfig({ max_body_bytes: 2 * 1024 * 1024 })
 */
export function resolveServerConfig(
  input: unknown = {},
  source = 'server configuration',
): Readonly<ServerConfig> {
  const r = serverConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const path = i.path.map(String).join('.') || '(root)';
      const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
      return `${path}: ${i.message}${keys}`;
    });
    throw makeError('SW_CONFIG_INVALID', `${source}: ${problems.join('; ')}`, { details: problems });
  }
  const c = r.data;
  const need = heapNeedMb({
    maxPortRows: c.aggregate_max_port_rows,
    maxSourceDays: c.aggregate_max_source_days,
    maxBatches: c.aggregate_max_batches ?? DEFAULT_MAX_BATCHES,
    maxStepEvents: c.aggregate_max_step_events ?? DEFAULT_MAX_STEP_EVENTS,
    maxEventsPerBatch: c.max_events_per_batch,
  });
  if (c.aggregate_worker_heap_mb < need) {
    const problem =
      `aggregate_worker_heap_mb: ${c.aggregate_worker_heap_mb} MiB is less than the ${need} MiB that ` +
      `aggregate_max_port_rows, aggregate_max_source_days, aggregate_max_batches, aggregate_max_step_events and ` +
      `max_events_per_batch need ` +
      `(src/pipeline/aggregate/heap-need.ts): raise it or lower them`;
    throw makeError('SW_CONFIG_INVALID', `${source}: ${problem}`, { details: [problem] });
  }
  return deepFreeze(c);
}

/**
 * Reads and validates a YAML configuration file (flat keys as in serverConfigSchema).
 * @example const cfg = loadServerConfigFile('/etc/stormwatch/server.yaml')
 */
export function loadServerConfigFile(path: string): Readonly<ServerConfig> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${path}: ${(err as Error).message}`, { cause: err });
  }
  return resolveServerConfig(doc ?? {}, path);
}
