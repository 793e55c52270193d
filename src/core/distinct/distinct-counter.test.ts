import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../errors.js';
import { DistinctCounter, DistinctPrecisionMismatchError } from './distinct-counter.js';
import { hashes } from './test-helpers.js';

function take(seed: number, n: number): number[] {
  const g = hashes(seed);
  return Array.from({ length: n }, g);
}

function build(values: Iterable<number>, opts?: { threshold?: number; precision?: number }): DistinctCounter {
  const c = DistinctCounter.create(opts);
  for (const h of values) c.addHash(h);
  return c;
}

describe('DistinctCounter exact mode', () => {
  it('counts exactly, ignoring duplicates, for every n up to the threshold', () => {
    const values = take(1, 256);
    const c = DistinctCounter.create();
    expect(c.estimate()).toBe(0);
    for (let n = 1; n <= 256; n++) {
      c.addHash(values[n - 1] ?? 0);
      c.addHash(values[(n * 13) >> 4] ?? NaN); // a duplicate of an earlier value
      expect(c.isExact()).toBe(true);
      expect(c.estimate()).toBe(n);
    }
  });

  it('converts to HLL on the first distinct hash past the threshold, not on duplicates', () => {
    const values = take(2, 11);
    const c = build(values.slice(0, 10), { threshold: 10 });
    for (const h of values.slice(0, 10)) c.addHash(h);
    expect(c.isExact()).toBe(true);
    c.addHash(values[10] ?? 0);
    expect(c.isExact()).toBe(false);
    expect(c.estimate()).toBe(11); // 11 values in 4096 registers: no collisions expected, estimator ~exact
  });

  it('stays close to the true count right after conversion (no cliff at the threshold)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const c = build(take(100 + seed, 257));
      expect(c.isExact()).toBe(false);
      expect(Math.abs(c.estimate() - 257)).toBeLessThanOrEqual(10);
    }
  });

  it('threshold 0 is an HLL from the first add', () => {
    const c = DistinctCounter.create({ threshold: 0 });
    expect(c.isExact()).toBe(true);
    c.addHash(42);
    expect(c.isExact()).toBe(false);
    expect(c.estimate()).toBe(1);
  });

  it('validates options and hashes with typed errors', () => {
    for (const opts of [
      { threshold: -1 },
      { threshold: 1.5 },
      { threshold: 2 ** 21 },
      { precision: 3 },
      { precision: 19 },
      { precision: 12.5 },
    ]) {
      expect(() => DistinctCounter.create(opts)).toThrow(/distinct counter/);
    }
    const c = DistinctCounter.create();
    for (const bad of [-1, 0.5, 2 ** 53, NaN, Infinity]) {
      let caught: unknown;
      try {
        c.addHash(bad);
      } catch (err) {
        caught = err;
      }
      expect(isStormwatchError(caught) && caught.code).toBe('SW_INTERNAL');
    }
    expect(c.estimate()).toBe(0);
    c.addHash(0);
    c.addHash(2 ** 53 - 1);
    expect(c.estimate()).toBe(2);
    expect(c.precision).toBe(12);
    expect(c.threshold).toBe(256);
  });

  it('does not depend on insertion order', () => {
    const values = take(3, 5000);
    const a = build(values);
    const b = build([...values].reverse());
    expect(a.serialize().equals(b.serialize())).toBe(true);
  });
});

describe('DistinctCounter.merge', () => {
  const cases: Array<[string, number, number, number]> = [
    // [name, |A|, |B|, overlap]
    ['exact + exact staying exact', 100, 100, 50],
    ['exact + exact crossing the threshold', 200, 200, 20],
    ['exact + HLL', 100, 5000, 30],
    ['HLL + exact', 5000, 100, 30],
    ['HLL + HLL', 30_000, 50_000, 10_000],
  ];
  for (const [name, na, nb, overlap] of cases) {
    it(`${name} equals the sketch of the union, register for register`, () => {
      const all = take(na * 31 + nb, na + nb - overlap);
      const aVals = all.slice(0, na);
      const bVals = all.slice(na - overlap);
      const a = build(aVals);
      const b = build(bVals);
      const bBefore = b.serialize();
      const union = build(all);
      a.estimate(); // warm any memoised estimate, which the merge must invalidate
      a.merge(b);
      expect(a.serialize().equals(union.serialize())).toBe(true);
      expect(a.estimate()).toBe(union.estimate());
      expect(a.isExact()).toBe(union.isExact());
      expect(b.serialize().equals(bBefore)).toBe(true); // the argument is not modified
      if (union.isExact()) expect(a.estimate()).toBe(na + nb - overlap);
    });
  }

  it('is commutative and idempotent', () => {
    const x = take(5, 3000);
    const y = take(6, 800);
    const xy = build(x);
    xy.merge(build(y));
    const yx = build(y);
    yx.merge(build(x));
    expect(xy.serialize().equals(yx.serialize())).toBe(true);
    const before = xy.serialize();
    xy.merge(xy);
    xy.merge(build(y));
    expect(xy.serialize().equals(before)).toBe(true);
  });

  it('refuses a different precision with DistinctPrecisionMismatchError, in every mode', () => {
    const pairs: Array<[DistinctCounter, DistinctCounter]> = [
      [DistinctCounter.create({ precision: 12 }), DistinctCounter.create({ precision: 14 })],
      [build(take(7, 1000), { precision: 12 }), build(take(8, 1000), { precision: 10 })],
    ];
    for (const [a, b] of pairs) {
      let caught: unknown;
      try {
        a.merge(b);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DistinctPrecisionMismatchError);
      expect(isStormwatchError(caught) && caught.code).toBe('SW_INTERNAL');
    }
  });

  it('clone() is independent of the original', () => {
    const a = build(take(9, 100));
    const b = a.clone();
    b.addHash(123);
    expect(a.estimate()).toBe(100);
    expect(b.estimate()).toBe(101);
    const h = build(take(10, 10_000));
    const hc = h.clone();
    for (const v of take(11, 10_000)) hc.addHash(v);
    expect(h.serialize().equals(build(take(10, 10_000)).serialize())).toBe(true);
  });
});
