/**
 * The chart's baseline band: for each hour, the expected sources and a 99% display interval, from the same hour
 * of day on up to `days` earlier days BEFORE the activity began (so the surge never inflates its own baseline).
 *
 * This is a picture for readers, not the detector's model (src/pipeline/detect uses Gamma-Poisson baselines with
 * exposure and season); the advisory's evidence section quotes the detector's own numbers. Interval: mean ±
 * 2.576 standard deviations, the variance at least the mean (Poisson), floored at 0.
 */
import type { PortBucketRow } from '../../../store/store.js';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const Z99 = 2.576;

export interface BaselinePoint {
  /** Hour start, ms. */
  bucket: number;
  expected: number;
  low: number;
  high: number;
}

/**
 * @param history hourly rows covering at least [from - days·24 h, to)
 * @param activityStart hours at or after it never serve as history
 * @param dataStart the first hour the store has data for (store.earliestBucket('1h')): hours before it are
 *   unknown, not zero; an hour without a row after it had no sources
 * @example baselineBand(rows, from, to, incident.first_seen, store.earliestBucket('1h') ?? from, 7)
 */
export function baselineBand(
  history: readonly PortBucketRow[],
  from: number,
  to: number,
  activityStart: number,
  dataStart: number,
  days = 7,
): BaselinePoint[] {
  const sources = new Map<number, number>();
  for (const r of history) if (r.granularity === '1h') sources.set(r.bucket, r.sources);
  const out: BaselinePoint[] = [];
  for (let t = from; t < to; t += HOUR_MS) {
    const xs: number[] = [];
    for (let k = 1; k <= days; k++) {
      const h = t - k * DAY_MS;
      if (h + HOUR_MS <= activityStart && h >= dataStart) xs.push(sources.get(h) ?? 0);
    }
    if (xs.length === 0) continue;
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.length > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) : mean;
    const sd = Math.sqrt(Math.max(variance, mean));
    out.push({ bucket: t, expected: mean, low: Math.max(0, mean - Z99 * sd), high: mean + Z99 * sd });
  }
  return out;
}
