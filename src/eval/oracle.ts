/**
 * The best delay any detector could reach on a rate scenario, at a given false-alarm rate: an "oracle" that
 * knows the key's true background rate exactly (no baseline to learn, no over-dispersion), knows when the attack
 * started, sees the expected counts (background plus injection, no noise) and tests every window ending at each
 * hour with one Poisson upper tail. It fires at the first hour whose best window reaches `alpha`.
 *
 * What it is for: a deadline that this oracle misses cannot be met by a real detector at that α, because a real
 * one also has to estimate the rate, face over-dispersion and split α over windows. The evaluation reports the
 * oracle's delay next to the engine's, per try and per tier (report.ts).
 *
 * Invariant: pure arithmetic on the plan (rate per 5m bucket, background per day); windows are whole hours
 * ending at the hour tested, from 1 hour to everything since the start.
 */
import { logPoissonUpper } from '../pipeline/detect/stats/index.js';

const PER_HOUR = 12;

/**
 * α of the oracle: one false alarm a day if only `keys` keys were tested once an hour (Bonferroni over them). The
 * engine tests more keys, three granularities and several windows, so its per-test α is smaller: taking a few
 * keys makes the oracle generous.
 */
export const ORACLE_KEYS = 50;
export const ORACLE_ALPHA = 1 / (24 * ORACLE_KEYS);

/**
 * Delay in 5m buckets (a whole number of hours) from the start to the end of the first hour at which the oracle
 * fires, or null if it never does within `len` buckets.
 * @param rate expected injected sources in 5m bucket i of the injection (i from 0)
 * @param backgroundPerDay the key's true mean distinct sources a day
 */
export function oracleDelay(
  rate: (i: number) => number,
  len: number,
  backgroundPerDay: number,
  alpha = ORACLE_ALPHA,
): number | null {
  const logAlpha = Math.log(alpha);
  const bgHour = backgroundPerDay / 24;
  const hours = Math.floor(len / PER_HOUR);
  const injByHour: number[] = [];
  for (let h = 0; h < hours; h++) {
    let s = 0;
    for (let i = h * PER_HOUR; i < (h + 1) * PER_HOUR; i++) s += Math.max(0, rate(i));
    injByHour.push(s);
  }
  for (let h = 0; h < hours; h++) {
    let inj = 0;
    for (let w = 1; w <= h + 1; w++) {
      inj += injByHour[h - w + 1] ?? 0;
      const mu = bgHour * w;
      // The expected observed count, rounded down: a count reaches significance only as a whole number.
      const x = Math.floor(mu + inj);
      if (x > 0 && mu > 0 && logPoissonUpper(x, mu) < logAlpha) return (h + 1) * PER_HOUR;
    }
  }
  return null;
}
