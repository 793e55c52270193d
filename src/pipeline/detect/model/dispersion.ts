/**
 * Pooled over-dispersion by volume tier (DETECTION.md): Var(x) = μ + μ²/r, with 1/r estimated by the method of
 * moments over keys of similar expected volume, from earlier data only.
 *
 * Invariants:
 * - `inverseSize(mu)` reads the estimate frozen at the last `rollover()` (the previous day's end), never the
 *   data of the window under test.
 * - Each tier's estimate is clipped to [0, MAX_INV] and is 0 (Poisson) until the tier has MIN_WEIGHT of μ².
 * - `observe` is fed only with buckets of keys without an active incident, after clipping (robust).
 */
const TIER_EDGES = [0.1, 1, 10, 100];
const MAX_INV = 5;
const MIN_WEIGHT = 50;
const DISCOUNT = 1 - 1 / 28;

export class Dispersion {
  /** Running discounted sums per tier: Σ((x − μ)² − x), Σ μ². */
  readonly num = new Float64Array(TIER_EDGES.length + 1);
  readonly den = new Float64Array(TIER_EDGES.length + 1);
  readonly frozen = new Float64Array(TIER_EDGES.length + 1);

  static tier(mu: number): number {
    let i = 0;
    while (i < TIER_EDGES.length && mu >= (TIER_EDGES[i] ?? Infinity)) i++;
    return i;
  }

  inverseSize(mu: number): number {
    return this.frozen[Dispersion.tier(mu)] ?? 0;
  }

  observe(x: number, mu: number): void {
    if (!(mu > 0)) return;
    const i = Dispersion.tier(mu);
    this.num[i] = (this.num[i] ?? 0) + (x - mu) * (x - mu) - x;
    this.den[i] = (this.den[i] ?? 0) + mu * mu;
  }

  /** Freezes today's estimate for tomorrow, then discounts the sums (once a day). */
  rollover(): void {
    for (let i = 0; i < this.num.length; i++) {
      const den = this.den[i] ?? 0;
      const est = den >= MIN_WEIGHT ? (this.num[i] ?? 0) / den : 0;
      this.frozen[i] = Math.min(MAX_INV, Math.max(0, est));
      this.num[i] = (this.num[i] ?? 0) * DISCOUNT;
      this.den[i] = den * DISCOUNT;
    }
  }
}
