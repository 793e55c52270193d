/**
 * Per granularity, what every key shares: the bucket index, the fleet's exposure × season of recent buckets and
 * the discounted sum B_t = δ·B_{t−1} + e_t·s_t that lets a key catch up over buckets it had no count in, in O(1)
 * (baseline.ts).
 *
 * Invariants:
 * - `t` is the index (bucket start / size) of the last bucket closed; buckets only move forward.
 * - `esRing[i % RING]` is e·s of bucket i for the last RING buckets; a bucket skipped (no input at all) has e·s 0,
 *   as a fleet with no active sensor watches nothing.
 */
export const RING = 48;

export class FleetClock {
  t = -1;
  /** Index of the first bucket this clock saw (the fleet's age is t − t0). */
  t0 = -1;
  /** Discounted exposure × season sum up to and including bucket t. */
  B = 0;
  readonly esRing = new Float64Array(RING);

  constructor(
    readonly size: number,
    readonly delta: number,
  ) {}

  /** Moves to bucket `index` with exposure × season `es` (buckets in between get 0); returns B before the move. */
  advance(index: number, es: number): number {
    const before = this.B;
    if (this.t < 0) {
      this.t = index - 1;
      this.t0 = index;
    }
    const gap = index - this.t;
    if (gap <= 0) throw new RangeError(`bucket ${index} is not after ${this.t}`);
    for (let i = this.t + 1; i < index && i <= this.t + RING; i++) this.esRing[i % RING] = 0;
    this.B = Math.pow(this.delta, gap) * this.B + es;
    this.esRing[index % RING] = es;
    this.t = index;
    return gap === 1 ? before : Math.pow(this.delta, gap - 1) * before;
  }

  /** Σ e·s over the `w` buckets ending at t (inclusive). */
  windowExposure(w: number): number {
    let sum = 0;
    for (let i = 0; i < w && i < RING; i++) sum += this.esRing[(((this.t - i) % RING) + RING) % RING] ?? 0;
    return sum;
  }
}
