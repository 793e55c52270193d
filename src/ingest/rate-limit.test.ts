import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { isStormwatchError } from '../core/errors.js';
import { RateLimiter } from './rate-limit.js';

const details = (fn: () => void): unknown => {
  try {
    fn();
  } catch (err) {
    expect(isStormwatchError(err) && err.code).toBe('SW_RATE_LIMITED');
    return isStormwatchError(err) ? err.details : undefined;
  }
  return 'passed';
};

describe('RateLimiter', () => {
  it('allows a burst, then refills at the configured rate', () => {
    const clock = new ManualClock(0);
    const rl = new RateLimiter(2, 1, clock);
    expect(rl.take('a')).toEqual({ ok: true });
    expect(rl.take('a')).toEqual({ ok: true });
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSec: 1 });
    expect(rl.take('b')).toEqual({ ok: true });
    clock.advance(1000);
    expect(rl.take('a')).toEqual({ ok: true });
    clock.advance(60_000);
    expect(rl.take('a').ok && rl.take('a').ok && !rl.take('a').ok).toBe(true);
  });

  it('throws SW_RATE_LIMITED with the seconds to wait', () => {
    const rl = new RateLimiter(1, 0.25, new ManualClock(0));
    rl.check('a');
    expect(details(() => rl.check('a'))).toEqual({ retry_after_s: 4, limit: 'requests' });
  });

  it('takes a cost per call (events), never more than the burst, and nothing when refused', () => {
    const clock = new ManualClock(0);
    const rl = new RateLimiter(1000, 100, clock, 'events');
    rl.check('s', 600);
    // 400 left: 500 more needs 100 tokens = 1 s; refused without taking any.
    expect(details(() => rl.check('s', 500))).toEqual({ retry_after_s: 1, limit: 'events' });
    rl.check('s', 400);
    // Empty. A batch larger than the burst waits for a full bucket (10 s), then passes.
    expect(details(() => rl.check('s', 5000))).toEqual({ retry_after_s: 10, limit: 'events' });
    clock.advance(9_999);
    expect(rl.take('s', 5000).ok).toBe(false);
    clock.advance(1);
    expect(rl.take('s', 5000).ok).toBe(true);
    expect(rl.take('s', 1).ok).toBe(false);
    rl.refund('s', 300);
    expect(rl.take('s', 300).ok).toBe(true);
    expect(rl.take('s', 1).ok).toBe(false);
    rl.refund('s', 1e9); // never above the burst
    expect(rl.take('s', 1000).ok).toBe(true);
    expect(rl.take('s', 1).ok).toBe(false);
  });
});
