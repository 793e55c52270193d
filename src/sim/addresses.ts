/**
 * Source address pools for the simulator: public-looking IPv4 (private, loopback, multicast and reserved ranges
 * skipped) and a small share of IPv6 from 2000::/3, made deterministically from a seeded PRNG.
 */
import type { Random } from '../core/random.js';

function isReservedV4(a: number, b: number): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19))
  );
}

export function randomPublicV4(r: Random): string {
  for (;;) {
    const a = 1 + r.int(223);
    const b = r.int(256);
    if (isReservedV4(a, b)) continue;
    return `${a}.${b}.${r.int(256)}.${1 + r.int(254)}`;
  }
}

export function randomPublicV6(r: Random): string {
  const h = (): string => r.int(0x10000).toString(16);
  return `2a0${r.int(10)}:${h()}:${h()}:${h()}::${(1 + r.int(0xfffe)).toString(16)}`;
}

/** A pool of `size` distinct addresses; `v6Share` of them IPv6. */
export function addressPool(r: Random, size: number, v6Share = 0.03): string[] {
  const set = new Set<string>();
  while (set.size < size) set.add(r.next() < v6Share ? randomPublicV6(r) : randomPublicV4(r));
  return [...set];
}
