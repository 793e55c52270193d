import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/random.js';
import { fitGrowth } from './growth.js';

const exponential = (n: number, start: number, doublingBuckets: number) =>
  Array.from({ length: n }, (_, i) => start * Math.pow(2, i / doublingBuckets));

describe('fitGrowth', () => {
  it('recovers the doubling time of exact exponential input (large counts)', () => {
    const fit = fitGrowth(exponential(12, 1000, 3), 0.5);
    expect(fit?.n).toBe(12);
    expect(fit?.doubling_hours).toBeCloseTo(1.5, 2);
    expect(fit?.r2).toBeGreaterThan(0.9999);
  });

  it('recovers it within 5% from small counts, where the +0.5 offset biases the slope down', () => {
    const fit = fitGrowth(exponential(8, 10, 2), 1);
    expect(Math.abs((fit?.doubling_hours ?? 0) / 2 - 1)).toBeLessThan(0.05);
  });

  it('uses only the last 12 buckets', () => {
    const series = [...Array.from({ length: 20 }, () => 500), ...exponential(12, 500, 4)];
    const fit = fitGrowth(series, 1);
    expect(fit?.doubling_hours).toBeCloseTo(4, 1);
  });

  it('gives a slope near 0 for flat Poisson input', () => {
    const r = seededRandom(3);
    const fit = fitGrowth(
      Array.from({ length: 12 }, () => r.poisson(40)),
      1,
    );
    expect(Math.abs(fit?.slope_per_hour ?? 1)).toBeLessThan(0.03);
  });

  it('gives slope 0, no doubling time and r2 0 for constant input', () => {
    const fit = fitGrowth([20, 20, 20, 20, 20, 20], 1);
    expect(fit?.slope_per_hour).toBe(0);
    expect(fit?.doubling_hours).toBeNull();
    expect(fit?.r2).toBe(0);
  });

  it('gives a negative slope and no doubling time for decay', () => {
    const fit = fitGrowth(exponential(8, 400, -2), 1);
    expect(fit?.slope_per_hour).toBeCloseTo(-Math.LN2 / 2, 1);
    expect(fit?.doubling_hours).toBeNull();
  });

  it('refuses short series and small latest counts', () => {
    expect(fitGrowth([10, 20, 40, 80, 160], 1)).toBeNull();
    expect(fitGrowth([1, 2, 3, 5, 7, 9], 1)).toBeNull();
    expect(fitGrowth([0, 0, 0, 0, 0, 12], 1)).toBeNull();
  });
});
