/**
 * Distinct counts for the small per-source sets (ports, sensors, operators of one source on one day), where half
 * a million sources must fit in memory: a set is a plain array of values (exact) up to EXACT_MAX, then a
 * BITMAP_BITS linear-counting bitmap. No wrapper object: a source's set is one array.
 *
 * Invariants:
 * - Values are 30-bit non-negative integers (already well mixed: keyed hashes, or mixed with mix30), so the exact
 *   form holds V8 small integers only.
 * - sdCount is exact while at most EXACT_MAX values were added; past that it is the linear-counting estimate
 *   m·ln(m/zeros), within a few percent up to about m = 2048 values, saturating at m·ln(m) ≈ 15,600.
 * - sdEncode/sdDecode round-trip exactly (the bitmap form never returns to exact).
 */
export const EXACT_MAX = 32;
export const BITMAP_BITS = 2048;
const WORDS = BITMAP_BITS / 32;

/** A small distinct set: exact values, or the bitmap. */
export type SmallSet = number[] | Uint32Array;

/** Adds v; returns the set to keep (a new array or bitmap when v is new; the caller must keep the result). */
export function sdAdd(set: SmallSet, v: number): SmallSet {
  if (Array.isArray(set)) {
    if (set.includes(v)) return set;
    // A new array of the exact size: push() and [...set, v] reserve room for 16 more (about 190 bytes for a
    // set of one, against 60: measured), and there are a million sets.
    if (set.length < EXACT_MAX) return set.concat(v);
    const bits = new Uint32Array(WORDS);
    for (const x of set) setBit(bits, x);
    setBit(bits, v);
    return bits;
  }
  setBit(set, v);
  return set;
}

export function sdCount(set: SmallSet): number {
  if (Array.isArray(set)) return set.length;
  let ones = 0;
  for (const w of set) ones += popcount(w);
  const zeros = BITMAP_BITS - ones;
  return Math.round(BITMAP_BITS * Math.log(BITMAP_BITS / Math.max(zeros, 1)));
}

/** Bytes: [0, n, n × u32 LE] or [1, WORDS × u32 LE]. */
export function sdEncodedSize(set: SmallSet): number {
  return Array.isArray(set) ? 2 + 4 * set.length : 1 + 4 * WORDS;
}

export function sdEncodeInto(set: SmallSet, buf: Buffer, at: number): number {
  if (Array.isArray(set)) {
    buf[at++] = 0;
    buf[at++] = set.length;
    for (const v of set) at = buf.writeUInt32LE(v, at);
    return at;
  }
  buf[at++] = 1;
  for (const w of set) at = buf.writeUInt32LE(w, at);
  return at;
}

/** Reads one set at `at`; returns it and the offset after it. Throws RangeError on a short or bad buffer. */
export function sdDecodeFrom(buf: Buffer, at: number): { value: SmallSet; next: number } {
  const kind = buf.readUInt8(at++);
  if (kind === 0) {
    const n = buf.readUInt8(at++);
    if (n > EXACT_MAX) throw new RangeError(`small distinct: ${n} exact values`);
    const exact: number[] = [];
    for (let i = 0; i < n; i++, at += 4) exact.push(buf.readUInt32LE(at) & 0x3fffffff);
    return { value: exact, next: at };
  }
  if (kind !== 1) throw new RangeError(`small distinct: unknown kind ${kind}`);
  const bits = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++, at += 4) bits[i] = buf.readUInt32LE(at);
  return { value: bits, next: at };
}

function setBit(bits: Uint32Array, v: number): void {
  const bit = v & (BITMAP_BITS - 1);
  bits[bit >>> 5] = (bits[bit >>> 5] as number) | (1 << (bit & 31));
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Mixes a small integer (e.g. a port key) into 30 well-spread bits. */
export function mix30(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) & 0x3fffffff;
}
