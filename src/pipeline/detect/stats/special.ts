/**
 * Regularised incomplete gamma P(a, x), Q(a, x) and incomplete beta I_x(a, b), returned as natural LOGS.
 *
 * Invariants: pure, allocation-free. Each function evaluates the side that converges (series or Lentz
 * continued fraction, Numerical Recipes §6.2 and §6.4) with its log prefactor computed separately, so a
 * tail of 1e-300 or 1e-5000 keeps full relative accuracy in its log and nothing underflows. The other
 * side is only ever formed as log(1 - e^l) through `log1mexp`, where l is the log of a value that is not
 * small, so no tail is ever computed as 1 - cdf. Work grows like √a near x ≈ a (about 9√a terms).
 */
import { makeError } from '../../../core/errors.js';
import { lnBeta, logGammaPrefix } from './lngamma.js';

export { lnGamma, lnBeta } from './lngamma.js';

const EPS = 1e-16;
const FPMIN = 1e-300;
const MAX_ITER = 10_000_000;

/** ln(1 - e^l) for l <= 0, accurate on both sides of l = -ln 2 (Mächler 2012). */
export function log1mexp(l: number): number {
  return l > -Math.LN2 ? Math.log(-Math.expm1(l)) : Math.log1p(-Math.exp(l));
}

function notConverged(what: string, a: number, x: number): never {
  throw makeError('SW_INTERNAL', `${what} did not converge (a=${a}, x=${x})`);
}

/** ln Σ_{n>=0} x^n / ((a+1)...(a+n)); the lower gamma series, for x < a + 1. */
function lnGammaSeries(a: number, x: number): number {
  let ap = a;
  let del = 1;
  let sum = 1;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (del < sum * EPS) return Math.log(sum);
  }
  return notConverged('gamma series', a, x);
}

/** ln of the continued fraction for Q(a, x) / (x^a e^-x / Γ(a)), modified Lentz; for x >= a + 1. */
function lnGammaCf(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return Math.log(h);
  }
  return notConverged('gamma continued fraction', a, x);
}

/**
 * ln P(a, x), the lower regularised incomplete gamma, a > 0, x >= 0.
 * @example logGammaP(2000, 30) // ≈ -5011.5, the log of P(X >= 2000) for X ~ Poisson(30)
 */
export function logGammaP(a: number, x: number): number {
  if (x <= 0) return -Infinity;
  if (x < a + 1) return logGammaPrefix(a, x) - Math.log(a) + lnGammaSeries(a, x);
  return log1mexp(logGammaPrefix(a, x) + lnGammaCf(a, x));
}

/**
 * ln Q(a, x) = ln(1 - P(a, x)), the upper regularised incomplete gamma, a > 0, x >= 0.
 * @example logGammaQ(1, 800) // -800
 */
export function logGammaQ(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return log1mexp(logGammaPrefix(a, x) - Math.log(a) + lnGammaSeries(a, x));
  return logGammaPrefix(a, x) + lnGammaCf(a, x);
}

/** ln of the continued fraction of I_x(a, b) (NR betacf, modified Lentz); converges for x < (a+1)/(a+b+2). */
function lnBetaCf(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return Math.log(h);
  }
  return notConverged('beta continued fraction', a, x);
}

/**
 * ln I_x(a, b) if `upper` is false, else ln(1 - I_x(a, b)); y = 1 - x is passed separately so callers
 * that know it exactly (p = mu/(mu+r), 1 - p = r/(mu+r)) lose nothing to rounding near x = 1.
 */
function logBetaSide(x: number, a: number, b: number, y: number, upper: boolean): number {
  if (x <= 0) return upper ? 0 : -Infinity;
  if (y <= 0) return upper ? -Infinity : 0;
  // ln x and ln y from whichever of x, y is small: b·ln y with b = 1e9 and y = 1 - 1e-8 would otherwise
  // carry the rounding of y (1e-16) times b into the result.
  const lnX = y < 0.5 ? Math.log1p(-y) : Math.log(x);
  const lnY = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const lnFront = a * lnX + b * lnY - lnBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    const l = lnFront - Math.log(a) + lnBetaCf(x, a, b);
    return upper ? log1mexp(l) : l;
  }
  const l = lnFront - Math.log(b) + lnBetaCf(y, b, a);
  return upper ? l : log1mexp(l);
}

/**
 * ln I_x(a, b), the regularised incomplete beta, 0 <= x <= 1, a, b > 0. Pass y = 1 - x when it is known
 * more precisely than 1 - x can be rounded.
 * @example logBetaI(0.5, 1, 1) // ln 0.5
 */
export function logBetaI(x: number, a: number, b: number, y: number = 1 - x): number {
  return logBetaSide(x, a, b, y, false);
}

/**
 * ln(1 - I_x(a, b)) = ln I_{1-x}(b, a), computed directly, never as 1 - value.
 * @example logBetaIc(0.999, 2, 3) // ≈ ln(3.996e-9)
 */
export function logBetaIc(x: number, a: number, b: number, y: number = 1 - x): number {
  return logBetaSide(x, a, b, y, true);
}
