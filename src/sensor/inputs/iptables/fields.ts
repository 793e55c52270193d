/**
 * Byte-level helpers of the netfilter parser (parser.ts): field keys, numbers, protocol names, TCP flag letters,
 * and the cache of canonical address strings. All read `buf[p, q)` only and allocate nothing, except the address
 * strings (fresh, never views of the read buffer).
 */
import type { Protocol } from '../../../core/event.js';
import { formatIPv4, formatIPv6 } from '../../net/ip.js';

export const SP = 32;
export const EQ = 61;

/** Flag letters for each combination of the 8 TCP flag bits, in FSRPAUEC order (bit i = letter i). */
const FLAG_LETTERS = 'FSRPAUEC';
export const FLAG_STRINGS: string[] = Array.from({ length: 256 }, (_, m) =>
  [...FLAG_LETTERS].filter((_l, i) => (m >> i) & 1).join(''),
);

export function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** A decimal number of at most 5 digits in [p, q), or -1. */
export function port(buf: Uint8Array, p: number, q: number): number {
  if (q <= p || q - p > 5) return -1;
  let v = 0;
  for (let i = p; i < q; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

export function eq3(buf: Uint8Array, p: number, a: number, b: number, c: number): boolean {
  return buf[p] === a && buf[p + 1] === b && buf[p + 2] === c;
}

/** True when the 3 letters at p are a bare word (followed by a space or the end). */
export function bare3(buf: Uint8Array, p: number, end: number, a: number, b: number, c: number): boolean {
  return p + 3 <= end && eq3(buf, p, a, b, c) && (p + 3 === end || buf[p + 3] === SP);
}

/** Protocol of a PROTO= value: [proto, port-for-other] (port -1 for named protocols), or null. */
export function protoOf(buf: Uint8Array, p: number, q: number): [Protocol, number] | null {
  const len = q - p;
  const c = buf[p] ?? 0;
  if (c >= 48 && c <= 57) {
    const n = len <= 3 ? port(buf, p, q) : -1;
    // The kernel names TCP, UDP, ICMP and ICMPv6 when it can decode them; a number is whatever the header says
    // (PROTO=58 in an IPv4 header is a protocol scan, not ICMPv6), so it is always `other`.
    return n < 0 || n > 255 ? null : ['other', n];
  }
  if (len === 3 && eq3(buf, p, 84, 67, 80)) return TCP;
  if (len === 3 && eq3(buf, p, 85, 68, 80)) return UDP;
  if (len === 4 && eq3(buf, p, 73, 67, 77) && buf[p + 3] === 80) return ICMP;
  if (len === 6 && eq3(buf, p, 73, 67, 77) && buf[p + 3] === 80 && buf[p + 4] === 118 && buf[p + 5] === 54)
    return ICMP6;
  if (len === 7 && eq3(buf, p, 85, 68, 80) && eq3(buf, p + 3, 76, 73, 84) && buf[p + 6] === 69)
    return ['other', 136]; // UDPLITE
  if (len === 2 && buf[p] === 65 && buf[p + 1] === 72) return ['other', 51]; // AH
  if (len === 3 && eq3(buf, p, 69, 83, 80)) return ['other', 50]; // ESP
  if (len === 4 && eq3(buf, p, 83, 67, 84) && buf[p + 3] === 80) return ['other', 132]; // SCTP
  return null;
}
const TCP: [Protocol, number] = ['tcp', -1];
const UDP: [Protocol, number] = ['udp', -1];
const ICMP: [Protocol, number] = ['icmp', -1];
const ICMP6: [Protocol, number] = ['icmp6', -1];

const CACHE_SIZE = 1024;

/** Canonical strings of recently seen addresses, so a scan from one source formats its address once. */
export class AddressStrings {
  private readonly keys = new Float64Array(CACHE_SIZE).fill(-1);
  private readonly vals: string[] = new Array<string>(CACHE_SIZE).fill('');
  private readonly last6 = new Uint16Array(8);
  private last6Text = '';

  v4(n: number): string {
    const i = (n ^ (n >>> 10) ^ (n >>> 20)) & (CACHE_SIZE - 1);
    if (this.keys[i] === n) return this.vals[i] ?? formatIPv4(n);
    const s = formatIPv4(n);
    this.keys[i] = n;
    this.vals[i] = s;
    return s;
  }

  v6(h: Uint16Array): string {
    const l = this.last6;
    if (
      this.last6Text !== '' &&
      l[0] === h[0] &&
      l[1] === h[1] &&
      l[2] === h[2] &&
      l[3] === h[3] &&
      l[4] === h[4] &&
      l[5] === h[5] &&
      l[6] === h[6] &&
      l[7] === h[7]
    ) {
      return this.last6Text;
    }
    l.set(h);
    this.last6Text = formatIPv6(h);
    return this.last6Text;
  }
}
