/**
 * The per-(UTC day, source) rollup held in memory: events, first and last seen, the ports it hit with counts, and
 * the sensors and operators that saw it. Laid out for half a million of them in memory (about 300 bytes each):
 * small integers only (times as offsets in the day), one plain array per set, shared geo objects.
 *
 * Invariants:
 * - Top ports are a space-saving summary of TOP_PORTS entries: exact while the source hit at most TOP_PORTS keys
 *   that day; past that a new key replaces the least-hit one and inherits its count (+1), so a listed count may be
 *   over by at most the replaced count, and every key hit more often than events/TOP_PORTS is listed.
 * - Distinct ports: the listed keys while there are at most TOP_PORTS; past that a SmallSet of every key seen
 *   (exact to 32). Sensors and operators are SmallSets.
 * - toRow/fromRow round-trip every field; `state` is versioned (first byte) and refused when unknown.
 */
import { GRANULARITIES } from '../../core/buckets.js';
import { PROTOCOLS } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import { mix30, sdAdd, sdCount, sdDecodeFrom, sdEncodeInto, sdEncodedSize } from './small-distinct.js';
import type { SmallSet } from './small-distinct.js';
import type { GeoInfo, SourceDayOut } from './types.js';

export const TOP_PORTS = 8;
const STATE_VERSION = 1;
const DAY = GRANULARITIES['1d'];
const NONE = 0x3fffffff;

export class SourceDayState {
  events = 0;
  /** First and last event time, ms after the start of the day (NONE / -1 before the first event). */
  firstOff = NONE;
  lastOff = -1;
  /** Pairs [key, count, key, count, ...]; key = protocol index × 65536 + port. */
  top: number[] = [];
  /** Every key seen, once the source hit more than TOP_PORTS keys; null before. */
  ports: SmallSet | null = null;
  sensors: SmallSet = [];
  operators: SmallSet = [];
  /** Last batch whose sensor and operator were added (they are the same for a whole batch). */
  batch = 0;
  dirty = false;
  /** Coarse time of the last touch, in the engine's ticks (for eviction). */
  tick = 0;

  constructor(
    /** Days since the epoch. */
    readonly dayNo: number,
    readonly src: string,
    readonly geo: GeoInfo,
  ) {}

  seen(ts: number): void {
    const off = ts - this.dayNo * DAY;
    if (off < this.firstOff) this.firstOff = off;
    if (off > this.lastOff) this.lastOff = off;
  }

  addPort(key: number): void {
    const top = this.top;
    for (let i = 0; i < top.length; i += 2) {
      if (top[i] === key) {
        top[i + 1] = (top[i + 1] as number) + 1;
        return;
      }
    }
    if (this.ports !== null) {
      this.ports = sdAdd(this.ports, mix30(key));
    } else if (top.length === TOP_PORTS * 2) {
      let set: SmallSet = [];
      for (let i = 0; i < top.length; i += 2) set = sdAdd(set, mix30(top[i] as number));
      this.ports = sdAdd(set, mix30(key));
    }
    if (top.length < TOP_PORTS * 2) {
      this.top = top.concat(key, 1); // exact size (see small-distinct.ts)
      return;
    }
    let min = 1;
    for (let i = 3; i < top.length; i += 2) if ((top[i] as number) < (top[min] as number)) min = i;
    top[min - 1] = key;
    top[min] = (top[min] as number) + 1;
  }

  addSensor(sensorHash30: number, operatorHash30: number): void {
    this.sensors = sdAdd(this.sensors, sensorHash30);
    this.operators = sdAdd(this.operators, operatorHash30);
  }

  toRow(): SourceDayOut {
    const order: number[] = [];
    for (let i = 0; i < this.top.length; i += 2) order.push(i);
    order.sort((a, b) => (this.top[b + 1] as number) - (this.top[a + 1] as number));
    const topPorts = order.map((i) => [keyName(this.top[i] as number), this.top[i + 1] as number]);
    const day = this.dayNo * DAY;
    return {
      day,
      src: this.src,
      events: this.events,
      first_seen: day + (this.firstOff === NONE ? 0 : this.firstOff),
      last_seen: day + Math.max(this.lastOff, 0),
      ports: this.ports === null ? this.top.length / 2 : sdCount(this.ports),
      sensors: sdCount(this.sensors),
      operators: sdCount(this.operators),
      country: this.geo.country,
      asn: this.geo.asn,
      as_name: this.geo.as_name,
      top_ports: JSON.stringify(topPorts),
      state: this.encodeState(),
    };
  }

  static fromRow(row: SourceDayOut, geo: GeoInfo = row): SourceDayState {
    const s = new SourceDayState(Math.floor(row.day / DAY), row.src, geo);
    s.events = row.events;
    s.firstOff = row.first_seen - row.day;
    s.lastOff = row.last_seen - row.day;
    try {
      const buf = row.state;
      if (buf.readUInt8(0) !== STATE_VERSION) throw new RangeError(`state version ${buf.readUInt8(0)}`);
      const n = buf.readUInt8(1);
      let at = 2;
      for (let i = 0; i < n; i++, at += 8) s.top.push(buf.readUInt32LE(at), buf.readUInt32LE(at + 4));
      const hasPorts = buf.readUInt8(at++) === 1;
      if (hasPorts) {
        const p = sdDecodeFrom(buf, at);
        s.ports = p.value;
        at = p.next;
      }
      const se = sdDecodeFrom(buf, at);
      const op = sdDecodeFrom(buf, se.next);
      s.sensors = se.value;
      s.operators = op.value;
    } catch (err) {
      throw makeError('SW_INTERNAL', `source day ${row.src} ${row.day}: unreadable state`, { cause: err });
    }
    return s;
  }

  /** [version, n, n × (key u32, count u32), hasPorts, ports?, sensors, operators]. */
  private encodeState(): Buffer {
    const n = this.top.length / 2;
    const size =
      3 +
      8 * n +
      (this.ports === null ? 0 : sdEncodedSize(this.ports)) +
      sdEncodedSize(this.sensors) +
      sdEncodedSize(this.operators);
    const buf = Buffer.alloc(size);
    buf[0] = STATE_VERSION;
    buf[1] = n;
    let at = 2;
    for (const v of this.top) at = buf.writeUInt32LE(v, at);
    buf[at++] = this.ports === null ? 0 : 1;
    if (this.ports !== null) at = sdEncodeInto(this.ports, buf, at);
    at = sdEncodeInto(this.sensors, buf, at);
    sdEncodeInto(this.operators, buf, at);
    return buf;
  }
}

/** "tcp/1025" for a key made as protocol index × 65536 + port. */
export function keyName(key: number): string {
  return `${PROTOCOLS[key >>> 16] ?? 'other'}/${key & 0xffff}`;
}
