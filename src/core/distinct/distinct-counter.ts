/**
 * DistinctCounter: counts distinct values (sources, sensors, targets) per (proto, port, bucket).
 *
 * Values are fed as 53-bit keyed hashes (see keyed-hash.ts). The counter starts EXACT — a sorted plain array of
 * the hashes (V8 keeps them as unboxed doubles, 8 bytes each; a Set of doubles took about 40 bytes a hash, and an
 * empty Set about 250 bytes, which a million rollup rows with three counters each paid in full) — and stays
 * exact while it holds at most `threshold` distinct hashes, so small counts (the vast majority of keys) are exact
 * and cheap to merge. When an add or merge takes it past `threshold` it
 * converts, once and for good, to a HyperLogLog sketch of 2^precision one-byte registers (see hll.ts),
 * whose relative standard error is about 1.04 / sqrt(2^precision) (1.6% at the default precision 12).
 *
 * Invariants:
 * - Exactly one representation is live: exact with size <= threshold, or HLL with 2^precision registers,
 *   each <= 54 - precision. A counter never goes back from HLL to exact.
 * - The state is a function of the SET of hashes added (plus precision and threshold): order, duplicates
 *   and how the set was split across merges do not matter. For counters created with the same options,
 *   merge(A, B) is register-equal (indeed byte-equal once serialized) to a counter fed the union directly.
 *   (Merging counters of different thresholds keeps the receiver's threshold; an HLL argument always
 *   makes the receiver an HLL.)
 * - serialize() is canonical (exact hashes are sorted), and deserialize(serialize(c)) reproduces c.
 *   deserialize() throws SW_INTERNAL on anything else: bad magic/version/kind, out-of-range fields,
 *   truncation, trailing bytes, CRC-32 mismatch. It never returns a partially decoded counter.
 *
 * Wire format (version 1), all multi-byte integers unsigned LEB128 varints unless stated:
 *   u8 magic 0x44 ('D') | u8 version 1 | u8 kind (1 exact, 2 hll) | u8 precision | varint threshold
 *   exact: varint count, then count varints: the sorted hashes delta-encoded (first from 0; later deltas >= 1)
 *   hll:   2^precision registers packed 6 bits each (4 registers per 3 bytes, big-endian bit order)
 *   u32 big-endian CRC-32 (IEEE) of all preceding bytes.
 */
import { StormwatchError, makeError } from '../errors.js';
import { ByteReader, corrupt, crc32, packRegisters, writeVarint, MAX_VARINT_BYTES } from './codec.js';
import { MAX_PRECISION, MIN_PRECISION, hllAdd, hllEstimate, hllMergeInto, maxRank } from './hll.js';

export const DEFAULT_THRESHOLD = 256;
export const DEFAULT_PRECISION = 12;
/** Largest accepted threshold (an exact set this large already costs far more than the sketch). */
export const MAX_THRESHOLD = 1 << 20;

const MAGIC = 0x44;
const VERSION = 1;
const KIND_EXACT = 1;
const KIND_HLL = 2;
const HEADER_BYTES = 4;
const CRC_BYTES = 4;

/** Thrown by merge() when the two counters have different precisions (code SW_INTERNAL: a caller bug). */
export class DistinctPrecisionMismatchError extends StormwatchError {
  constructor(
    readonly ours: number,
    readonly theirs: number,
  ) {
    super('SW_INTERNAL', `cannot merge distinct counters of precision ${theirs} into ${ours}`, {
      details: { ours, theirs },
    });
    this.name = 'DistinctPrecisionMismatchError';
  }
}

/**
 * Exact: the hashes, sorted ascending, no duplicates (a plain array). HLL: the registers (a Uint8Array). One field
 * rather than a tagged object: a million rollup rows hold four counters each, and the wrapper cost 32 bytes apiece.
 */
type State = number[] | Uint8Array;

/** Index of `h` in sorted `a`, or -(insertion point) - 1. */
function search(a: number[], h: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v < h) lo = mid + 1;
    else if (v > h) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export class DistinctCounter {
  private state: State;
  /** Memoised HLL estimate; -1 when a register may have changed since it was computed. */
  private cachedEstimate = -1;
  /**
   * Memoised serialize() output of an HLL (3 kB to write at p=12); null when a register may have changed since,
   * and always null while exact: a small exact form is cheap to write, and keeping its bytes cost a buffer and
   * its backing store (about 250 bytes) per counter of every row held in memory.
   */
  private cachedBytes: Buffer | null = null;

  private constructor(
    readonly threshold: number,
    readonly precision: number,
    state: State,
  ) {
    this.state = state;
  }

  /**
   * @param opts.threshold largest count kept exact (integer 0..2^20, default 256)
   * @param opts.precision HLL precision p, 2^p registers (integer 4..18, default 12)
   * @throws StormwatchError SW_INTERNAL on out-of-range options
   */
  static create(opts?: { threshold?: number; precision?: number }): DistinctCounter {
    const threshold = opts?.threshold ?? DEFAULT_THRESHOLD;
    const precision = opts?.precision ?? DEFAULT_PRECISION;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > MAX_THRESHOLD) {
      throw makeError('SW_INTERNAL', `distinct counter threshold must be an integer 0..${MAX_THRESHOLD}`);
    }
    if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
      throw makeError(
        'SW_INTERNAL',
        `distinct counter precision must be an integer ${MIN_PRECISION}..${MAX_PRECISION}`,
      );
    }
    return new DistinctCounter(threshold, precision, []);
  }

  /**
   * Adds one hash (from KeyedHasher.hash). Duplicates are free.
   * @throws StormwatchError SW_INTERNAL when h is not an integer in [0, 2^53).
   */
  addHash(h: number): void {
    if (!Number.isSafeInteger(h) || h < 0) throw makeError('SW_INTERNAL', `distinct hash out of range: ${h}`);
    const a = this.state;
    if (!Array.isArray(a)) {
      if (hllAdd(a, this.precision, h)) {
        this.cachedEstimate = -1;
        this.cachedBytes = null;
      }
      return;
    }
    const i = search(a, h);
    if (i >= 0) return;
    if (a.length === 0)
      this.state = [h]; // an array literal of one: no growth slack
    else if (i === -a.length - 1) a.push(h);
    else a.splice(-i - 1, 0, h);
    if (this.state.length > this.threshold) this.convert(this.state as number[]);
  }

  /**
   * Union: this := this ∪ other (other is unchanged). Keeps this counter's threshold.
   * @throws DistinctPrecisionMismatchError when the precisions differ (whatever the modes).
   */
  merge(other: DistinctCounter): void {
    if (other.precision !== this.precision)
      throw new DistinctPrecisionMismatchError(this.precision, other.precision);
    if (other === this) return;
    const theirs = other.state;
    const ours = this.state;
    this.cachedEstimate = -1;
    this.cachedBytes = null;
    if (!Array.isArray(theirs)) {
      if (!Array.isArray(ours)) {
        hllMergeInto(ours, theirs);
      } else {
        const regs = theirs.slice();
        for (const h of ours) hllAdd(regs, this.precision, h);
        this.state = regs;
      }
      return;
    }
    if (!Array.isArray(ours)) {
      for (const h of theirs) hllAdd(ours, this.precision, h);
      return;
    }
    if (theirs.length === 0) return;
    const union = mergeSorted(ours, theirs);
    this.state = union;
    if (union.length > this.threshold) this.convert(union);
  }

  /**
   * Exact distinct count while exact; the HLL estimate rounded to an integer afterwards. O(1) while
   * exact; O(2^precision) in HLL mode, memoised until a register changes.
   */
  estimate(): number {
    const state = this.state;
    if (Array.isArray(state)) return state.length;
    if (this.cachedEstimate < 0) this.cachedEstimate = Math.round(hllEstimate(state, this.precision));
    return this.cachedEstimate;
  }

  isExact(): boolean {
    return Array.isArray(this.state);
  }

  /** An independent copy. */
  clone(): DistinctCounter {
    return new DistinctCounter(this.threshold, this.precision, this.state.slice());
  }

  /**
   * Compact canonical binary form (see the format in the module header). Memoised until the counter changes:
   * the caller must not modify the returned bytes.
   */
  serialize(): Buffer {
    if (this.cachedBytes !== null) return this.cachedBytes;
    const state = this.state;
    const exact = Array.isArray(state);
    const m = 1 << this.precision;
    const body = exact ? MAX_VARINT_BYTES * (state.length + 1) : (m / 4) * 3;
    // Exact bytes are short-lived (written and dropped): the shared pool is cheaper than a buffer of their own.
    const size = HEADER_BYTES + MAX_VARINT_BYTES + body + CRC_BYTES;
    const out = exact ? Buffer.allocUnsafe(size) : Buffer.alloc(size);
    out[0] = MAGIC;
    out[1] = VERSION;
    out[2] = exact ? KIND_EXACT : KIND_HLL;
    out[3] = this.precision;
    let pos = writeVarint(out, HEADER_BYTES, this.threshold);
    if (exact) {
      pos = writeVarint(out, pos, state.length);
      let prev = 0;
      for (const h of state) {
        pos = writeVarint(out, pos, h - prev);
        prev = h;
      }
    } else {
      pos = packRegisters(state, out, pos);
    }
    out.writeUInt32BE(crc32(out, 0, pos), pos);
    const bytes = out.subarray(0, pos + CRC_BYTES);
    if (!exact) this.cachedBytes = bytes;
    return bytes;
  }

  /**
   * Decodes serialize() output. Validates everything; never returns a partially decoded counter.
   * @throws StormwatchError SW_INTERNAL on corrupt, truncated, over-long or unsupported input.
   */
  static deserialize(buf: Uint8Array): DistinctCounter {
    if (!(buf instanceof Uint8Array)) throw corrupt('not a byte array');
    if (buf.length < HEADER_BYTES + 1 + CRC_BYTES) throw corrupt(`truncated (${buf.length} bytes)`);
    const end = buf.length - CRC_BYTES;
    const stored = new DataView(buf.buffer, buf.byteOffset, buf.length).getUint32(end);
    if (crc32(buf, 0, end) !== stored) throw corrupt('checksum mismatch');

    const r = new ByteReader(buf, end);
    if (r.u8('magic') !== MAGIC) throw corrupt('bad magic byte');
    const version = r.u8('version');
    if (version !== VERSION) throw corrupt(`unsupported version ${version}`);
    const kind = r.u8('kind');
    const precision = r.u8('precision');
    if (precision < MIN_PRECISION || precision > MAX_PRECISION) throw corrupt(`precision ${precision}`);
    const threshold = r.varint('threshold');
    if (threshold > MAX_THRESHOLD) throw corrupt(`threshold ${threshold}`);

    let state: State;
    if (kind === KIND_EXACT) {
      const count = r.varint('count');
      if (count > threshold) throw corrupt(`exact count ${count} above threshold ${threshold}`);
      if (count > r.remaining) throw corrupt('truncated (hashes)');
      const hashes: number[] = [];
      let h = 0;
      for (let i = 0; i < count; i++) {
        const delta = r.varint('hash');
        if (i > 0 && delta === 0) throw corrupt('hashes not strictly increasing');
        h += delta;
        if (h > Number.MAX_SAFE_INTEGER) throw corrupt('hash out of range');
        hashes.push(h);
      }
      state = hashes;
    } else if (kind === KIND_HLL) {
      const regs = new Uint8Array(1 << precision);
      r.registers(regs, maxRank(precision));
      state = regs;
    } else {
      throw corrupt(`unknown kind ${kind}`);
    }
    if (r.remaining !== 0) throw corrupt(`${r.remaining} trailing bytes`);
    return new DistinctCounter(threshold, precision, state);
  }

  private convert(hashes: readonly number[]): void {
    const regs = new Uint8Array(1 << this.precision);
    for (const h of hashes) hllAdd(regs, this.precision, h);
    this.state = regs;
    this.cachedEstimate = -1;
    this.cachedBytes = null;
  }
}

/** The sorted union of two sorted arrays. */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x <= y) {
      out.push(x);
      i++;
      if (x === y) j++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as number);
  while (j < b.length) out.push(b[j++] as number);
  return out;
}
