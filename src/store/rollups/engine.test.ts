import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { DistinctCounter } from '../../core/distinct/index.js';
import type { BusBatch } from '../../bus/bus.js';
import type { AttackEvent } from '../../core/event.js';
import { openSqliteStore } from '../sqlite/index.js';
import type { Store } from '../store.js';
import { RollupEngine, cutToKeep } from './engine.js';
import type { GeoInfo } from './types.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(3);
const T0 = Date.parse('2007-04-12T10:00:00Z');
const HOUR = 3_600_000;

function ev(ts: number, port: number, src: string, extra: Partial<AttackEvent> = {}): AttackEvent {
  return { ts, proto: 'tcp', port, src, ...extra };
}

function batch(id: string, sensor: string, events: AttackEvent[], extra: Partial<BusBatch> = {}): BusBatch {
  return { batch_id: id, sensor_id: sensor, received_at: T0 + HOUR, clock_offset_ms: 0, events, ...extra };
}

function storeWithSensors(): Store {
  const store = openSqliteStore({ path: ':memory:', seed, logger });
  const ops: Record<string, string> = { s1: 'op-a', s2: 'op-a', s3: 'op-b' };
  for (const [id, op] of Object.entries(ops)) {
    store.addSensor({ id, name: id, operator: op, public_key_pem: 'k', created_at: T0 });
  }
  return store;
}

function engineFor(store: Store, geo?: (ip: string) => GeoInfo, now = (): number => 0): RollupEngine {
  const operatorOf = (id: string): string => store.getSensor(id)?.operator ?? `sensor:${id}`;
  return new RollupEngine(store, { hasher: store.hasher, operatorOf, ...(geo ? { geo } : {}) }, { now });
}

function commit(store: Store, engine: RollupEngine): void {
  store.commitRollups(engine.takeCommit());
  engine.committed();
}

describe('RollupEngine', () => {
  it('counts events, distinct sources, sensors, operators, targets and the handshake split per bucket', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    engine.add(
      batch('b1', 's1', [
        ev(T0, 1025, '1.1.1.1', { handshake: true, dst: '10.0.0.0' }),
        ev(T0 + 1, 1025, '1.1.1.2', { handshake: false, dst: '10.0.0.0' }),
        ev(T0 + 2, 1025, '1.1.1.3'),
      ]),
    );
    engine.add(batch('b2', 's2', [ev(T0 + 3, 1025, '1.1.1.1', { handshake: true, dst: '10.0.1.0' })]));
    engine.add(batch('b3', 's3', [ev(T0 + 400_000, 1025, '1.1.1.9')]));
    commit(store, engine);
    const first = store.bucketRows('5m', T0)[0];
    expect(first).toMatchObject({ events: 4, sources: 3, sensors: 2, targets: 2 });
    const hour = store.bucketRows('1h', T0)[0];
    expect(hour).toMatchObject({ events: 5, sources: 4, sensors: 3 });
    const row = store.loadPortRow('tcp', 1025, '1h', T0);
    const count = (b: Buffer | null | undefined): number =>
      b ? DistinctCounter.deserialize(b).estimate() : 0;
    expect(row?.events).toBe(5);
    expect(count(row?.operator_sketch)).toBe(2);
    expect(count(row?.hs_sketch)).toBe(1);
    expect(count(row?.nohs_sketch)).toBe(1);
    store.close();
  });

  it('gives the same rows whether one engine counts everything or a fresh engine continues from the store', () => {
    const events = (n: number, base: number): AttackEvent[] =>
      Array.from({ length: n }, (_, i) =>
        ev(T0 + base + i * 7_000, [22, 23, 1025][i % 3] ?? 22, `9.9.${i % 300}.${i % 7}`, {
          dst: `10.0.${i % 5}.0`,
          handshake: i % 4 === 0,
        }),
      );
    const batches = [
      batch('c1', 's1', events(500, 0)),
      batch('c2', 's3', events(700, 100)),
      batch('c3', 's2', events(400, 200)),
    ];
    const one = storeWithSensors();
    const e1 = engineFor(one);
    for (const b of batches) e1.add(b);
    commit(one, e1);

    const two = storeWithSensors();
    const e2 = engineFor(two);
    e2.add(batches[0]!);
    commit(two, e2);
    const e3 = engineFor(two); // a restart: empty memory, rows reloaded on first touch
    e3.add(batches[1]!);
    commit(two, e3);
    e3.add(batches[2]!);
    commit(two, e3);

    for (const g of ['5m', '1h', '1d'] as const) {
      expect(two.portSeries('tcp', 1025, g, 0, T0 * 2)).toEqual(one.portSeries('tcp', 1025, g, 0, T0 * 2));
    }
    const day = Math.floor(T0 / 86_400_000) * 86_400_000;
    expect(two.loadSourceDay(day, '9.9.1.1')).toEqual(one.loadSourceDay(day, '9.9.1.1'));
    expect(two.loadSensorBucket('s3', Math.floor(T0 / HOUR) * HOUR)).toEqual(
      one.loadSensorBucket('s3', Math.floor(T0 / HOUR) * HOUR),
    );
    one.close();
    two.close();
  });

  it('keeps per-source days: events, seen times, top ports with counts, sensors, operators, geo once', () => {
    const store = storeWithSensors();
    const geoCalls: string[] = [];
    const geo = (ip: string): GeoInfo => {
      geoCalls.push(ip);
      return { country: 'NL', asn: 64500, as_name: 'Example AS' };
    };
    const engine = engineFor(store, geo);
    const src = '203.0.113.7';
    const evs = [
      ...Array.from({ length: 5 }, (_, i) => ev(T0 + i, 1025, src)),
      ...Array.from({ length: 2 }, (_, i) => ev(T0 + 10 + i, 445, src)),
      ev(T0 + 50, 135, src),
    ];
    engine.add(batch('d1', 's1', evs));
    engine.add(batch('d2', 's3', [ev(T0 + 99, 1025, src)]));
    commit(store, engine);
    const day = Math.floor(T0 / 86_400_000) * 86_400_000;
    const row = store.loadSourceDay(day, src);
    expect(row).toMatchObject({
      events: 9,
      first_seen: T0,
      last_seen: T0 + 99,
      ports: 3,
      sensors: 2,
      operators: 2,
      country: 'NL',
      asn: 64500,
      as_name: 'Example AS',
    });
    expect(JSON.parse(row?.top_ports ?? '[]')).toEqual([
      ['tcp/1025', 6],
      ['tcp/445', 2],
      ['tcp/135', 1],
    ]);
    expect(geoCalls).toEqual([src]);
    store.close();
  });

  it('lists every port hit more than events/8 times when a source hits many ports', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    const src = '198.51.100.1';
    const evs: AttackEvent[] = [];
    for (let p = 1; p <= 200; p++) evs.push(ev(T0 + p, p, src));
    for (let i = 0; i < 100; i++) evs.push(ev(T0 + 1000 + i, 3389, src));
    engine.add(batch('e1', 's1', evs));
    commit(store, engine);
    const row = store.loadSourceDay(Math.floor(T0 / 86_400_000) * 86_400_000, src);
    const top = JSON.parse(row?.top_ports ?? '[]') as Array<[string, number]>;
    expect(top[0]?.[0]).toBe('tcp/3389');
    expect(top[0]?.[1]).toBeGreaterThanOrEqual(100);
    expect(row?.ports).toBeGreaterThan(180);
    expect(row?.ports).toBeLessThan(220);
    store.close();
  });

  it('keeps per-sensor hours: events, batches, lag sum and max, reported counters summed', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    const received = T0 + 10_000;
    engine.add(
      batch('f1', 's1', [ev(T0, 22, '1.2.3.4'), ev(T0 + 4_000, 22, '1.2.3.4')], {
        received_at: received,
        stats: { dropped_quota: 3, malformed: 1 },
      }),
    );
    engine.add(
      batch('f2', 's1', [ev(T0 + 20_000, 22, '1.2.3.4')], { received_at: received, stats: { malformed: 2 } }),
    );
    commit(store, engine);
    const row = store.loadSensorBucket('s1', Math.floor(T0 / HOUR) * HOUR);
    expect(row).toMatchObject({ events: 3, batches: 2, lag_ms_sum: 16_000, lag_ms_max: 10_000 });
    expect(JSON.parse(row?.stats ?? '{}')).toEqual({ dropped_quota: 3, malformed: 3 });
    expect(store.getSensor('s1')).toMatchObject({ events_total: 3, last_seen: received });
    store.close();
  });

  it('refuses a batch with an out-of-range event whole, counting nothing of it', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    expect(() => engine.add(batch('g1', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0, 70_000, '1.1.1.2')]))).toThrow(
      /out of range/,
    );
    expect(engine.stats()).toMatchObject({ pending_batches: 0, pending_events: 0, port_rows: 0 });
    engine.add(batch('g2', 's1', [ev(T0, 22, '1.1.1.1')]));
    commit(store, engine);
    expect(store.bucketRows('5m', T0)).toHaveLength(1);
    expect(store.isBatchApplied('g1')).toBe(false);
    store.close();
  });

  it('refuses to commit a batch id twice, and recounts from the store after a reset', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    engine.add(batch('h1', 's1', [ev(T0, 22, '1.1.1.1')]));
    commit(store, engine);
    engine.add(batch('h1', 's1', [ev(T0, 22, '1.1.1.1')]));
    expect(() => store.commitRollups(engine.takeCommit())).toThrow(/already applied/);
    engine.reset();
    engine.add(batch('h2', 's1', [ev(T0, 22, '5.5.5.5')]));
    commit(store, engine);
    expect(store.bucketRows('5m', T0)[0]).toMatchObject({ events: 2, sources: 2 });
    store.close();
  });

  it('evicts idle rows after a commit and reloads them when touched again', () => {
    const store = storeWithSensors();
    let now = 0;
    const engine = engineFor(store, undefined, () => now);
    engine.add(batch('i1', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0 + 86_400_000, 23, '1.1.1.1')]));
    commit(store, engine);
    expect(engine.stats().port_rows).toBe(6);
    expect(engine.stats().source_states).toBe(2);
    now = 60 * 60_000;
    engine.add(batch('i2', 's1', [ev(T0, 22, '2.2.2.2')]));
    commit(store, engine);
    expect(engine.stats()).toMatchObject({ port_rows: 3, source_states: 1 });
    engine.add(batch('i3', 's1', [ev(T0 + 86_400_000, 23, '3.3.3.3')]));
    commit(store, engine);
    expect(store.bucketRows('5m', T0 + 86_400_000)[0]).toMatchObject({ events: 2, sources: 2 });
    expect(store.bucketRows('1d', Math.floor(T0 / 86_400_000) * 86_400_000)[0]).toMatchObject({ events: 2 });
    store.close();
  });

  it('evicts every clean row past the row caps, and keeps counting right after reloading them', () => {
    const store = storeWithSensors();
    const operatorOf = (id: string): string => store.getSensor(id)?.operator ?? id;
    const engine = new RollupEngine(
      store,
      { hasher: store.hasher, operatorOf },
      { maxPortRows: 4, maxSources: 1 },
    );
    const day = 86_400_000;
    for (let i = 0; i < 5; i++) {
      // Months apart: nothing is idle by the wall clock, only the caps evict.
      engine.add(
        batch(`k${i}`, 's1', [ev(T0 + i * 30 * day, 22, '1.1.1.1'), ev(T0 + i * 30 * day, 22, '2.2.2.2')]),
      );
      commit(store, engine);
      expect(engine.stats().port_rows).toBeLessThanOrEqual(3);
      expect(engine.stats().source_states).toBe(0);
    }
    engine.add(batch('k9', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0, 22, '3.3.3.3')]));
    commit(store, engine);
    expect(store.bucketRows('5m', T0)[0]).toMatchObject({ events: 4, sources: 3 });
    expect(store.loadSourceDay(Math.floor(T0 / day) * day, '1.1.1.1')).toMatchObject({ events: 2 });
    store.close();
  });

  it('past a cap keeps the most recently touched rows, whole ticks at a time', () => {
    expect(cutToKeep([5, 5, 4, 3, 3, 3, 1], 3)).toBe(4); // keeps ticks 5 and 4 (3 rows), evicts below 4
    expect(cutToKeep([9, 9, 9, 2], 2)).toBe(10); // the newest tick alone is over: everything goes
    expect(cutToKeep([1, 2], 5)).toBe(-Infinity); // under the cap: nothing goes
    const store = storeWithSensors();
    let now = 0;
    const operatorOf = (id: string): string => store.getSensor(id)?.operator ?? id;
    const engine = new RollupEngine(
      store,
      { hasher: store.hasher, operatorOf },
      { maxSources: 3, now: () => now },
    );
    for (let i = 0; i < 4; i++) {
      now = i * 1000;
      engine.add(batch(`m${i}`, 's1', [ev(T0, 22, `7.7.7.${i}`)]));
    }
    commit(store, engine);
    expect(engine.stats().source_states).toBe(2); // 70% of 3: the two newest stay
    engine.add(batch('m9', 's1', [ev(T0, 22, '7.7.7.0'), ev(T0, 22, '7.7.7.3')]));
    commit(store, engine);
    const day = Math.floor(T0 / 86_400_000) * 86_400_000;
    expect(store.loadSourceDay(day, '7.7.7.0')).toMatchObject({ events: 2 });
    expect(store.loadSourceDay(day, '7.7.7.3')).toMatchObject({ events: 2 });
    store.close();
  });

  it('archives the raw body of each batch that has one', () => {
    const store = storeWithSensors();
    const engine = engineFor(store);
    const raw = Buffer.from('{"events":[]}');
    engine.add(batch('j1', 's1', [ev(T0, 22, '1.1.1.1')], { raw }));
    engine.add(batch('j2', 's1', [ev(T0, 22, '1.1.1.1')]));
    const c = engine.takeCommit();
    expect(c.batches.map((b) => [b.batch_id, b.raw?.toString() ?? null, b.min_ts, b.max_ts])).toEqual([
      ['j1', '{"events":[]}', T0, T0],
      ['j2', null, T0, T0],
    ]);
    store.close();
  });
});
