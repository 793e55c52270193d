/**
 * Poisson upper tail P(X >= x | mu), computed in log space so that tiny p-values (1e-40 and below) keep
 * their digits. Pure; no I/O. (A candidate for src/core once a second stage needs it.)
 *
 * Method: for x > mu, sum the terms from x upward, term_x = exp(-mu + x ln mu - lnGamma(x + 1)) and
 * term_{k+1} = term_k * mu / (k + 1) (a decreasing series), in units of term_x, so nothing underflows.
 * For x <= mu the tail is at least about 0.4, where 1 - cdf loses no precision: the cdf is summed from
 * x - 1 downward the same way and p = -expm1(ln cdf).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
/** Terms are added until they fall below this share of the running sum (below double precision). */
const REL_EPS = 1e-17;
const MAX_TERMS = 10_000_000;

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LN_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln P(X = k | mu), k a non-negative integer, mu > 0. */
function logPmf(k: number, mu: number): number {
  return -mu + k * Math.log(mu) - logGamma(k + 1);
}

/**
 * Natural log of P(X >= x | mu) for X ~ Poisson(mu). x is rounded up to an integer.
 * @example Math.exp(poissonUpperTailLn(10, 1)) // ≈ 1.1143e-7
 */
export function poissonUpperTailLn(x: number, mu: number): number {
  const k0 = Math.ceil(x);
  if (!(k0 > 0)) return 0;
  if (!(mu > 0)) return -Infinity;
  if (k0 > mu) {
    let sum = 1;
    let term = 1;
    for (let k = k0 + 1; k < k0 + MAX_TERMS; k++) {
      term *= mu / k;
      sum += term;
      if (term < sum * REL_EPS) break;
    }
    return logPmf(k0, mu) + Math.log(sum);
  }
  // x <= mu: p >= ~0.4, so 1 - cdf is exact enough; cdf = P(X <= k0 - 1), summed downward.
  let sum = 1;
  let term = 1;
  for (let k = k0 - 1; k > 0; k--) {
    term *= k / mu;
    sum += term;
    if (term < sum * REL_EPS) break;
  }
  const lnCdf = logPmf(k0 - 1, mu) + Math.log(sum);
  return Math.log(-Math.expm1(lnCdf));
}

/** log10 P(X >= x | mu). */
export function poissonUpperTailLog10(x: number, mu: number): number {
  return poissonUpperTailLn(x, mu) / Math.LN10;
}

/** P(X >= x | mu); underflows to 0 below about 1e-308 (use the log forms for ranking). */
export function poissonUpperTail(x: number, mu: number): number {
  return Math.exp(poissonUpperTailLn(x, mu));
}
