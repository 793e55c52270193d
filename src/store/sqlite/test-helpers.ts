/**
 * Test support for the SQLite read and retention tests: a small reproducible store content written through
 * store.commitRollups (whole rows with real DistinctCounter sketches), and the brute-force answers to compare
 * the store's reads with. Not part of the build (tsconfig excludes test-helpers.ts).
 */
import { DistinctCounter } from '../../core/distinct/index.js';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import type { PortRowOut } from '../rollups/index.js';
import type { PortTotals, Store } from '../store.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** A reproducible uniform [0, 1) stream (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A well-spread 53-bit hash of (space, id), like the keyed hash of a distinct address. */
export function hash53(space: number, id: number): number {
  const hi = mix32(Math.imul(space, 0x9e3779b1) ^ mix32(id)) >>> 11;
  const lo = mix32(id ^ Math.imul(space + 1, 0x27d4eb2d));
  return hi * 4294967296 + lo;
}

export interface Cell {
  proto: Protocol;
  port: number;
  g: Granularity;
  bucket: number;
  events: number;
  src: DistinctCounter;
  sensors: DistinctCounter;
  operators: DistinctCounter | null;
  targets: DistinctCounter;
  hs: DistinctCounter | null;
  nohs: DistinctCounter | null;
}

const counterOf = (ids: Iterable<number>, space: number): DistinctCounter => {
  const c = DistinctCounter.create();
  for (const id of ids) c.addHash(hash53(space, id));
  return c;
};

/**
 * Random cells for `keys` keys over `buckets` buckets of `g` from `start`: long-tailed sizes (some keys well past
 * the exact threshold), sources drawn from a per-key population so buckets overlap, some null sketches.
 */
export function randomCells(
  seed: number,
  g: Granularity,
  start: number,
  size: number,
  buckets: number,
): Cell[] {
  const r = rng(seed);
  const keys: Array<{ proto: Protocol; port: number; pop: number; p: number }> = [];
  const pops = [4, 15, 60, 200, 900, 5000];
  for (let k = 0; k < 30; k++) {
    keys.push({
      proto: k % 7 === 6 ? 'udp' : 'tcp',
      port: 20 + k * 7,
      pop: pops[k % pops.length] ?? 10,
      p: 0.25 + 0.75 * r(),
    });
  }
  const cells: Cell[] = [];
  for (let b = 0; b < buckets; b++) {
    for (const [ki, k] of keys.entries()) {
      if (r() > k.p) continue;
      const n = 1 + Math.floor(r() * r() * k.pop);
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push(r() < 0.7 ? Math.floor(r() * k.pop) : 1e6 + b * 1e5 + i);
      const space = ki + 1;
      const sensors = Array.from({ length: 1 + Math.floor(r() * 6) }, () => Math.floor(r() * 12));
      cells.push({
        proto: k.proto,
        port: k.port,
        g,
        bucket: start + b * size,
        events: n + Math.floor(r() * 3 * n),
        src: counterOf(ids, space),
        sensors: counterOf(sensors, 1000),
        operators:
          r() < 0.2
            ? null
            : counterOf(
                sensors.map((s) => s % 4),
                2000,
              ),
        targets: counterOf(
          ids.slice(0, 1 + Math.floor(r() * 40)).map((i) => i % 37),
          3000,
        ),
        hs:
          r() < 0.5
            ? null
            : counterOf(
                ids.filter((i) => i % 3 === 0),
                space,
              ),
        nohs:
          r() < 0.3
            ? null
            : counterOf(
                ids.filter((i) => i % 3 !== 0),
                space,
              ),
      });
    }
  }
  return cells;
}

export function toRow(c: Cell): PortRowOut {
  return {
    proto: c.proto,
    port: c.port,
    granularity: c.g,
    bucket: c.bucket,
    events: c.events,
    events_capped: c.events,
    by_operator: null,
    sources: c.src.estimate(),
    sensors: c.sensors.estimate(),
    operators: c.operators?.estimate() ?? 0,
    targets: c.targets.estimate(),
    sources_handshake: c.hs?.estimate() ?? 0,
    sources_no_handshake: c.nohs?.estimate() ?? 0,
    src_sketch: c.src.serialize(),
    sensor_sketch: c.sensors.serialize(),
    operator_sketch: c.operators?.serialize() ?? null,
    target_sketch: c.targets.serialize(),
    hs_sketch: c.hs?.serialize() ?? null,
    nohs_sketch: c.nohs?.serialize() ?? null,
  };
}

export function writeCells(store: Store, cells: readonly Cell[]): void {
  store.commitRollups({ batches: [], ports: cells.map(toRow), sources: [], sensorBuckets: [], sensors: [] });
}

/** topPorts computed the slow way: merge every cell of every key in [from, to), rank, cut. */
export function bruteTopPorts(
  cells: readonly Cell[],
  g: Granularity,
  from: number,
  to: number,
  limit: number,
): PortTotals[] {
  const byKey = new Map<string, Cell[]>();
  for (const c of cells) {
    if (c.g !== g || c.bucket < from || c.bucket >= to) continue;
    const k = `${c.proto}/${c.port}`;
    byKey.set(k, [...(byKey.get(k) ?? []), c]);
  }
  const union = (list: Cell[], pick: (c: Cell) => DistinctCounter | null): number => {
    const acc = DistinctCounter.create();
    for (const c of list) {
      const x = pick(c);
      if (x) acc.merge(x);
    }
    return acc.estimate();
  };
  const totals: PortTotals[] = [...byKey.values()].map((list) => ({
    proto: (list[0] as Cell).proto,
    port: (list[0] as Cell).port,
    events: list.reduce((n, c) => n + c.events, 0),
    sources: union(list, (c) => c.src),
    sensors: union(list, (c) => c.sensors),
    operators: union(list, (c) => c.operators),
    targets: union(list, (c) => c.targets),
    sources_handshake: union(list, (c) => c.hs),
    sources_no_handshake: union(list, (c) => c.nohs),
  }));
  totals.sort(
    (a, b) =>
      b.sources - a.sources || b.events - a.events || a.proto.localeCompare(b.proto) || a.port - b.port,
  );
  return totals.slice(0, Math.max(0, limit));
}
