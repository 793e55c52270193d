/**
 * OpenBSD / FreeBSD pf log lines as `tcpdump -n -e -ttt -r /var/log/pflog` prints them, bare or wrapped in syslog
 * (`<syslog header> pf: <tcpdump line>`):
 *   [time] rule <n>[.<anchor>.<m>]/[<k>](<reason>)[:] <action> <in|out> on <if>: <src>[.<sport>] > <dst>[.<dport>]: <proto text>
 * - pflog header (tcpdump print-pflog.c): OpenBSD `rule 2/(match) pass in on xl0: `, tcpdump.org
 *   `rule 0/0(match): block in on em0: `; with -v OpenBSD adds `[uid u, pid p] ` and `[rewritten: ...] `.
 * - Packet, OpenBSD's tcpdump: `S 1:1(0) win 16384 <mss 1460>`, `. ack 5 win 73`, `  udp 57`,
 *   `icmp: echo request`, `icmp6: neighbor sol: ...`; tcpdump.org: `Flags [S], seq 1, ... length 0`,
 *   `UDP, length 57`, `ICMP echo request, id 1, ...`, `ICMP6, echo request, ...`; other protocols by name
 *   (`ip-proto-112`, `ESP(spi=...)`, `CARPv2-advertise`, ...). IPv6 addresses also end in `.port`.
 * - Time: a syslog header's stamp when there is one; else a bare line's own absolute stamp: OpenBSD's -ttt is
 *   the capture time in local time, `Mmm dd HH:MM:SS.frac` (usr.sbin/tcpdump/util.c ts_print: strftime
 *   "%b %d %T"), tcpdump.org's -tttt `YYYY-MM-DD HH:MM:SS.frac`, -tt epoch seconds. A bare line with only a
 *   delta (tcpdump.org -ttt `00:00:00.123456`, OpenBSD -tttt `0.123456`) or a time of day takes ctx.now.
 * - Direction from the pflog header: `out` is a skip `outbound`; loopback interfaces (lo0) `loopback`.
 *
 * Invariants: addresses and ports are parsed from the bytes; the only strings built are the event's addresses
 * (fresh, cached) and, for ICMP and protocol names, a short latin1 copy of the text to look up.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, FLAG_STRINGS, port } from '../iptables/fields.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { icmp6Type, icmpType } from './icmp.js';
import {
  bytesAre,
  HDR_BAD_TIME,
  HDR_NONE,
  HDR_STAMP,
  hasTag,
  skipSpaces,
  SP,
  SyslogHeader,
} from './syslog.js';

export const PF_MALFORMED_REASONS = [
  'bad_time',
  'bad_header',
  'missing_packet',
  'bad_src',
  'bad_dst',
  'missing_port',
  'bad_port',
  'unknown_icmp_type',
  'unknown_proto',
] as const;
export type PfMalformedReason = (typeof PF_MALFORMED_REASONS)[number];
const BAD = malformedResults(PF_MALFORMED_REASONS);

const DOT = 46;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LPAREN = 40;
const RPAREN = 41;
const PIPE = 124;
const GT = 62;

/** Port slot values besides 0..65535. */
const NO_PORT = -1;
const BAD_PORT = -2;

// TCP flag bits in FSRPAUEC order (iptables/fields.ts FLAG_STRINGS).
const F_FIN = 1;
const F_SYN = 2;
const F_RST = 4;
const F_PSH = 8;
const F_ACK = 16;
const F_URG = 32;
const F_ECE = 64;
const F_CWR = 128;

/**
 * IANA numbers of the protocols tcpdump names when it prints no ports, by the first word in lower case:
 * exactly (`ESP(spi=..)`, `AH(spi=..)`), or as a prefix when a version may follow (`GREv0`, `CARPv2-advertise`).
 */
const OTHER_PROTOCOLS: ReadonlyArray<readonly [string, number, boolean]> = [
  ['esp', 50, false],
  ['ah', 51, false],
  ['sctp', 132, false],
  ['dccp', 33, false],
  ['rsvp', 46, false],
  ['ipcomp', 108, false],
  ['pfsync', 240, false],
  ['etherip', 97, false],
  ['eigrp', 88, false],
  ['igmp', 2, true],
  ['gre', 47, true],
  ['carp', 112, true],
  ['vrrp', 112, true],
  ['pim', 103, true],
  ['ospf', 89, true],
];

export interface PfParserOptions {
  /** Zone of stamps that carry none (classic syslog, OpenBSD -ttt). Default 'local'. */
  timezone?: TimeZoneMode;
}

/** The pf (tcpdump pflog) parser. One instance per input: it holds only caches, never line data. */
export class PfParser implements InputParser {
  readonly type = 'pf';
  private readonly header: SyslogHeader;
  private readonly inner: StampParser;
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private readonly scratch = new Utf8Scratch();
  /** Port found by the last `addressPort` call (NO_PORT, BAD_PORT or 0..65535). */
  private lastPort = NO_PORT;

  constructor(opts: PfParserOptions = {}) {
    const zone = opts.timezone ?? 'local';
    this.header = new SyslogHeader(zone);
    this.inner = new StampParser(zone);
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    while (end > start) {
      const c = buf[end - 1];
      if (c !== 10 && c !== 13 && c !== SP && c !== 9) break;
      end--;
    }
    if (end <= start) return SKIP.empty;

    const h = this.header;
    const kind = h.parse(buf, start, end, ctx.now);
    let ts: number;
    let p: number;
    let strict = true; // a failed pflog header is malformed (false: another program's "rule ..." line)
    if (kind === HDR_NONE) {
      p = this.skipDelta(buf, start, end);
      if (!isRule(buf, p, end)) return hasTag(buf, start, end, 'pf') ? BAD.bad_time : SKIP.not_firewall;
      ts = ctx.now;
    } else if (kind === HDR_BAD_TIME) {
      return hasTag(buf, start, end, 'pf') ? BAD.bad_time : SKIP.not_firewall;
    } else {
      ts = h.ts;
      p = skipSpaces(buf, h.afterStamp, end);
      if (!isRule(buf, p, end)) {
        // Not a bare line with its own stamp: a syslog line; the tcpdump line is its body.
        if (kind === HDR_STAMP) return SKIP.not_firewall;
        const pfTag = h.tagEnd - h.tagStart >= 2 && buf[h.tagStart] === 112 && buf[h.tagStart + 1] === 102;
        p = this.skipInnerTime(buf, h.body, end, ctx.now);
        if (!isRule(buf, p, end)) return pfTag ? SKIP.not_attempt : SKIP.not_firewall;
        strict = pfTag;
      }
    }
    return this.record(buf, p + 5, end, ts, strict);
  }

  /** From just after `rule `: the pflog header, then the packet. */
  private record(buf: Uint8Array, p: number, end: number, ts: number, strict: boolean): ParseResult {
    // The direction is the word before "on", the interface the word after it (ending in ':').
    let prevS = -1;
    let prevE = -1;
    let ifS = -1;
    let ifE = -1;
    for (let n = 0; n < 12 && p < end; n++) {
      p = skipSpaces(buf, p, end);
      const s = p;
      while (p < end && buf[p] !== SP) p++;
      if (p - s === 2 && buf[s] === 111 && buf[s + 1] === 110 && prevS >= 0) {
        p = skipSpaces(buf, p, end);
        const q = p;
        while (p < end && buf[p] !== SP) p++;
        if (p > q + 1 && buf[p - 1] === COLON) {
          ifS = q;
          ifE = p - 1;
        }
        break;
      }
      prevS = s;
      prevE = p;
    }
    if (ifS < 0) return strict ? BAD.bad_header : SKIP.not_firewall;
    if (prevE - prevS === 3 && bytesAre(buf, prevS, prevE, 'out')) return SKIP.outbound;
    if (isLoopback(buf, ifS, ifE)) return SKIP.loopback;
    return this.packet(buf, skipSpaces(buf, p, end), end, ts);
  }

  /** `[uid..] [rewritten..] [truncated-ip..] [IP ] [(tos ..)] src > dst: rest`. */
  private packet(buf: Uint8Array, p: number, end: number, ts: number): ParseResult {
    while (p + 1 < end && buf[p] === LBRACKET && buf[p + 1] !== PIPE) {
      while (p < end && buf[p] !== RBRACKET) p++;
      p = skipSpaces(buf, p + 1, end);
    }
    if (bytesAre(buf, p, end, 'truncated-ip')) {
      while (p < end && buf[p] !== 33) p++; // "truncated-ip - 20 bytes missing! "
      p = skipSpaces(buf, p + 1, end);
    }
    if (bytesAre(buf, p, end, 'IP ')) p = skipSpaces(buf, p + 3, end);
    else if (bytesAre(buf, p, end, 'IP6 ')) p = skipSpaces(buf, p + 4, end);
    if (p < end && buf[p] === LPAREN && !bytesAre(buf, p, end, '(frag')) {
      // -v IP header details "(tos 0x0, ttl 64, ..., proto TCP (6), length 60)".
      let depth = 0;
      for (; p < end; p++) {
        if (buf[p] === LPAREN) depth++;
        else if (buf[p] === RPAREN && --depth === 0) break;
      }
      p = skipSpaces(buf, p + 1, end);
    }

    const sS = p;
    while (p < end && buf[p] !== SP) p++;
    const sE = p;
    p = skipSpaces(buf, p, end);
    if (sE === sS || p + 1 >= end || buf[p] !== GT || buf[p + 1] !== SP) return BAD.missing_packet;
    p = skipSpaces(buf, p + 2, end);
    const dS = p;
    while (p < end && buf[p] !== SP) p++;
    let dE = p;
    if (dE > dS && buf[dE - 1] === COLON) dE--;
    else return BAD.missing_packet;
    const r = skipSpaces(buf, p, end);

    const src = this.addressPort(buf, sS, sE, this.srcStrings);
    if (src === null) return BAD.bad_src;
    const sport = this.lastPort;
    const dst = this.addressPort(buf, dS, dE, this.dstStrings);
    if (dst === null) return BAD.bad_dst;
    const dport = this.lastPort;

    if (r >= end) return BAD.unknown_proto; // cut after the addresses: TCP or UDP cannot be told
    // tcpdump.org TCP, truncated headers, OpenBSD UDP / ICMP, tcpdump.org UDP / ICMP.
    if (bytesAre(buf, r, end, 'Flags ['))
      return this.ports('tcp', ts, src, dst, sport, dport, newFlags(buf, r + 7, end));
    if (r + 1 < end && buf[r] === LBRACKET && buf[r + 1] === PIPE) {
      if (bytesAre(buf, r + 2, end, 'tcp]')) return this.ports('tcp', ts, src, dst, sport, dport, -1);
      if (bytesAre(buf, r + 2, end, 'udp]')) return this.ports('udp', ts, src, dst, sport, dport, -1);
      if (bytesAre(buf, r + 2, end, 'icmp6]') || bytesAre(buf, r + 2, end, 'icmp]'))
        return BAD.unknown_icmp_type;
    }
    if (
      (bytesAre(buf, r, end, 'udp') && (r + 3 === end || buf[r + 3] === SP)) ||
      bytesAre(buf, r, end, 'UDP,')
    )
      return this.ports('udp', ts, src, dst, sport, dport, -1);
    if (bytesAre(buf, r, end, 'icmp6:')) return this.icmp('icmp6', buf, r + 6, end, ts, src, dst);
    if (bytesAre(buf, r, end, 'ICMP6')) return this.icmp('icmp6', buf, r + 5, end, ts, src, dst);
    if (bytesAre(buf, r, end, 'icmp:')) return this.icmp('icmp', buf, r + 5, end, ts, src, dst);
    if (bytesAre(buf, r, end, 'ICMP ')) return this.icmp('icmp', buf, r + 5, end, ts, src, dst);
    if (sport !== NO_PORT && dport !== NO_PORT) {
      // OpenBSD's TCP: a flags word first ("S", ".", "FP", ...); anything else with ports is UDP decoded as its
      // application (DNS, NTP, ...), or SCTP / DCCP named.
      const flags = oldFlags(buf, r, end);
      if (flags >= 0) return this.ports('tcp', ts, src, dst, sport, dport, flags);
      const other = this.otherProtocol(buf, r, end);
      if (other === 132 || other === 33) return this.event('other', other, ts, src, dst, undefined);
      return this.ports('udp', ts, src, dst, sport, dport, -1);
    }
    if (bytesAre(buf, r, end, '(frag')) return SKIP.not_attempt; // a later fragment: no transport header
    if (sport !== NO_PORT || dport !== NO_PORT)
      return sport === BAD_PORT || dport === BAD_PORT ? BAD.bad_port : BAD.missing_port;
    const proto = this.otherProtocol(buf, r, end);
    if (proto < 0) return BAD.unknown_proto;
    return this.event('other', proto, ts, src, dst, undefined);
  }

  private ports(
    proto: 'tcp' | 'udp',
    ts: number,
    src: string,
    dst: string,
    sport: number,
    dport: number,
    flags: number,
  ): ParseResult {
    if (dport === NO_PORT) return BAD.missing_port;
    if (dport === BAD_PORT || sport === BAD_PORT) return BAD.bad_port;
    const event: AttackEvent = {
      ts,
      proto,
      port: dport,
      src,
      sport: sport === NO_PORT ? undefined : sport,
      dst,
      flags: flags >= 0 ? FLAG_STRINGS[flags] : undefined,
    };
    return { kind: 'event', event };
  }

  private icmp(
    proto: 'icmp' | 'icmp6',
    buf: Uint8Array,
    p: number,
    end: number,
    ts: number,
    src: string,
    dst: string,
  ): ParseResult {
    // "icmp: echo request", "ICMP echo request, id 1", "ICMP6, echo request, seq 1".
    p = skipSpaces(buf, p, end);
    if (p < end && buf[p] === 44) p = skipSpaces(buf, p + 1, end);
    const text = latin1(buf, p, Math.min(end, p + 48));
    const type = proto === 'icmp' ? icmpType(text) : icmp6Type(text);
    if (type < 0) return BAD.unknown_icmp_type;
    return this.event(proto, type, ts, src, dst, undefined);
  }

  private event(
    proto: Protocol,
    port: number,
    ts: number,
    src: string,
    dst: string,
    flags: string | undefined,
  ): ParseResult {
    return { kind: 'event', event: { ts, proto, port, src, sport: undefined, dst, flags } };
  }

  /** IANA number of the protocol named by the first word at `p` (`ip-proto-112`, `ESP(spi..)`), or -1. */
  private otherProtocol(buf: Uint8Array, p: number, end: number): number {
    if (bytesAre(buf, p, end, 'ip-proto-')) {
      let q = p + 9;
      while (q < end && buf[q]! >= 48 && buf[q]! <= 57) q++;
      const n = port(buf, p + 9, q);
      return n >= 0 && n <= 255 ? n : -1;
    }
    let q = p;
    while (q < end && q - p < 24 && isWordByte(buf[q]!)) q++;
    if (q === p) return -1;
    const word = latin1(buf, p, q).toLowerCase();
    for (const [name, n, prefix] of OTHER_PROTOCOLS)
      if (prefix ? word.startsWith(name) : word === name) return n;
    return -1;
  }

  /** Canonical text of the address in [s, e), or of `addr.port` (then `lastPort` is set), or null. */
  private addressPort(buf: Uint8Array, s: number, e: number, strings: AddressStrings): string | null {
    this.lastPort = NO_PORT;
    const whole = this.address(buf, s, e, strings);
    if (whole !== null) return whole;
    let d = e - 1;
    while (d > s && buf[d] !== DOT) d--;
    if (d <= s) return null;
    const a = this.address(buf, s, d, strings);
    if (a === null) return null;
    const n = port(buf, d + 1, e);
    this.lastPort = n < 0 || n > 65535 ? BAD_PORT : n;
    return a;
  }

  private address(buf: Uint8Array, s: number, e: number, strings: AddressStrings): string | null {
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }

  /** Skips a bare line's relative time (`00:00:00.123456`, `-0.5`): up to two tokens of digits : . - */
  private skipDelta(buf: Uint8Array, p: number, end: number): number {
    p = skipSpaces(buf, p, end);
    for (let n = 0; n < 2; n++) {
      const q = timeToken(buf, p, end);
      if (q < 0) break;
      p = skipSpaces(buf, q, end);
    }
    return p;
  }

  /** Skips the tcpdump time inside a syslog body: an absolute stamp, or a relative time. */
  private skipInnerTime(buf: Uint8Array, p: number, end: number, now: number): number {
    p = skipSpaces(buf, p, end);
    const q = this.inner.parse(buf, p, end, now);
    return q >= 0 ? skipSpaces(buf, q, end) : this.skipDelta(buf, p, end);
  }
}

/** A fresh latin1 string of buf[s, e) (one byte, one character, like the offsets). */
export function latin1(buf: Uint8Array, s: number, e: number): string {
  const b = buf instanceof Buffer ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.toString('latin1', s, e);
}

function isRule(buf: Uint8Array, p: number, end: number): boolean {
  return p + 5 < end && bytesAre(buf, p, end, 'rule ');
}

/** lo, lo0, lo1, ... */
function isLoopback(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < 2 || buf[s] !== 108 || buf[s + 1] !== 111) return false;
  for (let i = s + 2; i < e; i++) if (buf[i]! < 48 || buf[i]! > 57) return false;
  return true;
}

function isWordByte(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
}

/** End of a token of digits, ':', '.', '-' holding at least one digit at `p`, or -1. */
function timeToken(buf: Uint8Array, p: number, end: number): number {
  let digits = 0;
  let q = p;
  for (; q < end && buf[q] !== SP; q++) {
    const c = buf[q]!;
    if (c >= 48 && c <= 57) digits++;
    else if (c !== COLON && c !== DOT && c !== 45) return -1;
  }
  return digits > 0 ? q : -1;
}

/** tcpdump.org flags inside `Flags [...]`: F S R P . (ACK) U E W (CWR); `none` is no flag. */
function newFlags(buf: Uint8Array, p: number, end: number): number {
  let m = 0;
  for (let i = p; i < end && i < p + 12; i++) {
    switch (buf[i]) {
      case RBRACKET:
        return m;
      case 70:
        m |= F_FIN;
        break;
      case 83:
        m |= F_SYN;
        break;
      case 82:
        m |= F_RST;
        break;
      case 80:
        m |= F_PSH;
        break;
      case DOT:
        m |= F_ACK;
        break;
      case 85:
        m |= F_URG;
        break;
      case 69:
        m |= F_ECE;
        break;
      case 87:
        m |= F_CWR;
        break;
    }
  }
  return m;
}

/**
 * OpenBSD's TCP flags word at `p` (S F R P W E, or '.' for none of them), then the words `ack` and `urg` among
 * the tokens before the options (`<...>`) or the IP suffix (`(DF)`): the bits, or -1 when `p` holds no such word.
 */
function oldFlags(buf: Uint8Array, p: number, end: number): number {
  let m = 0;
  let q = p;
  for (; q < end && buf[q] !== SP; q++) {
    switch (buf[q]) {
      case 83:
        m |= F_SYN;
        break;
      case 70:
        m |= F_FIN;
        break;
      case 82:
        m |= F_RST;
        break;
      case 80:
        m |= F_PSH;
        break;
      case 87:
        m |= F_CWR;
        break;
      case 69:
        m |= F_ECE;
        break;
      case 85:
        m |= F_URG;
        break;
      case DOT:
        break;
      default:
        return -1;
    }
  }
  if (q === p || q - p > 8) return -1;
  for (let n = 0; n < 10 && q < end; n++) {
    q = skipSpaces(buf, q, end);
    if (q >= end) break;
    const c = buf[q];
    if (c === 60 || c === LPAREN || c === LBRACKET) break;
    const s = q;
    while (q < end && buf[q] !== SP) q++;
    if (q - s === 3) {
      if (bytesAre(buf, s, q, 'ack')) m |= F_ACK;
      else if (bytesAre(buf, s, q, 'urg')) m |= F_URG;
    }
  }
  return m;
}
