/**
 * The replay cache: remembers (sensor, nonce) pairs until no request carrying them could pass the time window.
 *
 * Invariants:
 * - A pair is kept until `expiresAt` (the request's own time plus the window): any replay before then is seen.
 * - The map never holds more than `maxEntries`; when full of unexpired pairs, `remember` returns false and the
 *   caller refuses the request (fail closed) rather than forgetting a live nonce and allowing a replay.
 */
export class NonceCache {
  private readonly entries = new Map<string, number>();

  constructor(private readonly maxEntries: number) {}

  private static key(sensorId: string, nonce: string): string {
    return `${sensorId}\u0000${nonce}`;
  }

  /** True when the pair was seen and has not expired at `now`. */
  has(sensorId: string, nonce: string, now: number): boolean {
    const exp = this.entries.get(NonceCache.key(sensorId, nonce));
    return exp !== undefined && exp > now;
  }

  /**
   * Records the pair until `expiresAt`. Returns false (nothing recorded) only when the cache is full of live
   * entries after sweeping the expired ones.
   */
  remember(sensorId: string, nonce: string, expiresAt: number, now: number): boolean {
    if (this.entries.size >= this.maxEntries) this.sweep(now);
    if (this.entries.size >= this.maxEntries) return false;
    this.entries.set(NonceCache.key(sensorId, nonce), expiresAt);
    return true;
  }

  /** Drops expired entries; O(size), run only when the cache is full. */
  sweep(now: number): void {
    for (const [k, exp] of this.entries) if (exp <= now) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}
