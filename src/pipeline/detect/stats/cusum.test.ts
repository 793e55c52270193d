import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '../../../core/random.js';
import { lnGamma } from './lngamma.js';
import {
  cusumArl0Siegmund,
  cusumDrift,
  cusumIncrement,
  cusumInit,
  cusumReset,
  cusumStep,
  cusumThresholdSiegmund,
  cusumUpdate,
} from './cusum.js';
import { cusumArl0Markov, cusumThreshold } from './cusum-arl.js';

/** Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 by the u^(1/shape) boost). */
function gammaDraw(r: Random, shape: number): number {
  if (shape < 1) return gammaDraw(r, shape + 1) * Math.pow(Math.max(r.next(), 1e-300), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const u1 = Math.max(r.next(), 1e-300);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * r.next());
    const v = Math.pow(1 + c * z, 3);
    if (v <= 0) continue;
    if (Math.log(Math.max(r.next(), 1e-300)) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** NB(mean mu, variance/mean phi) as a Gamma-Poisson mixture; Poisson when phi = 1. */
function countDraw(r: Random, mu: number, phi: number): number {
  if (phi <= 1) return r.poisson(mu);
  const size = mu / (phi - 1);
  return r.poisson((gammaDraw(r, size) * mu) / size);
}

/** Mean run length to the first alarm over `runs` runs, capped at `cap` buckets per run. */
function simulatedArl(seed: number, mu0: number, phi: number, h: number, runs: number, cap: number): number {
  const r = seededRandom(seed);
  const st = cusumInit();
  let total = 0;
  for (let i = 0; i < runs; i++) {
    cusumReset(st);
    let t = 0;
    while (t < cap) {
      t++;
      if (cusumUpdate(st, countDraw(r, mu0, phi), mu0, phi, 2, h)) break;
    }
    total += t;
  }
  return total / runs;
}

describe('cusumIncrement', () => {
  it('is the log-likelihood ratio of the two Poisson pmfs', () => {
    const lp = (x: number, mu: number) => -mu + x * Math.log(mu) - lnGamma(x + 1);
    for (const x of [0, 3, 17]) expect(cusumIncrement(x, 4, 1, 3)).toBeCloseTo(lp(x, 12) - lp(x, 4), 12);
  });

  it('is the log-likelihood ratio of the two NB pmfs (size fixed at mu0/(phi - 1))', () => {
    const mu0 = 6;
    const phi = 4;
    const r = mu0 / (phi - 1);
    const lnb = (x: number, mu: number) =>
      lnGamma(x + r) - lnGamma(r) - lnGamma(x + 1) + r * Math.log(r / (r + mu)) + x * Math.log(mu / (r + mu));
    for (const x of [0, 5, 40])
      expect(cusumIncrement(x, mu0, phi, 2)).toBeCloseTo(lnb(x, 12) - lnb(x, 6), 12);
  });

  it('has E0[e^increment] = 1 (summed over the Poisson pmf)', () => {
    let sum = 0;
    for (let x = 0; x < 200; x++)
      sum += Math.exp(-5 + x * Math.log(5) - lnGamma(x + 1) + cusumIncrement(x, 5, 1));
    expect(sum).toBeCloseTo(1, 12);
  });

  it('tends to the Poisson as phi tends to 1', () => {
    expect(cusumIncrement(9, 5, 1 + 1e-8)).toBeCloseTo(cusumIncrement(9, 5, 1), 6);
    expect(cusumDrift(5, 1)).toBeCloseTo(5 * (1 - Math.log(2)), 12);
  });
});

describe('cusumStep', () => {
  it('never goes below 0 and counts the run since the last 0', () => {
    const st = cusumInit();
    cusumUpdate(st, 0, 5, 1, 2, 10);
    expect(st).toEqual({ s: 0, run: 0 });
    cusumUpdate(st, 10, 5, 1, 2, 100);
    cusumUpdate(st, 10, 5, 1, 2, 100);
    expect(st.run).toBe(2);
    expect(st.s).toBeCloseTo(2 * (10 * Math.log(2) - 5), 12);
  });

  it('cusumStep returns a new state and the signal, leaving its input unchanged', () => {
    const st = { s: 3, run: 4 };
    const out = cusumStep(st, 20, 5, 1, 2, 10);
    expect(st).toEqual({ s: 3, run: 4 });
    expect(out.state.s).toBeCloseTo(3 + 20 * Math.log(2) - 5, 12);
    expect(out.state.run).toBe(5);
    expect(out.signal).toBe(true);
    expect(cusumStep(st, 0, 5, 1, 2, 10)).toEqual({ state: { s: 0, run: 0 }, signal: false });
  });

  it.each([
    [5, 1],
    [2, 3],
  ])('signals a step from mu0 to 3·mu0 within a few buckets (mu0=%d, phi=%d)', (mu0, phi) => {
    const h = cusumThreshold(500, { mu0, phi });
    const r = seededRandom(11);
    const st = cusumInit();
    const delays: number[] = [];
    for (let trial = 0; trial < 200; trial++) {
      cusumReset(st);
      let t = 0;
      while (!cusumUpdate(st, countDraw(r, 3 * mu0, phi), mu0, phi, 2, h) && t < 1000) t++;
      delays.push(t + 1);
    }
    delays.sort((a, b) => a - b);
    const median = delays[100] ?? Infinity;
    expect(median).toBeLessThanOrEqual(phi === 1 ? 3 : 8);
  });
});

describe('cusumThreshold', () => {
  it('Siegmund: the threshold inverts the approximation', () => {
    const model = { mu0: 3, phi: 2, shift: 2 };
    expect(cusumArl0Siegmund(cusumThresholdSiegmund(800, model), model)).toBeCloseTo(800, 6);
  });

  it('without a model is Lorden’s bound ln(arl0)', () => {
    expect(cusumThreshold(1000)).toBeCloseTo(Math.log(1000), 14);
  });

  it.each([
    [5, 1],
    [0.5, 1],
    [20, 1],
    [3, 2.5],
  ])('meets the target in-control run length by simulation (mu0=%d, phi=%d)', (mu0, phi) => {
    const target = 300;
    const h = cusumThreshold(target, { mu0, phi });
    const arl = simulatedArl(7, mu0, phi, h, 300, 20 * target);
    // The ARL of a lattice CUSUM jumps with h, so the chosen h may overshoot the target by up to ~20%;
    // 300 runs leave a standard error of ~6%.
    expect(arl).toBeGreaterThan(0.8 * target);
    expect(arl).toBeLessThan(1.5 * target);
    // The Markov chain agrees with the simulation.
    expect(Math.abs(cusumArl0Markov(h, { mu0, phi }) / arl - 1)).toBeLessThan(0.2);
  });

  it('Siegmund and Lorden thresholds are conservative by simulation', () => {
    const model = { mu0: 5, phi: 1 };
    expect(simulatedArl(9, 5, 1, cusumThresholdSiegmund(100, model), 200, 10_000)).toBeGreaterThan(100);
    expect(simulatedArl(9, 5, 1, cusumThreshold(100), 200, 10_000)).toBeGreaterThan(100);
  });
});
