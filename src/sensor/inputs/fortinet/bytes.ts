/**
 * Byte-level helpers of the appliance inputs (fortinet, paloalto, juniper): they read `buf[a, b)` of a line in
 * place, so the hot path decodes no line to a string. Shared with the paloalto and juniper inputs (which import
 * it from here), so a change here is a change to all three.
 *
 * Invariants:
 * - Every line reader reads inside the range it is given and nothing past it, allocates nothing (except address
 *   strings, fresh and cached, and `text()` for rare paths) and never throws; invalid input gives -1, NaN, false
 *   or null. (KeyTable's constructor throws on a key collision: a programming error, at module load.)
 * - Literal keys are ASCII, pre-encoded once with `ascii()`.
 */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../net/ip.js';

export const TAB = 9;
export const SP = 32;
export const QUOTE = 34;
export const COMMA = 44;
export const DASH = 45;
export const DOT = 46;
export const SLASH = 47;
export const COLON = 58;
export const LT = 60;
export const EQ = 61;
export const GT = 62;
export const LBRACKET = 91;
export const BACKSLASH = 92;
export const RBRACKET = 93;
export const PIPE = 124;
export const LBRACE = 123;

/** The bytes of an ASCII literal, for eqAt. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** True when `lit` is at buf[p] and ends at or before `end`. */
export function eqAt(buf: Uint8Array, p: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (p < 0 || p + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[p + i] !== lit[i]) return false;
  return true;
}

/** True when buf[a, b) is exactly `lit`. */
export function isBytes(buf: Uint8Array, a: number, b: number, lit: Uint8Array): boolean {
  return b - a === lit.length && eqAt(buf, a, b, lit);
}

/** Like isBytes, ignoring ASCII case. */
export function isBytesNoCase(buf: Uint8Array, a: number, b: number, lit: Uint8Array): boolean {
  if (b - a !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (((buf[a + i] ?? 0) | 32) !== ((lit[i] ?? 0) | 32)) return false;
  return true;
}

export function isDigitByte(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** A decimal number of 1 to `max` digits in buf[a, b), or -1. */
export function digits(buf: Uint8Array, a: number, b: number, max: number): number {
  if (b <= a || b - a > max) return -1;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** A port 0-65535 in buf[a, b), or -1. */
export function portAt(buf: Uint8Array, a: number, b: number): number {
  const v = digits(buf, a, b, 5);
  return v > 65535 ? -1 : v;
}

/** An ICMP type: decimal, or hex `0x08` (FortiOS); 0-255, or -1. */
export function icmpTypeAt(buf: Uint8Array, a: number, b: number): number {
  if (b - a > 2 && buf[a] === 48 && ((buf[a + 1] ?? 0) | 32) === 120) {
    if (b - a > 4) return -1;
    let v = 0;
    for (let i = a + 2; i < b; i++) {
      const c = (buf[i] ?? 0) | 32;
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
  const v = digits(buf, a, b, 3);
  return v > 255 ? -1 : v;
}

const P_TCP = ascii('tcp');
const P_UDP = ascii('udp');
const P_ICMP = ascii('icmp');
const P_IPV6_ICMP = ascii('ipv6-icmp');
const P_ICMPV6 = ascii('icmpv6');
const P_ICMP6 = ascii('icmp6');
const P_SCTP = ascii('sctp');
const P_GRE = ascii('gre');
const P_ESP = ascii('esp');
const P_AH = ascii('ah');
const P_IGMP = ascii('igmp');
const P_OSPF = ascii('ospf');
const P_PIM = ascii('pim');
const P_VRRP = ascii('vrrp');
const P_IPV6 = ascii('ipv6');
const P_UDPLITE = ascii('udplite');
const P_EIGRP = ascii('eigrp');
const P_L2TP = ascii('l2tp');
const P_RSVP = ascii('rsvp');
const P_IPIP = ascii('ipip');

/** IANA protocol number of buf[a, b): a decimal 0-255 or a name as appliances print it (any case); or -1. */
export function protocolAt(buf: Uint8Array, a: number, b: number): number {
  if (isDigitByte(buf[a])) {
    const v = digits(buf, a, b, 3);
    return v > 255 ? -1 : v;
  }
  const table: [Uint8Array, number][] = PROTOCOL_TABLE;
  for (const [name, n] of table) if (isBytesNoCase(buf, a, b, name)) return n;
  return -1;
}
const PROTOCOL_TABLE: [Uint8Array, number][] = [
  [P_TCP, 6],
  [P_UDP, 17],
  [P_ICMP, 1],
  [P_IPV6_ICMP, 58],
  [P_ICMPV6, 58],
  [P_ICMP6, 58],
  [P_SCTP, 132],
  [P_GRE, 47],
  [P_ESP, 50],
  [P_AH, 51],
  [P_IGMP, 2],
  [P_OSPF, 89],
  [P_PIM, 103],
  [P_VRRP, 112],
  [P_IPV6, 41],
  [P_UDPLITE, 136],
  [P_EIGRP, 88],
  [P_L2TP, 115],
  [P_RSVP, 46],
  [P_IPIP, 4],
];

/** Index after a syslog `<PRI>` at buf[p], or p when there is none. */
export function skipPri(buf: Uint8Array, p: number, end: number): number {
  if (buf[p] !== LT) return p;
  for (let q = p + 1; q < end && q <= p + 4; q++) {
    const c = buf[q];
    if (c === GT) return q > p + 1 ? q + 1 : p;
    if (!isDigitByte(c)) return p;
  }
  return p;
}

/** Index of the first byte of buf[p, end) that is not a space or tab. */
export function skipSpaces(buf: Uint8Array, p: number, end: number): number {
  while (p < end && (buf[p] === SP || buf[p] === TAB)) p++;
  return p;
}

/** End of buf[start, end) without trailing CR, LF, tab and spaces. */
export function trimEnd(buf: Uint8Array, start: number, end: number): number {
  while (end > start) {
    const c = buf[end - 1];
    if (c !== 10 && c !== 13 && c !== SP && c !== TAB) break;
    end--;
  }
  return end;
}

/** Index of `byte` in buf[p, end), or -1. */
export function indexIn(buf: Uint8Array, byte: number, p: number, end: number): number {
  for (let i = p; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

/**
 * Epoch time of a run of digits whose unit follows from its length: up to 11 digits seconds, 12-14 ms,
 * 15-17 microseconds, 18-19 nanoseconds (FortiOS `eventtime`). @returns ms, or NaN.
 */
export function epochAt(buf: Uint8Array, a: number, b: number): number {
  const n = b - a;
  if (n <= 0 || n > 19) return NaN;
  const keep = n <= 14 ? n : n <= 17 ? n - 3 : n - 6;
  const v = digits(buf, a, a + keep, 14);
  if (v < 0) return NaN;
  for (let i = a + keep; i < b; i++) if (!isDigitByte(buf[i])) return NaN;
  return n <= 11 ? v * 1000 : v;
}

/**
 * A UTC offset in buf[a, b): `+0200`, `-07:00`, `+2`, `UTC+2`, `GMT-03:30`, `Z`, `UTC`. @returns minutes east of
 * UTC, or NaN when it is not one.
 */
export function offsetAt(buf: Uint8Array, a: number, b: number): number {
  let p = a;
  const c0 = (buf[p] ?? 0) | 32;
  if (
    b - p >= 3 &&
    ((c0 === 117 && ((buf[p + 1] ?? 0) | 32) === 116) || (c0 === 103 && ((buf[p + 1] ?? 0) | 32) === 109))
  )
    p += 3; // UTC, GMT
  else if (b - p === 1 && c0 === 122) return 0; // Z
  if (p === b) return 0;
  const sign = buf[p];
  if (sign !== 43 && sign !== 45) return NaN;
  p++;
  let h: number;
  let m = 0;
  const rest = b - p;
  if (rest <= 2) h = digits(buf, p, b, 2);
  else if (rest === 4) {
    h = digits(buf, p, p + 2, 2);
    m = digits(buf, p + 2, p + 4, 2);
  } else if (rest === 5 && buf[p + 2] === COLON) {
    h = digits(buf, p, p + 2, 2);
    m = digits(buf, p + 3, p + 5, 2);
  } else return NaN;
  if (h < 0 || h > 14 || m < 0 || m > 59) return NaN;
  return (sign === 45 ? -1 : 1) * (h * 60 + m);
}

const CACHE_SIZE = 1024;

/** Canonical address strings of recently seen addresses, so a scan from one source formats its address once. */
export class AddressCache {
  private readonly keys = new Float64Array(CACHE_SIZE).fill(-1);
  private readonly vals: string[] = new Array<string>(CACHE_SIZE).fill('');
  private readonly h = new Uint16Array(8);
  private readonly last6 = new Uint16Array(8);
  private last6Text = '';

  /** Canonical text of the address in buf[a, b), or null when it is not one. */
  at(buf: Uint8Array, a: number, b: number): string | null {
    if (b <= a || b - a > 45) return null;
    const v4 = parseIPv4(buf, a, b);
    if (v4 >= 0) {
      const i = (v4 ^ (v4 >>> 10) ^ (v4 >>> 20)) & (CACHE_SIZE - 1);
      if (this.keys[i] === v4) return this.vals[i] ?? formatIPv4(v4);
      const s = formatIPv4(v4);
      this.keys[i] = v4;
      this.vals[i] = s;
      return s;
    }
    const h = this.h;
    if (!parseIPv6(buf, a, b, h)) return null;
    const l = this.last6;
    let same = this.last6Text !== '';
    for (let i = 0; i < 8 && same; i++) same = l[i] === h[i];
    if (!same) {
      l.set(h);
      this.last6Text = formatIPv6(h);
    }
    return this.last6Text;
  }
}

/** `buf[a, b)` as a latin1 string (one char per byte): for the rare paths only. */
export function text(buf: Uint8Array, a: number, b: number): string {
  const bb = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return bb.toString('latin1', a, b);
}

/** The event protocol of an IP protocol number 0-255 (the `port` of `other` is the number itself). */
export function protocolOfNumber(n: number): 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'other' {
  return n === 6 ? 'tcp' : n === 17 ? 'udp' : n === 1 ? 'icmp' : n === 58 ? 'icmp6' : 'other';
}

/**
 * A fixed set of ASCII keys, looked up from bytes: a hash of the length and the first and last two bytes picks
 * the candidate, one comparison confirms it. For key=value formats with dozens of keys per line.
 */
export class KeyTable {
  private readonly ids = new Map<number, number>();
  private readonly keys: Uint8Array[] = [];
  private readonly idOf: number[] = [];

  /** @param entries key and the id `get` returns for it (ids >= 0). */
  constructor(entries: readonly (readonly [string, number])[]) {
    for (const [key, id] of entries) {
      const bytes = ascii(key);
      const h = KeyTable.hash(bytes, 0, bytes.length);
      if (this.ids.has(h)) throw new Error(`KeyTable: ${key} collides with another key`);
      this.ids.set(h, this.keys.length);
      this.keys.push(bytes);
      this.idOf.push(id);
    }
  }

  private static hash(buf: Uint8Array, a: number, b: number): number {
    const n = b - a;
    return (
      (((n * 131 + (buf[a] ?? 0)) * 131 + (buf[a + 1] ?? 0)) * 131 + (buf[b - 1] ?? 0)) * 131 +
      (buf[b - 2] ?? 0)
    );
  }

  /** The id of the key buf[a, b), or -1 when it is not one of the table's. */
  get(buf: Uint8Array, a: number, b: number): number {
    if (b - a < 2) return -1;
    const k = this.ids.get(KeyTable.hash(buf, a, b));
    if (k === undefined) return -1;
    return isBytes(buf, a, b, this.keys[k]!) ? this.idOf[k]! : -1;
  }
}
