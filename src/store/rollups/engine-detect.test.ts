/** The rollup engine's detector inputs: per-operator shares (probation, the 64-operator cap) and capped events. */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { BusBatch } from '../../bus/bus.js';
import type { AttackEvent } from '../../core/event.js';
import { openSqliteStore } from '../sqlite/index.js';
import type { Store } from '../store.js';
import { RollupEngine } from './engine.js';
import { MAX_EXACT_OPERATORS, OTHER_OPERATORS, decodeShareCounts } from './operator-shares.js';
import { EVENTS_CAP_PER_PAIR } from './port-row.js';
import { SENSOR_PROBATION_MS } from './probation.js';

const logger = pino({ level: 'silent' });
const T0 = Date.parse('2007-04-12T10:00:00Z');
const MIN5 = 300_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const ev = (ts: number, src: string, port = 445): AttackEvent => ({ ts, proto: 'tcp', port, src });
const batch = (id: string, sensor: string, events: AttackEvent[]): BusBatch => ({
  batch_id: id,
  sensor_id: sensor,
  received_at: T0 + HOUR,
  clock_offset_ms: 0,
  events,
});

function setup(sensors: Array<[string, string, number]>): { store: Store; engine: RollupEngine } {
  const store = openSqliteStore({ path: ':memory:', seed: new Uint8Array(16).fill(9), logger });
  for (const [id, operator, created_at] of sensors) {
    store.addSensor({ id, name: id, operator, public_key_pem: 'k', created_at });
  }
  const operatorOf = (id: string): string => store.getSensor(id)?.operator ?? `sensor:${id}`;
  return { store, engine: new RollupEngine(store, { hasher: store.hasher, operatorOf }, { now: () => 0 }) };
}

function commit(store: Store, engine: RollupEngine): void {
  store.commitRollups(engine.takeCommit());
  engine.committed();
}

function shares(store: Store, g: '5m' | '1h' | '1d', bucket: number, port = 445) {
  const row = store.loadPortRow('tcp', port, g, bucket);
  return decodeShareCounts(row?.by_operator ?? null).sort((a, b) => a.operator - b.operator);
}

/** The keyed hash that names a sensor's operator in the rows. */
function opHash(store: Store, sensor: string): number {
  return store.hasher.hash(`operator:${store.getSensor(sensor)?.operator ?? ''}`);
}

describe('RollupEngine operator shares', () => {
  it('counts sources and sensors per operator in every granularity, with probation judged per bucket', () => {
    const enrolled = T0 - SENSOR_PROBATION_MS + 30 * MIN5; // probation ends 2.5 h after T0
    const { store, engine } = setup([
      ['a1', 'op-a', 0],
      ['a2', 'op-a', 0],
      ['n1', 'op-n', enrolled],
    ]);
    const a = opHash(store, 'a1');
    const n = opHash(store, 'n1');
    engine.add(batch('b1', 'a1', [ev(T0, '1.0.0.1'), ev(T0 + 1, '1.0.0.2')]));
    engine.add(batch('b2', 'a2', [ev(T0 + 2, '1.0.0.2'), ev(T0 + 3, '1.0.0.3')]));
    engine.add(batch('b3', 'n1', [ev(T0 + 4, '1.0.0.1'), ev(T0 + 3 * HOUR, '1.0.0.9')]));
    commit(store, engine);
    expect(shares(store, '5m', T0)).toEqual(
      [
        { operator: a, sources: 3, sensors: 2, probation: false },
        { operator: n, sources: 1, sensors: 1, probation: true },
      ].sort((x, y) => x.operator - y.operator),
    );
    // Three hours later the same sensor is out of probation; the day row starts before that, so it still is.
    expect(shares(store, '1h', T0 + 3 * HOUR)).toEqual([
      { operator: n, sources: 1, sensors: 1, probation: false },
    ]);
    expect(shares(store, '1h', T0).find((s) => s.operator === n)?.probation).toBe(true);
    const day = Math.floor(T0 / DAY) * DAY;
    expect(shares(store, '1d', day).find((s) => s.operator === n)).toMatchObject({
      sources: 2,
      probation: true,
    });
    store.close();
  });

  it('continues a stored breakdown in a fresh engine as if one engine had counted everything', () => {
    const { store, engine } = setup([
      ['a1', 'op-a', 0],
      ['b1', 'op-b', 0],
    ]);
    engine.add(batch('c1', 'a1', [ev(T0, '1.0.0.1'), ev(T0 + 1, '1.0.0.2')]));
    commit(store, engine);
    const operatorOf = (id: string): string => store.getSensor(id)?.operator ?? '';
    const fresh = new RollupEngine(store, { hasher: store.hasher, operatorOf }, { now: () => 0 });
    fresh.add(batch('c2', 'a1', [ev(T0 + 2, '1.0.0.2'), ev(T0 + 3, '1.0.0.3')]));
    fresh.add(batch('c3', 'b1', [ev(T0 + 4, '1.0.0.3')]));
    commit(store, fresh);
    const byOperator = new Map(shares(store, '5m', T0).map((s) => [s.operator, [s.sources, s.sensors]]));
    expect(byOperator.get(opHash(store, 'a1'))).toEqual([3, 1]);
    expect(byOperator.get(opHash(store, 'b1'))).toEqual([1, 1]);
    store.close();
  });

  it(`keeps ${MAX_EXACT_OPERATORS} operators by name and folds the rest into ${OTHER_OPERATORS}`, () => {
    const n = MAX_EXACT_OPERATORS + 6;
    const sensors: Array<[string, string, number]> = [];
    for (let i = 0; i < n; i++) sensors.push([`s${i}`, `op-${i}`, i >= MAX_EXACT_OPERATORS + 3 ? T0 : 0]);
    const { store, engine } = setup(sensors);
    for (let i = 0; i < n; i++)
      engine.add(batch(`x${i}`, `s${i}`, [ev(T0 + i, `2.0.0.${i}`), ev(T0, '3.3.3.3')]));
    commit(store, engine);
    const all = shares(store, '5m', T0);
    expect(all).toHaveLength(MAX_EXACT_OPERATORS + 1);
    const other = all.find((s) => s.operator === OTHER_OPERATORS);
    // Six operators past the cap: their own six sources plus the shared one; three of them are out of probation.
    expect(other).toEqual({ operator: OTHER_OPERATORS, sources: 7, sensors: 6, probation: false });
    expect(all.filter((s) => s.operator !== OTHER_OPERATORS).every((s) => s.sources === 2)).toBe(true);
    expect(store.bucketRows('5m', T0)[0]?.operators).toBe(n);
    store.close();
  });
});

describe('RollupEngine capped events', () => {
  const capped = (store: Store, g: '5m' | '1h', bucket: number): number | null | undefined =>
    store.loadPortRow('tcp', 445, g, bucket)?.events_capped;

  it(`caps each (source, batch) at ${EVENTS_CAP_PER_PAIR} events per row, in every row separately`, () => {
    const { store, engine } = setup([['a1', 'op-a', 0]]);
    const many = (src: string, n: number, at: number): AttackEvent[] =>
      Array.from({ length: n }, (_, i) => ev(at + i, src));
    // Twenty distinct sources first (no map yet), then one source past the cap, then one more new source.
    const distinct = Array.from({ length: 20 }, (_, i) => ev(T0 + i, `4.0.0.${i}`));
    engine.add(batch('y1', 'a1', [...distinct, ...many('5.5.5.5', 30, T0 + 100), ev(T0 + 200, '4.0.0.0')]));
    // One batch whose source spreads over two 5m buckets of the same hour: 15 + 15, the hour caps at 20.
    engine.add(batch('y2', 'a1', [...many('6.6.6.6', 15, T0 + 1000), ...many('6.6.6.6', 15, T0 + MIN5)]));
    commit(store, engine);
    expect(capped(store, '5m', T0)).toBe(20 + 1 + EVENTS_CAP_PER_PAIR + 15);
    expect(capped(store, '5m', T0 + MIN5)).toBe(15);
    expect(capped(store, '1h', T0)).toBe(20 + 1 + EVENTS_CAP_PER_PAIR + EVENTS_CAP_PER_PAIR);
    expect(store.loadPortRow('tcp', 445, '1h', T0)?.events).toBe(81);
    store.close();
  });

  it('counts the cap again for the same pair in a later batch (an upper bound of the per-pair rule)', () => {
    const { store, engine } = setup([['a1', 'op-a', 0]]);
    const flood = (at: number): AttackEvent[] => Array.from({ length: 30 }, (_, i) => ev(at + i, '7.7.7.7'));
    engine.add(batch('z1', 'a1', flood(T0)));
    commit(store, engine);
    engine.add(batch('z2', 'a1', flood(T0 + 50)));
    commit(store, engine);
    expect(capped(store, '5m', T0)).toBe(2 * EVENTS_CAP_PER_PAIR);
    store.close();
  });
});
