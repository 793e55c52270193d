import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';

describe('seededRandom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it.each([0.3, 4, 25, 200])('draws Poisson counts with the right mean and variance (mean %d)', (mean) => {
    const r = seededRandom(42);
    const n = 20_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const k = r.poisson(mean);
      sum += k;
      sq += k * k;
    }
    const m = sum / n;
    const v = sq / n - m * m;
    // 5 standard errors of the sample mean; variance within 10 %.
    expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(mean / n));
    expect(Math.abs(v / mean - 1)).toBeLessThan(0.1);
  });
});
