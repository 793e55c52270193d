/**
 * Test support: a reproducible stream of uniform 53-bit integers (what a good keyed hash gives), so accuracy and
 * codec tests are fast and deterministic. Not part of the build (tsconfig excludes test-helpers.ts).
 */
export function hashes(seed: number): () => number {
  let s = seed | 0;
  const next32 = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  return () => (next32() >>> 11) * 4294967296 + next32();
}
