/**
 * Detection v0 settings. Every threshold is here with its default and the reason for it; option names carry
 * their unit. See spike.ts for how they are used.
 */
import type { Granularity } from '../../core/buckets.js';

export type DetectGranularity = Extract<Granularity, '5m' | '1h'>;

export interface HistoryConfig {
  /** Buckets of the same granularity before the tested one that form the baseline. */
  window_buckets: number;
  /** Fewer buckets of elapsed history since the fleet's first data than this: the bucket is not tested. */
  min_history_buckets: number;
}

export interface DetectorConfig {
  /** Fire when the Poisson upper-tail p-value of the distinct sources is below this. */
  alpha: number;
  /** Breadth gates: at least this many distinct sources and sensors in the bucket. */
  min_sources: number;
  min_sensors: number;
  /** Observed sources / expected sources must be at least this. */
  min_fold: number;
  /** Expected sources never below this, so a silent key has a finite expectation. */
  floor_expected: number;
  /** Baseline history values above this quantile are clipped to it before the mean (robust to past spikes). */
  clip_quantile: number;
  /** A bucket is closed (and tested) once server time passes its end by this much. */
  grace_ms: number;
  /** An open alert that has not fired for this long is resolved. */
  resolve_after_ms: number;
  /** A detector with no saved position starts this far back (not at the beginning of all data). */
  initial_lookback_ms: number;
  history: Record<DetectGranularity, HistoryConfig>;
}

export const DEFAULT_DETECTOR_CONFIG: Readonly<DetectorConfig> = Object.freeze({
  alpha: 1e-6,
  min_sources: 5,
  min_sensors: 3,
  min_fold: 3,
  floor_expected: 0.5,
  clip_quantile: 0.95,
  grace_ms: 60_000,
  resolve_after_ms: 6 * 3_600_000,
  initial_lookback_ms: 24 * 3_600_000,
  history: Object.freeze({
    '5m': Object.freeze({ window_buckets: 288, min_history_buckets: 24 }),
    '1h': Object.freeze({ window_buckets: 168, min_history_buckets: 24 }),
  }),
});

export function resolveDetectorConfig(partial?: Partial<DetectorConfig>): DetectorConfig {
  const d = DEFAULT_DETECTOR_CONFIG;
  return {
    ...d,
    ...partial,
    history: {
      '5m': { ...d.history['5m'], ...partial?.history?.['5m'] },
      '1h': { ...d.history['1h'], ...partial?.history?.['1h'] },
    },
  };
}
