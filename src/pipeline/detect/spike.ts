/**
 * Detection v0, the test itself (pure): is this key's bucket a spike in distinct sources?
 *
 * expected μ = max(clipped mean of the key's zero-filled history, floor_expected)
 * p = P(X >= observed sources | Poisson(μ)), in log space (poisson.ts)
 * fire ⇔ p < alpha ∧ sources ≥ min_sources ∧ sensors ≥ min_sensors ∧ sources/μ ≥ min_fold
 *        (and the history is at least min_history_buckets long; otherwise the bucket is not tested)
 *
 * Severity 0–100 = round(100 · (0.40·S + 0.35·F + 0.25·B)), each part clipped to [0, 1]:
 *   S (significance) = (−log10 p + log10 alpha) / 24   — 0 at the firing threshold, 1 at 24 decades beyond
 *   F (fold)         = log2(fold / min_fold) / 5        — 0 at min_fold, 1 at 32× min_fold
 *   B (breadth)      = log2(sensors / min_sensors) / 3  — 0 at min_sensors, 1 at 8× min_sensors
 * so an alert that barely passes every gate is 'info', and the 2007 example (27 sources on 14 sensors
 * against 0.5 expected, p ≈ 3e-41) is 'high' (≈ 88). Levels: info < 25 ≤ low < 50 ≤ medium < 75 ≤ high.
 */
import type { AlertEvidence } from '../../protocol/api-types.js';
import type { AlertRecord, PortBucketRow } from '../../store/store.js';
import { clippedMean } from './baseline.js';
import type { KeyHistory } from './baseline.js';
import type { DetectorConfig } from './config.js';
import { poissonUpperTailLog10 } from './poisson.js';

export type SpikeOutcome =
  'fire' | 'short-history' | 'not-significant' | 'few-sources' | 'few-sensors' | 'low-fold';

export interface SpikeVerdict {
  outcome: SpikeOutcome;
  /** log10 of the p-value (−Infinity for a certain tail, 0 when not computed). */
  log10p: number;
  severity: number;
  level: AlertRecord['level'];
  evidence: AlertEvidence;
}

type Gates = Pick<
  DetectorConfig,
  'alpha' | 'min_sources' | 'min_sensors' | 'min_fold' | 'floor_expected' | 'clip_quantile'
> & { min_history_buckets: number };

export function levelOf(severity: number): AlertRecord['level'] {
  if (severity < 25) return 'info';
  if (severity < 50) return 'low';
  if (severity < 75) return 'medium';
  return 'high';
}

export function severityOf(log10p: number, fold: number, sensors: number, g: Gates): number {
  const clip = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : v > 0 ? 1 : 0);
  const s = clip((-log10p + Math.log10(g.alpha)) / 24);
  const f = clip(Math.log2(fold / g.min_fold) / 5);
  const b = clip(Math.log2(sensors / g.min_sensors) / 3);
  return Math.round(100 * (0.4 * s + 0.35 * f + 0.25 * b));
}

/** Tests one key's bucket against its history (one value per baseline bucket, zeros included). */
export function evaluateSpike(row: PortBucketRow, history: KeyHistory, g: Gates): SpikeVerdict {
  const n = history.sources.length;
  const mu = Math.max(clippedMean(history.sources, g.clip_quantile), g.floor_expected);
  const x = row.sources;
  const fold = x / mu;
  const log10p = n >= g.min_history_buckets ? poissonUpperTailLog10(x, mu) : 0;
  const severity = severityOf(log10p, fold, row.sensors, g);
  const evidence: AlertEvidence = {
    bucket: new Date(row.bucket).toISOString(),
    granularity: row.granularity,
    sources: { observed: x, expected: round3(mu) },
    events: { observed: row.events, expected: round3(clippedMean(history.events, g.clip_quantile)) },
    sensors: { observed: row.sensors, expected: round3(clippedMean(history.sensors, g.clip_quantile)) },
    p_value: Math.max(10 ** log10p, Number.MIN_VALUE),
    fold: round3(fold),
    baseline_buckets: n,
    reason: reasonOf(row, mu, fold, log10p),
  };
  let outcome: SpikeOutcome = 'fire';
  if (n < g.min_history_buckets) outcome = 'short-history';
  else if (x < g.min_sources) outcome = 'few-sources';
  else if (row.sensors < g.min_sensors) outcome = 'few-sensors';
  else if (fold < g.min_fold) outcome = 'low-fold';
  else if (!(log10p < Math.log10(g.alpha))) outcome = 'not-significant';
  return { outcome, log10p, severity, level: levelOf(severity), evidence };
}

const GRANULARITY_WORDS: Record<string, string> = { '5m': '5-min', '1h': '1-hour', '1d': '1-day' };

/** e.g. "tcp/1025: 27 distinct sources from 14 sensors in the 5-min bucket at 2007-04-12T10:05Z, expected 0.5 (×54, p=3e-41)" */
function reasonOf(row: PortBucketRow, mu: number, fold: number, log10p: number): string {
  const at = new Date(row.bucket).toISOString().slice(0, 16) + 'Z';
  const words = GRANULARITY_WORDS[row.granularity] ?? row.granularity;
  const sensors = `${row.sensors} sensor${row.sensors === 1 ? '' : 's'}`;
  return (
    `${row.proto}/${row.port}: ${row.sources} distinct sources from ${sensors} in the ${words} bucket at ${at}, ` +
    `expected ${formatNumber(mu)} (×${formatNumber(fold)}, p=${formatP(log10p)})`
  );
}

function formatNumber(v: number): string {
  if (v >= 10) return String(Math.round(v));
  return String(Math.round(v * 10) / 10);
}

/** One significant digit, from the log so that p below 1e-308 still prints ("3e-41", "2e-400"). */
export function formatP(log10p: number): string {
  if (!Number.isFinite(log10p)) return '0';
  if (log10p > -3) return String(Math.round(10 ** log10p * 1000) / 1000);
  let exponent = Math.floor(log10p);
  let mantissa = Math.round(10 ** (log10p - exponent));
  if (mantissa >= 10) {
    mantissa = 1;
    exponent += 1;
  }
  return `${mantissa}e${exponent}`;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
