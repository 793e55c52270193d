/**
 * One-sided CUSUM for counts (Page 1954; Lucas 1985 for the Poisson; Hawkins & Olwell 1998 for the
 * negative binomial), used for the "ramp" test: it accumulates evidence that the mean rose from mu0 to
 * mu1 = shift·mu0.
 *
 * Invariants: s >= 0 always; the increment is the exact log-likelihood ratio ln f1(x)/f0(x), so under the
 * in-control model E[e^increment] = 1 and the run length to a false alarm is at least e^h (Lorden 1971).
 * The NB keeps its size r = mu0/(phi - 1) fixed while the mean shifts (variance/mean ratio phi at mu0);
 * phi <= 1 + 1e-9 is the Poisson. `cusumUpdate` (in place) allocates nothing; `cusumStep` returns a new state.
 */

export const DEFAULT_SHIFT = 2;
const POISSON_PHI_EPS = 1e-9;

/** Per-key CUSUM state. */
export interface CusumState {
  /** The CUSUM statistic, >= 0 (nats of evidence for mu1 over mu0). */
  s: number;
  /** Buckets since s was last 0: when it alarms, the rise began about `run` buckets ago. */
  run: number;
}

export function cusumInit(): CusumState {
  return { s: 0, run: 0 };
}

/**
 * ln f(x | mu1) / f(x | mu0) for a count x, mu1 = shift·mu0, Poisson or NB with dispersion phi.
 * Poisson: x ln(shift) - (shift - 1) mu0. NB with r = mu0/(phi - 1) and c = 1 + shift (phi - 1):
 * x ln(shift·phi / c) + r ln(phi / c).
 * @example cusumIncrement(10, 5, 1, 2) // 10 ln 2 - 5 ≈ 1.93
 */
export function cusumIncrement(x: number, mu0: number, phi: number, shift: number = DEFAULT_SHIFT): number {
  if (phi <= 1 + POISSON_PHI_EPS) return x * Math.log(shift) - (shift - 1) * mu0;
  const e = phi - 1;
  const lnPhiOverC = Math.log1p(e) - Math.log1p(shift * e);
  return x * (Math.log(shift) + lnPhiOverC) + (mu0 / e) * lnPhiOverC;
}

/** Result of `cusumStep`. */
export interface CusumStepResult {
  state: CusumState;
  /** s >= h: raise the (low-severity) trend; the caller decides whether to reset. */
  signal: boolean;
}

/**
 * Advance the CUSUM by one bucket with count x: s ← max(0, s + increment), alternative mu1 = shift·mu0.
 * Returns a new state (the input is not changed) and whether s >= h. `cusumUpdate` is the same step
 * in place, for loops over every key that should not allocate.
 * @example cusumStep(cusumInit(), 30, 5, 1, 2, 6.6).signal // true: 30 ln 2 - 5 ≈ 15.8 >= 6.6
 */
export function cusumStep(
  state: CusumState,
  x: number,
  mu0: number,
  phi: number,
  shift: number,
  h: number,
): CusumStepResult {
  const next = { s: state.s, run: state.run };
  const signal = cusumUpdate(next, x, mu0, phi, shift, h);
  return { state: next, signal };
}

/**
 * `cusumStep` in place: mutates `state`, allocates nothing, returns s >= h.
 * @example const st = cusumInit(); cusumUpdate(st, 30, 5, 1, 2, 6.6) // true
 */
export function cusumUpdate(
  state: CusumState,
  x: number,
  mu0: number,
  phi: number,
  shift: number,
  h: number,
): boolean {
  const s = state.s + cusumIncrement(x, mu0, phi, shift);
  if (s > 0) {
    state.s = s;
    state.run += 1;
  } else {
    state.s = 0;
    state.run = 0;
  }
  return state.s >= h;
}

export function cusumReset(state: CusumState): void {
  state.s = 0;
  state.run = 0;
}

/**
 * Kullback-Leibler divergence KL(f0 ‖ f1) = -E0[increment] per bucket (> 0): the in-control drift.
 * Poisson: mu0 (shift - 1 - ln shift); NB: the same formula as the increment at x = mu0, negated.
 */
export function cusumDrift(mu0: number, phi: number, shift: number = DEFAULT_SHIFT): number {
  return -cusumIncrement(mu0, mu0, phi, shift);
}

/** In-control model of a key for the run-length functions (cusum-arl.ts and the Siegmund ones below). */
export interface CusumModel {
  mu0: number;
  phi: number;
  shift?: number;
}

/**
 * Siegmund's approximation of the in-control ARL for threshold h: (e^h - h - 1) / K with K = KL(f0 ‖ f1)
 * per bucket (Siegmund 1985, for increments with E0[e^Z] = 1, ignoring the overshoot). Cheap, but for
 * counts it under-states ARL0 several-fold (see cusum-arl.ts, which `cusumThreshold` uses instead).
 */
export function cusumArl0Siegmund(h: number, model: CusumModel): number {
  return (Math.expm1(h) - h) / cusumDrift(model.mu0, model.phi, model.shift ?? DEFAULT_SHIFT);
}

/**
 * The h at which `cusumArl0Siegmund` equals arl0, by Newton's method from the right (the function is
 * convex and increasing, and √(2·arl0·K) lies above the root). Conservative for counts.
 * @example cusumThresholdSiegmund(500, { mu0: 5, phi: 1 }) // ≈ 6.65
 */
export function cusumThresholdSiegmund(arl0: number, model: CusumModel): number {
  const target = arl0 * cusumDrift(model.mu0, model.phi, model.shift ?? DEFAULT_SHIFT);
  let h = Math.max(Math.log(target + 1), Math.sqrt(2 * target));
  for (let i = 0; i < 100; i++) {
    const step = (Math.expm1(h) - h - target) / Math.expm1(h);
    h -= step;
    if (Math.abs(step) < 1e-12 * Math.max(1, h)) break;
  }
  return h;
}
