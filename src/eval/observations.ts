/**
 * Builds the engine's `BucketInput`s exactly from events: one accumulator per granularity collects, per key, the
 * (source, sensor) pairs with their event counts, and turns them into a `KeyObservation` when the bucket closes.
 *
 * Invariants:
 * - Counts are exact distinct counts over the whole bucket (a 1h bucket's sources are the union of its twelve
 *   5m buckets, not their sum).
 * - `events_capped` sums, per (source, sensor) pair, min(events, cap) within the bucket.
 * - `by_operator` is sorted by sources descending (then by name); `sample_sources` holds at most 64 addresses,
 *   the smallest ones (a deterministic choice); `top_networks` are the five /24s with most sources.
 * - Only keys with at least one source are listed; sensor indices are below 4096.
 */
import { SENSOR_IDS_MAX } from '../core/observation.js';
import type { BucketInput, DetectGranularity, KeyObservation, OperatorShare } from '../core/observation.js';
import { formatIPv4 } from './csv-events.js';
import { keyPortOf, keyProtoOf } from './keys.js';

const PAIR = 4096;
export const EVENTS_CAP = 20;
const SAMPLE = 64;

export interface FleetShape {
  operatorOf: ArrayLike<number>;
  operators: readonly string[];
  /** Sensor names by index: a share of at most SENSOR_IDS_MAX sensors names them, as the server's store does. */
  sensors?: readonly string[];
}

export interface Exposure {
  exposure: number;
  fleet_sensors: number;
  fleet_operators: number;
}

export class BucketAccumulator {
  private readonly keys = new Map<number, { pairs: Map<number, number>; events: number }>();

  constructor(readonly granularity: DetectGranularity) {}

  add(key: number, src: number, sensor: number, events = 1): void {
    let acc = this.keys.get(key);
    if (acc === undefined) {
      acc = { pairs: new Map(), events: 0 };
      this.keys.set(key, acc);
    }
    const pk = src * PAIR + sensor;
    acc.pairs.set(pk, (acc.pairs.get(pk) ?? 0) + events);
    acc.events += events;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Closes the bucket: returns its input and empties the accumulator. */
  emit(bucket: number, exp: Exposure, shape: FleetShape): BucketInput {
    const keys: KeyObservation[] = [];
    const sorted = [...this.keys.keys()].sort((a, b) => a - b);
    for (const k of sorted) {
      const acc = this.keys.get(k);
      if (acc !== undefined) keys.push(observe(k, acc.pairs, acc.events, shape));
    }
    this.keys.clear();
    return { granularity: this.granularity, bucket, ...exp, keys };
  }
}

function observe(key: number, pairs: Map<number, number>, events: number, shape: FleetShape): KeyObservation {
  const sources = new Set<number>();
  const sensors = new Set<number>();
  const perOp = new Map<number, { s: Set<number>; k: Set<number> }>();
  let capped = 0;
  for (const [pk, n] of pairs) {
    const src = Math.floor(pk / PAIR);
    const sensor = pk - src * PAIR;
    sources.add(src);
    sensors.add(sensor);
    capped += Math.min(n, EVENTS_CAP);
    const op = shape.operatorOf[sensor] ?? -1;
    let o = perOp.get(op);
    if (o === undefined) {
      o = { s: new Set(), k: new Set() };
      perOp.set(op, o);
    }
    o.s.add(src);
    o.k.add(sensor);
  }
  const by_operator: OperatorShare[] = [...perOp.entries()]
    .map(([op, o]) => {
      const share: OperatorShare = {
        operator: shape.operators[op] ?? `op${op}`,
        sources: o.s.size,
        sensors: o.k.size,
      };
      const names = shape.sensors;
      if (names !== undefined && o.k.size <= SENSOR_IDS_MAX) {
        share.sensor_ids = [...o.k].map((k) => names[k] ?? `sensor${k}`).sort();
      }
      return share;
    })
    .sort(
      (a, b) => b.sources - a.sources || (a.operator < b.operator ? -1 : a.operator > b.operator ? 1 : 0),
    );
  const nets = new Map<number, number>();
  for (const s of sources) nets.set(s >>> 8, (nets.get(s >>> 8) ?? 0) + 1);
  const top_networks = [...nets.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 5)
    .map(([net, n]) => ({ network: `${formatIPv4(net * 256)}/24`, sources: n }));
  const sample = [...sources]
    .sort((a, b) => a - b)
    .slice(0, SAMPLE)
    .map(formatIPv4);
  return {
    proto: keyProtoOf(key),
    port: keyPortOf(key),
    sources: sources.size,
    sensors: sensors.size,
    operators: perOp.size,
    events_capped: capped,
    events,
    by_operator,
    sample_sources: sample,
    top_networks,
  };
}
