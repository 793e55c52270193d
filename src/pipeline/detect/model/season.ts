/**
 * A pooled hour-of-week factor for sub-day buckets (DETECTION.md: seasonality is weak, 0.88 to 1.10 of the mean
 * by hour, so one factor for all keys, not a model per port).
 *
 * Invariants:
 * - The factor of an hour of the week is learned from earlier weeks only: `factor()` is read before `learn()` is
 *   called with the same bucket.
 * - Until every hour of the week has `minWeeks` weeks of data the factor is 1; it is clipped to [0.5, 2].
 * - Learning uses sources per unit of exposure summed over all keys, discounted with δ per week.
 */
const HOURS = 168;
const WEEK_DISCOUNT = 1 - 1 / 8;

export class SeasonFactors {
  readonly sum = new Float64Array(HOURS);
  readonly weight = new Float64Array(HOURS);

  constructor(private readonly minWeeks = 2) {}

  static hourOfWeek(ts: number): number {
    // 1970-01-01 was a Thursday; shift so that Monday 00:00 UTC is hour 0.
    const hours = Math.floor(ts / 3_600_000) + 72;
    return ((hours % HOURS) + HOURS) % HOURS;
  }

  factor(ts: number): number {
    const h = SeasonFactors.hourOfWeek(ts);
    let total = 0;
    for (let i = 0; i < HOURS; i++) {
      const w = this.weight[i] ?? 0;
      if (w < this.minWeeks * 0.5) return 1;
      total += (this.sum[i] ?? 0) / w;
    }
    const mean = total / HOURS;
    if (!(mean > 0)) return 1;
    const own = (this.sum[h] ?? 0) / (this.weight[h] ?? 1);
    return Math.min(2, Math.max(0.5, own / mean));
  }

  /** Adds one bucket's rate (total sources / exposure), weighted by the bucket's share of an hour. */
  learn(ts: number, rate: number, hourShare: number): void {
    const h = SeasonFactors.hourOfWeek(ts);
    const d = Math.pow(WEEK_DISCOUNT, hourShare);
    this.sum[h] = (this.sum[h] ?? 0) * d + rate * hourShare;
    this.weight[h] = (this.weight[h] ?? 0) * d + hourShare;
  }
}
