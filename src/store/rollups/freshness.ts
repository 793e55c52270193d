/**
 * What the engine knows is NOT in the store, so that it can skip the point read of a row it touches first: a
 * partition (a port bucket, a source day) that had no rows in the store when the engine first met it is "fresh",
 * and every row of it is then the engine's own, except the rows it evicted since (they were written, so they must
 * be read back).
 *
 * Invariants:
 * - needsLoad() is true unless the store provably has no such row: the partition was empty at its probe and the
 *   key was not evicted since. The engine is the only writer (store.ts), so nobody else adds rows behind it.
 * - Past MAX_EVICTED keys a partition stops being fresh (every key is loaded), which bounds the memory.
 * - clear() forgets everything (after a failed commit the engine drops its rows, so the store is the only truth).
 */
const MAX_EVICTED = 1_000_000;

export class Freshness {
  private readonly parts = new Map<number, Set<number> | null>();

  needsLoad(part: number, key: number, probe: () => boolean): boolean {
    let evicted = this.parts.get(part);
    if (evicted === undefined) {
      evicted = probe() ? null : new Set();
      this.parts.set(part, evicted);
    }
    return evicted === null || evicted.has(key);
  }

  evicted(part: number, key: number): void {
    const evicted = this.parts.get(part);
    if (!evicted) return;
    evicted.add(key);
    if (evicted.size > MAX_EVICTED) this.parts.set(part, null);
  }

  clear(): void {
    this.parts.clear();
  }
}
