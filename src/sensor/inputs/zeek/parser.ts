/**
 * Zeek conn.log, in its TSV form (ASCII writer: `#separator \x09`, `#set_separator`, `#empty_field (empty)`,
 * `#unset_field -`, `#path conn`, `#open`, `#fields`, `#types`, rows, `#close`) and its JSON form (one object per
 * line, `LogAscii::use_json=T`; `ts` epoch seconds or ISO 8601 with `LogAscii::json_timestamps`; keys dotted,
 * `id.orig_h`, or nested, `"id":{"orig_h":..}` as some shippers write them). Field reference: zeek/zeek
 * scripts/base/protocols/conn/main.zeek (record Conn::Info) and docs.zeek.org "Logs > conn.log".
 *
 * One row = one connection = one event: ts, src = id.orig_h, sport = id.orig_p, dst = id.resp_h,
 * port = id.resp_p; proto tcp/udp/icmp (ICMP: id.orig_p is the ICMP type, so port = id.orig_p; Zeek logs
 * ICMPv6 as `icmp` too, told apart here by the IPv6 address), `unknown_transport` → other with `ip_proto`.
 * `handshake` for TCP from history/conn_state (handshake.ts). Flags are not given (Zeek keeps no per-packet
 * flags).
 *
 * Layout: the `#fields` header declares the columns (rule 2 of input.ts); until one is seen the documented
 * default is used, told apart by the column count: 20 columns = the layout before Zeek 2.6 (no local_resp),
 * 21 or 22 = the current one (ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes
 * resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts
 * resp_ip_bytes tunnel_parents [ip_proto]). With a header, a row must have exactly the declared columns.
 *
 * Skips: `#...` lines `header`; rows while `#path` is not `conn`, and JSON objects whose `_path` is not `conn`
 * or that lack `conn_state` (dns.log, ssh.log, ... records), `not_attempt`; a JSON object with neither `ts` nor
 * an id field `not_firewall`; `local_orig` T with `local_resp` not T (the protected network's own connection out,
 * Site::local_nets) `outbound`; a loopback originator `loopback`.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings } from '../iptables/fields.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import {
  bytesEq,
  J_NONE,
  J_NULL,
  J_NUMBER,
  J_STRING,
  J_TRUE,
  JsonFields,
  SCAN_OK,
  uintAt,
} from '../suricata/json-scan.js';
import { zeekHandshake } from './handshake.js';

export const MALFORMED_REASONS = [
  'missing_field',
  'extra_fields',
  'bad_json',
  'bad_ts',
  'bad_src',
  'bad_dst',
  'bad_proto',
  'bad_port',
  'bad_icmp_type',
  'missing_ip_proto',
] as const;
export type ZeekMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface ZeekParserOptions {
  /** Zone of ISO `ts` strings without an offset (Zeek writes Z). Default 'utc'. */
  timezone?: TimeZoneMode;
}

// Field ids (TSV layout slots).
const F_TS = 0;
const F_ORIG_H = 1;
const F_ORIG_P = 2;
const F_RESP_H = 3;
const F_RESP_P = 4;
const F_PROTO = 5;
const F_CONN_STATE = 6;
const F_LOCAL_ORIG = 7;
const F_LOCAL_RESP = 8;
const F_HISTORY = 9;
const F_IP_PROTO = 10;
const N_FIELDS = 11;
const FIELD_NAMES = [
  'ts',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'conn_state',
  'local_orig',
  'local_resp',
  'history',
  'ip_proto',
];

/** Column of each field in a layout (-1 absent) and the layout's column count. */
interface Layout {
  col: Int16Array;
  columns: number;
}

function layoutOf(names: readonly string[]): Layout {
  const col = new Int16Array(N_FIELDS).fill(-1);
  names.forEach((n, i) => {
    const f = FIELD_NAMES.indexOf(n);
    if (f >= 0 && (col[f] ?? -1) < 0 && i < 32767) col[f] = i;
  });
  return { col, columns: names.length };
}

const COMMON =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state';
const DEFAULT_NEW = layoutOf(
  `${COMMON} local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents ip_proto`.split(
    ' ',
  ),
);
const DEFAULT_OLD = layoutOf(
  `${COMMON} local_orig missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents`.split(
    ' ',
  ),
);

const MAX_COLUMNS = 256;

// JSON slots.
const JSON_PATHS = [
  '_path',
  'ts',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'id/orig_h',
  'id/orig_p',
  'id/resp_h',
  'id/resp_p',
  'proto',
  'conn_state',
  'history',
  'local_orig',
  'local_resp',
  'ip_proto',
] as const;
const J_PATH = 0;
const J_TS = 1;
const J_DOTTED = 2; // id.orig_h, id.orig_p, id.resp_h, id.resp_p at +0..+3
const J_NESTED = 6; // the same under "id": {...}
const J_PROTO = 10;
const J_CONN_STATE = 11;
const J_HISTORY = 12;
const J_LOCAL_ORIG = 13;
const J_LOCAL_RESP = 14;
const J_IP_PROTO = 15;
/** JSON slot of each field id (F_*), -1 for fields read otherwise (local_orig/local_resp). */
const slotsFor = (id: number): Int8Array =>
  Int8Array.of(J_TS, id, id + 1, id + 2, id + 3, J_PROTO, J_CONN_STATE, -1, -1, J_HISTORY, J_IP_PROTO);
const DOTTED_SLOTS = slotsFor(J_DOTTED);
const NESTED_SLOTS = slotsFor(J_NESTED);

const TAB = 9;
const HASH = 35;

function isBlank(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (canonical text). */
function isLoopback(src: string): boolean {
  return src.startsWith('127.') || src === '::1' || src.startsWith('::ffff:127.');
}

export class ZeekParser implements InputParser {
  readonly type = 'zeek';
  private readonly stamp: StampParser;
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private readonly json = new JsonFields(JSON_PATHS);
  private readonly scratch = new Utf8Scratch();

  // TSV state declared by the header lines.
  private sep = TAB;
  private unset: Uint8Array = Uint8Array.of(45); // "-"
  private empty: Uint8Array = Buffer.from('(empty)');
  private isConn = true;
  private layout: Layout | null = null;
  private readonly cs = new Int32Array(MAX_COLUMNS);
  private readonly ce = new Int32Array(MAX_COLUMNS);

  // Values located for the event, whichever form the line had ([s, e) per field; s < 0 = absent).
  private readonly vs = new Int32Array(N_FIELDS);
  private readonly ve = new Int32Array(N_FIELDS);
  /** JSON only: the value was a JSON number (ts) or true (local_orig/local_resp). */
  private tsIsNumber = false;
  private localOrig = false;
  private localResp = false;

  constructor(opts: ZeekParserOptions = {}) {
    this.stamp = new StampParser(opts.timezone ?? 'utc');
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    // Only line terminators are trimmed: a blank last column is data in TSV.
    while (end > start && (buf[end - 1] === 10 || buf[end - 1] === 13)) end--;
    let p = start;
    while (p < end && (buf[p] === 32 || buf[p] === TAB)) p++;
    if (p >= end) return SKIP.empty;
    if (buf[p] === HASH) {
      this.header(buf, p, end);
      return SKIP.header;
    }
    if (buf[p] === 123) return this.jsonLine(buf, p, end, ctx);
    return this.tsvLine(buf, start, end, ctx);
  }

  // ---- TSV ----

  private header(buf: Uint8Array, p: number, end: number): void {
    const ns = p + 1;
    let ne = ns;
    while (ne < end && buf[ne] !== this.sep && buf[ne] !== 32 && buf[ne] !== TAB) ne++;
    const vs = ne + 1;
    if (vs > end) return;
    if (bytesEq(buf, ns, ne, 'separator')) {
      const v = unescape(buf, vs, end);
      if (v.length === 1 && v[0] !== 10 && v[0] !== 13) this.sep = v[0] ?? TAB;
    } else if (bytesEq(buf, ns, ne, 'unset_field')) {
      this.unset = unescape(buf, vs, end);
    } else if (bytesEq(buf, ns, ne, 'empty_field')) {
      this.empty = unescape(buf, vs, end);
    } else if (bytesEq(buf, ns, ne, 'path')) {
      this.isConn = bytesEq(buf, vs, end, 'conn');
    } else if (bytesEq(buf, ns, ne, 'fields')) {
      const names: string[] = [];
      let s = vs;
      for (let i = vs; i <= end && names.length < MAX_COLUMNS; i++) {
        if (i === end || buf[i] === this.sep) {
          names.push(Buffer.from(buf.buffer, buf.byteOffset + s, i - s).toString('latin1'));
          s = i + 1;
        }
      }
      this.layout = layoutOf(names);
    }
  }

  private tsvLine(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    if (!this.isConn) return SKIP.not_attempt;
    const sep = this.sep;
    let n = 0;
    let s = start;
    for (let i = start; i <= end; i++) {
      if (i === end || buf[i] === sep) {
        if (n < MAX_COLUMNS) {
          this.cs[n] = s;
          this.ce[n] = i;
        }
        n++;
        s = i + 1;
      }
    }
    let layout = this.layout;
    if (layout !== null) {
      if (n < layout.columns) return BAD.missing_field;
      if (n > layout.columns) return BAD.extra_fields;
    } else {
      if (n < 20) return BAD.missing_field;
      if (n > 22) return BAD.extra_fields;
      layout = n === 20 ? DEFAULT_OLD : DEFAULT_NEW;
    }
    for (let f = 0; f < N_FIELDS; f++) {
      const c = layout.col[f] ?? -1;
      let vs = -1;
      let ve = -1;
      if (c >= 0 && c < MAX_COLUMNS) {
        vs = this.cs[c] ?? 0;
        ve = this.ce[c] ?? 0;
        if (this.isUnset(buf, vs, ve)) vs = ve = -1;
      }
      this.vs[f] = vs;
      this.ve[f] = ve;
    }
    this.tsIsNumber = true;
    this.localOrig = this.isT(buf, F_LOCAL_ORIG);
    this.localResp = this.isT(buf, F_LOCAL_RESP);
    return this.event(buf, ctx);
  }

  private isUnset(buf: Uint8Array, s: number, e: number): boolean {
    return sameBytes(buf, s, e, this.unset) || sameBytes(buf, s, e, this.empty) || e === s;
  }

  private isT(buf: Uint8Array, f: number): boolean {
    const s = this.vs[f] ?? -1;
    return s >= 0 && (this.ve[f] ?? 0) - s === 1 && buf[s] === 84;
  }

  // ---- JSON ----

  private jsonLine(buf: Uint8Array, p: number, end: number, ctx: ParseContext): ParseResult {
    while (end > p && isBlank(buf[end - 1])) end--;
    const j = this.json;
    if (j.scan(buf, p, end) !== SCAN_OK) return BAD.bad_json;
    const k = j.kind;
    const nested = k[J_DOTTED] === J_NONE && k[J_NESTED] !== J_NONE;
    const id = nested ? J_NESTED : J_DOTTED;
    if (k[J_TS] === J_NONE && k[id] === J_NONE) return SKIP.not_firewall;
    if (k[J_PATH] !== J_NONE) {
      if (k[J_PATH] !== J_STRING || !bytesEq(buf, j.vs[J_PATH] ?? 0, j.ve[J_PATH] ?? 0, 'conn'))
        return SKIP.not_attempt;
    } else if (k[J_CONN_STATE] === J_NONE) {
      return SKIP.not_attempt;
    }
    const slots = nested ? NESTED_SLOTS : DOTTED_SLOTS;
    for (let f = 0; f < N_FIELDS; f++) {
      const slot = slots[f] ?? -1;
      const kind = slot < 0 ? J_NONE : k[slot];
      if (kind === J_NONE || kind === J_NULL) {
        this.vs[f] = this.ve[f] = -1;
      } else {
        this.vs[f] = j.vs[slot] ?? 0;
        this.ve[f] = j.ve[slot] ?? 0;
      }
    }
    if (k[J_TS] !== J_NUMBER && k[J_TS] !== J_STRING) this.vs[F_TS] = this.ve[F_TS] = -1;
    this.tsIsNumber = k[J_TS] === J_NUMBER;
    this.localOrig = k[J_LOCAL_ORIG] === J_TRUE || this.jsonT(buf, J_LOCAL_ORIG);
    this.localResp = k[J_LOCAL_RESP] === J_TRUE || this.jsonT(buf, J_LOCAL_RESP);
    return this.event(buf, ctx);
  }

  /** A "T" string (a shipper that kept Zeek's TSV booleans). */
  private jsonT(buf: Uint8Array, slot: number): boolean {
    const j = this.json;
    return j.kind[slot] === J_STRING && bytesEq(buf, j.vs[slot] ?? 0, j.ve[slot] ?? 0, 'T');
  }

  // ---- both forms ----

  private event(buf: Uint8Array, ctx: ParseContext): ParseResult {
    if (this.localOrig && !this.localResp) return SKIP.outbound;
    const vs = this.vs;
    const ve = this.ve;

    const ts = this.time(buf, vs[F_TS] ?? -1, ve[F_TS] ?? -1, ctx.now);
    if (ts < 0) return BAD.bad_ts;

    const src = this.address(buf, vs[F_ORIG_H] ?? -1, ve[F_ORIG_H] ?? -1, this.srcStrings);
    if (src === null) return BAD.bad_src;
    if (isLoopback(src)) return SKIP.loopback;
    const dst = this.address(buf, vs[F_RESP_H] ?? -1, ve[F_RESP_H] ?? -1, this.dstStrings);
    if (dst === null) return BAD.bad_dst;

    const ps = vs[F_PROTO] ?? -1;
    const pe = ve[F_PROTO] ?? -1;
    let proto: Protocol;
    if (bytesEq(buf, ps, pe, 'tcp')) proto = 'tcp';
    else if (bytesEq(buf, ps, pe, 'udp')) proto = 'udp';
    else if (bytesEq(buf, ps, pe, 'icmp')) proto = src.includes(':') ? 'icmp6' : 'icmp';
    else if (bytesEq(buf, ps, pe, 'unknown_transport')) proto = 'other';
    else return BAD.bad_proto;

    if (proto === 'other') {
      const n = uintAt(buf, vs[F_IP_PROTO] ?? -1, ve[F_IP_PROTO] ?? -1, 3);
      if (n < 0 || n > 255) return BAD.missing_ip_proto;
      return { kind: 'event', event: { ts, proto, port: n, src, dst } };
    }
    const origP = uintAt(buf, vs[F_ORIG_P] ?? -1, ve[F_ORIG_P] ?? -1, 6);
    if (proto === 'icmp' || proto === 'icmp6') {
      if (origP < 0 || origP > 255) return BAD.bad_icmp_type;
      return { kind: 'event', event: { ts, proto, port: origP, src, dst } };
    }
    const respP = uintAt(buf, vs[F_RESP_P] ?? -1, ve[F_RESP_P] ?? -1, 6);
    if (respP < 0 || respP > 65535 || origP < 0 || origP > 65535) return BAD.bad_port;
    const event: AttackEvent = { ts, proto, port: respP, src, sport: origP, dst };
    if (proto === 'tcp') {
      const h = zeekHandshake(
        buf,
        vs[F_HISTORY] ?? -1,
        ve[F_HISTORY] ?? -1,
        vs[F_CONN_STATE] ?? -1,
        ve[F_CONN_STATE] ?? -1,
      );
      if (h !== undefined) event.handshake = h;
    }
    return { kind: 'event', event };
  }

  /** Epoch seconds with a fraction (TSV, JSON number or string), or an ISO 8601 string; ms or -1. */
  private time(buf: Uint8Array, s: number, e: number, now: number): number {
    if (s < 0 || e <= s) return -1;
    const ms = epochMs(buf, s, e);
    if (ms >= 0 || this.tsIsNumber) return ms;
    const q = this.stamp.parse(buf, s, e, now);
    return q === e && this.stamp.ts >= 0 ? this.stamp.ts : -1;
  }

  private address(buf: Uint8Array, s: number, e: number, strings: AddressStrings): string | null {
    if (s < 0) return null;
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }
}

/** `secs[.frac]` (at most 12 integer digits) in ms, the fraction truncated to ms; -1 when not that. */
function epochMs(buf: Uint8Array, s: number, e: number): number {
  let secs = 0;
  let i = s;
  while (i < e) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) break;
    secs = secs * 10 + (c - 48);
    i++;
  }
  if (i === s || i - s > 12) return -1;
  let ms = 0;
  if (i < e) {
    if (buf[i] !== 46 || i + 1 >= e) return -1;
    let scale = 100;
    for (i++; i < e; i++) {
      const c = buf[i] ?? 0;
      if (c < 48 || c > 57) return -1;
      ms += (c - 48) * scale;
      scale = Math.floor(scale / 10);
    }
  }
  return secs * 1000 + ms;
}

function sameBytes(buf: Uint8Array, s: number, e: number, v: Uint8Array): boolean {
  if (e - s !== v.length) return false;
  for (let i = 0; i < v.length; i++) if (buf[s + i] !== v[i]) return false;
  return true;
}

/** Header values with Zeek's `\xHH` escapes decoded (other bytes as they are), a fresh copy. */
function unescape(buf: Uint8Array, s: number, e: number): Uint8Array {
  const out: number[] = [];
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c === 92 && i + 3 < e && buf[i + 1] === 120) {
      const h = hex(buf[i + 2] ?? 0);
      const l = hex(buf[i + 3] ?? 0);
      if (h >= 0 && l >= 0) {
        out.push(h * 16 + l);
        i += 3;
        continue;
      }
    }
    out.push(c);
  }
  return Uint8Array.from(out);
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}
