/**
 * The CUSUM threshold h for a key's in-control law, so that its false signals come at the configured run length
 * (ARL0), not 5-50 times less often as Lorden's bound h = ln(ARL0) gives for counts (stats/cusum-arl.ts).
 *
 * Invariants:
 * - h depends on the in-control mean mu0 and dispersion phi; both are snapped to a grid (mu0 to quarter powers
 *   of two, phi to 0.25 steps) and h is computed once per grid point (Brook-Evans Markov chain, ~0.1 s) and
 *   memoised for the process: a pure function of its arguments, so sharing it is safe.
 * - Outside the grid's range (mu0 < 2^-8 or > 2^14, phi > 5) Lorden's bound is used, which errs on the quiet side.
 */
import { cusumThreshold } from '../stats/index.js';

const memo = new Map<string, number>();

export function cusumThresholdFor(arl0: number, mu0: number, phi: number, shift: number): number {
  const lm = Math.round(Math.log2(mu0) * 4);
  const lp = Math.round(Math.max(1, phi) * 4);
  if (!Number.isFinite(lm) || lm < -32 || lm > 56 || lp > 20) return Math.log(arl0);
  const key = `${arl0}|${shift}|${lm}|${lp}`;
  let h = memo.get(key);
  if (h === undefined) {
    h = cusumThreshold(arl0, { mu0: Math.pow(2, lm / 4), phi: lp / 4, shift });
    memo.set(key, h);
  }
  return h;
}
