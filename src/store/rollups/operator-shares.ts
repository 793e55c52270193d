/**
 * The per-operator breakdown of one port row: for each operator, its distinct sources, its distinct sensors and
 * whether every sensor behind it is on probation (src/core/observation.ts OperatorShare). What the detector's
 * breadth and poisoning gates read (docs DETECTION.md).
 *
 * Invariants:
 * - Sets are small-distinct sets (small-distinct.ts) of 30-bit keyed hashes (the server's secret seed): exact up
 *   to EXACT_MAX values, then a 2048-bit linear-counting bitmap, within a few percent up to about 2,000 sources
 *   and saturating near 15,600. An operator above that on one key in one bucket is undercounted (its share
 *   looks smaller): noted in the docs, rare at 5m and 1h.
 * - An operator is named by its keyed hash (the engine's hash of `operator:<internal id>`, 53 bits, the seed never
 *   changes for a database): readers map it back to a public id by hashing the operator records the same way,
 *   and the row holds no internal id. Numbers also make the whole-bucket read cheap (no string per share).
 * - At most MAX_EXACT_OPERATORS operators are kept by name, the first ones to reach the row; any later operator
 *   is folded into one share named OTHER_OPERATORS (union of their sources and sensors; probation only when
 *   all their sensors are). The row's `operators` count (its own sketch) stays the full count.
 * - `probation` of a share is the AND over every sensor added to it: one sensor out of probation gives the
 *   share weight.
 * - encode/decode round-trip exactly. Format (version 1): u8 1 | u8 n | n × (f64 LE operator hash | u8 flags
 *   (bit 0 probation) | sources set | sensors set), sets as sdEncodeInto writes them. An empty breakdown is null.
 */
import { SENSOR_IDS_MAX } from '../../core/observation.js';
import type { OperatorShare } from '../../core/observation.js';
import { EXACT_MAX, sdAdd, sdCount, sdDecodeFrom, sdEncodeInto, sdEncodedSize } from './small-distinct.js';
import type { SmallSet } from './small-distinct.js';

/** Operators kept by name per row; the rest share one `~other` entry. */
export const MAX_EXACT_OPERATORS = 64;
/** Key of the share that holds every operator past MAX_EXACT_OPERATORS (keyed hashes are never negative). */
export const OTHER_OPERATORS = -1;
/** How readers show the OTHER_OPERATORS share. */
export const OTHER_OPERATORS_NAME = '~other';
const FORMAT = 1;
/** Shares looked up by a linear scan up to this many; a Map past it. */
const LINEAR_MAX = 8;
/** Sources and sensors are kept as the low 30 bits of their keyed hash (what readers must hash to match). */
export const SHARE_HASH_MASK = 0x3fffffff;
const MASK30 = SHARE_HASH_MASK;

export interface ShareCounts {
  /** The operator's keyed hash, or OTHER_OPERATORS. */
  operator: number;
  sources: number;
  sensors: number;
  probation: boolean;
}

export class Share {
  src: SmallSet = [];
  sensors: SmallSet = [];
  probation = true;

  constructor(readonly operator: number) {}

  // The exact arrays are grown in place: a share is one object per row and operator (not a million per-source
  // sets, where small-distinct.ts copies to keep arrays tight), and copying is most of the cost per event.
  addSource(h: number): void {
    this.src = addInPlace(this.src, h & MASK30);
  }

  addSensor(h: number, onProbation: boolean): void {
    this.sensors = addInPlace(this.sensors, h & MASK30);
    if (!onProbation) this.probation = false;
  }
}

function addInPlace(set: SmallSet, v: number): SmallSet {
  if (Array.isArray(set) && set.length < EXACT_MAX) {
    if (!set.includes(v)) set.push(v);
    return set;
  }
  return sdAdd(set, v);
}

export class OperatorShares {
  /** In arrival order. Scanned linearly while short (most rows have a few operators), indexed past that. */
  private list: Share[] = [];
  private index: Map<number, Share> | null = null;
  private other: Share | null = null;

  get size(): number {
    return this.list.length;
  }

  /** The share that counts `operator` in this row (the `~other` share past the cap). */
  shareOf(operator: number): Share {
    if (this.index !== null) {
      const s = this.index.get(operator);
      if (s !== undefined) return s;
    } else {
      for (const s of this.list) if (s.operator === operator) return s;
    }
    if (operator >= 0 && this.list.length - (this.other === null ? 0 : 1) < MAX_EXACT_OPERATORS) {
      return this.push(new Share(operator));
    }
    this.other ??= this.push(new Share(OTHER_OPERATORS));
    return this.other;
  }

  /** Trims the arrays grown by push() to their length (PortRow.clearCap). */
  compact(): void {
    this.list = this.list.slice();
    for (const s of this.list) {
      if (Array.isArray(s.src)) s.src = s.src.slice();
      if (Array.isArray(s.sensors)) s.sensors = s.sensors.slice();
    }
  }

  private push(s: Share): Share {
    this.list.push(s);
    if (this.index !== null) this.index.set(s.operator, s);
    else if (this.list.length > LINEAR_MAX) this.index = new Map(this.list.map((x) => [x.operator, x]));
    return s;
  }

  counts(): ShareCounts[] {
    return this.list.map((s) => ({
      operator: s.operator,
      sources: sdCount(s.src),
      sensors: sdCount(s.sensors),
      probation: s.probation,
    }));
  }

  encode(): Buffer | null {
    if (this.list.length === 0) return null;
    let size = 2;
    for (const s of this.list) size += 9 + sdEncodedSize(s.src) + sdEncodedSize(s.sensors);
    const buf = Buffer.alloc(size);
    buf[0] = FORMAT;
    buf[1] = this.list.length;
    let at = 2;
    for (const s of this.list) {
      at = buf.writeDoubleLE(s.operator, at);
      buf[at++] = s.probation ? 1 : 0;
      at = sdEncodeInto(s.src, buf, at);
      at = sdEncodeInto(s.sensors, buf, at);
    }
    return buf;
  }

  /** @throws RangeError on a malformed buffer. A null buffer (rows written before migration 5) is empty. */
  static decode(buf: Buffer | null): OperatorShares {
    const out = new OperatorShares();
    if (buf === null || buf.length === 0) return out;
    if (buf[0] !== FORMAT) throw new RangeError(`operator shares: unknown format ${buf[0]}`);
    const n = buf.readUInt8(1);
    let at = 2;
    for (let k = 0; k < n; k++) {
      const s = new Share(buf.readDoubleLE(at));
      at += 8;
      s.probation = (buf.readUInt8(at++) & 1) === 1;
      const src = sdDecodeFrom(buf, at);
      s.src = src.value;
      const sen = sdDecodeFrom(buf, src.next);
      s.sensors = sen.value;
      at = sen.next;
      out.push(s);
      if (s.operator === OTHER_OPERATORS) out.other = s;
    }
    return out;
  }
}

/**
 * The counts of an encoded breakdown without building the sets (the detector's read of a whole bucket: 10,000
 * keys × their shares). Same result as OperatorShares.decode(buf).counts(). @throws RangeError when malformed.
 */
export function decodeShareCounts(buf: Buffer | null): ShareCounts[] {
  if (buf === null || buf.length === 0) return [];
  if (buf[0] !== FORMAT) throw new RangeError(`operator shares: unknown format ${buf[0]}`);
  const n = buf.readUInt8(1);
  const out: ShareCounts[] = [];
  let at = 2;
  for (let k = 0; k < n; k++) {
    const operator = buf.readDoubleLE(at);
    at += 8;
    const probation = ((buf[at++] ?? 0) & 1) === 1;
    const src = countAt(buf, at);
    const sen = countAt(buf, src.next);
    at = sen.next;
    out.push({ operator, sources: src.count, sensors: sen.count, probation });
  }
  return out;
}

/**
 * The shares of an encoded breakdown as the detector reads them, named by `nameOf(hash)`, sorted by sources
 * descending (then name); `probation` set only when true. One object per share: this runs for every key of a
 * bucket. @throws RangeError when malformed.
 */
export function decodeOperatorShares(
  buf: Buffer | null,
  nameOf: (hash: number) => string,
  sensorOf?: (hash: number) => string,
): OperatorShare[] {
  if (buf === null || buf.length === 0) return [];
  if (buf[0] !== FORMAT) throw new RangeError(`operator shares: unknown format ${buf[0]}`);
  const n = buf.readUInt8(1);
  const out: OperatorShare[] = [];
  let at = 2;
  for (let k = 0; k < n; k++) {
    const operator = nameOf(buf.readDoubleLE(at));
    at += 8;
    const probation = ((buf[at++] ?? 0) & 1) === 1;
    const src = countAt(buf, at);
    const sen = countAt(buf, src.next);
    const share: OperatorShare = { operator, sources: src.count, sensors: sen.count };
    if (probation) share.probation = true;
    // An exact set of a few sensors names them.
    if (sensorOf !== undefined && sen.count > 0 && sen.count <= SENSOR_IDS_MAX) {
      const set = sdDecodeFrom(buf, src.next).value;
      if (Array.isArray(set)) share.sensor_ids = set.map(sensorOf).sort();
    }
    at = sen.next;
    out.push(share);
  }
  if (out.length > 1) out.sort((a, b) => b.sources - a.sources || (a.operator < b.operator ? -1 : 1));
  return out;
}

const BITMAP_BYTES = 2048 / 8;

/** The count of the small-distinct set encoded at `at` (sdEncodeInto's layout), and the offset after it. */
function countAt(buf: Buffer, at: number): { count: number; next: number } {
  const kind = buf.readUInt8(at);
  if (kind === 0) {
    const n = buf.readUInt8(at + 1);
    const next = at + 2 + 4 * n;
    if (next > buf.length) throw new RangeError('operator shares: short buffer');
    return { count: n, next };
  }
  if (kind !== 1 || at + 1 + BITMAP_BYTES > buf.length) throw new RangeError('operator shares: bad set');
  const bits = new Uint32Array(BITMAP_BYTES / 4);
  for (let i = 0; i < bits.length; i++) bits[i] = buf.readUInt32LE(at + 1 + 4 * i);
  return { count: sdCount(bits), next: at + 1 + BITMAP_BYTES };
}
