/**
 * Drives a detection engine over a range of days of the event table on a virtual clock: background events of
 * each 5-minute bucket plus the injected ones are accumulated at 5m, 1h and 1d, and every bucket is closed in
 * order of its end time (5m before 1h before 1d at the same end), empty buckets included.
 *
 * Invariants: `from` and `to` are whole days (5m bucket indices that are multiples of 288), so that every 1h and
 * 1d bucket is complete; a sensor that withholds data on a day contributes neither events nor exposure that day.
 */
import type { BucketInput } from '../core/observation.js';
import type { BucketResult, DetectionEngine } from '../pipeline/detect/model/types.js';
import type { EventTable, Fleet } from './fleet.js';
import { FIVE_MIN } from './fleet.js';
import { BucketAccumulator } from './observations.js';
import type { Exposure } from './observations.js';

export const PER_HOUR = 12;
export const PER_DAY = 288;

export interface InjectedEvent {
  key: number;
  src: number;
  sensor: number;
  events: number;
}

/** Injected events per 5m bucket index. */
export type Injection = Map<number, InjectedEvent[]>;

export interface ReplayOptions {
  fleet: Fleet;
  table: EventTable;
  from: number;
  to: number;
  injected?: Injection;
  /** Same layout as fleet.active: 1 when the sensor withholds its data that day. */
  silent?: Uint8Array;
  onBucket?: (input: BucketInput, result: BucketResult) => void;
}

export function addInjected(inj: Injection, b: number, ev: InjectedEvent): void {
  const list = inj.get(b);
  if (list === undefined) inj.set(b, [ev]);
  else list.push(ev);
}

function dailyExposure(fleet: Fleet, silent?: Uint8Array): Exposure[] {
  const out: Exposure[] = [];
  const n = fleet.sensors.length;
  for (let d = 0; d < fleet.days; d++) {
    let sensors = 0;
    const ops = new Set<number>();
    for (let s = 0; s < n; s++) {
      const i = s * fleet.days + d;
      if (fleet.active[i] === 1 && silent?.[i] !== 1) {
        sensors++;
        ops.add(fleet.operatorOf[s] ?? -1);
      }
    }
    out.push({ exposure: sensors, fleet_sensors: sensors, fleet_operators: ops.size });
  }
  return out;
}

export function replay(engine: DetectionEngine, opt: ReplayOptions): void {
  const { fleet, table } = opt;
  if (opt.from % PER_DAY !== 0 || opt.to % PER_DAY !== 0)
    throw new RangeError('replay ranges are whole days');
  const exp = dailyExposure(fleet, opt.silent);
  const accs = [
    new BucketAccumulator('5m'),
    new BucketAccumulator('1h'),
    new BucketAccumulator('1d'),
  ] as const;
  const days = fleet.days;
  const close = (acc: BucketAccumulator, start: number, e: Exposure): void => {
    const input = acc.emit(start, e, fleet);
    const result = engine.closeBucket(input);
    opt.onBucket?.(input, result);
  };
  for (let b = opt.from; b < opt.to; b++) {
    const day = Math.floor(b / PER_DAY);
    const lo = table.offsets[b] ?? 0;
    const hi = table.offsets[b + 1] ?? lo;
    for (let i = lo; i < hi; i++) {
      const sensor = table.sensor[i] ?? 0;
      if (opt.silent !== undefined && opt.silent[sensor * days + day] === 1) continue;
      const key = table.key[i] ?? 0;
      const src = table.src[i] ?? 0;
      for (const acc of accs) acc.add(key, src, sensor);
    }
    const inj = opt.injected?.get(b);
    if (inj !== undefined) {
      for (const ev of inj) {
        if (opt.silent !== undefined && opt.silent[ev.sensor * days + day] === 1) continue;
        for (const acc of accs) acc.add(ev.key, ev.src, ev.sensor, ev.events);
      }
    }
    const e = exp[day] ?? { exposure: 0, fleet_sensors: 0, fleet_operators: 0 };
    const start = table.t0 + b * FIVE_MIN;
    close(accs[0], start, e);
    if ((b + 1) % PER_HOUR === 0) close(accs[1], start - (PER_HOUR - 1) * FIVE_MIN, e);
    if ((b + 1) % PER_DAY === 0) close(accs[2], start - (PER_DAY - 1) * FIVE_MIN, e);
  }
}
