/**
 * Address classes a sensor must not report as attack sources, and CIDR matching for operator-given networks.
 *
 * Sources: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates), RFC 1918 (private),
 * RFC 6598 (shared 100.64/10), RFC 5737 / RFC 3849 (documentation), RFC 4193 (unique local IPv6).
 * Invariant: pure functions on numbers; the first matching class wins, in the order of the tables below.
 */
import { maskIPv4, maskIPv6, parseIp } from './ip.js';
import type { ParsedIp } from './ip.js';
import { makeError } from '../../core/errors.js';

export type AddressClass = 'unspecified' | 'loopback' | 'private' | 'link_local' | 'multicast' | 'reserved';

/** [network, prefix, class] of special IPv4 ranges. */
const V4: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['100.64.0.0', 10, 'private'],
  ['169.254.0.0', 16, 'link_local'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes 255.255.255.255
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
];

const V6: ReadonlyArray<readonly [string, number, AddressClass]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fe80::', 10, 'link_local'],
  ['fc00::', 7, 'private'],
  ['ff00::', 8, 'multicast'],
  ['2001:db8::', 32, 'reserved'],
  ['100::', 64, 'reserved'],
  ['fec0::', 10, 'reserved'],
];

/** A parsed CIDR block. */
export type Cidr =
  { family: 4; net: number; prefix: number } | { family: 6; net: Uint16Array; prefix: number };

/** Parses "a.b.c.d/n" or "x::/n" (a bare address means a host route). Throws SW_CONFIG_INVALID. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  const max = addr?.family === 6 ? 128 : 32;
  const prefix = slash < 0 ? max : Number(text.slice(slash + 1));
  if (
    addr === null ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))
  ) {
    throw makeError('SW_CONFIG_INVALID', `not a CIDR block: ${JSON.stringify(text)}`);
  }
  return addr.family === 4
    ? { family: 4, net: maskIPv4(addr.v4, prefix), prefix }
    : { family: 6, net: maskIPv6(addr.v6, prefix), prefix };
}

const v6Scratch = new Uint16Array(8);

/** True when the address lies in the block. */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.family === 4) return ip.family === 4 && maskIPv4(ip.v4, cidr.prefix) === cidr.net;
  if (ip.family !== 6) return false;
  v6Scratch.set(ip.v6);
  maskIPv6(v6Scratch, cidr.prefix);
  for (let i = 0; i < 8; i++) if (v6Scratch[i] !== cidr.net[i]) return false;
  return true;
}

const V4_TABLE = V4.map(([net, prefix, cls]) => ({ cidr: parseCidr(`${net}/${prefix}`), cls }));
const V6_TABLE = V6.map(([net, prefix, cls]) => ({ cidr: parseCidr(`${net}/${prefix}`), cls }));

/** The special class of an IPv4 address (uint32), or null for a globally routable one. */
export function classifyIPv4(n: number): AddressClass | null {
  for (const { cidr, cls } of V4_TABLE) {
    if (cidr.family === 4 && maskIPv4(n, cidr.prefix) === cidr.net) return cls;
  }
  return null;
}

/** The special class of an address, or null for a globally routable one. IPv4-mapped IPv6 is judged as IPv4. */
export function classifyIp(ip: ParsedIp): AddressClass | null {
  if (ip.family === 4) return classifyIPv4(ip.v4);
  const h = ip.v6;
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    return classifyIPv4((((h[6] ?? 0) << 16) | (h[7] ?? 0)) >>> 0);
  }
  for (const { cidr, cls } of V6_TABLE) if (cidrContains(cidr, ip)) return cls;
  return null;
}
