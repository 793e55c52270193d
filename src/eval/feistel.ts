/**
 * A keyed bijection of the IPv4 space (32 bits): a 4-round Feistel network on two 16-bit halves. Used to give
 * each cloned copy of the fleet its own source addresses while keeping which sources are equal inside a copy.
 *
 * Invariants: for a key, `permuteIPv4` is a bijection of [0, 2^32) and `unpermuteIPv4` is its inverse; the
 * round function is a fixed integer hash of (key, round, half), so the mapping is deterministic.
 */
const ROUNDS = 4;

function round(key: number, r: number, half: number): number {
  let h = Math.imul(half ^ Math.imul(key, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(r + 1, 0xc2b2ae35);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  h ^= h >>> 16;
  return h & 0xffff;
}

/** @example permuteIPv4(0x01020304, 7) !== 0x01020304 (in general), unpermuteIPv4(permuteIPv4(x, k), k) === x */
export function permuteIPv4(ip: number, key: number): number {
  let l = (ip >>> 16) & 0xffff;
  let r = ip & 0xffff;
  for (let i = 0; i < ROUNDS; i++) {
    const next = l ^ round(key, i, r);
    l = r;
    r = next;
  }
  return ((l << 16) | r) >>> 0;
}

export function unpermuteIPv4(ip: number, key: number): number {
  let l = (ip >>> 16) & 0xffff;
  let r = ip & 0xffff;
  for (let i = ROUNDS - 1; i >= 0; i--) {
    const prev = r ^ round(key, i, l);
    r = l;
    l = prev;
  }
  return ((l << 16) | r) >>> 0;
}
