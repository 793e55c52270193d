/**
 * The evaluated fleet: the file's sensors, optionally cloned into copies to emulate a larger network
 * (DETECTION.md "How to evaluate"), with their events in one table grouped by 5-minute bucket.
 *
 * Cloning: copy c shifts every event by a whole number of days d_c, wrapping inside the data's day range, and
 * maps its sources through a keyed Feistel bijection of IPv4 (key per copy), so a source seen by three sensors of
 * one copy is still one source seen by three sensors, and copies do not share addresses (except by the chance
 * collisions of independent bijections). Each copy's sensors are split into `operators_per_copy` operators.
 *
 * Activity (exposure): a sensor is active on a day when that day lies within its first..last event day (in its
 * copy's shifted clock) and it does not withhold data that day. There is no probation in the background: the
 * fleet is taken as enrolled before the data begins.
 *
 * Invariants: the table's bucket offsets are non-decreasing and cover every event exactly once; per copy the
 * event count equals the file's; copy 0 with `copies = 1` and `map_sources = false` is the file itself.
 */
import { seededRandom } from '../core/random.js';
import type { EventColumns } from './columns.js';
import { permuteIPv4 } from './feistel.js';

export const FIVE_MIN = 300_000;
export const DAY_MS = 86_400_000;

export interface FleetOptions {
  copies: number;
  operators_per_copy: number;
  seed: number;
  /** False: keep the file's addresses and times (copies must be 1). */
  map_sources: boolean;
}

export interface Fleet {
  sensors: string[];
  operatorOf: Int32Array;
  operators: string[];
  /** First day (ms, UTC midnight) of the range and number of days. */
  day0: number;
  days: number;
  /** Per sensor, per day: 1 when active. Index sensor * days + day. */
  active: Uint8Array;
  /** Day shift and source key per copy. */
  shifts: number[];
  sourceKeys: number[];
}

export interface EventTable {
  /** Start of 5-minute bucket 0 (= day0). */
  t0: number;
  buckets: number;
  /** Events of bucket b are at [offsets[b], offsets[b+1]). */
  offsets: Int32Array;
  key: Int32Array;
  src: Uint32Array;
  sensor: Uint16Array;
}

export function buildFleet(cols: EventColumns, opt: FleetOptions): { fleet: Fleet; table: EventTable } {
  if (!opt.map_sources && opt.copies !== 1) throw new RangeError('cloning needs mapped sources');
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const x of cols.t) {
    if (x < tMin) tMin = x;
    if (x > tMax) tMax = x;
  }
  if (cols.t.length === 0) {
    tMin = 0;
    tMax = 0;
  }
  const day0 = Math.floor(tMin / DAY_MS) * DAY_MS;
  const days = Math.floor((tMax - day0) / DAY_MS) + 1;
  const span = days * DAY_MS;
  const rnd = seededRandom(opt.seed);
  const shifts: number[] = [];
  const sourceKeys: number[] = [];
  for (let c = 0; c < opt.copies; c++) {
    shifts.push(c === 0 ? 0 : 1 + rnd.int(days - 1));
    sourceKeys.push(Math.floor(rnd.next() * 0x7fffffff));
  }
  const H = cols.hosts.length;
  const sensors: string[] = [];
  const operators: string[] = [];
  const opIndex = new Map<string, number>();
  const operatorOf = new Int32Array(H * opt.copies);
  for (let c = 0; c < opt.copies; c++) {
    for (let h = 0; h < H; h++) {
      const name = opt.copies === 1 ? (cols.hosts[h] ?? '') : `c${c}-${cols.hosts[h] ?? ''}`;
      sensors.push(name);
      const opName =
        opt.copies === 1 && opt.operators_per_copy <= 0
          ? (cols.hostOperator[h] ?? name)
          : `op${c}-${Math.floor((h * Math.max(1, opt.operators_per_copy)) / H)}`;
      let o = opIndex.get(opName);
      if (o === undefined) {
        o = operators.length;
        opIndex.set(opName, o);
        operators.push(opName);
      }
      operatorOf[c * H + h] = o;
    }
  }
  // Activity: first..last day per file host, shifted per copy.
  const first = new Int32Array(H).fill(days);
  const last = new Int32Array(H).fill(-1);
  for (let i = 0; i < cols.t.length; i++) {
    const d = Math.floor(((cols.t[i] ?? 0) - day0) / DAY_MS);
    const h = cols.host[i] ?? 0;
    if (d < (first[h] ?? 0)) first[h] = d;
    if (d > (last[h] ?? 0)) last[h] = d;
  }
  const active = new Uint8Array(sensors.length * days);
  for (let c = 0; c < opt.copies; c++) {
    const s = shifts[c] ?? 0;
    for (let h = 0; h < H; h++) {
      for (let d = 0; d < days; d++) {
        const orig = (d - s + days) % days;
        if (orig >= (first[h] ?? 0) && orig <= (last[h] ?? -1)) active[(c * H + h) * days + d] = 1;
      }
    }
  }
  const fleet: Fleet = { sensors, operatorOf, operators, day0, days, active, shifts, sourceKeys };
  return { fleet, table: buildTable(cols, opt, fleet, span) };
}

function buildTable(cols: EventColumns, opt: FleetOptions, fleet: Fleet, span: number): EventTable {
  const n = cols.t.length;
  const buckets = span / FIVE_MIN;
  const total = n * opt.copies;
  const bucketOf = new Int32Array(total);
  const counts = new Int32Array(buckets + 1);
  for (let c = 0; c < opt.copies; c++) {
    const shift = (fleet.shifts[c] ?? 0) * DAY_MS;
    for (let i = 0; i < n; i++) {
      const rel = ((cols.t[i] ?? 0) - fleet.day0 + shift) % span;
      const b = Math.floor(rel / FIVE_MIN);
      bucketOf[c * n + i] = b;
      counts[b + 1] = (counts[b + 1] ?? 0) + 1;
    }
  }
  const offsets = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) offsets[b + 1] = (offsets[b] ?? 0) + (counts[b + 1] ?? 0);
  const fill = offsets.slice(0, buckets);
  const key = new Int32Array(total);
  const src = new Uint32Array(total);
  const sensor = new Uint16Array(total);
  const H = cols.hosts.length;
  for (let c = 0; c < opt.copies; c++) {
    const sk = fleet.sourceKeys[c] ?? 0;
    for (let i = 0; i < n; i++) {
      const b = bucketOf[c * n + i] ?? 0;
      const at = fill[b] ?? 0;
      fill[b] = at + 1;
      key[at] = cols.key[i] ?? 0;
      const s0 = cols.src[i] ?? 0;
      src[at] = opt.map_sources ? permuteIPv4(s0, sk) : s0;
      sensor[at] = c * H + (cols.host[i] ?? 0);
    }
  }
  return { t0: fleet.day0, buckets, offsets, key, src, sensor };
}
