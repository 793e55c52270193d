import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../errors.js';
import { crc32, writeVarint } from './codec.js';
import { DistinctCounter } from './distinct-counter.js';
import { hashes } from './test-helpers.js';

function build(n: number, seed: number, opts?: { threshold?: number; precision?: number }): DistinctCounter {
  const c = DistinctCounter.create(opts);
  const g = hashes(seed);
  for (let i = 0; i < n; i++) c.addHash(g());
  return c;
}

function expectCorrupt(buf: Uint8Array): void {
  let caught: unknown;
  try {
    DistinctCounter.deserialize(buf);
  } catch (err) {
    caught = err;
  }
  expect(isStormwatchError(caught) && caught.code, `buffer ${Buffer.from(buf).toString('hex')}`).toBe(
    'SW_INTERNAL',
  );
}

/** Builds a buffer with a VALID checksum, so that the structural checks behind the CRC are exercised. */
function withCrc(body: number[]): Buffer {
  const out = Buffer.alloc(body.length + 4);
  out.set(body);
  out.writeUInt32BE(crc32(out, 0, body.length), body.length);
  return out;
}

function varint(v: number): number[] {
  const b = new Uint8Array(8);
  return Array.from(b.subarray(0, writeVarint(b, 0, v)));
}

describe('DistinctCounter serialization', () => {
  it('round-trips the exact form, including the empty counter and the extreme hashes', () => {
    const edge = DistinctCounter.create({ threshold: 5, precision: 9 });
    for (const h of [0, 1, 2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1]) edge.addHash(h);
    for (const c of [DistinctCounter.create(), build(1, 1), build(256, 2), edge]) {
      const bytes = c.serialize();
      const back = DistinctCounter.deserialize(bytes);
      expect(back.isExact()).toBe(true);
      expect(back.estimate()).toBe(c.estimate());
      expect(back.precision).toBe(c.precision);
      expect(back.threshold).toBe(c.threshold);
      expect(back.serialize().equals(bytes)).toBe(true);
    }
    // the deserialized set really holds the same hashes: adding them again changes nothing
    const back = DistinctCounter.deserialize(edge.serialize());
    for (const h of [0, 1, 2 ** 53 - 1, 2 ** 32, 2 ** 32 - 1]) back.addHash(h);
    expect(back.estimate()).toBe(5);
    back.addHash(7);
    expect(back.isExact()).toBe(false); // the threshold survived the round trip
  });

  it('round-trips the HLL form register for register, and the copy keeps counting identically', () => {
    for (const [n, p] of [
      [300, 12],
      [100_000, 12],
      [50_000, 4],
      [200_000, 18],
    ] as const) {
      const c = build(n, n + p, { precision: p });
      const bytes = c.serialize();
      expect(bytes.length).toBe(4 + 2 + ((1 << p) * 3) / 4 + 4); // header, threshold 256, 6-bit registers, CRC
      const back = DistinctCounter.deserialize(new Uint8Array(bytes));
      expect(back.isExact()).toBe(false);
      expect(back.estimate()).toBe(c.estimate());
      expect(back.serialize().equals(bytes)).toBe(true);
      const g = hashes(99);
      for (let i = 0; i < 1000; i++) {
        const h = g();
        c.addHash(h);
        back.addHash(h);
      }
      expect(back.serialize().equals(c.serialize())).toBe(true);
    }
  });

  it('memoises the bytes of a sketch until it changes, and writes an exact form afresh, also after a merge', () => {
    const next = hashes(99);
    for (const n of [10, 5000]) {
      const c = DistinctCounter.create();
      for (let i = 0; i < n; i++) c.addHash(next());
      const first = c.serialize();
      // A sketch's 3 kB are kept; a small exact form is not (its bytes would cost more memory than writing it).
      if (n === 5000) expect(c.serialize()).toBe(first);
      else expect(c.serialize()).not.toBe(first);
      expect(c.serialize().equals(first)).toBe(true);
      c.addHash(first.length); // a new hash: the bytes must change
      const second = c.serialize();
      expect(DistinctCounter.deserialize(second).estimate()).toBe(c.estimate());
      if (n === 10) expect(second.equals(first)).toBe(false);
      const other = DistinctCounter.create();
      other.addHash(next());
      c.merge(other);
      expect(c.serialize()).not.toBe(second);
      expect(DistinctCounter.deserialize(c.serialize()).estimate()).toBe(c.estimate());
    }
  });

  it('keeps the exact form compact (delta varints, < 8 bytes per hash)', () => {
    const bytes = build(256, 3).serialize();
    expect(bytes.length).toBeLessThan(4 + 2 + 2 + 256 * 8 + 4);
  });

  it('reads from a Uint8Array view at a non-zero offset', () => {
    const bytes = build(1000, 4).serialize();
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const back = DistinctCounter.deserialize(big.subarray(3, 3 + bytes.length));
    expect(back.serialize().equals(bytes)).toBe(true);
  });

  it('throws SW_INTERNAL on every truncation and on trailing bytes', () => {
    for (const c of [build(20, 5), build(5000, 6, { precision: 6 })]) {
      const bytes = c.serialize();
      for (let len = 0; len < bytes.length; len++) expectCorrupt(bytes.subarray(0, len));
      expectCorrupt(Buffer.concat([bytes, Buffer.from([0])]));
    }
  });

  it('throws SW_INTERNAL on every single-bit flip (exact form) and on sampled flips (HLL form)', () => {
    const exact = build(12, 7).serialize();
    for (let bit = 0; bit < exact.length * 8; bit++) {
      const copy = Buffer.from(exact);
      copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expectCorrupt(copy);
    }
    const hll = build(10_000, 8).serialize();
    for (let bit = 0; bit < hll.length * 8; bit += 97) {
      const copy = Buffer.from(hll);
      copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expectCorrupt(copy);
    }
  });

  it('validates the structure behind the checksum', () => {
    const ok = [0x44, 1, 1, 12, ...varint(256), ...varint(2), ...varint(5), ...varint(3)];
    expect(DistinctCounter.deserialize(withCrc(ok)).estimate()).toBe(2); // control: hashes 5 and 8
    const bad: Array<[string, number[]]> = [
      ['magic', [0x45, 1, 1, 12, 0, 0]],
      ['version', [0x44, 2, 1, 12, 0, 0]],
      ['kind', [0x44, 1, 3, 12, 0, 0]],
      ['precision too small', [0x44, 1, 1, 3, 0, 0]],
      ['precision too large', [0x44, 1, 1, 19, 0, 0]],
      ['threshold too large', [0x44, 1, 1, 12, ...varint(2 ** 20 + 1), 0]],
      ['count above threshold', [0x44, 1, 1, 12, ...varint(1), ...varint(2), 1, 1]],
      ['count beyond the data', [0x44, 1, 1, 12, ...varint(256), ...varint(3), 1, 1]],
      ['repeated hash', [0x44, 1, 1, 12, ...varint(256), ...varint(2), 5, 0]],
      ['hash >= 2^53', [0x44, 1, 1, 12, ...varint(256), ...varint(2), ...varint(2 ** 53 - 1), 1]],
      ['varint too long', [0x44, 1, 1, 12, ...varint(256), ...varint(1), ...Array<number>(8).fill(0x80), 1]],
      ['overlong varint', [0x44, 1, 1, 12, 0x80, 0x00, 0]],
      ['registers truncated', [0x44, 1, 2, 4, 0, ...Array<number>(11).fill(0)]],
      ['register above 54 - p', [0x44, 1, 2, 4, 0, 0xff, ...Array<number>(11).fill(0)]],
      ['trailing byte', [0x44, 1, 1, 12, 0, 0, 0]],
      ['header only', [0x44, 1, 1, 12]],
    ];
    for (const [name, body] of bad) {
      let caught: unknown;
      try {
        DistinctCounter.deserialize(withCrc(body));
      } catch (err) {
        caught = err;
      }
      expect(isStormwatchError(caught) && caught.code, name).toBe('SW_INTERNAL');
    }
    // and a well-formed HLL buffer with every register at its maximum (50 at p = 4) is accepted
    const full = [
      0x44,
      1,
      2,
      4,
      0,
      ...Array<number>(4)
        .fill(0)
        .flatMap(() => [(50 << 2) | (50 >> 4), ((50 & 15) << 4) | (50 >> 2), ((50 & 3) << 6) | 50]),
    ];
    expect(DistinctCounter.deserialize(withCrc(full)).isExact()).toBe(false);
  });

  it('refuses non-byte input', () => {
    expectCorrupt('not bytes' as unknown as Uint8Array);
  });
});
