/**
 * Windows Firewall log (pfirewall.log), W3C extended format: `#Version`, `#Software`, `#Time Format`, `#Fields`
 * header lines, then one space-separated record per line, `-` for an empty field. Field reference: Microsoft
 * Learn "Configure Windows Firewall logging" and, for the XP SP2 / Server 2003 actions, "Windows Firewall Log
 * File" (Windows Server 2003 Technical Reference).
 *
 * Layout: the `#Fields:` header declares the columns (rule 2 of input.ts); until one is seen the documented
 * default is used: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin
 * icmptype icmpcode info path. A row may have one column more than the layout (the `pid` newer Windows 10/11
 * builds append); fewer columns, or more than one extra, are malformed (two records glued on one line).
 *
 * Which records are attempts (action × path):
 * - DROP and ALLOW with path RECEIVE (or FORWARD, or `-`/UNKNOWN where the log does not say): an inbound
 *   attempt, dropped or let through (ALLOW is logged once per permitted connection, DROP per dropped packet).
 * - path SEND: traffic this machine sent, `outbound`.
 * - XP SP2 actions: OPEN-INBOUND (an inbound session was opened) is an attempt; OPEN is "an outbound session was
 *   opened to a remote computer" (the fixtures show the host's own NTP and SMB sessions), so `outbound`; CLOSE
 *   ends a session whose OPEN was logged already and INFO-EVENTS-LOST counts records the firewall could not
 *   write: both `not_attempt`.
 * - A loopback source (127.0.0.0/8, ::1: Windows logs its own SSDP/LLMNR over loopback) skips as `loopback`.
 *
 * Time: `date time` are the Windows machine's local time without a zone: the `timezone` option says how to read
 * them ('local' = the sensor's zone, for a sensor on that machine), unless a `#Time Format: UTC` header says UTC.
 * Protocols: TCP, UDP, ICMP (ICMPv6 is logged as ICMP: an IPv6 source makes it icmp6), ICMPv6, or a number
 * (other/n). Ports are required for TCP and UDP, icmptype for ICMP. `tcpflags` letters (A, F, P, R, S, U; the
 * E and C of ECN too) become FSRPAUEC letters; `-` leaves flags unset. Windows does not log the handshake.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, FLAG_STRINGS } from '../iptables/fields.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const MALFORMED_REASONS = [
  'missing_field',
  'extra_fields',
  'bad_time',
  'bad_action',
  'bad_path',
  'bad_proto',
  'bad_src',
  'bad_dst',
  'missing_port',
  'bad_port',
  'missing_icmp_type',
  'bad_icmp_type',
] as const;
export type WindowsFirewallMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface WindowsFirewallParserOptions {
  /** Zone of the log's stamps (they carry none). Default 'local'. */
  timezone?: TimeZoneMode;
}

// Field ids.
const F_DATE = 0;
const F_TIME = 1;
const F_ACTION = 2;
const F_PROTOCOL = 3;
const F_SRC_IP = 4;
const F_DST_IP = 5;
const F_SRC_PORT = 6;
const F_DST_PORT = 7;
const F_TCPFLAGS = 8;
const F_ICMPTYPE = 9;
const F_PATH = 10;
const F_PID = 11;
const N_FIELDS = 12;
const FIELD_NAMES = [
  'date',
  'time',
  'action',
  'protocol',
  'src-ip',
  'dst-ip',
  'src-port',
  'dst-port',
  'tcpflags',
  'icmptype',
  'path',
  'pid',
];
const REQUIRED = [F_DATE, F_TIME, F_ACTION, F_PROTOCOL, F_SRC_IP];

interface Layout {
  col: Int16Array;
  columns: number;
}

function layoutOf(names: readonly string[]): Layout {
  const col = new Int16Array(N_FIELDS).fill(-1);
  names.forEach((n, i) => {
    const f = FIELD_NAMES.indexOf(n.toLowerCase());
    if (f >= 0 && (col[f] ?? -1) < 0 && i < 32767) col[f] = i;
  });
  return { col, columns: names.length };
}

const DEFAULT_LAYOUT = layoutOf(
  'date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path'.split(
    ' ',
  ),
);

const MAX_COLUMNS = 64;

// Actions.
const A_DROP = 1;
const A_ALLOW = 2;
const A_OPEN = 3;
const A_OPEN_INBOUND = 4;
const A_CLOSE = 5;
const A_INFO_EVENTS_LOST = 6;

/** tcpflags letter → FSRPAUEC bit. */
const FLAG_BIT = new Uint8Array(128);
'FSRPAUEC'.split('').forEach((l, i) => {
  FLAG_BIT[l.charCodeAt(0)] = 1 << i;
  FLAG_BIT[l.toLowerCase().charCodeAt(0)] = 1 << i;
});

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9;
}

function eqLower(buf: Uint8Array, s: number, e: number, t: string): boolean {
  if (e - s !== t.length) return false;
  for (let i = 0; i < t.length; i++) {
    let c = buf[s + i] ?? 0;
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** A decimal number of 1..`max` digits in [s, e), or -1. */
function num(buf: Uint8Array, s: number, e: number, max: number): number {
  if (e <= s || e - s > max) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (canonical text). */
function isLoopback(src: string): boolean {
  return src.startsWith('127.') || src === '::1' || src.startsWith('::ffff:127.');
}

export class WindowsFirewallParser implements InputParser {
  readonly type = 'windows-firewall';
  private readonly zone: TimeZoneMode;
  private utc: boolean;
  private layout: Layout = DEFAULT_LAYOUT;
  private readonly cs = new Int32Array(MAX_COLUMNS);
  private readonly ce = new Int32Array(MAX_COLUMNS);
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private readonly scratch = new Utf8Scratch();
  private hourKey = NaN;
  private hourBase = 0;

  constructor(opts: WindowsFirewallParserOptions = {}) {
    this.zone = opts.timezone ?? 'local';
    this.utc = this.zone === 'utc';
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, _ctx: ParseContext): ParseResult {
    while (end > start && (buf[end - 1] === 10 || buf[end - 1] === 13 || isSpace(buf[end - 1]))) end--;
    while (start < end && isSpace(buf[start])) start++;
    if (end <= start) return SKIP.empty;
    if (buf[start] === 35) {
      this.header(buf, start + 1, end);
      return SKIP.header;
    }

    // Columns: runs of spaces (or tabs) separate them.
    let n = 0;
    let p = start;
    while (p < end) {
      const s = p;
      while (p < end && !isSpace(buf[p])) p++;
      if (n < MAX_COLUMNS) {
        this.cs[n] = s;
        this.ce[n] = p;
      }
      n++;
      while (p < end && isSpace(buf[p])) p++;
    }
    const layout = this.layout;
    const col = layout.col;
    if (n < layout.columns) return BAD.missing_field;
    if (n > layout.columns + ((col[F_PID] ?? -1) < 0 ? 1 : 0)) return BAD.extra_fields;
    for (const f of REQUIRED) if ((col[f] ?? -1) < 0) return BAD.missing_field;

    const [as, ae] = this.field(F_ACTION);
    const action = actionOf(buf, as, ae);
    if (action === 0) return BAD.bad_action;
    if (action === A_CLOSE || action === A_INFO_EVENTS_LOST) return SKIP.not_attempt;
    if (action === A_OPEN) return SKIP.outbound;
    if (action !== A_OPEN_INBOUND) {
      const [ps, pe] = this.field(F_PATH);
      if (ps >= 0 && !(pe - ps === 1 && buf[ps] === 45)) {
        if (eqLower(buf, ps, pe, 'send')) return SKIP.outbound;
        if (
          !eqLower(buf, ps, pe, 'receive') &&
          !eqLower(buf, ps, pe, 'forward') &&
          !eqLower(buf, ps, pe, 'unknown')
        )
          return BAD.bad_path;
      }
    }

    const ts = this.time(buf);
    if (ts < 0) return BAD.bad_time;

    const [ss, se] = this.field(F_SRC_IP);
    const src = this.address(buf, ss, se, this.srcStrings);
    if (src === null) return BAD.bad_src;
    if (isLoopback(src)) return SKIP.loopback;
    let dst: string | undefined;
    const [ds, de] = this.field(F_DST_IP);
    if (ds >= 0 && !(de - ds === 1 && buf[ds] === 45)) {
      const d = this.address(buf, ds, de, this.dstStrings);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }

    const [rs, re] = this.field(F_PROTOCOL);
    let proto: Protocol;
    let number = -1;
    if (eqLower(buf, rs, re, 'tcp')) proto = 'tcp';
    else if (eqLower(buf, rs, re, 'udp')) proto = 'udp';
    else if (eqLower(buf, rs, re, 'icmp')) proto = src.includes(':') ? 'icmp6' : 'icmp';
    else if (eqLower(buf, rs, re, 'icmpv6')) proto = 'icmp6';
    else {
      number = num(buf, rs, re, 3);
      if (number < 0 || number > 255) return BAD.bad_proto;
      proto = 'other';
    }

    if (proto === 'tcp' || proto === 'udp') {
      const [dps, dpe] = this.field(F_DST_PORT);
      if (dps < 0 || (dpe - dps === 1 && buf[dps] === 45)) return BAD.missing_port;
      const port = num(buf, dps, dpe, 5);
      if (port < 0 || port > 65535) return BAD.bad_port;
      let sport: number | undefined;
      const [sps, spe] = this.field(F_SRC_PORT);
      if (sps >= 0 && !(spe - sps === 1 && buf[sps] === 45)) {
        sport = num(buf, sps, spe, 5);
        if (sport < 0 || sport > 65535) return BAD.bad_port;
      }
      const event: AttackEvent = { ts, proto, port, src, sport, dst };
      if (proto === 'tcp') {
        const [fs, fe] = this.field(F_TCPFLAGS);
        if (fs >= 0 && !(fe - fs === 1 && buf[fs] === 45)) event.flags = flagsOf(buf, fs, fe);
      }
      return { kind: 'event', event };
    }
    if (proto === 'icmp' || proto === 'icmp6') {
      const [ts0, te0] = this.field(F_ICMPTYPE);
      if (ts0 < 0 || (te0 - ts0 === 1 && buf[ts0] === 45)) return BAD.missing_icmp_type;
      const type = num(buf, ts0, te0, 3);
      if (type < 0 || type > 255) return BAD.bad_icmp_type;
      return { kind: 'event', event: { ts, proto, port: type, src, dst } };
    }
    return { kind: 'event', event: { ts, proto, port: number, src, dst } };
  }

  /** [start, end) of a field's column, [-1, -1] when the layout lacks it or the row is short. */
  private field(f: number): [number, number] {
    const c = this.layout.col[f] ?? -1;
    if (c < 0 || c >= MAX_COLUMNS) return [-1, -1];
    return [this.cs[c] ?? -1, this.ce[c] ?? -1];
  }

  /** `#Fields:` sets the layout, `#Time Format:` the zone; other `#` lines are comments. */
  private header(buf: Uint8Array, p: number, end: number): void {
    let q = p;
    while (q < end && buf[q] !== 58) q++; // ':'
    if (q >= end) return;
    const name = Buffer.from(buf.buffer, buf.byteOffset + p, q - p)
      .toString('latin1')
      .trim()
      .toLowerCase();
    const value = Buffer.from(buf.buffer, buf.byteOffset + q + 1, end - q - 1)
      .toString('latin1')
      .trim();
    if (name === 'fields') {
      this.layout = layoutOf(value.length === 0 ? [] : value.split(/[ \t]+/));
    } else if (name === 'time format') {
      const v = value.toLowerCase();
      this.utc = v === 'utc' || v === 'gmt' ? true : this.zone === 'utc';
      this.hourKey = NaN;
    }
  }

  /** `YYYY-MM-DD` and `HH:MM:SS[.fff]` in the zone, ms; -1 when invalid. */
  private time(buf: Uint8Array): number {
    const [ds, de] = this.field(F_DATE);
    const [ts, te] = this.field(F_TIME);
    if (ds < 0 || ts < 0 || de - ds < 8 || de - ds > 10) return -1;
    // Date: 4-digit year, 1-2 digit month and day.
    let p = ds;
    const y = num(buf, p, p + 4, 4);
    p += 4;
    if (y < 1970 || buf[p] !== 45) return -1;
    let q = ++p;
    while (q < de && buf[q] !== 45) q++;
    const mo = num(buf, p, q, 2);
    const d = num(buf, q + 1, de, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || q >= de) return -1;
    // Time.
    p = ts;
    q = p;
    while (q < te && buf[q] !== 58) q++;
    const h = num(buf, p, q, 2);
    p = q + 1;
    q = p;
    while (q < te && buf[q] !== 58) q++;
    const mi = num(buf, p, q, 2);
    p = q + 1;
    q = p;
    while (q < te && buf[q] !== 46) q++;
    const s = num(buf, p, q, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return -1;
    let ms = 0;
    if (q < te) {
      let scale = 100;
      for (let i = q + 1; i < te; i++) {
        const c = buf[i] ?? 0;
        if (c < 48 || c > 57) return -1;
        ms += (c - 48) * scale;
        scale = Math.floor(scale / 10);
      }
    }
    const key = (((y * 12 + mo) * 32 + d) * 24 + h) * 2 + (this.utc ? 1 : 0);
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourBase = this.utc ? Date.UTC(y, mo - 1, d, h) : new Date(y, mo - 1, d, h).getTime();
    }
    return this.hourBase + mi * 60_000 + s * 1000 + ms;
  }

  private address(buf: Uint8Array, s: number, e: number, strings: AddressStrings): string | null {
    if (s < 0) return null;
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }
}

function actionOf(buf: Uint8Array, s: number, e: number): number {
  if (eqLower(buf, s, e, 'drop')) return A_DROP;
  if (eqLower(buf, s, e, 'allow')) return A_ALLOW;
  if (eqLower(buf, s, e, 'open')) return A_OPEN;
  if (eqLower(buf, s, e, 'open-inbound')) return A_OPEN_INBOUND;
  if (eqLower(buf, s, e, 'close')) return A_CLOSE;
  if (eqLower(buf, s, e, 'info-events-lost')) return A_INFO_EVENTS_LOST;
  return 0;
}

/** tcpflags letters (any order, unknown letters ignored) as FSRPAUEC letters. */
function flagsOf(buf: Uint8Array, s: number, e: number): string {
  let m = 0;
  for (let i = s; i < e; i++) m |= FLAG_BIT[buf[i] ?? 0] ?? 0;
  return FLAG_STRINGS[m] ?? '';
}
