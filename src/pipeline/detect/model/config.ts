/**
 * Settings of the detection engine (DETECTION.md), each with its default and the reason for it. Option names
 * carry their unit. `resolveEngineConfig` fills the defaults; every value is checked, and a wrong one is refused
 * with its name (DETECT_CONFIG_INVALID).
 */
import { makeError } from '../../../core/errors.js';
import type { DetectGranularity } from '../../../core/observation.js';

export interface GranularityConfig {
  /** Windows (in buckets of this granularity) whose sums are tested: the bucket alone, and runs ending at it. */
  windows: number[];
  /** Baseline memory: discount δ = 1 − 1/(memory_days · buckets per day). */
  memory_days: number;
  /** Seasonal (hour-of-week) factor applied to expectations: sub-day buckets only. */
  seasonal: boolean;
  /** The engine learns without firing until it has seen this many days of this granularity. */
  warmup_days: number;
}

export interface EngineConfig {
  /** Medium-or-higher alerts a day the operator accepts across all keys; sets α (Bonferroni over the keys with a
   * non-zero count in a bucket and over the windows tested). */
  alert_budget_per_day: number;
  /** Multiplies the budgeted α; calibrated by replaying background (stormwatch eval). */
  alpha_scale: number;
  /** A firing needs at least this many sources in the window and this fold over its expectation. */
  min_sources: number;
  min_fold: number;
  /** Breadth gates: operators reporting (non-probation), effective number 1/Σ share², largest share. */
  min_operators: number;
  min_effective_operators: number;
  max_operator_share: number;
  /** The test must still pass with this fraction of the operators (at least one) removed, largest first. */
  trim_fraction: number;
  /** Caps relative to history: an operator counts for at most this many times the share of the key's sources its
   * history gives it (relative to the other operators now), and never less than `operator_cap_min` sources. */
  operator_cap_factor: number;
  operator_cap_min: number;
  /** A key quiet this long is new: it needs `new_port_min_sources` sources besides the test. */
  new_port_quiet_days: number;
  new_port_min_sources: number;
  /** Prior for a never-seen key: sources per exposure unit (an active sensor) per day, and its weight in days. */
  prior_rate_per_sensor_day: number;
  prior_weight_days: number;
  /** Updates clip a bucket's count at expected + this many predictive standard deviations (robust baselines). */
  clip_sd: number;
  /** Each (source, sensor) pair's events count at most this much (evidence for capped events). */
  events_cap: number;
  /** CUSUM: the shift it watches for (× the lagged baseline), its in-control run length in buckets, and the
   * guard band between the baseline it uses and now. */
  cusum_shift: number;
  cusum_arl0_buckets: number;
  cusum_guard_days: number;
  /** Growth fit: at least this many sources in the latest bucket, over this many buckets. */
  growth_min_sources: number;
  growth_buckets: number;
  /** Lifecycle (bucket clock): an active incident with no firing for cool_after goes cooling, for resolve_after
   * resolved; a resolved incident that fires again within reopen_within re-opens; one open this long at a stable
   * level becomes the new normal. A candidate that does not fire again within candidate_expire is dropped. */
  cool_after_ms: number;
  resolve_after_ms: number;
  reopen_within_ms: number;
  accept_after_ms: number;
  candidate_expire_ms: number;
  /**
   * Operators and sensors that are the culprit of this many local anomalies within `flag_window_ms` are flagged
   * for review. An anomaly has a culprit when one operator holds more than `flag_min_share` of a window of at
   * least `flag_min_sources` sources.
   */
  flag_after_anomalies: number;
  flag_window_ms: number;
  flag_min_share: number;
  flag_min_sources: number;
  /** Incidents whose source samples share at least this Jaccard similarity belong to one campaign. */
  campaign_jaccard: number;
  granularities: Record<DetectGranularity, GranularityConfig>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const DEFAULT_ENGINE_CONFIG: Readonly<EngineConfig> = Object.freeze({
  alert_budget_per_day: 1,
  alpha_scale: 1,
  min_sources: 5,
  min_fold: 2,
  min_operators: 3,
  min_effective_operators: 2.5,
  max_operator_share: 0.5,
  trim_fraction: 0.1,
  operator_cap_factor: 4,
  operator_cap_min: 1,
  new_port_quiet_days: 28,
  new_port_min_sources: 5,
  prior_rate_per_sensor_day: 0.003,
  prior_weight_days: 7,
  clip_sd: 2.5,
  events_cap: 20,
  cusum_shift: 2,
  cusum_arl0_buckets: 24 * 365,
  cusum_guard_days: 7,
  growth_min_sources: 10,
  growth_buckets: 12,
  cool_after_ms: 2 * HOUR,
  resolve_after_ms: 12 * HOUR,
  reopen_within_ms: DAY,
  accept_after_ms: 7 * DAY,
  candidate_expire_ms: 6 * HOUR,
  flag_after_anomalies: 5,
  flag_window_ms: 7 * DAY,
  flag_min_share: 0.8,
  flag_min_sources: 50,
  campaign_jaccard: 0.05,
  granularities: Object.freeze({
    '5m': Object.freeze({ windows: [1, 3, 6, 24], memory_days: 28, seasonal: true, warmup_days: 1 }),
    '1h': Object.freeze({ windows: [1, 3, 6, 24], memory_days: 28, seasonal: true, warmup_days: 1 }),
    '1d': Object.freeze({ windows: [1, 3], memory_days: 28, seasonal: false, warmup_days: 14 }),
  }),
});

/** Settings as given: any subset, granularities field by field. */
export type EngineSettings = Partial<Omit<EngineConfig, 'granularities'>> & {
  granularities?: Partial<Record<DetectGranularity, Partial<GranularityConfig>>>;
};

export function resolveEngineConfig(partial?: EngineSettings): EngineConfig {
  const d = DEFAULT_ENGINE_CONFIG;
  const g = partial?.granularities;
  const cfg: EngineConfig = {
    ...d,
    ...partial,
    granularities: {
      '5m': { ...d.granularities['5m'], ...g?.['5m'] },
      '1h': { ...d.granularities['1h'], ...g?.['1h'] },
      '1d': { ...d.granularities['1d'], ...g?.['1d'] },
    },
  };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(cfg)) {
    if (name === 'granularities') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`${name}: must be a finite number >= 0 (got ${String(value)})`);
    }
  }
  if (cfg.alpha_scale <= 0) problems.push('alpha_scale: must be > 0');
  if (cfg.alert_budget_per_day <= 0) problems.push('alert_budget_per_day: must be > 0');
  if (cfg.max_operator_share > 1) problems.push('max_operator_share: must be <= 1');
  if (cfg.flag_min_share >= 1) problems.push('flag_min_share: must be < 1');
  if (cfg.trim_fraction >= 1) problems.push('trim_fraction: must be < 1');
  for (const [name, gc] of Object.entries(cfg.granularities)) {
    if (!Array.isArray(gc.windows) || gc.windows.length === 0) {
      problems.push(`granularities.${name}.windows: must list at least one window`);
    } else if (gc.windows.some((w) => !Number.isInteger(w) || w < 1 || w > 48)) {
      problems.push(`granularities.${name}.windows: each window must be an integer from 1 to 48`);
    }
    if (!(gc.memory_days > 0)) problems.push(`granularities.${name}.memory_days: must be > 0`);
    if (!(gc.warmup_days >= 0)) problems.push(`granularities.${name}.warmup_days: must be >= 0`);
  }
  if (problems.length > 0) {
    throw makeError('SW_CONFIG_INVALID', `detector settings are invalid: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  return cfg;
}

/** The longest window of a granularity (how many past counts a key keeps). */
export const maxWindow = (g: GranularityConfig): number => Math.max(...g.windows);
