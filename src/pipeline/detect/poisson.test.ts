import { describe, expect, it } from 'vitest';
import { logGamma, poissonUpperTail, poissonUpperTailLog10 } from './poisson.js';

/** log10 of a positive BigInt, to about 15 significant digits. */
function log10Big(n: bigint): number {
  const s = n.toString();
  const lead = s.slice(0, 17);
  return Math.log10(Number(lead)) + (s.length - lead.length);
}

/**
 * Reference, computed independently of the code under test: the exact rational sum of μ^k/k! over
 * k = from..to with BigInt (μ = a/b), as log10, then times e^-μ. No log-gamma, no floating-point series.
 */
function refLog10Sum(a: bigint, b: bigint, from: number, to: number): number {
  let fact = 1n; // to!
  for (let k = 2n; k <= BigInt(to); k++) fact *= k;
  let num = 0n;
  for (let k = to; k >= from; k--) num += a ** BigInt(k) * b ** BigInt(to - k) * (fact / factorial(k));
  const den = b ** BigInt(to) * fact;
  return log10Big(num) - log10Big(den);
}

const factCache = new Map<number, bigint>();
function factorial(k: number): bigint {
  const hit = factCache.get(k);
  if (hit !== undefined) return hit;
  let f = 1n;
  for (let i = 2n; i <= BigInt(k); i++) f *= i;
  factCache.set(k, f);
  return f;
}

function refUpperLog10(a: bigint, b: bigint, x: number): number {
  const mu = Number(a) / Number(b);
  return refLog10Sum(a, b, x, x + 400) - mu * Math.LOG10E;
}

function refUpperSmall(a: bigint, b: bigint, x: number): number {
  const mu = Number(a) / Number(b);
  const cdf = x === 0 ? 0 : 10 ** (refLog10Sum(a, b, 0, x - 1) - mu * Math.LOG10E);
  return 1 - cdf;
}

describe('poisson upper tail', () => {
  it('matches published values', () => {
    expect(poissonUpperTail(10, 1)).toBeCloseTo(1.1142547833872e-7, 18);
    expect(poissonUpperTail(5, 0.5)).toBeCloseTo(1.721156299558e-4, 15);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 15);
    expect(poissonUpperTail(0, 3)).toBe(1);
  });

  const cases: Array<[bigint, bigint, number]> = [
    [1n, 1n, 10],
    [1n, 2n, 27],
    [1n, 2n, 5],
    [5n, 2n, 12],
    [50n, 1n, 100],
    [30n, 1n, 31],
    [7n, 10n, 200],
    [1n, 2n, 1450],
  ];
  it.each(cases)('agrees with exact rational summation for μ=%s/%s, x=%s', (a, b, x) => {
    const got = poissonUpperTailLog10(x, Number(a) / Number(b));
    const want = refUpperLog10(a, b, x);
    expect(Math.abs(got - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
  });

  it('keeps digits far below double precision (log form)', () => {
    const l = poissonUpperTailLog10(1450, 0.5);
    expect(l).toBeLessThan(-3000);
    expect(Number.isFinite(l)).toBe(true);
    expect(poissonUpperTail(1450, 0.5)).toBe(0);
  });

  it.each([
    [10n, 1n, 3],
    [10n, 1n, 10],
    [1000n, 1n, 990],
    [5n, 2n, 2],
  ] as Array<[bigint, bigint, number]>)('handles x <= μ (μ=%s/%s, x=%s)', (a, b, x) => {
    const got = poissonUpperTail(x, Number(a) / Number(b));
    expect(got).toBeCloseTo(refUpperSmall(a, b, x), 10);
  });

  it('is monotone in x and in μ', () => {
    let prev = -Infinity;
    for (let x = 60; x >= 0; x--) {
      const p = poissonUpperTailLog10(x, 7.3);
      expect(p).toBeGreaterThanOrEqual(prev - 1e-12);
      prev = p;
    }
    expect(poissonUpperTailLog10(20, 3)).toBeLessThan(poissonUpperTailLog10(20, 4));
  });

  it('logGamma matches log factorials', () => {
    for (const k of [1, 2, 5, 10, 20, 50, 170]) {
      expect(logGamma(k + 1) / Math.LN10).toBeCloseTo(log10Big(factorial(k)), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
  });
});
