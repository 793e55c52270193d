/**
 * In-control average run length (ARL0) of the count CUSUM in cusum.ts, and the threshold h that meets a
 * target ARL0.
 *
 * Why not Siegmund alone: for counts the CUSUM jumps by lattice steps of ln(shift) and drops below 0 by a
 * large undershoot, which Siegmund's approximation ignores; by simulation it under-states ARL0 by a factor
 * of 3 to 8 at mu0 = 5. The Markov chain of Brook & Evans (1972) is exact up to the discretisation of s
 * into `cells` states (error a few per cent at 150 cells), and is what `cusumThreshold` solves.
 *
 * Invariants: not a hot path (one solve is O(cells³), about 1 ms at 150 cells); callers cache h per
 * (mu0, phi) class. No tail is formed as 1 - cdf: only the cdf (not small there) is.
 */
import { cusumDrift, cusumIncrement, DEFAULT_SHIFT, type CusumModel } from './cusum.js';
import { lnGamma } from './lngamma.js';
import { logNegBinUpper } from './tails.js';

const DEFAULT_CELLS = 150;

function logPmf(x: number, mu: number, phi: number): number {
  if (phi <= 1 + 1e-9) return -mu + x * Math.log(mu) - lnGamma(x + 1);
  const r = mu / (phi - 1);
  return (
    lnGamma(x + r) - lnGamma(r) - lnGamma(x + 1) + r * Math.log(r / (r + mu)) + x * Math.log(mu / (r + mu))
  );
}

/** P(X <= x) for x >= 0 (the mass that sends the CUSUM to 0). */
function cdf(x: number, mu: number, phi: number): number {
  const size = phi <= 1 + 1e-9 ? Infinity : mu / (phi - 1);
  return -Math.expm1(logNegBinUpper(x + 1, mu, size));
}

/** Solve (I - R) L = 1 by Gaussian elimination with partial pivoting; returns L[0]. */
function solveFromZero(m: Float64Array, n: number): number {
  const b = new Float64Array(n).fill(1);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        const t = m[c * n + k]!;
        m[c * n + k] = m[p * n + k]!;
        m[p * n + k] = t;
      }
      const t = b[c]!;
      b[c] = b[p]!;
      b[p] = t;
    }
    const piv = m[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k]! -= f * m[c * n + k]!;
      b[r]! -= f * b[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= m[r * n + k]! * b[k]!;
    b[r] = s / m[r * n + r]!;
  }
  return b[0]!;
}

/**
 * In-control ARL of the CUSUM started at 0 with threshold h, by the Brook–Evans Markov chain: state i
 * stands for s = i·h/cells; a step to s' >= h is absorbed, s' <= 0 goes to state 0, else to the nearest
 * state.
 * @example cusumArl0Markov(6.65, { mu0: 5, phi: 1 }) // ≈ 2,300 buckets (Siegmund says 500)
 */
export function cusumArl0Markov(h: number, model: CusumModel, cells: number = DEFAULT_CELLS): number {
  const { mu0, phi } = model;
  const shift = model.shift ?? DEFAULT_SHIFT;
  const w = h / cells;
  const slope = cusumIncrement(1, mu0, phi, shift) - cusumIncrement(0, mu0, phi, shift);
  const c0 = cusumIncrement(0, mu0, phi, shift);
  const m = new Float64Array(cells * cells);
  for (let i = 0; i < cells; i++) {
    const s = i * w;
    // Counts x with s + c0 + slope·x in (0, h) move inside; x <= xZero goes to 0; larger ones alarm.
    const xZero = Math.floor((-s - c0) / slope);
    let toZero = xZero >= 0 ? cdf(xZero, mu0, phi) : 0;
    for (let x = Math.max(0, xZero + 1); ; x++) {
      const next = s + c0 + slope * x;
      if (next >= h) break;
      const p = Math.exp(logPmf(x, mu0, phi));
      if (next <= 0) toZero += p;
      else m[i * cells + Math.min(cells - 1, Math.round(next / w))]! -= p;
    }
    m[i * cells] = m[i * cells]! - toZero;
    m[i * cells + i] = m[i * cells + i]! + 1;
  }
  return solveFromZero(m, cells);
}

/**
 * Threshold h for a target in-control ARL `arl0` (buckets).
 * Without a model: h = ln(arl0), Lorden's bound ARL0 >= e^h for any LLR CUSUM (conservative).
 * With a model: bisection on the Brook–Evans ARL, bracketed below by 0 and above by ln(arl0) (Lorden);
 * the result is within 1e-3 nats.
 * @example cusumThreshold(500, { mu0: 5, phi: 1 }) // ≈ 5.0
 */
export function cusumThreshold(arl0: number, model?: CusumModel): number {
  const lorden = Math.log(arl0);
  if (model === undefined || !(cusumDrift(model.mu0, model.phi, model.shift) > 0)) return lorden;
  let lo = 0;
  let hi = lorden;
  while (hi - lo > 1e-3) {
    const mid = 0.5 * (lo + hi);
    if (cusumArl0Markov(mid, model) >= arl0) hi = mid;
    else lo = mid;
  }
  return hi;
}
