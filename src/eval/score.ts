/**
 * Scores one scenario replay from its alert log (README.md "How to read the tables").
 *
 * Invariants:
 * - A try is detected when an incident on its key has its first alert (medium or higher, not a candidate) within
 *   the injection window [start, end]; the delay runs from the injection start to the end of the bucket whose
 *   close raised it. Any-level delay uses the incident's first appearance (a candidate counts).
 * - A false alert is an alert on a key and time outside every try's window (plus a day after it, the aftermath).
 * - Poisoning succeeds when the attacked key gets an alert within [start, end + 1 h] that the injection-free
 *   replay did not also raise (an alert of the background on that key then is not caused by the fake sensors:
 *   DETECTION.md counts "alerts caused only by fake sensors"); such tries are counted apart. A local scan counts as a
 *   false alert when its key gets an alert within [start, end + 6 h], and as seen when a local anomaly does.
 * - Withholding compares alerts on the silent days with the injection-free replay on the same days.
 */
import type { AlertLog } from './alert-log.js';
import { FIVE_MIN } from './fleet.js';
import type { ScenarioPlan, TryPlan } from './scenarios.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface TryScore {
  key: number;
  tier: string;
  detected: boolean;
  delay_ms: number | null;
  delay_any_ms: number | null;
  fold: number | null;
  met_deadline: boolean | null;
  /** Whether the oracle (oracle.ts: an ideal detector at a generous α) meets the deadline; null: no deadline. */
  oracle_met_deadline: boolean | null;
  reopened: number;
  local_anomaly: boolean;
  /** The injection-free replay alerted on the same key while the try ran: the background, not the injection. */
  background_alert: boolean;
}

export interface ScenarioScore {
  name: string;
  kind: ScenarioPlan['kind'];
  description: string;
  target: string | null;
  tries: number;
  recall: number;
  delay_buckets: { median: number | null; p90: number | null };
  delay_hours: { median: number | null; p90: number | null };
  delay_any_hours: { median: number | null; p90: number | null };
  fold_median: number | null;
  deadline_met: number | null;
  /** Per volume tier: tries, tries in time, tries the oracle gets in time (scenarios with a deadline). */
  deadline_by_tier: Array<{ tier: string; tries: number; in_time: number; oracle_in_time: number }> | null;
  false_alerts: number;
  false_alerts_per_day: number;
  /** Tries whose key got an alert that the injection-free replay also raised (not counted as successes). */
  poisoning_success: number | null;
  poisoning_background: number | null;
  local_anomaly_rate: number | null;
  reopens: number;
  withhold: { silent_days_alerts: number; clean_same_days_alerts: number } | null;
  /** Poisoning: what the flag rule caught (the culprit of 5 local anomalies in 7 days): the fake operator, the
   * fake sensors, and honest sensors. */
  flagged_sensors: { fake: number; fake_total: number; honest: number; fake_operator: boolean } | null;
  per_try: TryScore[];
}

export function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (pos - lo);
}

function scoreTry(plan: ScenarioPlan, t: TryPlan, log: AlertLog, t0: number, clean?: AlertLog): TryScore {
  const start = t0 + t.start * FIVE_MIN;
  const end = t0 + t.end * FIVE_MIN;
  const slack = plan.kind === 'poison' ? HOUR : plan.kind === 'local' ? 6 * HOUR : 0;
  const recs = [...log.incidents.values()].filter((r) => r.key === t.key);
  const alerts = recs.filter(
    (r) => r.first_alert !== null && r.first_alert >= start && r.first_alert <= end + slack,
  );
  alerts.sort((a, b) => (a.first_alert ?? 0) - (b.first_alert ?? 0));
  const first = alerts[0];
  const anyTimes = recs.map((r) => r.first_any).filter((x) => x >= start && x <= end + slack);
  const delay = first?.first_alert != null ? first.first_alert - start : null;
  const deadline = t.deadline === undefined ? null : t0 + t.deadline * FIVE_MIN;
  return {
    key: t.key,
    tier: t.tier,
    detected: first !== undefined,
    delay_ms: delay,
    delay_any_ms: anyTimes.length > 0 ? Math.min(...anyTimes) - start : null,
    fold: first?.alert_fold ?? null,
    met_deadline: deadline === null ? null : first?.first_alert != null && first.first_alert <= deadline,
    oracle_met_deadline:
      t.deadline === undefined || t.oracle_delay === undefined
        ? null
        : t.oracle_delay !== null && t.start + t.oracle_delay <= t.deadline,
    reopened: recs.reduce((m, r) => Math.max(m, r.reopened), 0),
    local_anomaly: log.anomalies.some((a) => a.key === t.key && a.t >= start && a.t <= end + slack),
    background_alert:
      clean !== undefined &&
      [...clean.incidents.values()].some(
        (r) =>
          r.key === t.key &&
          r.first_alert !== null &&
          r.first_alert <= end + slack &&
          (r.last.resolved_at ?? Infinity) >= start,
      ),
  };
}

export function scoreScenario(
  plan: ScenarioPlan,
  log: AlertLog,
  t0: number,
  days: number,
  clean?: AlertLog,
): ScenarioScore {
  const per_try = plan.kind === 'withhold' ? [] : plan.tries.map((t) => scoreTry(plan, t, log, t0, clean));
  const hits = per_try.filter((s) => s.detected);
  const delays = hits.map((s) => s.delay_ms ?? 0);
  const anyDelays = per_try.flatMap((s) => (s.delay_any_ms === null ? [] : [s.delay_any_ms]));
  const windows = plan.tries.map((t) => ({
    key: t.key,
    from: t0 + t.start * FIVE_MIN,
    to: t0 + t.end * FIVE_MIN + DAY,
  }));
  let falseAlerts = 0;
  for (const r of log.incidents.values()) {
    if (r.first_alert === null) continue;
    const at = r.first_alert;
    if (!windows.some((w) => w.key === r.key && at >= w.from && at <= w.to)) falseAlerts++;
  }
  const n = Math.max(1, per_try.length);
  const h = (xs: number[], q: number): number | null => {
    const v = quantile(xs, q);
    return v === null ? null : v / HOUR;
  };
  const b = (xs: number[], q: number): number | null => {
    const v = quantile(xs, q);
    return v === null ? null : v / FIVE_MIN;
  };
  let withhold: ScenarioScore['withhold'] = null;
  if (plan.kind === 'withhold') {
    const count = (l: AlertLog): number =>
      plan.tries.reduce(
        (s, t) => s + l.alertsBetween(t0 + t.start * FIVE_MIN, t0 + t.end * FIVE_MIN).length,
        0,
      );
    withhold = { silent_days_alerts: count(log), clean_same_days_alerts: clean ? count(clean) : 0 };
  }
  const withDeadline = per_try.filter((s) => s.met_deadline !== null);
  const localFalse = per_try.filter((s) => s.detected).length;
  return {
    name: plan.name,
    kind: plan.kind,
    description: plan.description,
    target: plan.target ?? null,
    tries: plan.tries.length,
    recall: plan.kind === 'detect' ? hits.length / n : 0,
    delay_buckets: { median: b(delays, 0.5), p90: b(delays, 0.9) },
    delay_hours: { median: h(delays, 0.5), p90: h(delays, 0.9) },
    delay_any_hours: { median: h(anyDelays, 0.5), p90: h(anyDelays, 0.9) },
    fold_median: quantile(
      hits.flatMap((s) => (s.fold === null ? [] : [s.fold])),
      0.5,
    ),
    deadline_met:
      withDeadline.length > 0
        ? withDeadline.filter((s) => s.met_deadline).length / withDeadline.length
        : null,
    deadline_by_tier: withDeadline.length > 0 ? byTier(withDeadline) : null,
    false_alerts: falseAlerts + (plan.kind === 'local' ? localFalse : 0),
    false_alerts_per_day: (falseAlerts + (plan.kind === 'local' ? localFalse : 0)) / Math.max(1, days),
    poisoning_success: plan.kind === 'poison' ? hits.filter((s) => !s.background_alert).length / n : null,
    poisoning_background: plan.kind === 'poison' ? hits.filter((s) => s.background_alert).length : null,
    local_anomaly_rate: plan.kind === 'local' ? per_try.filter((s) => s.local_anomaly).length / n : null,
    reopens: per_try.reduce((s, t) => s + t.reopened, 0),
    withhold,
    flagged_sensors: plan.kind === 'poison' ? flaggedOf(plan, log) : null,
    per_try,
  };
}

/** Fake sensors are the ones the poisoning plan added to the fleet (`fake-<i>`, of operator `attacker`). */
function flaggedOf(plan: ScenarioPlan, log: AlertLog): NonNullable<ScenarioScore['flagged_sensors']> {
  const flagged = [...log.flaggedSensors().keys()];
  const isFake = (s: string): boolean => s.startsWith('fake-');
  return {
    fake: flagged.filter(isFake).length,
    fake_total: plan.fleet.sensors.filter(isFake).length,
    honest: flagged.filter((s) => !isFake(s)).length,
    fake_operator: log.flaggedOperators().has('attacker'),
  };
}

function byTier(tries: TryScore[]): NonNullable<ScenarioScore['deadline_by_tier']> {
  const tiers = [...new Set(tries.map((t) => t.tier))];
  return tiers.map((tier) => {
    const of = tries.filter((t) => t.tier === tier);
    return {
      tier,
      tries: of.length,
      in_time: of.filter((t) => t.met_deadline === true).length,
      oracle_in_time: of.filter((t) => t.oracle_met_deadline === true).length,
    };
  });
}
