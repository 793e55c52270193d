/**
 * pfSense / OPNsense `filterlog` lines: the CSV of Netgate's "Raw Filter Log Format", in a BSD syslog line
 * (`Mmm dd HH:MM:SS [host] filterlog[pid]: CSV`), an RFC 5424 line (`<134>1 2022-09-06T18:37:34+02:00 host
 * filterlog 69805 - [meta sequenceId="1"] CSV`, OPNsense), or bare (the CSV body alone: no time, so ctx.now).
 *
 * CSV fields (0-based): rule, subrule, anchor, tracker, interface, reason, action, direction (in|out), ip version;
 * IPv4: tos, ecn, ttl, id, offset, flags, protocol id, protocol text, length, src, dst (protocol data from 20);
 * IPv6: class, flow label, hop limit, protocol text, protocol id, length, src, dst (protocol data from 17);
 * TCP: sport, dport, data length, flags (letters, e.g. S, SA, PA, FA), seq, ack, window, urg, options;
 * UDP: sport, dport, data length; ICMP: the type as a word (`request`, `reply`, `unreachport`, ...; filterlog's
 * icmp.c), then type-specific fields; other protocols: port = the protocol id.
 *
 * Invariants: one pass over the bytes to find the commas (field positions land in a reused Int32Array);
 * addresses and numbers are parsed from the bytes; a refused or skipped line allocates nothing.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, FLAG_STRINGS, port } from '../iptables/fields.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { icmp6Type } from '../pf/icmp.js';
import { latin1 } from '../pf/parser.js';
import { bytesAre, HDR_NONE, HDR_TAG, hasTag, SP, SyslogHeader } from '../pf/syslog.js';

export const FILTERLOG_MALFORMED_REASONS = [
  'bad_time',
  'too_few_fields',
  'bad_direction',
  'bad_ip_version',
  'bad_src',
  'bad_dst',
  'bad_proto',
  'missing_port',
  'bad_port',
  'missing_icmp_type',
  'bad_icmp_type',
] as const;
export type FilterlogMalformedReason = (typeof FILTERLOG_MALFORMED_REASONS)[number];
const BAD = malformedResults(FILTERLOG_MALFORMED_REASONS);

const COMMA = 44;
/** Fields read: up to the TCP flags of the IPv4 layout (index 23); field 24 then runs to the line end. */
const MAX_FIELDS = 25;

// Common fields.
const I_IFACE = 4;
const I_DIR = 7;
const I_VER = 8;
// IPv4 layout.
const V4_OFFSET = 13;
const V4_PROTO_ID = 15;
const V4_PROTO = 16;
const V4_SRC = 18; // dst follows
const V4_DATA = 20;
// IPv6 layout.
const V6_PROTO = 12;
const V6_PROTO_ID = 13;
const V6_SRC = 15; // dst follows
const V6_DATA = 17;

// TCP flag bits in FSRPAUEC order (iptables/fields.ts FLAG_STRINGS).
const FLAG_BIT = new Uint8Array(128);
FLAG_BIT[70] = 1; // F
FLAG_BIT[83] = 2; // S
FLAG_BIT[82] = 4; // R
FLAG_BIT[80] = 8; // P
FLAG_BIT[65] = 16; // A
FLAG_BIT[85] = 32; // U
FLAG_BIT[69] = 64; // E
FLAG_BIT[87] = 128; // W (CWR)
FLAG_BIT[67] = 128; // C (CWR)

/**
 * ICMP types of filterlog's words (icmp.c): `request`, `reply`, `unreachproto`, `unreachport`, `unreach`,
 * `needfrag`, `redirect`, `routeradv<lifetime>`, `timexceed`, `paramprob`, `maskreply`, `tstamp`, `tstampreply`,
 * and tcpdump's names for the rest (printed with the length glued on: `source quench56`). Prefixes, in order.
 */
const ICMP_WORDS: ReadonlyArray<readonly [string, number]> = [
  ['request', 8],
  ['reply', 0],
  ['unreach', 3],
  ['needfrag', 3],
  ['redirect', 5],
  ['routeradv', 9],
  ['timexceed', 11],
  ['paramprob', 12],
  ['maskreply', 18],
  ['tstampreply', 14],
  ['tstamp', 13],
  ['echo reply', 0],
  ['source quench', 4],
  ['echo request', 8],
  ['router solicitation', 10],
  ['time stamp request', 13],
  ['time stamp reply', 14],
  ['information request', 15],
  ['information reply', 16],
  ['address mask request', 17],
];

export interface FilterlogParserOptions {
  /** Zone of stamps that carry none (classic syslog). Default 'local'. */
  timezone?: TimeZoneMode;
}

/** The filterlog parser. One instance per input: it holds only caches, never line data. */
export class FilterlogParser implements InputParser {
  readonly type = 'filterlog';
  private readonly header: SyslogHeader;
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  /** Field i spans [pos[i], pos[i + 1] - 1); `count` fields were found (at most MAX_FIELDS). */
  private readonly pos = new Int32Array(MAX_FIELDS + 1);
  private count = 0;
  private readonly scratch = new Utf8Scratch();

  constructor(opts: FilterlogParserOptions = {}) {
    this.header = new SyslogHeader(opts.timezone ?? 'local');
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
    while (start < end && (buf[start] === SP || buf[start] === 9)) start++;
    if (end <= start) return SKIP.empty;

    const h = this.header;
    const kind = h.parse(buf, start, end, ctx.now);
    if (kind === HDR_TAG) {
      if (h.tagEnd - h.tagStart !== 9 || !bytesAre(buf, h.tagStart, h.tagEnd, 'filterlog'))
        return SKIP.not_firewall;
      // filterlog's own messages ("filterlog: ... bpf ...") hold no CSV record.
      if (!looksLikeCsv(buf, h.body, end)) return SKIP.not_attempt;
      return this.record(buf, h.body, end, h.ts);
    }
    if (kind === HDR_NONE && looksLikeCsv(buf, start, end)) return this.record(buf, start, end, ctx.now);
    return hasTag(buf, start, end, 'filterlog') ? BAD.bad_time : SKIP.not_firewall;
  }

  private record(buf: Uint8Array, p: number, end: number, ts: number): ParseResult {
    this.split(buf, p, end);
    const f = this.count;
    if (f <= I_VER) return BAD.too_few_fields;
    const dirS = this.start(I_DIR);
    const dirE = this.end(I_DIR);
    if (dirE - dirS === 3 && bytesAre(buf, dirS, dirE, 'out')) return SKIP.outbound;
    if (dirE - dirS !== 2 || !bytesAre(buf, dirS, dirE, 'in')) return BAD.bad_direction;
    if (isLoopback(buf, this.start(I_IFACE), this.end(I_IFACE))) return SKIP.loopback;

    const verS = this.start(I_VER);
    if (this.end(I_VER) - verS !== 1 || (buf[verS] !== 52 && buf[verS] !== 54)) return BAD.bad_ip_version;
    const v6 = buf[verS] === 54;
    const iSrc = v6 ? V6_SRC : V4_SRC;
    if (f <= iSrc + 1) return BAD.too_few_fields;
    if (!v6) {
      // A later fragment (offset > 0) has no transport header: its first fragment was the attempt.
      const off = port(buf, this.start(V4_OFFSET), this.end(V4_OFFSET));
      if (off > 0) return SKIP.not_attempt;
    }
    const src = this.address(buf, iSrc, this.srcStrings);
    if (src === null) return BAD.bad_src;
    const dst = this.address(buf, iSrc + 1, this.dstStrings);
    if (dst === null) return BAD.bad_dst;

    const iId = v6 ? V6_PROTO_ID : V4_PROTO_ID;
    let protoId = port(buf, this.start(iId), this.end(iId));
    if (protoId < 0 || protoId > 255) protoId = this.protoByName(buf, v6 ? V6_PROTO : V4_PROTO);
    if (protoId < 0) return BAD.bad_proto;
    const d = v6 ? V6_DATA : V4_DATA;

    if (protoId === 6 || protoId === 17) {
      if (f <= d + 1 || this.end(d + 1) === this.start(d + 1)) return BAD.missing_port;
      const dport = port(buf, this.start(d + 1), this.end(d + 1));
      if (dport < 0 || dport > 65535) return BAD.bad_port;
      let sport: number | undefined;
      if (this.end(d) > this.start(d)) {
        sport = port(buf, this.start(d), this.end(d));
        if (sport < 0 || sport > 65535) return BAD.bad_port;
      }
      const tcp = protoId === 6;
      const event: AttackEvent = {
        ts,
        proto: tcp ? 'tcp' : 'udp',
        port: dport,
        src,
        sport,
        dst,
        flags: tcp && f > d + 3 ? FLAG_STRINGS[this.flags(buf, d + 3)] : undefined,
      };
      return { kind: 'event', event };
    }
    const icmp4 = protoId === 1 && !v6;
    const icmp6 = protoId === 58 && v6;
    if (icmp4 || icmp6) {
      if (f <= d || this.end(d) === this.start(d) || bytesAre(buf, this.start(d), this.end(d), 'datalength='))
        return BAD.missing_icmp_type;
      const type = this.icmpType(buf, d, icmp6);
      if (type < 0) return BAD.bad_icmp_type;
      return this.event(icmp4 ? 'icmp' : 'icmp6', type, ts, src, dst);
    }
    return this.event('other', protoId, ts, src, dst);
  }

  private event(proto: Protocol, port: number, ts: number, src: string, dst: string): ParseResult {
    return { kind: 'event', event: { ts, proto, port, src, sport: undefined, dst, flags: undefined } };
  }

  /** Finds the commas of [p, end): field positions for the first MAX_FIELDS fields. */
  private split(buf: Uint8Array, p: number, end: number): void {
    const pos = this.pos;
    pos[0] = p;
    let n = 1;
    for (let i = p; i < end && n < MAX_FIELDS; i++) if (buf[i] === COMMA) pos[n++] = i + 1;
    pos[n] = end + 1;
    this.count = n;
  }

  private start(i: number): number {
    return i < this.count ? this.pos[i]! : 0;
  }

  private end(i: number): number {
    // The last field found runs to the line end (past further commas when the line has over MAX_FIELDS).
    return i < this.count ? this.pos[i + 1]! - 1 : 0;
  }

  private address(buf: Uint8Array, i: number, strings: AddressStrings): string | null {
    const s = this.start(i);
    const e = this.end(i);
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }

  /** Protocol id from the protocol text when the id field is empty or bad. */
  private protoByName(buf: Uint8Array, i: number): number {
    const s = this.start(i);
    const e = this.end(i);
    const word = e - s <= 12 ? latin1(buf, s, e).toLowerCase() : '';
    switch (word) {
      case 'tcp':
        return 6;
      case 'udp':
        return 17;
      case 'icmp':
        return 1;
      case 'icmpv6':
      case 'ipv6-icmp':
        return 58;
      default:
        return -1;
    }
  }

  private flags(buf: Uint8Array, i: number): number {
    let m = 0;
    for (let k = this.start(i), e = this.end(i); k < e; k++) m |= FLAG_BIT[buf[k]! & 127]!;
    return m;
  }

  private icmpType(buf: Uint8Array, i: number, v6: boolean): number {
    const s = this.start(i);
    const e = this.end(i);
    const n = port(buf, s, e);
    if (n >= 0) return n <= 255 ? n : -1;
    const text = latin1(buf, s, Math.min(e, s + 40));
    if (v6) {
      if (text === 'request') return 128;
      if (text === 'reply') return 129;
      return icmp6Type(text);
    }
    for (const [word, type] of ICMP_WORDS) if (text.startsWith(word)) return type;
    return -1;
  }
}

/** A rule number then a comma: `53,,,1000102631,em0,...`. */
function looksLikeCsv(buf: Uint8Array, p: number, end: number): boolean {
  const s = p;
  while (p < end && p - s < 10 && buf[p]! >= 48 && buf[p]! <= 57) p++;
  return p > s && p < end && buf[p] === COMMA;
}

/** lo, lo0, lo1, ... */
function isLoopback(buf: Uint8Array, s: number, e: number): boolean {
  if (e - s < 2 || buf[s] !== 108 || buf[s + 1] !== 111) return false;
  for (let i = s + 2; i < e; i++) if (buf[i]! < 48 || buf[i]! > 57) return false;
  return true;
}
