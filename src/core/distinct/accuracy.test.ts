/**
 * Accuracy of the HLL mode. Hashes come straight from a seeded PRNG (uniform 53-bit integers, which is what
 * a good keyed hash gives), so the runs are reproducible and fast; one end-to-end test goes through the
 * keyed hasher with IPv4 strings. Standard error at precision p: 1.04 / sqrt(2^p) (1.625% at p = 12).
 */
import { describe, expect, it } from 'vitest';
import { crc32 } from './codec.js';
import { DistinctCounter } from './distinct-counter.js';
import { hashes } from './test-helpers.js';
import { createKeyedHasher } from './keyed-hash.js';

function relativeError(n: number, seed: number, precision = 12): number {
  const c = DistinctCounter.create({ precision });
  const g = hashes(seed);
  for (let i = 0; i < n; i++) c.addHash(g());
  expect(c.isExact()).toBe(false);
  return c.estimate() / n - 1;
}

const se = (p: number): number => 1.04 / Math.sqrt(2 ** p);

describe('DistinctCounter accuracy (HLL mode)', () => {
  for (const n of [1e3, 1e4, 1e5, 1e6, 1e7]) {
    it(`is within 3 standard errors (4.9%) at n = ${n.toExponential()}`, () => {
      const err = relativeError(n, 0x5eed + n);
      expect(Math.abs(err)).toBeLessThan(0.049);
    });
  }

  it('has RMS error ~ 1.04/sqrt(m) and no visible bias over many runs (p = 12, small and mid range)', () => {
    for (const n of [2000, 20_000]) {
      const errs = Array.from({ length: 60 }, (_, t) => relativeError(n, 1000 * t + n));
      const mean = errs.reduce((a, e) => a + e, 0) / errs.length;
      const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
      // RMS of 60 runs: within [0.6, 1.4] x SE (the sampling sd of an RMS over 60 runs is ~9%).
      expect(rms).toBeGreaterThan(0.6 * se(12));
      expect(rms).toBeLessThan(1.4 * se(12));
      // mean error of 60 runs: sd = SE / sqrt(60) ~ 0.21%; allow 4 of those.
      expect(Math.abs(mean)).toBeLessThan((4 * se(12)) / Math.sqrt(60));
    }
  });

  it('scales with precision: error bounds at p = 8 and p = 16', () => {
    for (const [p, n] of [
      [8, 50_000],
      [16, 500_000],
    ] as const) {
      const errs = Array.from({ length: 8 }, (_, t) => relativeError(n, 77 * t + p, p));
      for (const e of errs) expect(Math.abs(e)).toBeLessThan(3.5 * se(p));
      const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
      expect(rms).toBeLessThan(1.8 * se(p));
    }
  });

  it('is accurate end to end through the keyed hasher on 1e5 structured IPv4 strings', () => {
    const hasher = createKeyedHasher(Uint8Array.from({ length: 16 }, (_, i) => 200 - i));
    const c = DistinctCounter.create();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const ip = 0x0a000000 + i;
      const text = `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
      c.addHash(hasher.hash(text));
      c.addHash(hasher.hash(text)); // duplicates must not count
    }
    expect(Math.abs(c.estimate() / n - 1)).toBeLessThan(0.049);
  });

  it('estimates 0 for an HLL with no register set (estimator edge case)', () => {
    const body = Buffer.alloc(4 + 1 + 3072 + 4);
    body.set([0x44, 1, 2, 12, 0]);
    body.writeUInt32BE(crc32(body, 0, body.length - 4), body.length - 4);
    const empty = DistinctCounter.deserialize(body);
    expect(empty.isExact()).toBe(false);
    expect(empty.estimate()).toBe(0);
    empty.addHash(12345);
    expect(empty.estimate()).toBe(1);
  });

  it('stays within bounds while one counter grows across a large range', () => {
    const c = DistinctCounter.create();
    const g = hashes(4242);
    let n = 0;
    for (const target of [300, 1000, 3000, 10_000, 30_000, 100_000, 300_000]) {
      for (; n < target; n++) c.addHash(g());
      expect(Math.abs(c.estimate() / n - 1)).toBeLessThan(0.049);
    }
  });
});
