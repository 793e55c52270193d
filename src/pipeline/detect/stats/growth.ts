/**
 * Growth test: a weighted least-squares log-linear slope over the last 6 to 12 buckets of a count series
 * (DETECTION.md, test 3), to tell a growing campaign (and its doubling time) from a plateau.
 *
 * Invariants: y = ln(x + 0.5) so zero buckets are defined; weights are the counts themselves (the variance
 * of ln x is about 1/x for Poisson counts, so w = x is the inverse-variance weight); no fit (null) when
 * fewer than 6 buckets are given, the latest count is below 10, or the weighted times do not vary.
 * Pure; reads the input in place and allocates only the result (the logs go to a module scratch buffer,
 * safe because the fit is synchronous).
 */

export const GROWTH_MIN_BUCKETS = 6;
export const GROWTH_MAX_BUCKETS = 12;
export const GROWTH_MIN_LATEST = 10;

const logs = new Float64Array(GROWTH_MAX_BUCKETS);

export interface GrowthFit {
  /** d ln(count) / dt, per hour. */
  slope_per_hour: number;
  /** ln 2 / slope when the slope is positive, else null. */
  doubling_hours: number | null;
  /** Weighted coefficient of determination in [0, 1]; 0 when the counts do not vary at all. */
  r2: number;
  /** Buckets used. */
  n: number;
}

/**
 * Fit ln(x + 0.5) = a + b·t over the last min(12, counts.length) buckets, t in hours.
 * @example fitGrowth([10, 20, 40, 80, 160, 320], 1)?.doubling_hours // ≈ 1.0
 */
export function fitGrowth(counts: readonly number[], bucketHours: number): GrowthFit | null {
  const len = counts.length;
  const n = Math.min(GROWTH_MAX_BUCKETS, len);
  if (n < GROWTH_MIN_BUCKETS || !((counts[len - 1] ?? 0) >= GROWTH_MIN_LATEST)) return null;
  const start = len - n;
  let sw = 0;
  let st = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, counts[start + i] ?? 0);
    const y = Math.log(x + 0.5);
    logs[i] = y;
    sw += x;
    st += x * i;
    sy += x * y;
  }
  const tMean = st / sw;
  const yMean = sy / sw;
  let stt = 0;
  let sty = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.max(0, counts[start + i] ?? 0);
    const dt = i - tMean;
    const dy = (logs[i] ?? 0) - yMean;
    stt += x * dt * dt;
    sty += x * dt * dy;
    syy += x * dy * dy;
  }
  if (!(stt > 0)) return null;
  const slopePerBucket = sty / stt;
  // Explained share of the weighted variance: b²·Stt / Syy.
  const r2 = syy > 0 ? Math.min(1, (slopePerBucket * sty) / syy) : 0;
  const slope = slopePerBucket / bucketHours;
  return {
    slope_per_hour: slope,
    doubling_hours: slope > 0 ? Math.LN2 / slope : null,
    r2,
    n,
  };
}
