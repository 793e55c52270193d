import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../errors.js';
import { createKeyedHasher } from './keyed-hash.js';

const seedA = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
const seedB = Uint8Array.from({ length: 16 }, (_, i) => (i * 53 + 7) & 0xff);

function ipv4(i: number): string {
  return `${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

function popcount53(x: number): number {
  let n = 0;
  let hi = Math.floor(x / 4294967296);
  let lo = x >>> 0;
  for (; hi !== 0; hi >>>= 1) n += hi & 1;
  for (; lo !== 0; lo >>>= 1) n += lo & 1;
  return n;
}

/** XOR of two 53-bit integers, without BigInt. */
function xor53(a: number, b: number): number {
  const hi = (Math.floor(a / 4294967296) ^ Math.floor(b / 4294967296)) >>> 0;
  return hi * 4294967296 + ((a ^ b) >>> 0);
}

describe('createKeyedHasher', () => {
  it('refuses seeds shorter than 16 bytes with a typed error', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array(15)]) {
      let caught: unknown;
      try {
        createKeyedHasher(bad);
      } catch (err) {
        caught = err;
      }
      expect(isStormwatchError(caught) && caught.code).toBe('SW_CONFIG_INVALID');
    }
    expect(() => createKeyedHasher('0123456789abcdef' as unknown as Uint8Array)).toThrow(/seed/);
    expect(() => createKeyedHasher(new Uint8Array(16))).not.toThrow();
  });

  it('uses exactly the first 16 bytes of a longer seed', () => {
    const long = new Uint8Array(32);
    long.set(seedA);
    long.fill(0xaa, 16);
    const a = createKeyedHasher(seedA);
    const b = createKeyedHasher(long);
    for (const s of ['1.2.3.4', '', 'x']) expect(b.hash(s)).toBe(a.hash(s));
  });

  it('is deterministic for a seed, including across hasher instances', () => {
    const h1 = createKeyedHasher(seedA);
    const h2 = createKeyedHasher(Uint8Array.from(seedA));
    for (let i = 0; i < 1000; i++) {
      const s = ipv4(i * 2654435761);
      expect(h1.hash(s)).toBe(h2.hash(s));
      expect(h1.hash(s)).toBe(h1.hash(s));
    }
  });

  it('gives different hashes for the same text under different seeds', () => {
    const a = createKeyedHasher(seedA);
    const b = createKeyedHasher(seedB);
    let same = 0;
    for (let i = 0; i < 10_000; i++) if (a.hash(ipv4(i)) === b.hash(ipv4(i))) same++;
    expect(same).toBe(0);
  });

  it('changes about half the output bits when one seed bit flips (every seed byte matters)', () => {
    const base = createKeyedHasher(seedA);
    for (let byte = 0; byte < 16; byte++) {
      const seed = Uint8Array.from(seedA);
      seed[byte] = (seed[byte] ?? 0) ^ 0x10;
      const other = createKeyedHasher(seed);
      let bits = 0;
      const n = 400;
      for (let i = 0; i < n; i++) bits += popcount53(xor53(base.hash(ipv4(i)), other.hash(ipv4(i))));
      expect(bits / n).toBeGreaterThan(24.5);
      expect(bits / n).toBeLessThan(28.5);
    }
  });

  it('returns non-negative safe integers < 2^53 for all kinds of strings', () => {
    const h = createKeyedHasher(seedA);
    const texts = [
      '',
      'a',
      'ab',
      'abc',
      '\u0000',
      '\uffff\uffff',
      '2001:db8::1',
      '🦀 crab',
      'x'.repeat(10_000),
    ];
    for (let i = 0; i < 5000; i++) texts.push(ipv4(i * 7919));
    for (const t of texts) {
      const v = h.hash(t);
      expect(Number.isSafeInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(2 ** 53);
    }
  });

  it('separates strings that differ only by length, a trailing NUL, or unit order', () => {
    const h = createKeyedHasher(seedA);
    const groups = [
      ['', '\u0000', '\u0000\u0000'],
      ['a', 'a\u0000'],
      ['ab', 'ba'],
      ['1.2.3.4', '1.2.3.40', '01.2.3.4'],
    ];
    for (const g of groups) expect(new Set(g.map((t) => h.hash(t))).size).toBe(g.length);
  });

  it('avalanches: flipping one bit of any character flips about half of the 53 output bits', () => {
    const h = createKeyedHasher(seedA);
    for (const pos of [0, 1, 2, 5, -2, -1]) {
      let bits = 0;
      const n = 1000;
      for (let i = 0; i < n; i++) {
        const s = ipv4(0x0a000000 + i * 3);
        const j = pos < 0 ? s.length + pos : pos;
        const t = s.slice(0, j) + String.fromCharCode(s.charCodeAt(j) ^ (1 << (i % 7))) + s.slice(j + 1);
        bits += popcount53(xor53(h.hash(s), h.hash(t)));
      }
      // mean 26.5, sd of the mean ~ 3.64 / sqrt(1000) = 0.115
      expect(bits / n).toBeGreaterThan(25.9);
      expect(bits / n).toBeLessThan(27.1);
    }
  });

  it('spreads the top 12 bits (the HLL index) uniformly over 1e5 sequential IPv4 strings', () => {
    const h = createKeyedHasher(seedA);
    const bins = new Float64Array(4096);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = h.hash(ipv4(0xc0a80000 + i)); // 192.168.0.0 onwards: highly structured input
      const idx = Math.floor(v / 2 ** 41);
      bins[idx] = (bins[idx] ?? 0) + 1;
    }
    const expected = n / 4096;
    let chi2 = 0;
    for (const c of bins) chi2 += ((c - expected) * (c - expected)) / expected;
    // df = 4095: mean 4095, sd ~ 90.5. Loose 5-sigma bounds on both sides (too uniform is suspicious too).
    expect(chi2).toBeGreaterThan(4095 - 5 * 90.5);
    expect(chi2).toBeLessThan(4095 + 5 * 90.5);
  });

  it('gives geometric ranks in the low 41 bits (what HLL reads after the index)', () => {
    const h = createKeyedHasher(seedB);
    const n = 100_000;
    const ranks = new Float64Array(12); // ranks 1..10, then >= 11 in slot 11
    for (let i = 0; i < n; i++) {
      const rest = h.hash(ipv4(0x08080000 + i)) % 2 ** 41;
      const rank = Math.min(11, 41 - Math.floor(Math.log2(rest + 0.5)));
      ranks[rank] = (ranks[rank] ?? 0) + 1;
    }
    let chi2 = 0;
    for (let r = 1; r <= 11; r++) {
      const p = r < 11 ? 2 ** -r : 2 ** -10;
      const e = n * p;
      chi2 += ((ranks[r] ?? 0) - e) ** 2 / e;
    }
    // df = 10: mean 10, p(chi2 > 35) ~ 1e-4
    expect(chi2).toBeLessThan(35);
  });
});
