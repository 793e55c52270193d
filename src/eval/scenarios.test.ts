import { beforeAll, describe, expect, it } from 'vitest';
import { loadColumns } from './columns.js';
import { buildFleet } from './fleet.js';
import type { EventTable, Fleet } from './fleet.js';
import { background, writeEvents } from './fixtures.test-helpers.js';
import { keysPresent, keyVolumes } from './keystats.js';
import type { InjectedEvent } from './replay.js';
import { planScenario } from './scenarios.js';
import type { ScenarioContext } from './scenarios.js';

let fleet: Fleet;
let table: EventTable;
let ctx: ScenarioContext;

beforeAll(async () => {
  const hosts = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8'];
  const lines = background(hosts, 12, 1);
  const cols = await loadColumns(writeEvents(lines));
  ({ fleet, table } = buildFleet(cols, { copies: 4, operators_per_copy: 3, seed: 5, map_sources: true }));
  ctx = {
    fleet,
    table,
    volumes: keyVolumes(table, 0, 6),
    present: keysPresent(table),
    pool: { used: new Set(table.src) },
    from: 6 * 288,
    to: 12 * 288,
    seed: 1,
    tries: 4,
  };
});

const eventsOf = (inj: Map<number, InjectedEvent[]>): Array<InjectedEvent & { b: number }> =>
  [...inj.entries()].flatMap(([b, evs]) => evs.map((e) => ({ ...e, b })));

describe('scenario injectors', () => {
  it('a step injects fresh sources on its key inside its window, 1-4 sensors each, about 49 × baseline a day', () => {
    const plan = planScenario(ctx, 'step-x50');
    expect(plan.tries.length).toBeGreaterThan(0);
    const evs = eventsOf(plan.injected);
    const bg = new Set(table.src);
    for (const t of plan.tries) {
      const mine = evs.filter((e) => e.key === t.key);
      expect(mine.every((e) => e.b >= t.start && e.b < t.end && e.b < ctx.to)).toBe(true);
      expect(mine.every((e) => !bg.has(e.src))).toBe(true);
      const srcs = new Set(mine.map((e) => e.src));
      expect(srcs.size).toBe(t.sources);
      expect(mine.reduce((s, e) => s + e.events, 0)).toBe(t.events);
      const expected = 49 * Math.max(2, t.baseline_per_day);
      expect(t.sources).toBeGreaterThan(0.8 * expected);
      expect(t.sources).toBeLessThan(1.2 * expected);
      const perSrc = new Map<number, Set<number>>();
      for (const e of mine) perSrc.set(e.src, (perSrc.get(e.src) ?? new Set()).add(e.sensor));
      expect([...perSrc.values()].every((s) => s.size >= 1 && s.size <= 4)).toBe(true);
    }
  });

  it('the 2007 template adds about 1,470 sources and 8,000 events a day', () => {
    const plan = planScenario(ctx, 'tcp1025-2007');
    for (const t of plan.tries) {
      expect(t.sources).toBeGreaterThan(1300);
      expect(t.sources).toBeLessThan(1650);
      expect(t.events / t.sources).toBeGreaterThan(4);
      expect(t.events / t.sources).toBeLessThan(7);
      expect(t.deadline).toBe(Math.ceil(t.start / 12) * 12 + 12);
    }
  });

  it('a local scan only touches the sensors of one operator', () => {
    const plan = planScenario(ctx, 'local-scan');
    for (const t of plan.tries) {
      const ops = new Set(
        eventsOf(plan.injected)
          .filter((e) => e.key === t.key)
          .map((e) => fleet.operatorOf[e.sensor]),
      );
      expect(ops.size).toBe(1);
    }
  });

  it('poisoning adds one operator of fake sensors, active, and only they report the attack', () => {
    const plan = planScenario(ctx, 'poison-10pct-burst');
    const n = plan.fleet.sensors.length - fleet.sensors.length;
    expect(n).toBe(Math.round(0.1 * fleet.sensors.length));
    expect(plan.fleet.operators.length).toBe(fleet.operators.length + 1);
    const fake = new Set(Array.from({ length: n }, (_, i) => fleet.sensors.length + i));
    expect(eventsOf(plan.injected).every((e) => fake.has(e.sensor))).toBe(true);
    for (const s of fake) expect(plan.fleet.active[s * fleet.days + 7]).toBe(1);
  });

  it('withholding silences 10% of the sensors on each try day and nothing else', () => {
    const plan = planScenario(ctx, 'withhold');
    const silent = plan.silent ?? new Uint8Array();
    let total = 0;
    for (const t of plan.tries) {
      const d = t.start / 288;
      let n = 0;
      for (let s = 0; s < fleet.sensors.length; s++) n += silent[s * fleet.days + d] ?? 0;
      expect(n).toBe(Math.round(fleet.sensors.length / 10));
      total += n;
    }
    expect(silent.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('a new port is absent from the background', () => {
    const plan = planScenario(ctx, 'new-port');
    for (const t of plan.tries) expect(ctx.present.has(t.key)).toBe(false);
  });
});
