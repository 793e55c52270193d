/**
 * Text tables of an evaluation report: calibration, the injection-free false alerts, one row per scenario, the
 * targets met or not, and the raw file's incidents and local anomalies with their evidence.
 *
 * Invariants: pure formatting of the report (no computation that could change a number); a missing value prints
 * as "-"; targets are judged exactly as README.md states them.
 */
import type { AlertLog } from './alert-log.js';
import { keyLabel } from './keys.js';
import { ORACLE_KEYS } from './oracle.js';
import type { EvalReport } from './run.js';

const f = (x: number | null | undefined, d = 2): string =>
  x === null || x === undefined ? '-' : x.toFixed(d);
const pct = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : `${(100 * x).toFixed(0)}%`;
const iso = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(w[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

export interface Target {
  name: string;
  met: boolean | null;
  measured: string;
}

export function judgeTargets(r: EvalReport): Target[] {
  const sc = (n: string) => r.scenarios.find((s) => s.name === n);
  const out: Target[] = [];
  const t2007 = sc('tcp1025-2007');
  out.push({
    name: '2007 step: medium+ in the first hourly bucket, 100% of runs',
    met: t2007 ? t2007.deadline_met === 1 : null,
    measured: t2007 ? `${pct(t2007.deadline_met)} by the deadline, recall ${pct(t2007.recall)}` : 'not run',
  });
  for (const [n, label] of [
    ['ramp-24h', '24-hour ramp: within 14 h'],
    ['ramp-7d', '7-day ramp: within 3 days'],
  ] as const) {
    const s = sc(n);
    out.push({
      name: label,
      met: s ? s.deadline_met !== null && s.deadline_met >= 0.9 : null,
      measured: s
        ? `${pct(s.deadline_met)} of tries in time, median ${f(s.delay_hours.median, 1)} h; ${oracleNote(s)}`
        : 'not run',
    });
  }
  out.push({
    name: '<= 1 false medium+ alert a day (injection-free second half)',
    met: r.clean.alerts_per_day <= 1,
    measured: `${f(r.clean.alerts_per_day, 3)} a day`,
  });
  const poison = r.scenarios.filter((s) => s.kind === 'poison');
  const tries = poison.reduce((a, s) => a + s.tries, 0);
  const wins = poison.reduce((a, s) => a + (s.poisoning_success ?? 0) * s.tries, 0);
  out.push({
    name: 'poisoning by one operator succeeds in <= 1% of tries',
    met: tries > 0 ? wins / tries <= 0.01 : null,
    measured:
      tries > 0
        ? `${Math.round(wins)}/${tries} = ${pct(wins / tries)} (alerts the injection-free replay also raised, not counted: ${poison.reduce(
            (a, s) => a + (s.poisoning_background ?? 0),
            0,
          )})`
        : 'not run',
  });
  return out;
}

/** What the oracle (oracle.ts) reaches on the same tries, and how the engine does where the oracle is in time. */
function oracleNote(s: EvalReport['scenarios'][number]): string {
  const tiers = s.deadline_by_tier ?? [];
  const tries = tiers.reduce((a, t) => a + t.tries, 0);
  const oracle = tiers.reduce((a, t) => a + t.oracle_in_time, 0);
  const both = s.per_try.filter((t) => t.oracle_met_deadline === true && t.met_deadline === true).length;
  return `ideal detector in time on ${oracle}/${tries}, engine on ${both} of those`;
}

export function formatReport(r: EvalReport): string {
  const out: string[] = [];
  out.push(
    `Stormwatch evaluation: ${r.fleet.sensors} sensors, ${r.fleet.operators} operators (${r.fleet.copies} copies), ` +
      `${r.fleet.days} days, ${r.fleet.events} events; scored on the last ${r.fleet.scored_days} days; seed ${r.seed}`,
  );
  out.push(`Rows read ${r.read.rows}, rejected ${r.read.rejected}`);
  out.push('', 'Calibration (last days of the first half, injection-free):');
  out.push(
    table(
      ['alpha_scale', 'alerts', 'per day'],
      r.calibration.tried.map((c) => [String(c.alpha_scale), String(c.alerts), f(c.alerts_per_day, 3)]),
    ),
  );
  out.push(`chosen alpha_scale = ${r.calibration.alpha_scale}`);
  const c = r.clean;
  out.push('', `Injection-free second half (${c.days} days, ${c.active_keys} active keys):`);
  out.push(
    table(
      ['level', 'incidents', 'per day', 'per port-week'],
      [
        ['medium+', String(c.alerts), f(c.alerts_per_day, 3), c.alerts_per_port_week.toExponential(2)],
        [
          'all',
          String(c.all_levels),
          f(c.all_levels_per_day, 3),
          c.all_levels_per_port_week.toExponential(2),
        ],
      ],
    ),
  );
  out.push(`local anomalies: ${c.local_anomalies}`);
  out.push(
    `flagged (the culprit of 5 local anomalies within 7 days), all honest: ${c.flagged_sensors} of ${r.fleet.sensors} sensors, ${c.flagged_operators} of ${r.fleet.operators} operators`,
  );
  out.push(
    '',
    'Scenarios (delays from the injection start to the close of the bucket that raised the alert):',
  );
  out.push(
    table(
      [
        'scenario',
        'tries',
        'recall',
        'med bkt',
        'p90 bkt',
        'med h',
        'p90 h',
        'any med h',
        'fold',
        'in time',
        'false/d',
        'poison',
        'local',
        'reopen',
      ],
      r.scenarios.map((s) => [
        s.name,
        String(s.tries),
        s.kind === 'detect' ? pct(s.recall) : '-',
        f(s.delay_buckets.median, 0),
        f(s.delay_buckets.p90, 0),
        f(s.delay_hours.median, 1),
        f(s.delay_hours.p90, 1),
        f(s.delay_any_hours.median, 1),
        f(s.fold_median, 1),
        pct(s.deadline_met),
        f(s.false_alerts_per_day, 3),
        pct(s.poisoning_success),
        pct(s.local_anomaly_rate),
        String(s.reopens),
      ]),
    ),
  );
  const poison = r.scenarios.filter((s) => s.flagged_sensors !== null);
  if (poison.length > 0) {
    out.push('', 'Flagged in the poisoning scenarios (the culprit of 5 local anomalies within 7 days):');
    out.push(
      table(
        ['scenario', 'fake operator', 'fake sensors', 'honest sensors'],
        poison.map((s) => [
          s.name,
          s.flagged_sensors?.fake_operator === true ? 'flagged' : 'not flagged',
          `${s.flagged_sensors?.fake ?? 0} of ${s.flagged_sensors?.fake_total ?? 0}`,
          String(s.flagged_sensors?.honest ?? 0),
        ]),
      ),
    );
  }
  for (const s of r.scenarios) {
    if (s.withhold) {
      out.push(
        `withhold: alerts on the ${s.tries} silent days ${s.withhold.silent_days_alerts}, on the same days injection-free ${s.withhold.clean_same_days_alerts}`,
      );
    }
  }
  const timed = r.scenarios.filter((s) => s.deadline_by_tier !== null);
  if (timed.length > 0) {
    out.push(
      '',
      `Deadlines by volume tier (tries in time; "ideal" is oracle.ts: the true rate known, no noise, α = 1/(24·${ORACLE_KEYS}) per hour):`,
    );
    out.push(
      table(
        ['scenario', 'tier', 'tries', 'engine in time', 'ideal in time'],
        timed.flatMap((s) =>
          (s.deadline_by_tier ?? []).map((t) => [
            s.name,
            t.tier,
            String(t.tries),
            String(t.in_time),
            String(t.oracle_in_time),
          ]),
        ),
      ),
    );
  }
  out.push('', 'Scenario definitions:');
  for (const s of r.scenarios) out.push(`  ${s.name}: ${s.description}`);
  out.push('', 'Targets:');
  out.push(
    table(
      ['target', 'met', 'measured'],
      judgeTargets(r).map((t) => [t.name, t.met === null ? '-' : t.met ? 'MET' : 'NOT MET', t.measured]),
    ),
  );
  if (r.raw)
    out.push(
      '',
      formatRaw(
        r.raw.log,
        `Raw file alone (${r.raw.sensors} sensors, ${r.raw.operators} operators, ${r.raw.days} days)`,
      ),
    );
  out.push(
    '',
    `Timings (ms): ${Object.entries(r.timings_ms)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  return out.join('\n');
}

export function formatRaw(log: AlertLog, title: string): string {
  const out: string[] = [title, 'Incidents:'];
  const incs = [...log.incidents.values()].sort((a, b) => a.first_any - b.first_any);
  out.push(
    table(
      [
        'key',
        'first seen',
        'status',
        'level',
        'sev',
        'test',
        'gran',
        'obs',
        'exp',
        'fold',
        'p',
        'src',
        'sens',
        'ops',
        'eff ops',
        'top networks',
      ],
      incs.map((r) => {
        const e = r.last.evidence;
        return [
          keyLabel(r.key),
          iso(r.last.first_seen),
          r.last.status,
          r.max_level,
          f(r.last.severity, 0),
          e.test,
          `${e.granularity}x${e.window}`,
          f(e.observed, 0),
          f(e.expected, 1),
          f(e.fold, 1),
          e.p_value.toExponential(1),
          String(e.sources),
          String(e.sensors),
          String(e.operators),
          f(e.effective_operators, 1),
          e.top_networks
            .slice(0, 3)
            .map((n) => `${n.network}:${n.sources}`)
            .join(' '),
        ];
      }),
    ),
  );
  out.push('', `Local anomalies (${log.anomalies.length}):`);
  out.push(
    table(
      ['key', 'bucket', 'gran', 'obs', 'exp', 'fold', 'src', 'sens', 'ops', 'failed gates'],
      log.anomalies.map((a) => {
        const e = a.anomaly.evidence;
        return [
          keyLabel(a.key),
          iso(a.anomaly.bucket),
          `${e.granularity}x${e.window}`,
          f(e.observed, 0),
          f(e.expected, 1),
          f(e.fold, 1),
          String(e.sources),
          String(e.sensors),
          String(e.operators),
          e.gates
            .filter((g) => !g.passed)
            .map((g) => `${g.name} (${g.detail})`)
            .join('; '),
        ];
      }),
    ),
  );
  return out.join('\n');
}
