/**
 * Discounted Gamma-Poisson baselines of one key at one granularity (DETECTION.md), O(1) per bucket.
 *
 * For each metric m: a_m ← δ·a_m + x_m and, shared by the metrics, b ← δ·b + e·s (exposure × season); the
 * expected count of a bucket is μ = (a/b)·e·s and the predictive law is negative binomial with variance
 * μ + μ²·(1/a + 1/r) (the Gamma posterior's uncertainty plus the pooled over-dispersion, dispersion.ts).
 *
 * Invariants:
 * - A key absent from buckets catches up lazily: with the fleet clock's B (fleet-clock.ts),
 *   b_t = δⁿ·(b − B_then) + B_t and a_t = δⁿ·a, exactly what n zero updates would give.
 * - `expect` reads the state before the bucket; `update` folds the bucket in (clipped by the caller).
 * - A new key starts from the prior: weight `prior_weight_days` of exposure at the prior rate.
 */
export const METRICS = ['sources', 'sensors', 'operators', 'events_capped'] as const;
export type Metric = (typeof METRICS)[number];
export const M_SOURCES = 0;

export class Baseline {
  readonly a = new Float64Array(METRICS.length);
  b = 0;
  /** Bucket index the state is at, and the fleet clock's B at that index. */
  t = -1;
  Bt = 0;

  static fresh(priorRates: ArrayLike<number>, priorWeight: number, t: number, Bt: number): Baseline {
    const s = new Baseline();
    s.b = priorWeight;
    for (let m = 0; m < METRICS.length; m++) s.a[m] = (priorRates[m] ?? 0) * priorWeight;
    s.t = t;
    s.Bt = Bt;
    return s;
  }

  /** Brings the state to bucket index `t` (fleet B at t = `Bt`), as if every bucket in between had count 0. */
  catchUp(t: number, Bt: number, delta: number): void {
    const n = t - this.t;
    if (n <= 0) return;
    const d = Math.pow(delta, n);
    for (let m = 0; m < this.a.length; m++) this.a[m] = (this.a[m] ?? 0) * d;
    this.b = d * (this.b - this.Bt) + Bt;
    this.t = t;
    this.Bt = Bt;
  }

  /** Rate per unit of exposure × season of metric m. */
  rate(m: number): number {
    return this.b > 0 ? (this.a[m] ?? 0) / this.b : 0;
  }

  /** Folds bucket t (fleet B after it = Bt) with counts x (already clipped) and exposure × season es. */
  update(x: ArrayLike<number>, es: number, delta: number, t: number, Bt: number): void {
    for (let m = 0; m < this.a.length; m++) this.a[m] = delta * (this.a[m] ?? 0) + (x[m] ?? 0);
    this.b = delta * this.b + es;
    this.t = t;
    this.Bt = Bt;
  }
}

/** Negative-binomial size for a predictive law with mean mu: 1/size = 1/a (posterior) + invR (pooled). */
export function predictiveSize(a: number, invR: number): number {
  const inv = (a > 0 ? 1 / a : 1e6) + invR;
  return inv > 0 ? 1 / inv : Infinity;
}
