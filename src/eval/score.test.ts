import { describe, expect, it } from 'vitest';
import { AlertLog } from './alert-log.js';
import { loadColumns } from './columns.js';
import { buildFleet } from './fleet.js';
import { background, writeEvents } from './fixtures.test-helpers.js';
import { keysPresent, keyVolumes } from './keystats.js';
import { replay } from './replay.js';
import { planScenario } from './scenarios.js';
import { quantile, scoreScenario } from './score.js';
import { thresholdEngine } from './threshold-engine.test-helpers.js';

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
      log.incidents.set(id, {
        id,
        key: port,
        first_any: at,
        first_alert: at,
        alert_fold: 3,
        alert_granularity: '1h',
        max_level: 'medium',
        ever_open: true,
        reopened: 0,
        last: {} as never,
      });
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
});
