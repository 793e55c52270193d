/**
 * Which IP addresses a webhook may connect to (the SSRF guard's address half; target.ts resolves names).
 *
 * Invariants:
 * - Input is address text as `net.isIP` accepts it (a zone id after % is ignored). Anything else is
 *   refused as 'not an address'.
 * - IPv6 forms that carry an IPv4 address (mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4
 *   2002::/16) are judged by that IPv4 address, so a blocked IPv4 cannot be reached through them.
 * - Cloud metadata addresses are refused even with allow_private: no webhook receiver lives there.
 * Sources: RFC 6890 (special-purpose registries), RFC 4291 (IPv6 addressing), RFC 6052 (NAT64), RFC 3056.
 */
import { isIP } from 'node:net';

type Range = readonly [base: number, prefix: number, category: string];

const V4_RANGES: readonly Range[] = [
  [ip4(0, 0, 0, 0), 8, 'unspecified'],
  [ip4(10, 0, 0, 0), 8, 'private'],
  [ip4(100, 64, 0, 0), 10, 'shared address space'],
  [ip4(127, 0, 0, 0), 8, 'loopback'],
  [ip4(169, 254, 0, 0), 16, 'link-local'],
  [ip4(172, 16, 0, 0), 12, 'private'],
  [ip4(192, 0, 0, 0), 24, 'protocol assignments'],
  [ip4(192, 0, 2, 0), 24, 'documentation'],
  [ip4(192, 168, 0, 0), 16, 'private'],
  [ip4(198, 18, 0, 0), 15, 'benchmarking'],
  [ip4(198, 51, 100, 0), 24, 'documentation'],
  [ip4(203, 0, 113, 0), 24, 'documentation'],
  [ip4(224, 0, 0, 0), 4, 'multicast'],
  [ip4(240, 0, 0, 0), 4, 'reserved'],
];

const METADATA_V4 = new Set([
  ip4(169, 254, 169, 254), // AWS, GCP, Azure, OpenStack instance metadata
  ip4(169, 254, 170, 2), // AWS ECS task metadata
  ip4(100, 100, 100, 200), // Alibaba Cloud
  ip4(168, 63, 129, 16), // Azure wire server (a public address)
  ip4(192, 0, 0, 192), // Oracle Cloud
]);
const METADATA_V6 = new Set([parseV6('fd00:ec2::254').join(':')]); // AWS IPv6 metadata

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function parseV4(s: string): number {
  const p = s.split('.').map(Number);
  return ip4(p[0]!, p[1]!, p[2]!, p[3]!);
}

/** IPv6 text (already checked by isIP) to 8 hextets. */
export function parseV6(s: string): number[] {
  let text = s.toLowerCase();
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = parseV4(text.slice(lastColon + 1));
    tail = [v4 >>> 16, v4 & 0xffff];
    text = `${text.slice(0, lastColon + 1)}0`; // placeholder hextet, dropped below
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  let left = parse(head);
  let right = rest === undefined ? [] : parse(rest);
  if (tail.length) {
    if (rest === undefined) left = left.slice(0, -1);
    else right = right.slice(0, -1);
  }
  const fill = 8 - left.length - right.length - tail.length;
  return [...left, ...new Array<number>(Math.max(fill, 0)).fill(0), ...right, ...tail];
}

function v4Category(v: number): string | null {
  if (METADATA_V4.has(v)) return 'cloud metadata';
  for (const [base, prefix, category] of V4_RANGES) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((v & mask) >>> 0 === base) return category;
  }
  return null;
}

function v6Category(h: number[]): string | null {
  const [h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0] = h;
  const embedded = (hi: number, lo: number): number => ((hi << 16) | lo) >>> 0;
  if (METADATA_V6.has(h.join(':'))) return 'cloud metadata';
  const top5zero = h0 === 0 && h1 === 0 && h2 === 0 && h3 === 0 && h4 === 0;
  if (top5zero && h5 === 0 && h6 === 0 && h7 === 0) return 'unspecified';
  if (top5zero && h5 === 0 && h6 === 0 && h7 === 1) return 'loopback';
  if (top5zero && (h5 === 0xffff || h5 === 0)) return v4Category(embedded(h6, h7)); // mapped, compatible
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 0 && h3 === 0 && h4 === 0 && h5 === 0) {
    return v4Category(embedded(h6, h7)); // NAT64 well-known prefix
  }
  if (h0 === 0x64 && h1 === 0xff9b && h2 === 1) return 'local NAT64';
  if (h0 === 0x2002) return v4Category(embedded(h1, h2)); // 6to4
  if (h0 === 0x100 && h1 === 0 && h2 === 0 && h3 === 0) return 'discard';
  if (h0 === 0x2001 && h1 === 0) return 'Teredo';
  if (h0 === 0x2001 && h1 === 0xdb8) return 'documentation';
  if ((h0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((h0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((h0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((h0 & 0xff00) === 0xff00) return 'multicast';
  return null;
}

/**
 * Why a webhook may not connect to `address`, or null when it may.
 * @example refusedReason('::ffff:127.0.0.1', false) // 'loopback'
 */
export function refusedReason(address: string, allowPrivate: boolean): string | null {
  const text = address.split('%')[0] ?? '';
  const family = isIP(text);
  if (family === 0) return 'not an address';
  const category = family === 4 ? v4Category(parseV4(text)) : v6Category(parseV6(text));
  if (category === null) return null;
  if (category === 'cloud metadata') return category;
  return allowPrivate ? null : category;
}
