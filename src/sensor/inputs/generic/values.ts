/**
 * Field values read from bytes, shared by the JSON and CSV inputs: addresses, ports, protocols, TCP flags, times.
 * Every reader looks at `buf[s, e)` only, never throws, and returns a sentinel (null, -1, NaN) for a bad value.
 */
import type { Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { AddressStrings, FLAG_STRINGS } from '../iptables/fields.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export { FLAG_STRINGS };

/** Latest time accepted (9999-12-31T23:59:59.999Z): anything later is not a time but a misread number. */
export const MAX_TS = 253_402_300_799_999;

/**
 * Canonical address strings of addresses read from bytes, with their loopback-ness. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports for an IPv4 peer) comes out as the IPv4 address: the
 * peer spoke IPv4, and aggregation and the privacy filter key on that.
 */
export class AddressReader {
  /** Whether the last address read was a loopback one (127.0.0.0/8, ::1). */
  loopback = false;
  private readonly h = new Uint16Array(8);
  private readonly strings = new AddressStrings();

  read(buf: Uint8Array, s: number, e: number): string | null {
    this.loopback = false;
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) {
      this.loopback = v4 >>> 24 === 127;
      return this.strings.v4(v4);
    }
    const h = this.h;
    if (e - s > 45 || !parseIPv6(buf, s, e, h)) return null;
    if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0) {
      if (h[5] === 0xffff) {
        const n = (h[6] ?? 0) * 65536 + (h[7] ?? 0);
        this.loopback = n >>> 24 === 127;
        return this.strings.v4(n);
      }
      this.loopback = h[5] === 0 && h[6] === 0 && h[7] === 1;
    }
    return this.strings.v6(h);
  }
}

/** A decimal integer in [s, e) (no sign, at most 15 digits), or -1. */
export function uint(buf: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** A port number 0-65535 in [s, e), or -1. */
export function portAt(buf: Uint8Array, s: number, e: number): number {
  const n = e - s <= 5 ? uint(buf, s, e) : -1;
  return n > 65535 ? -1 : n;
}

/** True when [s, e) is a negative integer (`-1`, what some programs write for "no port"). */
export function isNegativeInt(buf: Uint8Array, s: number, e: number): boolean {
  return e - s >= 2 && buf[s] === 45 && uint(buf, s + 1, e) >= 0;
}

/** Lower-case ASCII of [s, e) when it is short (at most 16 bytes), else ''. */
function lowerShort(buf: Uint8Array, s: number, e: number): string {
  if (e - s > 16) return '';
  let out = '';
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
  }
  return out;
}

/** IANA protocol numbers of the names logs use. */
const PROTO_NAMES: ReadonlyMap<string, number> = new Map([
  ['tcp', 6],
  ['udp', 17],
  ['icmp', 1],
  ['icmp6', 58],
  ['icmpv6', 58],
  ['ipv6-icmp', 58],
  ['igmp', 2],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['sctp', 132],
  ['udplite', 136],
  ['udp-lite', 136],
  ['ospf', 89],
  ['ipip', 4],
  ['ipv6', 41],
]);

/** The IP protocol number a protocol field names (`tcp`, `TCP`, `6`, `ipv6-icmp`, ...), or -1. */
export function protoNumber(buf: Uint8Array, s: number, e: number): number {
  const c = buf[s] ?? 0;
  if (c >= 48 && c <= 57) {
    const n = e - s <= 3 ? uint(buf, s, e) : -1;
    return n > 255 ? -1 : n;
  }
  if (e - s === 3) {
    const a = c | 32;
    const b = (buf[s + 1] ?? 0) | 32;
    const d = (buf[s + 2] ?? 0) | 32;
    if (a === 116 && b === 99 && d === 112) return 6; // tcp
    if (a === 117 && b === 100 && d === 112) return 17; // udp
  }
  return PROTO_NAMES.get(lowerShort(buf, s, e)) ?? -1;
}

/** The event protocol of an IP protocol number (`other` for all but TCP, UDP, ICMP, ICMPv6). */
export function protocolOf(n: number, ipv6Src: boolean): Protocol {
  switch (n) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      // Zeek writes `icmp` for ICMPv6 too: the address family tells them apart.
      return ipv6Src ? 'icmp6' : 'icmp';
    case 58:
      return 'icmp6';
    default:
      return 'other';
  }
}

const FLAG_WORDS: ReadonlyMap<string, number> = new Map([
  ['fin', 1],
  ['syn', 2],
  ['rst', 4],
  ['psh', 8],
  ['ack', 16],
  ['urg', 32],
  ['ece', 64],
  ['cwr', 128],
]);
const FLAG_LETTER_BIT = new Int16Array(128).fill(-1);
for (const [i, l] of [...'FSRPAUEC'].entries()) {
  FLAG_LETTER_BIT[l.charCodeAt(0)] = 1 << i;
  FLAG_LETTER_BIT[l.toLowerCase().charCodeAt(0)] = 1 << i;
}

/**
 * TCP flags as a bit mask (bit 0 FIN .. bit 7 CWR, the TCP header order), from letters in any order and case
 * (`S`, `SA`, `fpu`), from words separated by space, comma, '|' or '/' (`SYN ACK`, `syn,ack`), or from the
 * header byte as a decimal number (`18`) or `0x12`. @returns -1 when the text is none of these.
 */
export function flagMask(buf: Uint8Array, s: number, e: number): number {
  if (e <= s) return 0;
  const c0 = buf[s] ?? 0;
  if (c0 >= 48 && c0 <= 57) {
    if (e - s > 2 && c0 === 48 && ((buf[s + 1] ?? 0) | 32) === 120) {
      let v = 0;
      for (let i = s + 2; i < e; i++) {
        const c = (buf[i] ?? 0) | 32;
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
        if (d < 0 || i - s > 4) return -1;
        v = v * 16 + d;
      }
      return v;
    }
    const n = uint(buf, s, e);
    return n > 255 ? -1 : n;
  }
  let mask = 0;
  let letters = true;
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    const bit = c < 128 ? (FLAG_LETTER_BIT[c] ?? -1) : -1;
    if (bit < 0) {
      letters = false;
      break;
    }
    mask |= bit;
  }
  if (letters) return mask;
  mask = 0;
  let w = s;
  for (let i = s; i <= e; i++) {
    const c = i < e ? buf[i] : 32;
    if (c === 32 || c === 44 || c === 124 || c === 47) {
      if (i > w) {
        const bit = FLAG_WORDS.get(lowerShort(buf, w, i));
        if (bit === undefined) return -1;
        mask |= bit;
      }
      w = i + 1;
    }
  }
  return mask;
}

/** How a time value is written: `auto` tells epoch numbers by size and parses text stamps otherwise. */
export type TimeFormat = 'auto' | 'iso' | 'epoch_s' | 'epoch_ms' | 'epoch_us';

/**
 * Reads time values: epoch numbers (seconds, ms, µs; with a fraction) and text stamps (RFC 3339 / ISO 8601 with
 * `T` or a space, `Z` or an offset or none; classic syslog `Mmm dd HH:MM:SS`; see iptables/timestamp.ts).
 * Stamps without a zone are read in `zone`.
 */
export class TimeReader {
  private readonly stamp: StampParser;

  constructor(
    zone: TimeZoneMode,
    private readonly format: TimeFormat = 'auto',
  ) {
    this.stamp = new StampParser(zone);
  }

  /** The time in [s, e) in ms (an integer), or NaN. */
  read(buf: Uint8Array, s: number, e: number, now: number): number {
    if (e <= s) return NaN;
    const f = this.format;
    let ms: number;
    if (f === 'iso') {
      // Text stamps only: digits not followed by a date's '-' are an epoch number, not ISO 8601.
      const c = buf[s] ?? 0;
      if (c >= 48 && c <= 57 && buf[s + 4] !== 45) return NaN;
      ms = this.text(buf, s, e, now);
    } else if (f === 'auto') {
      const c = buf[s] ?? 0;
      const epoch = c >= 48 && c <= 57 ? epochParts(buf, s, e) : null;
      if (epoch !== null) {
        // Seconds until 5138, then ms, µs, ns: the digits of the integer part tell the unit.
        const digits = epoch.intDigits;
        ms =
          digits <= 11
            ? scaled(epoch, 3)
            : digits <= 14
              ? scaled(epoch, 0)
              : digits <= 17
                ? scaled(epoch, -3)
                : scaled(epoch, -6);
      } else {
        ms = this.text(buf, s, e, now);
      }
    } else {
      const epoch = epochParts(buf, s, e);
      if (epoch === null) return NaN;
      ms = scaled(epoch, f === 'epoch_s' ? 3 : f === 'epoch_ms' ? 0 : -3);
    }
    return ms >= 0 && ms <= MAX_TS ? ms : NaN;
  }

  private text(buf: Uint8Array, s: number, e: number, now: number): number {
    const q = this.stamp.parse(buf, s, e, now);
    return q === e ? this.stamp.ts : NaN;
  }
}

interface EpochParts {
  int: number;
  intDigits: number;
  /** The fraction's first 6 digits as µs. */
  fracUs: number;
}
const epochScratch: EpochParts = { int: 0, intDigits: 0, fracUs: 0 };

/** `digits[.digits]` (or with an exponent) split into integer part and fraction, or null. */
function epochParts(buf: Uint8Array, s: number, e: number): EpochParts | null {
  let p = s;
  let int = 0;
  while (p < e) {
    const c = buf[p] ?? 0;
    if (c < 48 || c > 57) break;
    int = int * 10 + (c - 48);
    p++;
  }
  const intDigits = p - s;
  if (intDigits === 0 || intDigits > 20) return null;
  let fracUs = 0;
  if (p < e && buf[p] === 46) {
    p++;
    let scale = 100_000;
    const f = p;
    while (p < e) {
      const c = buf[p] ?? 0;
      if (c < 48 || c > 57) break;
      fracUs += (c - 48) * scale;
      scale = Math.floor(scale / 10);
      p++;
    }
    if (p === f) return null;
  }
  if (p < e && ((buf[p] ?? 0) | 32) === 101) {
    // Exponent notation (1.7e9): rare, read through Number.
    const v = Number(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'));
    if (!Number.isFinite(v) || v < 0) return null;
    epochScratch.int = Math.floor(v);
    epochScratch.intDigits = String(Math.floor(v)).length;
    epochScratch.fracUs = Math.floor((v - Math.floor(v)) * 1e6);
    return epochScratch;
  }
  if (p !== e) return null;
  epochScratch.int = int;
  epochScratch.intDigits = intDigits;
  epochScratch.fracUs = fracUs;
  return epochScratch;
}

/** ms from epoch parts counted in units of 10^-k s... as ms: k = 3 for seconds, 0 for ms, -3 for µs, -6 for ns. */
function scaled(p: EpochParts, k: number): number {
  if (k === 3) return p.int * 1000 + Math.floor(p.fracUs / 1000);
  if (k === 0) return p.int;
  return Math.floor(p.int / 10 ** -k);
}
