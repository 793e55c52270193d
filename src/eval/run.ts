/**
 * The whole evaluation (README.md): load the data once, clone the fleet, calibrate alpha_scale on the first half,
 * replay the second half injection-free (false alerts), then once per scenario from the calibrated state with
 * its injections, and finally the raw file alone.
 *
 * Invariants: scenario replays never see the first half again and all start from the same calibrated bytes;
 * everything random derives from `seed`; `quick` shrinks the fleet, the days and the tries, never the method.
 */
import type { Logger } from 'pino';
import { AlertLog } from './alert-log.js';
import { calibrate } from './calibrate.js';
import type { CalibrationResult } from './calibrate.js';
import { loadColumns } from './columns.js';
import type { EngineFactory } from './engine-factory.js';
import { buildFleet } from './fleet.js';
import { keysPresent, keyVolumes } from './keystats.js';
import { rawReplay } from './raw-replay.js';
import type { RawReplay } from './raw-replay.js';
import { PER_DAY, replay } from './replay.js';
import { planScenario, SCENARIO_NAMES } from './scenarios.js';
import type { ScenarioContext } from './scenarios.js';
import { scoreScenario } from './score.js';
import type { ScenarioScore } from './score.js';

export interface EvalOptions {
  data: string;
  seed: number;
  tries: number;
  scenarios: string[];
  quick: boolean;
  budget_per_day: number;
  raw: boolean;
}

export interface CleanReport {
  days: number;
  alerts: number;
  alerts_per_day: number;
  alerts_per_port_week: number;
  all_levels: number;
  all_levels_per_day: number;
  all_levels_per_port_week: number;
  local_anomalies: number;
  /** Sensors the flag rule would have flagged on the injection-free replay (all honest). */
  flagged_sensors: number;
  flagged_operators: number;
  active_keys: number;
  elapsed_ms: number;
}

export interface EvalReport {
  data: string;
  seed: number;
  fleet: {
    sensors: number;
    operators: number;
    copies: number;
    days: number;
    events: number;
    scored_days: number;
  };
  read: { rows: number; rejected: number };
  calibration: Omit<CalibrationResult, 'state'>;
  clean: CleanReport;
  scenarios: ScenarioScore[];
  raw: (Omit<RawReplay, 'log'> & { log: AlertLog }) | null;
  timings_ms: Record<string, number>;
}

function cleanReport(log: AlertLog, days: number, activeKeys: number, elapsed_ms: number): CleanReport {
  const recs = [...log.incidents.values()];
  const alerts = recs.filter((r) => r.first_alert !== null).length;
  const all = recs.filter((r) => r.ever_open).length;
  const portWeeks = Math.max(1, activeKeys) * (days / 7);
  return {
    days,
    alerts,
    alerts_per_day: alerts / days,
    alerts_per_port_week: alerts / portWeeks,
    all_levels: all,
    all_levels_per_day: all / days,
    all_levels_per_port_week: all / portWeeks,
    local_anomalies: log.anomalies.length,
    flagged_sensors: log.flaggedSensors().size,
    flagged_operators: log.flaggedOperators().size,
    active_keys: activeKeys,
    elapsed_ms,
  };
}

export async function runEvaluation(opt: EvalOptions, make: EngineFactory, log: Logger): Promise<EvalReport> {
  const timings: Record<string, number> = {};
  let t = Date.now();
  const cols = await loadColumns(opt.data);
  timings.load = Date.now() - t;
  const copies = opt.quick ? 4 : 12;
  t = Date.now();
  const { fleet, table } = buildFleet(cols, {
    copies,
    operators_per_copy: 3,
    seed: opt.seed,
    map_sources: true,
  });
  timings.fleet = Date.now() - t;
  const days = opt.quick ? Math.min(42, fleet.days) : fleet.days;
  const half = Math.floor(days / 2);
  const calibDays = Math.min(30, Math.floor(half / 3));
  log.info({ sensors: fleet.sensors.length, operators: fleet.operators.length, days, half }, 'fleet built');
  const cal = calibrate(make, fleet, table, half, calibDays, opt.budget_per_day);
  timings.learn = cal.learn_ms;
  timings.calibrate = cal.calibrate_ms;
  log.info({ alpha_scale: cal.alpha_scale, tried: cal.tried }, 'calibrated');
  const make2: EngineFactory = () =>
    make({ alpha_scale: cal.alpha_scale, alert_budget_per_day: opt.budget_per_day }, cal.state);
  t = Date.now();
  const cleanLog = new AlertLog();
  replay(make2({}), { fleet, table, from: half * PER_DAY, to: days * PER_DAY, onBucket: cleanLog.onBucket });
  const scoredVolumes = keyVolumes(table, half, days);
  const clean = cleanReport(cleanLog, days - half, scoredVolumes.size, Date.now() - t);
  timings.clean = clean.elapsed_ms;
  log.info({ alerts_per_day: clean.alerts_per_day }, 'injection-free second half replayed');
  const present = keysPresent(table);
  const ctx: ScenarioContext = {
    fleet,
    table,
    volumes: keyVolumes(table, 0, half),
    present,
    pool: { used: new Set(table.src) },
    from: half * PER_DAY,
    to: days * PER_DAY,
    seed: opt.seed,
    tries: opt.tries,
  };
  const scenarios: ScenarioScore[] = [];
  for (const name of opt.scenarios.length > 0 ? opt.scenarios : SCENARIO_NAMES) {
    t = Date.now();
    const plan = planScenario(ctx, name);
    const lastEnd = Math.max(...plan.tries.map((x) => x.end));
    const to = Math.min(days * PER_DAY, (Math.ceil(lastEnd / PER_DAY) + 1) * PER_DAY);
    const slog = new AlertLog();
    const opts = {
      fleet: plan.fleet,
      table,
      from: half * PER_DAY,
      to,
      injected: plan.injected,
      onBucket: slog.onBucket,
    };
    replay(make2({}), plan.silent ? { ...opts, silent: plan.silent } : opts);
    const scoredDays = (to - half * PER_DAY) / PER_DAY;
    const s = scoreScenario(plan, slog, table.t0, scoredDays, cleanLog);
    scenarios.push(s);
    timings[`scenario:${name}`] = Date.now() - t;
    log.info({ scenario: name, recall: s.recall, ms: timings[`scenario:${name}`] }, 'scenario scored');
  }
  let raw: EvalReport['raw'] = null;
  if (opt.raw) {
    t = Date.now();
    raw = rawReplay(cols, make, 1);
    timings.raw = Date.now() - t;
  }
  return {
    data: opt.data,
    seed: opt.seed,
    fleet: {
      sensors: fleet.sensors.length,
      operators: fleet.operators.length,
      copies,
      days,
      events: table.src.length,
      scored_days: days - half,
    },
    read: { rows: cols.stats.rows, rejected: cols.stats.rejected },
    calibration: {
      alpha_scale: cal.alpha_scale,
      tried: cal.tried,
      learn_ms: cal.learn_ms,
      calibrate_ms: cal.calibrate_ms,
    },
    clean,
    scenarios,
    raw,
    timings_ms: timings,
  };
}
