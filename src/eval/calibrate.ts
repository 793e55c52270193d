/**
 * Calibration of alpha_scale on the first half (DETECTION.md "Severity, budget, lifecycle"): learn on the first
 * half minus its last `calib_days`, save the state, then replay those last days injection-free once per candidate
 * alpha_scale from that state and keep the largest whose alerts a day stay within the budget.
 *
 * Invariants: only days before `half` are replayed; every candidate starts from the same saved bytes; the state
 * returned is the one after the chosen candidate's replay, so the scored half continues from it.
 */
import { AlertLog } from './alert-log.js';
import type { EngineFactory } from './engine-factory.js';
import type { EventTable, Fleet } from './fleet.js';
import { PER_DAY, replay } from './replay.js';

export const ALPHA_CANDIDATES: readonly number[] = [0.125, 0.25, 0.5, 1, 2, 4, 8];

export interface CalibrationResult {
  alpha_scale: number;
  tried: Array<{ alpha_scale: number; alerts: number; alerts_per_day: number }>;
  state: Uint8Array;
  learn_ms: number;
  calibrate_ms: number;
}

export function calibrate(
  make: EngineFactory,
  fleet: Fleet,
  table: EventTable,
  halfDay: number,
  calibDays: number,
  budgetPerDay: number,
): CalibrationResult {
  const t = Date.now();
  const learner = make({ alpha_scale: 1, alert_budget_per_day: budgetPerDay });
  const cut = halfDay - calibDays;
  replay(learner, { fleet, table, from: 0, to: cut * PER_DAY });
  const saved = learner.saveState();
  const learn_ms = Date.now() - t;
  const tried: CalibrationResult['tried'] = [];
  let best: { alpha: number; state: Uint8Array } | null = null;
  let smallest: { alpha: number; state: Uint8Array } | null = null;
  for (const alpha of ALPHA_CANDIDATES) {
    const engine = make({ alpha_scale: alpha, alert_budget_per_day: budgetPerDay }, saved);
    const log = new AlertLog();
    replay(engine, { fleet, table, from: cut * PER_DAY, to: halfDay * PER_DAY, onBucket: log.onBucket });
    const alerts = [...log.incidents.values()].filter((r) => r.first_alert !== null).length;
    tried.push({ alpha_scale: alpha, alerts, alerts_per_day: alerts / calibDays });
    const state = engine.saveState();
    if (smallest === null) smallest = { alpha, state };
    if (alerts / calibDays <= budgetPerDay) best = { alpha, state };
    else break;
  }
  const chosen = best ?? smallest;
  if (chosen === null) throw new RangeError('no alpha candidates');
  return {
    alpha_scale: chosen.alpha,
    tried,
    state: chosen.state,
    learn_ms,
    calibrate_ms: Date.now() - t - learn_ms,
  };
}
