import { describe, expect, it } from 'vitest';
import type { BucketInput } from '../core/observation.js';
import { loadColumns } from './columns.js';
import { buildFleet } from './fleet.js';
import { utc, writeEvents } from './fixtures.test-helpers.js';
import { BucketAccumulator } from './observations.js';
import { replay } from './replay.js';
import { thresholdEngine } from './threshold-engine.test-helpers.js';

const shape = { operatorOf: [0, 0, 1, 2], operators: ['opA', 'opB', 'opC'] };
const exp = { exposure: 4, fleet_sensors: 4, fleet_operators: 3 };

describe('BucketAccumulator', () => {
  it('counts distinct sources, sensors, operators, capped events and per-operator shares', () => {
    const acc = new BucketAccumulator('5m');
    acc.add(22, 1, 0, 30); // one noisy pair: capped at 20
    acc.add(22, 1, 1, 1);
    acc.add(22, 2, 2, 1);
    acc.add(22, 3, 2, 1);
    acc.add(22, 4, 3, 1);
    acc.add(80, 5, 0, 1);
    const b = acc.emit(0, exp, shape);
    expect(b.keys.map((k) => k.port)).toEqual([22, 80]);
    const k = b.keys[0];
    expect(k).toMatchObject({
      proto: 'tcp',
      sources: 4,
      sensors: 4,
      operators: 3,
      events: 34,
      events_capped: 24,
    });
    expect(k?.by_operator).toEqual([
      { operator: 'opB', sources: 2, sensors: 1 },
      { operator: 'opA', sources: 1, sensors: 2 },
      { operator: 'opC', sources: 1, sensors: 1 },
    ]);
    expect(k?.top_networks?.[0]).toEqual({ network: '0.0.0.0/24', sources: 4 });
    expect(acc.emit(300_000, exp, shape).keys).toEqual([]);
  });
});

describe('replay', () => {
  it('closes 5m, 1h and 1d buckets in end order, with exact hourly distinct counts (not sums of 5m)', async () => {
    const t0 = Date.UTC(2013, 2, 3);
    // the same source in two 5m buckets of one hour, a second source once: 5m sums 3, hourly distinct 2
    const lines = [
      `${utc(t0 + 60_000)},s1,11,TCP,,1,22`,
      `${utc(t0 + 360_000)},s1,11,TCP,,1,22`,
      `${utc(t0 + 420_000)},s2,12,TCP,,1,22`,
      `${utc(t0 + 86_400_000 + 1000)},s2,13,UDP,,1,53`,
    ];
    const cols = await loadColumns(writeEvents(lines));
    const { fleet, table } = buildFleet(cols, {
      copies: 1,
      operators_per_copy: 0,
      seed: 1,
      map_sources: false,
    });
    const engine = thresholdEngine({ min_sources: 1e9, min_operators: 3 });
    replay(engine, { fleet, table, from: 0, to: 2 * 288 });
    const seq: BucketInput[] = engine.closed;
    expect(seq.length).toBe(2 * (288 + 24 + 1));
    const order = seq.slice(0, 13).map((b) => b.granularity);
    expect(order).toEqual([...Array<string>(12).fill('5m'), '1h']);
    expect(seq[288 + 24]?.granularity).toBe('1d');
    expect(seq[288 + 24 - 1]?.granularity).toBe('1h');
    const five = seq.filter((b) => b.granularity === '5m' && b.bucket < t0 + 3_600_000);
    expect(five.reduce((s, b) => s + (b.keys[0]?.sources ?? 0), 0)).toBe(3);
    const hour = seq.find((b) => b.granularity === '1h' && b.bucket === t0);
    expect(hour?.keys[0]?.sources).toBe(2);
    expect(hour?.keys[0]?.sensors).toBe(2);
    expect(hour?.fleet_sensors).toBe(2);
    const day2 = seq.filter((b) => b.granularity === '1d')[1];
    expect(day2?.keys.map((k) => `${k.proto}/${k.port}`)).toEqual(['udp/53']);
    // s1's last event is on day 1: on day 2 only s2 is active
    expect(day2?.exposure).toBe(1);
  });

  it('drops the events and the exposure of sensors that withhold a day', async () => {
    const t0 = Date.UTC(2013, 2, 3);
    const lines = [`${utc(t0 + 1000)},s1,11,TCP,,1,22`, `${utc(t0 + 2000)},s2,12,TCP,,1,22`];
    const cols = await loadColumns(writeEvents(lines));
    const { fleet, table } = buildFleet(cols, {
      copies: 1,
      operators_per_copy: 0,
      seed: 1,
      map_sources: false,
    });
    const silent = new Uint8Array(fleet.active.length);
    silent[0 * fleet.days + 0] = 1;
    const engine = thresholdEngine({ min_sources: 1e9, min_operators: 3 });
    replay(engine, { fleet, table, from: 0, to: 288, silent });
    expect(engine.closed[0]?.keys[0]?.sources).toBe(1);
    expect(engine.closed[0]?.exposure).toBe(1);
  });
});
