import { describe, expect, it } from 'vitest';
import { lnGamma } from './lngamma.js';
import { logNegBinUpper, logPoissonUpper, negBinQuantile, upperTailP } from './tails.js';

/** Relative error 1e-9, or absolute 1e-9 when |expected| < 1. */
function expectLogClose(actual: number, expected: number): void {
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

/** ln Σ_{j>=k} pmf(j) by direct summation in log space (independent of the incomplete gamma / beta). */
function logSumUpper(k: number, logPmf: (j: number) => number): number {
  const first = logPmf(k);
  let sum = 0;
  for (let j = k; j < k + 100_000; j++) {
    const term = Math.exp(logPmf(j) - first);
    sum += term;
    if (j > k && term < sum * 1e-18) break;
  }
  return first + Math.log(sum);
}
const poissonLogPmf = (mu: number) => (j: number) => -mu + j * Math.log(mu) - lnGamma(j + 1);
const nbLogPmf = (mu: number, r: number) => (j: number) =>
  lnGamma(j + r) - lnGamma(r) - lnGamma(j + 1) + r * Math.log(r / (mu + r)) + j * Math.log(mu / (mu + r));

describe('logPoissonUpper', () => {
  // scipy 1.17.1: scipy.stats.poisson.logsf(k - 1, mu)
  const REF: [number, number, number][] = [
    [1, 5, -0.006760749449488566],
    [1, 1e-4, -9.210390371559514],
    [3, 1e-4, -29.4228555849691],
    [10, 1, -16.009909825202023],
    [50, 40, -2.654484790031476],
    [200, 150.5, -9.596249029443545],
    [300, 30, -424.44168451791074],
    [410, 30, -695.9849505570672],
    [1003000, 1e6, -6.601716276189483],
    [999000, 1e6, -0.17260996540313073],
    [1000, 1e6, 0.0],
    [10, 1e7, 0.0],
  ];
  it.each(REF)('k=%d, mu=%d matches scipy', (k, mu, ref) => {
    expectLogClose(logPoissonUpper(k, mu), ref);
  });

  it('stays finite and accurate where scipy underflows', () => {
    // scipy's logsf gives -inf here. mpmath 1.3.0 at 60 digits (rounded to double):
    // mpmath.log(mpmath.gammainc(2000, 0, 30, regularized=True)) and gammainc(20000, 0, 30, ...)
    expectLogClose(logPoissonUpper(2000, 30), -6434.11448127778);
    expectLogClose(logPoissonUpper(20000, 30), -110081.67260290468);
  });

  it('is accurate where scipy is not', () => {
    // scipy 1.17.1 poisson.logsf(1004999, 1e6) gives -15.041721967628947, off by 4.6e-6; mpmath 1.3.0 at
    // 60 digits, mpmath.log(mpmath.gammainc(1005000, 0, 1e6, regularized=True)), gives:
    expectLogClose(logPoissonUpper(1005000, 1e6), -15.04171736665877);
  });

  it('k = 0 gives 0 and mu = 0 gives -Infinity for k >= 1', () => {
    expect(logPoissonUpper(0, 7)).toBe(0);
    expect(logPoissonUpper(1, 0)).toBe(-Infinity);
    expectLogClose(logPoissonUpper(1, 2), Math.log(-Math.expm1(-2)));
  });

  it.each([
    [5, 0.3],
    [12, 2],
    [40, 7.5],
    [150, 30],
    [2000, 30],
  ])('agrees with exact summation of pmf terms (k=%d, mu=%d)', (k, mu) => {
    expectLogClose(logPoissonUpper(k, mu), logSumUpper(k, poissonLogPmf(mu)));
  });
});

describe('logNegBinUpper', () => {
  // scipy 1.17.1: scipy.stats.nbinom.logsf(k - 1, r, r / (r + mu))
  const REF: [number, number, number, number][] = [
    [1, 5, 0.3, -0.5490921578810436],
    [10, 1, 2.5, -9.633127166796145],
    [2000, 30, 2.5, -152.80624945353884],
    [2000, 30, 0.3, -23.119446523008314],
    [3, 1e-4, 0.3, -25.92038645644364],
    [1, 1e6, 0.3, -0.011105693313377015],
    [1, 1e-4, 2.5, -9.210410370224206],
    [200, 100, 1e6, -41.50947586502845],
    [1000005, 1e6, 2.5, -0.8773646749383317],
    [5e6, 1e6, 2.5, -8.878625901841563],
    [300, 3, 10.0, -403.5727417741011],
  ];
  it.each(REF)('k=%d, mu=%d, size=%d matches scipy', (k, mu, r, ref) => {
    expectLogClose(logNegBinUpper(k, mu, r), ref);
  });

  it('stays finite and accurate where scipy underflows', () => {
    // scipy gives -inf; reference: mpmath 1.3.0 at 60 digits, exact summation of the pmf from k upward
    // (lgamma(j+r) - lgamma(r) - lgamma(j+1) + r log(r/(mu+r)) + j log(mu/(mu+r)), summed to 1e-50).
    expectLogClose(logNegBinUpper(3000, 30, 100), -3989.847084833924);
    expectLogClose(logNegBinUpper(8000, 30, 100), -11225.452413253257);
    expectLogClose(logNegBinUpper(20000, 30, 2.5), -1590.130035481793);
  });

  it('is accurate where scipy is not (same mpmath summation as above)', () => {
    // scipy 1.17.1 nbinom.logsf(499, 10, 10/13) gives -692.3054549159032 (off by 1.2e-4) and
    // nbinom.logsf(29, 1e9, 1e9/(1e9+10)) gives -15.197832065035518 (off by 8e-8).
    expectLogClose(logNegBinUpper(500, 3, 10), -692.3053315459684);
    expectLogClose(logNegBinUpper(30, 10, 1e9), -15.19783214528038);
  });

  it.each([
    [5, 0.3, 0.3],
    [12, 2, 2.5],
    [60, 7.5, 1],
    [400, 30, 2.5],
  ])('agrees with exact summation of pmf terms (k=%d, mu=%d, size=%d)', (k, mu, r) => {
    expectLogClose(logNegBinUpper(k, mu, r), logSumUpper(k, nbLogPmf(mu, r)));
  });

  it('falls back to the Poisson for an infinite or huge size', () => {
    expect(logNegBinUpper(20, 8, Infinity)).toBe(logPoissonUpper(20, 8));
    expect(logNegBinUpper(20, 8, 1e14)).toBe(logPoissonUpper(20, 8));
    expect(logNegBinUpper(20, 8, 1e6)).not.toBe(logPoissonUpper(20, 8));
  });

  it('k = 0 gives 0', () => {
    expect(logNegBinUpper(0, 5, 0.3)).toBe(0);
  });
});

describe('upperTailP', () => {
  it('is Poisson at phi = 1 and NB with size mu/(phi - 1) above', () => {
    expect(upperTailP(20, 8, 1).logP).toBe(logPoissonUpper(20, 8));
    expect(upperTailP(20, 8, 5).logP).toBe(logNegBinUpper(20, 8, 2));
    expect(upperTailP(20, 8, 5).p).toBeCloseTo(Math.exp(logNegBinUpper(20, 8, 2)), 15);
  });

  it('keeps logP finite when p underflows', () => {
    const t = upperTailP(2000, 30, 1);
    expect(t.p).toBe(0);
    expect(Number.isFinite(t.logP)).toBe(true);
  });
});

describe('negBinQuantile', () => {
  // scipy 1.17.1: scipy.stats.poisson.ppf(q, mu) (size inf) or scipy.stats.nbinom.ppf(q, r, r / (r + mu))
  const REF: [number, number, number, number][] = [
    [0.5, 10, Infinity, 10],
    [0.99, 10, Infinity, 18],
    [0.999, 1e7, Infinity, 10009774],
    [0.999, 1e7, 2.5, 41030015],
    [0.9, 30, 0.3, 89],
    [0.01, 1e6, 1e3, 927872],
    [0.5, 1e-4, 0.3, 0],
  ];
  it.each(REF)('q=%d, mu=%d, size=%d matches scipy', (q, mu, r, ref) => {
    expect(negBinQuantile(q, mu, r)).toBe(ref);
  });

  it('refuses a q outside (0, 1)', () => {
    expect(() => negBinQuantile(1, 5, 2)).toThrow(/invalid tail arguments/);
  });
});
