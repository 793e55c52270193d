/**
 * Byte-level helpers for the DistinctCounter wire format (internal to src/core/distinct): CRC-32, unsigned
 * LEB128 varints up to 2^53, 6-bit register packing, and a bounds-checked reader.
 *
 * Invariant: every read either returns a value that is in range or throws SW_INTERNAL; nothing here reads
 * past the end of its input or returns a partially decoded value.
 */
import { makeError } from '../errors.js';
import type { StormwatchError } from '../errors.js';

export function corrupt(what: string): StormwatchError {
  return makeError('SW_INTERNAL', `corrupt distinct counter: ${what}`);
}

let crcTable: Uint32Array | null = null;

function table(): Uint32Array {
  if (crcTable !== null) return crcTable;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  crcTable = t;
  return t;
}

/** CRC-32 (IEEE 802.3, as in zlib/PNG) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = table();
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (t[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Longest varint we write or accept: 8 bytes carry 56 bits, enough for values < 2^53. */
export const MAX_VARINT_BYTES = 8;

/** Writes v (integer, 0 <= v < 2^53) as an unsigned LEB128 varint at `pos`; returns the new position. */
export function writeVarint(out: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

/** 6-bit packing: 4 registers (each < 64) in 3 bytes, big-endian bit order. `regs.length` % 4 === 0. */
export function packRegisters(regs: Uint8Array, out: Uint8Array, pos: number): number {
  for (let i = 0; i < regs.length; i += 4) {
    const v =
      ((regs[i] ?? 0) << 18) | ((regs[i + 1] ?? 0) << 12) | ((regs[i + 2] ?? 0) << 6) | (regs[i + 3] ?? 0);
    out[pos++] = v >>> 16;
    out[pos++] = (v >>> 8) & 0xff;
    out[pos++] = v & 0xff;
  }
  return pos;
}

/** Bounds-checked sequential reader. All failures throw SW_INTERNAL "corrupt distinct counter: ...". */
export class ByteReader {
  private pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: number,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(what: string): number {
    if (this.pos >= this.end) throw corrupt(`truncated (${what})`);
    return this.bytes[this.pos++] ?? 0;
  }

  /** Canonical unsigned varint < 2^53 (no overlong encodings). */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw corrupt(`overlong varint (${what})`);
        if (value > Number.MAX_SAFE_INTEGER) throw corrupt(`varint out of range (${what})`);
        return value;
      }
      scale *= 0x80;
    }
    throw corrupt(`varint too long (${what})`);
  }

  /** Unpacks `regs.length` 6-bit registers; each must be <= maxValue. */
  registers(regs: Uint8Array, maxValue: number): void {
    const bytesNeeded = (regs.length / 4) * 3;
    if (this.remaining < bytesNeeded) throw corrupt('truncated (registers)');
    const b = this.bytes;
    let pos = this.pos;
    for (let i = 0; i < regs.length; i += 4) {
      const v = ((b[pos] ?? 0) << 16) | ((b[pos + 1] ?? 0) << 8) | (b[pos + 2] ?? 0);
      pos += 3;
      const r0 = v >>> 18;
      const r1 = (v >>> 12) & 63;
      const r2 = (v >>> 6) & 63;
      const r3 = v & 63;
      if (r0 > maxValue || r1 > maxValue || r2 > maxValue || r3 > maxValue) {
        throw corrupt(`register value above ${maxValue}`);
      }
      regs[i] = r0;
      regs[i + 1] = r1;
      regs[i + 2] = r2;
      regs[i + 3] = r3;
    }
    this.pos = pos;
  }
}
