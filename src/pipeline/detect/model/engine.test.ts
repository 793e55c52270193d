import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../../core/errors.js';
import { Baseline } from './baseline.js';
import { createDetectionEngine } from './engine.js';
import type { Engine } from './engine.js';
import { SyntheticFleet, hours } from './synthetic.test-helpers.js';
import type { Extra } from './synthetic.test-helpers.js';
import type { BucketResult, Incident } from './types.js';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const KEYS = [
  { proto: 'tcp' as const, port: 22, rate: 0.5 },
  { proto: 'tcp' as const, port: 445, rate: 0.2 },
  { proto: 'tcp' as const, port: 1025, rate: 0.02 },
  { proto: 'udp' as const, port: 5060, rate: 0.3 },
];

/** Learns `days` of hourly background; returns the engine, the fleet and the next bucket start. */
function warm(
  days: number,
  operators = 30,
  seed = 7,
): { engine: Engine; fleet: SyntheticFleet; next: number } {
  const engine = createDetectionEngine();
  const fleet = new SyntheticFleet(operators, KEYS, seed);
  for (const b of hours(START, days * 24)) engine.closeBucket(fleet.bucket('1h', b));
  return { engine, fleet, next: START + days * 24 * HOUR };
}

const incidentsOf = (results: BucketResult[]): Incident[] => results.flatMap((r) => r.changed);

describe('detection engine', () => {
  it('stays quiet (no medium or higher incident) on three weeks of steady background', () => {
    const engine = createDetectionEngine();
    const fleet = new SyntheticFleet(30, KEYS, 11);
    const results = hours(START, 21 * 24).map((b) => engine.closeBucket(fleet.bucket('1h', b)));
    const loud = incidentsOf(results).filter((i) => i.level === 'medium' || i.level === 'high');
    expect(loud).toEqual([]);
    expect(results.flatMap((r) => r.notifications)).toEqual([]);
  });

  it('opens a high incident in the first hour of a broad outbreak, with its evidence', () => {
    const { engine, fleet, next } = warm(14);
    const outbreak: Extra = {
      proto: 'tcp',
      port: 1025,
      perOperator: 0.4,
      operators: fleet.operators.slice(0, 25),
    };
    const r = engine.closeBucket(fleet.bucket('1h', next, [outbreak]));
    const inc = r.changed.find((i) => i.port === 1025);
    expect(inc).toBeDefined();
    expect(inc?.status).toBe('open');
    expect(['medium', 'high']).toContain(inc?.level);
    expect(r.notifications.map((n) => n.kind)).toEqual(['opened']);
    const ev = inc!.evidence;
    expect(ev.observed).toBeGreaterThan(ev.expected * 10);
    expect(ev.p_value).toBeLessThan(ev.alpha);
    expect(ev.interval[1]).toBeLessThan(ev.observed);
    expect(ev.gates.every((g) => g.passed)).toBe(true);
    expect(ev.effective_operators).toBeGreaterThan(10);
    expect(engine.threatLevel().level).not.toBe('normal');
  });

  it('keeps a flood from one operator as a local anomaly and flags the operator and its sensor', () => {
    const { engine, fleet, next } = warm(14);
    const results: BucketResult[] = [];
    for (let h = 0; h < 6; h++) {
      const flood: Extra = { proto: 'tcp', port: 1025, perOperator: 20, operators: ['op3'] };
      results.push(engine.closeBucket(fleet.bucket('1h', next + h * HOUR, [flood])));
    }
    expect(incidentsOf(results).filter((i) => i.port === 1025)).toEqual([]);
    const anomalies = results.flatMap((r) => r.anomalies);
    expect(anomalies.length).toBeGreaterThanOrEqual(5);
    expect(anomalies[0]?.operators).toEqual(['op3']);
    const failed = anomalies[0]?.evidence.gates.filter((g) => !g.passed).map((g) => g.name);
    expect(failed).toContain('max_share');
    expect(engine.flaggedOperators().map((f) => f.operator)).toEqual(['op3']);
    // op3 holds nearly all of a big window: it is the culprit, and its share names its one sensor.
    expect(anomalies[0]?.culprit).toMatchObject({ operator: 'op3', sensors: ['op3-s1'] });
    expect(anomalies[0]?.culprit?.share).toBeGreaterThan(0.8);
    expect(engine.flaggedSensors()).toEqual([
      { sensor: 'op3-s1', anomalies: anomalies.length, since: (anomalies[0]?.bucket ?? 0) + HOUR },
    ]);
    // Both survive a restart, and both are forgotten once the flag window (7 days) has passed without more.
    const resumed = createDetectionEngine(undefined, engine.saveState());
    expect(resumed.flaggedSensors()).toEqual(engine.flaggedSensors());
    for (const b of hours(next + 6 * HOUR, 8 * 24)) resumed.closeBucket(fleet.bucket('1h', b));
    expect(resumed.flaggedOperators()).toEqual([]);
    expect(resumed.flaggedSensors()).toEqual([]);
  });

  it('flags no one for local anomalies that no single operator dominates', () => {
    const { engine, fleet, next } = warm(14);
    const results: BucketResult[] = [];
    for (let h = 0; h < 12; h++) {
      // op3 adds 12 sources an hour to a background of about 7: a local anomaly, but op3 holds well under 80%.
      const extra: Extra = { proto: 'tcp', port: 1025, perOperator: 1, operators: ['op3'] };
      results.push(engine.closeBucket(fleet.bucket('1h', next + h * HOUR, [extra])));
    }
    const anomalies = results.flatMap((r) => r.anomalies);
    expect(anomalies.length).toBeGreaterThanOrEqual(5);
    expect(anomalies.filter((a) => a.culprit !== undefined)).toEqual([]);
    expect(engine.flaggedOperators()).toEqual([]);
    expect(engine.flaggedSensors()).toEqual([]);
  });

  it('gives sensors on probation no weight', () => {
    const { engine, fleet, next } = warm(14);
    const fake: Extra = {
      proto: 'tcp',
      port: 1025,
      perOperator: 5,
      operators: fleet.operators.slice(0, 10),
      probation: true,
    };
    // The probation shares replace the real ones of those operators: give them their own names.
    fake.operators = fake.operators.map((o) => `${o}-new`);
    const r = engine.closeBucket(fleet.bucket('1h', next, [fake]));
    expect(r.changed.filter((i) => i.port === 1025)).toEqual([]);
    expect(r.anomalies.some((a) => a.evidence.gates.some((g) => g.name === 'probation' && !g.passed))).toBe(
      true,
    );
  });

  it('walks the lifecycle: open, escalated, cooling, resolved, re-opened', () => {
    const { engine, fleet, next } = warm(14);
    const ops = fleet.operators.slice(0, 20);
    let t = next;
    const step = (extras: Extra[]): BucketResult => {
      const r = engine.closeBucket(fleet.bucket('1h', t, extras));
      t += HOUR;
      return r;
    };
    const first = step([{ proto: 'tcp', port: 1025, perOperator: 0.3, operators: ops }]);
    const opened = first.changed.find((i) => i.port === 1025);
    expect(opened?.status).toBe('open');
    const bigger = step([{ proto: 'tcp', port: 1025, perOperator: 30, operators: fleet.operators }]);
    const esc = bigger.changed.find((i) => i.port === 1025);
    if (opened?.level !== 'high') {
      expect(esc?.status).toBe('escalated');
      expect(bigger.notifications.map((n) => n.kind)).toContain('escalated');
    }
    // The 24-hour window still holds the burst for a day, so the incident keeps firing that long; then it cools
    // and resolves.
    const statuses: string[] = [];
    for (let h = 0; h < 48; h++) {
      for (const i of step([]).changed) if (i.port === 1025) statuses.push(i.status);
    }
    expect(statuses.slice(-2)).toEqual(['cooling', 'resolved']);
    expect(statuses.filter((s) => s === 'open').length).toBeLessThanOrEqual(24);
    const again = step([{ proto: 'tcp', port: 1025, perOperator: 30, operators: fleet.operators }]);
    const re = again.changed.find((i) => i.port === 1025);
    expect(re?.status).toBe('open');
    expect(re?.reopened).toBe(1);
    expect(re?.id).toBe(opened?.id);
    expect(again.notifications.map((n) => n.kind)).toContain('reopened');
  });

  it('does not learn an outbreak while its incident is open (no boiling frog)', () => {
    const { engine, fleet, next } = warm(14);
    const before = engine.keys.get(1025)!.g[1].baseline.rate(0);
    for (let h = 0; h < 24; h++) {
      engine.closeBucket(
        fleet.bucket('1h', next + h * HOUR, [
          { proto: 'tcp', port: 1025, perOperator: 2, operators: fleet.operators },
        ]),
      );
    }
    const after = engine.keys.get(1025)!.g[1].baseline.rate(0);
    expect(engine.activeIncidents().map((i) => i.port)).toContain(1025);
    expect(after / before).toBeLessThan(1.5);
  });

  it('counts the quiet hours of a sparse key in its CUSUM (no drift to a false trend)', () => {
    // About one source every other hour: most hours have none. The CUSUM must take a step for each of them,
    // or the hours with a source alone push it past its threshold again and again.
    const sparse = [{ proto: 'tcp' as const, port: 8888, rate: 0.5 / 30 / 12 }];
    const engine = createDetectionEngine();
    const fleet = new SyntheticFleet(30, sparse, 5);
    let withCount = 0;
    let trends = 0;
    for (const b of hours(START, 28 * 24)) {
      const input = fleet.bucket('1h', b);
      if (input.keys.length > 0) withCount++;
      const r = engine.closeBucket(input);
      if (b < START + 14 * 24 * HOUR) continue;
      trends += r.anomalies.filter((a) => a.evidence.test === 'cusum').length;
      trends += r.changed.filter((i) => i.evidence.bucket === b && i.evidence.test === 'cusum').length;
    }
    expect(withCount).toBeGreaterThan(150);
    expect(withCount).toBeLessThan(28 * 24 - 150);
    // In control (ARL0 a year of hours) two weeks should bring no CUSUM signal, or one by bad luck.
    // (Without the zero steps: 6 to 9 signals on seeds 1 to 8; with them 0 or 1.)
    expect(trends).toBeLessThanOrEqual(2);
    expect(engine.keys.get(8888)?.g[1].cusum ?? -1).toBeGreaterThanOrEqual(0);
  });

  it('scales expectations by exposure: a fleet that doubles raises no alert', () => {
    const { engine, next } = warm(14, 20);
    const big = new SyntheticFleet(40, KEYS, 99);
    const results = hours(next, 48).map((b) => engine.closeBucket(big.bucket('1h', b)));
    expect(incidentsOf(results).filter((i) => i.level !== 'info')).toEqual([]);
  });

  it('groups incidents whose sources overlap into one campaign', () => {
    const { engine, fleet, next } = warm(14);
    const botnet = Array.from({ length: 40 }, (_, i) => `203.0.113.${i}`);
    const bucket = fleet.bucket('1h', next, [
      { proto: 'tcp', port: 1025, perOperator: 1, operators: fleet.operators },
      { proto: 'tcp', port: 4444, perOperator: 1, operators: fleet.operators },
    ]);
    for (const k of bucket.keys) if (k.port === 1025 || k.port === 4444) k.sample_sources = botnet;
    const r = engine.closeBucket(bucket);
    const a = r.changed.find((i) => i.port === 1025);
    const b = r.changed.find((i) => i.port === 4444);
    expect(a?.campaign).toBeTruthy();
    expect(a?.campaign).toBe(b?.campaign);
  });

  it('resumes from saved state exactly as if it had never stopped', () => {
    const run = (split: boolean): string => {
      let engine = createDetectionEngine();
      const fleet = new SyntheticFleet(30, KEYS, 5);
      const out: string[] = [];
      hours(START, 20 * 24).forEach((b, i) => {
        if (split && i === 15 * 24 + 3) engine = createDetectionEngine(undefined, engine.saveState());
        const extras: Extra[] =
          i >= 15 * 24
            ? [{ proto: 'tcp', port: 1025, perOperator: 0.05 * (i - 15 * 24), operators: fleet.operators }]
            : [];
        const r = engine.closeBucket(fleet.bucket('1h', b, extras));
        out.push(JSON.stringify([r.changed, r.anomalies, r.notifications]));
      });
      return out.join('\n');
    };
    expect(run(true)).toBe(run(false));
  });

  it('refuses a truncated or foreign state', () => {
    const { engine } = warm(2);
    const bytes = engine.saveState();
    expect(() => createDetectionEngine(undefined, bytes.subarray(0, bytes.length - 3))).toThrow(
      /truncated|trailing/,
    );
    expect(() => createDetectionEngine(undefined, new Uint8Array(16))).toThrow(/magic/);
  });

  it('refuses a bucket twice and a bucket not on its boundary', () => {
    const { engine, fleet, next } = warm(1);
    expect(() => engine.closeBucket(fleet.bucket('1h', next - HOUR))).toThrow(/already closed/);
    expect(() => engine.closeBucket(fleet.bucket('1h', next + 1))).toThrow(/not a 1h bucket/);
  });

  it('names every wrong setting', () => {
    try {
      createDetectionEngine({ alpha_scale: -1, min_operators: Number.NaN });
      expect.unreachable();
    } catch (err) {
      expect(isStormwatchError(err)).toBe(true);
      expect(String(err)).toMatch(/alpha_scale/);
      expect(String(err)).toMatch(/min_operators/);
    }
  });
});

describe('baseline catch-up', () => {
  it('equals explicit zero updates', () => {
    const delta = 0.99;
    const lazy = Baseline.fresh([0.5, 0.2, 0.1, 1], 10, 0, 0);
    const eager = Baseline.fresh([0.5, 0.2, 0.1, 1], 10, 0, 0);
    let B = 0;
    const es = [3, 4, 5, 2, 7];
    es.forEach((e, i) => {
      B = delta * B + e;
      eager.update([0, 0, 0, 0], e, delta, i + 1, B);
    });
    lazy.catchUp(es.length, B, delta);
    expect(lazy.b).toBeCloseTo(eager.b, 10);
    expect(lazy.rate(0)).toBeCloseTo(eager.rate(0), 12);
  });
});
