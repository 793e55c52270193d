/**
 * IPv4 and IPv6 networks (CIDR, RFC 4632 and RFC 4291 section 2.3) as numbers: parse, mask, overlap, format.
 *
 * Invariants:
 * - An address is a bigint of 32 (IPv4) or 128 (IPv6) bits; a network is its first address and prefix length,
 *   with the host bits zero (a CIDR text with host bits set, like `203.0.113.7/24`, is refused: it usually
 *   means a typo, and silently widening it would allowlist or delist more than meant).
 * - IPv4-mapped IPv6 text (`::ffff:192.0.2.1`) is refused as a network: write the IPv4 form.
 * - Text out is canonical: dotted quad, RFC 5952 for IPv6 (via the URL parser), `/prefix` always present in
 *   `formatCidr` and omitted for a host in `formatValue`.
 * - Never throws on bad text: parse functions answer null.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface Network {
  family: 4 | 6;
  /** First address of the network. */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function v4ToBig(text: string): bigint {
  return text.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(text: string): bigint | null {
  let t = text;
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return null;
    const n = Number(v4ToBig(tail));
    t = `${t.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...rest];
  if (groups.length !== 8) return null;
  let acc = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    acc = (acc << 16n) | BigInt(parseInt(g, 16));
  }
  return acc;
}

/** An address (no prefix) to [family, number], or null. */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | null {
  if (text.length > 45) return null;
  if (isIPv4(text)) return { family: 4, value: v4ToBig(text) };
  if (isIPv6(text) && !text.includes('%')) {
    const value = v6ToBig(text);
    return value === null ? null : { family: 6, value };
  }
  return null;
}

/** The mask of the network bits of a /prefix in a family. */
function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** The /prefix network that contains the address `value`. */
export function networkOf(family: 4 | 6, value: bigint, prefix: number): Network {
  return { family, base: value & mask(family, prefix), prefix };
}

/**
 * A CIDR (or a bare address, as a host network) to a Network, or null when it is not one.
 * @example parseCidr('203.0.113.0/24') // { family: 4, base: 3405803776n, prefix: 24 }
 */
export function parseCidr(text: string): Network | null {
  if (text.length > 49) return null;
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (addr === null) return null;
  if (addr.family === 6 && /^::ffff:/i.test(text) && text.includes('.')) return null;
  let prefix: number = BITS[addr.family];
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > BITS[addr.family]) return null;
    prefix = Number(p);
  }
  const net = networkOf(addr.family, addr.value, prefix);
  return net.base === addr.value ? net : null;
}

/** Last address of a network. */
export function lastAddress(n: Network): bigint {
  return n.base | (((1n << BigInt(BITS[n.family])) - 1n) ^ mask(n.family, n.prefix));
}

/** Whether two networks share at least one address (one contains the other, as CIDR blocks nest). */
export function overlaps(a: Network, b: Network): boolean {
  return a.family === b.family && a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** Whether `outer` contains every address of `inner`. */
export function contains(outer: Network, inner: Network): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && overlaps(outer, inner);
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** Canonical CIDR text, e.g. `2001:db8::/48`. */
export function formatCidr(n: Network): string {
  return `${formatAddress(n.family, n.base)}/${n.prefix}`;
}

/** Canonical text without the prefix for a host (`192.0.2.7`), CIDR otherwise. */
export function formatValue(n: Network): string {
  return n.prefix === BITS[n.family] ? formatAddress(n.family, n.base) : formatCidr(n);
}

/** The host prefix length of a family (32 or 128). */
export const hostPrefix = (family: 4 | 6): number => BITS[family];
