import { describe, expect, it } from 'vitest';
import { Baseline } from './baseline.js';
import { GranularityState } from './key-state.js';

const state = (): GranularityState => new GranularityState(Baseline.fresh([1, 1, 1, 1], 1, 0, 0));

describe('key state: the CUSUM guard band', () => {
  it('peeks the rate of exactly lagDays ago without keeping a snapshot for today', () => {
    const gs = state();
    for (let d = 100; d <= 106; d++) gs.guardRate(d, d / 10, 7);
    // Day 107 was never kept: peeking at day 107 reads day 100, and leaves 107 unkept.
    expect(gs.peekGuard(107, 7)).toBeCloseTo(10, 5);
    expect(gs.guardDay).toBe(106);
    expect(gs.peekGuard(108, 7)).toBeCloseTo(10.1, 5);
    // guardRate at day 108 returns what peekGuard returned, and keeps day 108.
    expect(gs.guardRate(108, 5, 7)).toBeCloseTo(10.1, 5);
    expect(gs.guardDay).toBe(108);
  });

  it('gives NaN when the day was not kept, is in the future, or fell out of the ring', () => {
    const gs = state();
    expect(gs.peekGuard(10, 7)).toBeNaN();
    gs.guardRate(100, 1, 7);
    expect(gs.peekGuard(106, 7)).toBeNaN(); // day 99: before the first snapshot
    expect(gs.peekGuard(107, 7)).toBeCloseTo(1, 5);
    expect(gs.peekGuard(106, 5)).toBeNaN(); // day 101: after the newest snapshot
    expect(gs.peekGuard(115, 7)).toBeNaN(); // day 108: not kept
    expect(gs.peekGuard(107, 0)).toBeNaN(); // no lag: not a guard band
  });
});
