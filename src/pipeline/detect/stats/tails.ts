/**
 * Upper-tail probabilities of counts under the Poisson and negative-binomial models, and the NB quantile.
 *
 * Invariants: every tail is computed in log space from the incomplete gamma / beta on the side that
 * converges (special.ts), never as 1 - cdf, so log P stays finite and accurate to about 1e-12 relative
 * down to P = 1e-5000 and beyond; `p` may underflow to 0, `logP` never does. The NB has mean mu and size
 * r (variance mu + mu²/r); it becomes the Poisson when r is Infinity or above 1e12·mu. Hot functions
 * allocate nothing except `upperTailP`'s small result object.
 */
import { makeError } from '../../../core/errors.js';
import { logBetaI, logGammaP } from './special.js';

/** r above this multiple of mu is treated as Poisson (the NB excess variance mu²/r is then < 1e-12·mu). */
const POISSON_SIZE_RATIO = 1e12;
/** A variance/mean ratio at or below 1 + this is Poisson. */
const POISSON_PHI_EPS = 1e-9;

function badArgs(what: string): never {
  throw makeError('SW_INTERNAL', `invalid tail arguments: ${what}`);
}

/**
 * ln P(X >= k) for X ~ Poisson(mu), k a non-negative integer (rounded up), mu >= 0.
 * Identity: P(X >= k) = P(k, mu), the lower regularised incomplete gamma.
 * @example logPoissonUpper(10, 1) // ≈ ln(1.1143e-7)
 */
export function logPoissonUpper(k: number, mu: number): number {
  if (!(mu >= 0)) badArgs(`mu=${mu}`);
  const kk = Math.ceil(k);
  if (kk <= 0) return 0;
  if (mu === 0) return -Infinity;
  return logGammaP(kk, mu);
}

/**
 * ln P(X >= k) for X ~ NB(mean mu, size r), k a non-negative integer (rounded up), mu >= 0, r > 0.
 * Identity: P(X >= k) = I_p(k, r) with p = mu/(mu + r).
 * @example logNegBinUpper(10, 1, 2.5) // ≈ ln(7.47e-5)
 */
export function logNegBinUpper(k: number, mu: number, size: number): number {
  if (!(mu >= 0) || !(size > 0)) badArgs(`mu=${mu}, size=${size}`);
  if (size === Infinity || size > POISSON_SIZE_RATIO * mu) return logPoissonUpper(k, mu);
  const kk = Math.ceil(k);
  if (kk <= 0) return 0;
  if (mu === 0) return -Infinity;
  const s = mu + size;
  return logBetaI(mu / s, kk, size, size / s);
}

/** NB size for a variance/mean ratio phi >= 1 (Infinity for the Poisson). */
export function sizeFromDispersion(mu: number, phi: number): number {
  return phi <= 1 + POISSON_PHI_EPS ? Infinity : mu / (phi - 1);
}

export interface UpperTail {
  /** ln P(X >= k); finite whenever mu > 0. */
  logP: number;
  /** exp(logP); may underflow to 0. */
  p: number;
}

/**
 * P(X >= k) with a variance/mean ratio phi (phi <= 1 + 1e-9: Poisson; else NB with size mu/(phi - 1)).
 * @example upperTailP(2000, 30, 1).logP // ≈ -5011.5, while .p is 0
 */
export function upperTailP(k: number, mu: number, dispersion: number): UpperTail {
  const logP = logNegBinUpper(k, mu, sizeFromDispersion(mu, dispersion));
  return { logP, p: Math.exp(logP) };
}

/**
 * Smallest k with P(X <= k) >= q for X ~ NB(mu, size) (Poisson for size Infinity), 0 < q < 1. Bisection
 * on the upper tail: P(X <= k) >= q  ⇔  P(X >= k + 1) <= 1 - q. About 60 tail evaluations; fine for
 * mu up to 1e7 (not a hot function: it is for the predictive interval shown to analysts).
 * @example negBinQuantile(0.5, 10, Infinity) // 10
 */
export function negBinQuantile(q: number, mu: number, size: number): number {
  if (!(q > 0 && q < 1) || !(mu >= 0) || !(size > 0)) badArgs(`q=${q}, mu=${mu}, size=${size}`);
  if (mu === 0) return 0;
  const target = Math.log1p(-q);
  const ok = (k: number): boolean => logNegBinUpper(k + 1, mu, size) <= target;
  if (ok(0)) return 0;
  let lo = 0; // invariant: !ok(lo)
  const sd = Math.sqrt(mu + (size === Infinity ? 0 : (mu * mu) / size));
  let hi = Math.ceil(mu + 4 * sd) + 1;
  while (!ok(hi)) {
    lo = hi;
    hi = 2 * hi + 1;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
