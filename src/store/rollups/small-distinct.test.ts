import { describe, expect, it } from 'vitest';
import {
  EXACT_MAX,
  mix30,
  sdAdd,
  sdCount,
  sdDecodeFrom,
  sdEncodeInto,
  sdEncodedSize,
} from './small-distinct.js';
import type { SmallSet } from './small-distinct.js';

function filled(n: number, salt = 0): SmallSet {
  let d: SmallSet = [];
  for (let i = 0; i < n; i++) {
    d = sdAdd(d, mix30(i * 2654435761 + salt));
    d = sdAdd(d, mix30(i * 2654435761 + salt)); // duplicates are free
  }
  return d;
}

describe('small distinct sets', () => {
  it('are exact arrays up to EXACT_MAX values', () => {
    for (const n of [0, 1, 7, EXACT_MAX]) {
      const d = filled(n);
      expect(Array.isArray(d)).toBe(true);
      expect(sdCount(d)).toBe(n);
    }
    expect(Array.isArray(filled(EXACT_MAX + 1))).toBe(false);
  });

  it('estimate within 6% from 100 to 3000 values', () => {
    for (const n of [100, 500, 1000, 3000]) {
      const est = sdCount(filled(n, n));
      expect(Math.abs(est - n) / n).toBeLessThan(0.06);
    }
  });

  it('round-trip both forms through encode/decode, at an offset', () => {
    for (const n of [3, 400]) {
      let d = filled(n);
      const buf = Buffer.alloc(5 + sdEncodedSize(d));
      expect(sdEncodeInto(d, buf, 5)).toBe(buf.length);
      const decoded = sdDecodeFrom(buf, 5);
      expect(decoded.next).toBe(buf.length);
      let value = decoded.value;
      expect(sdCount(value)).toBe(sdCount(d));
      value = sdAdd(value, mix30(123456789));
      d = sdAdd(d, mix30(123456789));
      expect(sdCount(value)).toBe(sdCount(d));
    }
  });

  it('refuse a short or unknown encoding', () => {
    expect(() => sdDecodeFrom(Buffer.from([7]), 0)).toThrow(/unknown kind/);
    expect(() => sdDecodeFrom(Buffer.from([0, 3, 1, 0]), 0)).toThrow(RangeError);
    expect(() => sdDecodeFrom(Buffer.from([0, 200]), 0)).toThrow(/exact values/);
  });
});
