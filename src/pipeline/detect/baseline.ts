/**
 * Baseline helpers for detection v0: zero-filled histories and a winsorised (clipped) mean.
 *
 * Invariants: a history has exactly one value per bucket of [from, to) — buckets with no row count as 0;
 * the bucket under test is never part of its own history (to = the tested bucket's start).
 */
import type { PortBucketRow } from '../../store/store.js';

export interface KeyHistory {
  sources: number[];
  events: number[];
  sensors: number[];
}

/** One value per bucket of [from, from + n*size), zeros where `rows` (ascending, same key) has none. */
export function zeroFilledHistory(
  rows: readonly PortBucketRow[],
  from: number,
  n: number,
  size: number,
): KeyHistory {
  const h: KeyHistory = {
    sources: new Array<number>(n).fill(0),
    events: new Array<number>(n).fill(0),
    sensors: new Array<number>(n).fill(0),
  };
  for (const r of rows) {
    const i = Math.round((r.bucket - from) / size);
    if (i < 0 || i >= n) continue;
    h.sources[i] = r.sources;
    h.events[i] = r.events;
    h.sensors[i] = r.sensors;
  }
  return h;
}

/**
 * Mean after clipping every value above the q-quantile (nearest rank) to that quantile: one past spike in a
 * day of 5-minute buckets then moves the mean by at most the quantile's value / n. 0 for no values.
 */
export function clippedMean(values: readonly number[], q: number): number {
  const n = values.length;
  if (n === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const cap = sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? 0;
  let sum = 0;
  for (const v of values) sum += Math.min(v, cap);
  return sum / n;
}
