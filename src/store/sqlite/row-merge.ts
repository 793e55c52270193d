/**
 * Union of port rollup rows (port_buckets or port_spans rows of one key): events add, distinct counts merge.
 *
 * Invariants:
 * - The result of merging rows equals the row that one counter fed with all their events would have: sketches
 *   merge by union (DistinctCounter.merge is byte-equal to the counter of the union), events sum. So it is only
 *   right for rows of disjoint time ranges (events would count twice otherwise).
 * - A null sketch is an empty counter; a merged sketch is null only when all its inputs were null.
 * - One row is returned as it is (its stored counts are the estimates of its own sketches): nothing decoded.
 */
import { DistinctCounter } from '../../core/distinct/index.js';
import type { Protocol } from '../../core/event.js';

export interface PortCounts {
  events: number;
  sources: number;
  sensors: number;
  operators: number;
  targets: number;
  sources_handshake: number;
  sources_no_handshake: number;
}

export interface PortSketches {
  src_sketch: Buffer;
  sensor_sketch: Buffer;
  operator_sketch: Buffer | null;
  target_sketch: Buffer;
  hs_sketch: Buffer | null;
  nohs_sketch: Buffer | null;
}

export type CountedRow = PortCounts & PortSketches;
export type KeyedRow = CountedRow & { proto: Protocol; port: number };

/** Columns of a CountedRow, in table order (small integers first, see migrations.ts). */
export const COUNTED_COLUMNS =
  'events, sources, sensors, operators, targets, sources_handshake, sources_no_handshake, ' +
  'src_sketch, sensor_sketch, operator_sketch, target_sketch, hs_sketch, nohs_sketch';

export type SketchColumn = keyof PortSketches;

/** Each sketch column and the count column that holds its estimate. */
export const SKETCH_COUNTS: ReadonlyArray<[SketchColumn, keyof PortCounts]> = [
  ['src_sketch', 'sources'],
  ['sensor_sketch', 'sensors'],
  ['operator_sketch', 'operators'],
  ['target_sketch', 'targets'],
  ['hs_sketch', 'sources_handshake'],
  ['nohs_sketch', 'sources_no_handshake'],
];

/** Union of the sketches in `col` of `rows` (null when every one is null). */
export function unionOf(rows: readonly PortSketches[], col: SketchColumn): DistinctCounter | null {
  let acc: DistinctCounter | null = null;
  for (const r of rows) {
    const buf = r[col];
    if (buf === null) continue;
    const c = DistinctCounter.deserialize(buf);
    if (acc === null) acc = c;
    else acc.merge(c);
  }
  return acc;
}

/** Merged counts and serialized sketches of rows of one key; `rows` must not be empty. */
export function mergedRow(rows: readonly CountedRow[]): CountedRow {
  const first = rows[0];
  if (rows.length === 1 && first) return { ...pickCounts(first), ...pickSketches(first) };
  const counts: PortCounts = { ...ZERO_COUNTS, events: sumEvents(rows) };
  const sketches: Partial<Record<SketchColumn, Buffer | null>> = {};
  for (const [col, count] of SKETCH_COUNTS) {
    const u = unionOf(rows, col);
    counts[count] = u?.estimate() ?? 0;
    sketches[col] = u === null ? null : u.serialize();
  }
  return {
    ...counts,
    src_sketch: sketches.src_sketch ?? DistinctCounter.create().serialize(),
    sensor_sketch: sketches.sensor_sketch ?? DistinctCounter.create().serialize(),
    operator_sketch: sketches.operator_sketch ?? null,
    target_sketch: sketches.target_sketch ?? DistinctCounter.create().serialize(),
    hs_sketch: sketches.hs_sketch ?? null,
    nohs_sketch: sketches.nohs_sketch ?? null,
  };
}

export const ZERO_COUNTS: Readonly<PortCounts> = {
  events: 0,
  sources: 0,
  sensors: 0,
  operators: 0,
  targets: 0,
  sources_handshake: 0,
  sources_no_handshake: 0,
};

function sumEvents(rows: readonly PortCounts[]): number {
  let n = 0;
  for (const r of rows) n += r.events;
  return n;
}

export function pickCounts(r: PortCounts): PortCounts {
  return {
    events: r.events,
    sources: r.sources,
    sensors: r.sensors,
    operators: r.operators,
    targets: r.targets,
    sources_handshake: r.sources_handshake,
    sources_no_handshake: r.sources_no_handshake,
  };
}

function pickSketches(r: PortSketches): PortSketches {
  return {
    src_sketch: r.src_sketch,
    sensor_sketch: r.sensor_sketch,
    operator_sketch: r.operator_sketch,
    target_sketch: r.target_sketch,
    hs_sketch: r.hs_sketch,
    nohs_sketch: r.nohs_sketch,
  };
}
