/**
 * Per-sensor token bucket on submission requests (real time, the auth clock).
 *
 * Invariants: a sensor holds at most `burst` tokens, refilled at `refillPerSec`; one request takes one token;
 * without a token the request is refused 429 SW_RATE_LIMITED with the seconds until the next token. Buckets
 * exist only for authenticated sensors, so the map is bounded by the number of enrolled sensors.
 */
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly refillPerSec: number,
    private readonly clock: Clock,
  ) {}

  /** Takes a token, or returns how many whole seconds to wait (>= 1) for the next one. */
  take(key: string): { ok: true } | { ok: false; retryAfterSec: number } {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.refillPerSec);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.refillPerSec)) };
  }

  /**
   * Throws SW_RATE_LIMITED (details: { retry_after_s }) when the key has no token.
   * @example limiter.check(sensorId) // before doing any work for the request
   */
  check(key: string): void {
    const r = this.take(key);
    if (!r.ok) {
      throw makeError(
        'SW_RATE_LIMITED',
        `sensor ${key} is over its request rate; retry in ${r.retryAfterSec} s`,
        {
          details: { retry_after_s: r.retryAfterSec },
        },
      );
    }
  }
}
