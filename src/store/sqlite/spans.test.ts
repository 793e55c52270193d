/**
 * coverDays: the pieces of a window are disjoint, cover exactly its days, use the longest usable aligned block
 * at each position, and fall back to single days where no block may be used.
 */
import { describe, expect, it } from 'vitest';
import { SPAN_MAX_LEVEL, coverDays } from './spans.js';
import { rng } from './test-helpers.js';

const DAY = 86_400_000;
const D = 20_000 * DAY; // day 20000 since the epoch: a multiple of 32 days, not of 64

function daysOf(c: ReturnType<typeof coverDays>): number[] {
  const days: number[] = [];
  for (const s of c.spans) for (let d = 0; d < 2 ** s.level; d++) days.push(s.start + d * DAY);
  for (const r of c.runs) for (let d = r.from; d < r.to; d += DAY) days.push(d);
  return days.sort((a, b) => a - b);
}

describe('coverDays', () => {
  it('covers every day of the window exactly once, with aligned blocks', () => {
    const r = rng(3);
    for (let i = 0; i < 300; i++) {
      const from = D + Math.floor(r() * 400) * DAY - (r() < 0.3 ? Math.floor(r() * DAY) : 0);
      const to = from + Math.floor(r() * 300) * DAY + (r() < 0.3 ? Math.floor(r() * DAY) : 0);
      const missing = new Set<number>([Math.floor(r() * 10), Math.floor(r() * 10)]);
      const c = coverDays(from, to, (level, start) => !missing.has(((start / DAY) >> level) % 10));
      const expected: number[] = [];
      for (let d = Math.ceil(from / DAY) * DAY; d < to; d += DAY) expected.push(d);
      expect(daysOf(c)).toEqual(expected);
      for (const s of c.spans) {
        expect(s.level).toBeGreaterThanOrEqual(1);
        expect(s.level).toBeLessThanOrEqual(SPAN_MAX_LEVEL);
        expect((s.start / DAY) % 2 ** s.level).toBe(0);
      }
    }
  });

  it('takes the longest usable block, and single days when none may be used', () => {
    const all = coverDays(D, D + 90 * DAY, () => true);
    expect(all.spans.map((s) => s.level)).toEqual([5, 5, 4, 3, 1]); // 32 + 32 + 16 + 8 + 2 days
    expect(all.runs).toEqual([]);
    expect(coverDays(D + DAY, D + 4 * DAY, () => true)).toEqual({
      spans: [{ level: 1, start: D + 2 * DAY }],
      runs: [{ from: D + DAY, to: D + 2 * DAY }],
    });
    expect(coverDays(D, D + 3 * DAY, () => false)).toEqual({
      spans: [],
      runs: [{ from: D, to: D + 3 * DAY }],
    });
    expect(coverDays(D, D, () => true)).toEqual({ spans: [], runs: [] });
  });
});
