/**
 * Per-sensor token buckets (real time, the auth clock): one on submission requests, one on accepted events.
 *
 * Invariants: a sensor holds at most `burst` tokens, refilled at `refillPerSec`; a request takes `cost` tokens
 * (1 per request, or the batch's events), a cost above the burst taking a full bucket, so every batch within
 * the per-batch limit can pass eventually; without enough tokens nothing is taken and the request is refused
 * 429 SW_RATE_LIMITED with the whole seconds until enough tokens are there. Buckets exist only for
 * authenticated sensors, so the map is bounded by the number of enrolled sensors.
 */
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `unit` names what is counted in the refusal message (requests, events). */
  constructor(
    private readonly burst: number,
    private readonly refillPerSec: number,
    private readonly clock: Clock,
    private readonly unit: 'requests' | 'events' = 'requests',
  ) {}

  /** Takes `cost` tokens, or returns how many whole seconds to wait (>= 1) until there are enough. */
  take(key: string, cost = 1): { ok: true } | { ok: false; retryAfterSec: number } {
    const need = Math.min(cost, this.burst);
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.refillPerSec);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= need) {
      b.tokens -= need;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((need - b.tokens) / this.refillPerSec)) };
  }

  /** Gives back tokens taken for work that turned out not to be done (never above the burst). */
  refund(key: string, cost: number): void {
    const b = this.buckets.get(key);
    if (b) b.tokens = Math.min(this.burst, b.tokens + Math.min(cost, this.burst));
  }

  /**
   * Throws SW_RATE_LIMITED (details: { retry_after_s, limit }) when the key has not `cost` tokens.
   * @example limiter.check(sensorId) // before doing any work for the request
   */
  check(key: string, cost = 1): void {
    const r = this.take(key, cost);
    if (!r.ok) {
      throw makeError(
        'SW_RATE_LIMITED',
        `sensor ${key} is over its ${this.unit === 'events' ? 'event' : 'request'} rate; retry in ${r.retryAfterSec} s`,
        { details: { retry_after_s: r.retryAfterSec, limit: this.unit } },
      );
    }
  }
}
