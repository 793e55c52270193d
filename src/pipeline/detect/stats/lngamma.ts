/**
 * ln Γ and the log-space building blocks of the incomplete gamma and beta functions (special.ts).
 *
 * Invariants: pure, allocation-free, no I/O. lnGamma uses the Stirling series for x >= 15 (error below
 * 1e-16 relative) and the recurrence Γ(x) = Γ(x + n) / (x (x + 1) ... (x + n - 1)) below, so every value
 * comes from the same series. Large arguments are handled through `stirlingCorr` and `log1pmx`, which keep
 * differences such as a ln x - x - ln Γ(a) accurate when a and x are both around 1e7 (no cancellation of
 * numbers of size 1e8 that would leave only 1e-8 absolute accuracy).
 */

export const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
const STIRLING_MIN = 15;

/**
 * Stirling correction: ln Γ(x) - [(x - 0.5) ln x - x + ln √(2π)], for x >= 15 (series to x^-15; the first
 * omitted term is below 1e-19 there).
 */
export function stirlingCorr(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return (
    r *
    (1 / 12 -
      r2 *
        (1 / 360 -
          r2 *
            (1 / 1260 -
              r2 *
                (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360 - r2 * (1 / 156 - r2 * (3617 / 122400))))))))
  );
}

/**
 * ln Γ(x) for x > 0.
 * @example lnGamma(10) // ln(362880) = 12.801827480081469
 */
export function lnGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x >= STIRLING_MIN) return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + stirlingCorr(x);
  // Shift up to the Stirling region; the product stays below 15^15 ≈ 4e17, so it cannot overflow.
  let prod = 1;
  let z = x;
  while (z < STIRLING_MIN) {
    prod *= z;
    z += 1;
  }
  return (z - 0.5) * Math.log(z) - z + HALF_LN_2PI + stirlingCorr(z) - Math.log(prod);
}

/**
 * log1p(d) - d, accurate for small |d| (where the two terms nearly cancel). d > -1.
 * Uses log1p(d) = 2 atanh(y), y = d / (2 + d), so log1p(d) - d = -y d + 2 (y³/3 + y⁵/5 + ...).
 */
export function log1pmx(d: number): number {
  if (d < -0.5 || d > 1) return Math.log1p(d) - d;
  const y = d / (2 + d);
  const y2 = y * y;
  let pow = y * y2;
  let sum = 0;
  for (let k = 3; k < 200; k += 2) {
    const term = pow / k;
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
    pow *= y2;
  }
  return -y * d + 2 * sum;
}

/**
 * ln( x^a e^(-x) / Γ(a) ), the prefactor of P(a, x) and Q(a, x). a > 0, x > 0.
 * For large a this is a·log1pmx((x - a)/a) + ½ ln a - ln √(2π) - stirlingCorr(a), free of cancellation.
 */
export function logGammaPrefix(a: number, x: number): number {
  if (a < STIRLING_MIN) return a * Math.log(x) - x - lnGamma(a);
  return a * log1pmx((x - a) / a) + 0.5 * Math.log(a) - HALF_LN_2PI - stirlingCorr(a);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b), a, b > 0. When the larger argument is in the Stirling
 * region, ln Γ(big) - ln Γ(big + small) is formed from its expansion so the two large values never cancel.
 */
export function lnBeta(a: number, b: number): number {
  const big = a >= b ? a : b;
  const small = a >= b ? b : a;
  if (big < STIRLING_MIN) return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
  const s = big + small;
  // (big - ½) ln big - (s - ½) ln s + small, rewritten with log1p(small / big).
  const diff = -(big - 0.5) * Math.log1p(small / big) - small * Math.log(s) + small;
  return lnGamma(small) + diff + stirlingCorr(big) - stirlingCorr(s);
}
