import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { isStormwatchError } from '../core/errors.js';
import { RateLimiter } from './rate-limit.js';

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
    try {
      rl.check('a');
      expect.unreachable();
    } catch (err) {
      expect(isStormwatchError(err) && err.code).toBe('SW_RATE_LIMITED');
      expect(isStormwatchError(err) && err.details).toEqual({ retry_after_s: 4 });
    }
  });
});
