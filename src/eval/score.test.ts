import { describe, expect, it } from 'vitest';
import { AlertLog } from './alert-log.js';
import type { IncidentRecord } from './alert-log.js';
import { loadColumns } from './columns.js';
import { buildFleet } from './fleet.js';
import { background, writeEvents } from './fixtures.test-helpers.js';
import { keysPresent, keyVolumes } from './keystats.js';
import { replay } from './replay.js';
import { planScenario } from './scenarios.js';
import { quantile, scoreScenario } from './score.js';
import { thresholdEngine } from './threshold-engine.test-helpers.js';

/** An alert record of the log: first seen and first alerted at `at`, resolved at `resolved` (null: still open). */
const record = (id: string, port: number, at: number, resolved: number | null): IncidentRecord => ({
  id,
  key: port,
  first_any: at,
  first_alert: at,
  alert_fold: 3,
  alert_granularity: '1h',
  max_level: 'medium',
  ever_open: true,
  reopened: 0,
  last: { resolved_at: resolved } as never,
});

describe('scoreScenario on a test double', () => {
  it('finds each detection at the first hourly bucket the double fires on, and its delay', async () => {
    const hosts = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'];
    const cols = await loadColumns(writeEvents(background(hosts, 8, 1)));
    const { fleet, table } = buildFleet(cols, {
      copies: 4,
      operators_per_copy: 3,
      seed: 2,
      map_sources: true,
    });
    const ctx = {
      fleet,
      table,
      volumes: keyVolumes(table, 0, 4),
      present: keysPresent(table),
      pool: { used: new Set(table.src) },
      from: 4 * 288,
      to: 8 * 288,
      seed: 3,
      tries: 3,
    };
    const plan = planScenario(ctx, 'tcp1025-2007');
    const engine = thresholdEngine({ min_sources: 40, min_operators: 3 });
    const log = new AlertLog();
    replay(engine, {
      fleet,
      table,
      from: ctx.from,
      to: ctx.to,
      injected: plan.injected,
      onBucket: log.onBucket,
    });
    const s = scoreScenario(plan, log, table.t0, 4);
    // independent check: the first closed hour of the try's key with >= 40 sources and >= 3 operators
    for (const [i, t] of plan.tries.entries()) {
      const start = table.t0 + t.start * 300_000;
      const end = table.t0 + t.end * 300_000;
      const hit = engine.closed.find(
        (b) =>
          b.granularity === '1h' &&
          b.bucket + 3_600_000 >= start &&
          b.bucket + 3_600_000 <= end &&
          b.keys.some((k) => k.port === t.key % 65536 && k.sources >= 40 && k.operators >= 3),
      );
      const got = s.per_try[i];
      expect(got?.detected).toBe(hit !== undefined);
      if (hit) expect(got?.delay_ms).toBe(hit.bucket + 3_600_000 - start);
    }
    expect(s.per_try.some((x) => x.detected)).toBe(true);
    expect(s.recall).toBe(s.per_try.filter((x) => x.detected).length / plan.tries.length);
    expect(s.false_alerts).toBe(0);
  });

  it('counts alerts outside every try window as false, and quantiles interpolate', () => {
    const log = new AlertLog();
    const mk = (id: string, port: number, at: number): void => {
      log.incidents.set(id, record(id, port, at, null));
    };
    mk('a', 22, 10 * 300_000); // inside the try window on its key
    mk('b', 23, 10 * 300_000); // another key: false
    mk('c', 22, 2000 * 300_000); // the try's key, days later: false
    const plan = {
      name: 'x',
      kind: 'detect' as const,
      description: '',
      tries: [
        { key: 22, tier: 'mid' as const, start: 5, end: 50, baseline_per_day: 1, sources: 1, events: 1 },
      ],
      injected: new Map(),
      fleet: {} as never,
    };
    const s = scoreScenario(plan, log, 0, 10);
    expect(s.recall).toBe(1);
    expect(s.delay_buckets.median).toBe(5);
    expect(s.false_alerts).toBe(2);
    expect(s.false_alerts_per_day).toBe(0.2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNull();
  });
  it('does not count as a poisoning success an alert the injection-free replay also raised', () => {
    const log = new AlertLog();
    const clean = new AlertLog();
    log.incidents.set('p1', record('p1', 22, 20 * 300_000, null));
    log.incidents.set('p2', record('p2', 23, 20 * 300_000, null));
    // The background alerted on key 22 before the try and was still open when it started; key 23 was quiet.
    clean.incidents.set('c1', record('c1', 22, 2 * 300_000, 30 * 300_000));
    clean.incidents.set('c2', record('c2', 23, 2 * 300_000, 4 * 300_000));
    const tries = [22, 23].map((key) => ({
      key,
      tier: 'busy' as const,
      start: 10,
      end: 40,
      baseline_per_day: 60,
      sources: 100,
      events: 100,
    }));
    const plan = {
      name: 'poison-x',
      kind: 'poison' as const,
      description: '',
      tries,
      injected: new Map(),
      fleet: { sensors: [] } as never,
    };
    const s = scoreScenario(plan, log, 0, 10, clean);
    expect(s.per_try.map((t) => t.background_alert)).toEqual([true, false]);
    expect(s.poisoning_success).toBe(0.5);
    expect(s.poisoning_background).toBe(1);
    expect(scoreScenario(plan, log, 0, 10).poisoning_success).toBe(1);
  });
});
