/**
 * The `local_networks` option of the pcap input: a CIDR list, matched against the raw source address bytes of a
 * packet (no text formatting on the hot path).
 *
 * Invariants: `parseCidr` accepts `a.b.c.d/n` (0-32), `ipv6/n` (0-128) and a bare address (a host route);
 * anything else is null. Host bits set below the prefix are ignored (`10.1.2.3/8` means 10.0.0.0/8).
 */
import { parseIp } from '../../net/ip.js';

export interface Cidr {
  family: 4 | 6;
  /** The network as 4 (IPv4) or 16 (IPv6) bytes, host bits cleared. */
  bytes: Uint8Array;
  prefix: number;
}

/** @example parseCidr('192.0.2.0/24') // { family: 4, bytes: [192,0,2,0], prefix: 24 } */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr);
  if (ip === null) return null;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  const bytes = new Uint8Array(max / 8);
  if (ip.family === 4) {
    bytes[0] = ip.v4 >>> 24;
    bytes[1] = (ip.v4 >>> 16) & 255;
    bytes[2] = (ip.v4 >>> 8) & 255;
    bytes[3] = ip.v4 & 255;
  } else {
    for (let i = 0; i < 8; i++) {
      const h = ip.v6[i] ?? 0;
      bytes[2 * i] = h >>> 8;
      bytes[2 * i + 1] = h & 255;
    }
  }
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return { family: ip.family, bytes, prefix };
}

/** A set of networks; `contains` tests an address given as bytes inside a packet. */
export class NetworkList {
  private readonly v4: Cidr[];
  private readonly v6: Cidr[];

  /** @throws Error naming the first entry that is not a CIDR (the options schema refuses those earlier). */
  constructor(cidrs: readonly string[]) {
    const parsed = cidrs.map((c) => {
      const p = parseCidr(c);
      if (p === null) throw new Error(`not a CIDR network: ${JSON.stringify(c)}`);
      return p;
    });
    this.v4 = parsed.filter((c) => c.family === 4);
    this.v6 = parsed.filter((c) => c.family === 6);
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  /** Whether the address at `buf[at, at + 4)` (family 4) or `buf[at, at + 16)` (family 6) is in the list. */
  contains(buf: Uint8Array, at: number, family: 4 | 6): boolean {
    const list = family === 4 ? this.v4 : this.v6;
    for (const net of list) if (matches(net, buf, at)) return true;
    return false;
  }
}

function matches(net: Cidr, buf: Uint8Array, at: number): boolean {
  const full = net.prefix >>> 3;
  for (let i = 0; i < full; i++) if (buf[at + i] !== net.bytes[i]) return false;
  const rest = net.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((buf[at + full] ?? 0) & mask) === net.bytes[full];
}
