/**
 * Suricata EVE JSON lines (eve.json, one object per line; also an eve object after a syslog header, as rsyslog
 * or Suricata's own `filetype: syslog` writes it). Field reference: docs.suricata.io "Eve JSON Format" and
 * OISF/suricata etc/schema.json (common fields timestamp, flow_id, event_type, src_ip, src_port, dest_ip,
 * dest_port, proto, icmp_type; per-type objects flow{}, tcp{}, alert{}, drop{}).
 *
 * What counts as an attempt (option `event_types`, default [flow]):
 * - `flow`: Suricata writes exactly one record per flow (TCP, UDP, ICMP, other IP), whether or not a rule fired,
 *   with src/dest in the flow's direction (the side that sent the first packet is src). This is the unit a
 *   port-trend system counts: one connection attempt = one event, no signature bias.
 * - `alert` and `drop` records repeat a flow that has (or will have, at its timeout) its own flow record: an
 *   alert per matching signature and transaction, a drop per dropped packet (a SYN retransmitted three times is
 *   three drops). Counting them as well would count the same attempt several times, so by default they skip as
 *   `not_attempt`. A sensor whose Suricata does not log flows sets `event_types: [alert]` or `[alert, drop]`.
 * - Every other record (dns, http, tls, fileinfo, anomaly, stats, netflow, ...) skips as `not_attempt`:
 *   application records belong to a flow already counted; netflow records come once per direction.
 *
 * Direction: flow records are in flow direction already. An alert/drop on a reply packet has src/dest of that
 * packet; when the record carries the flow's own tuple (`flow.src_ip` ..., Suricata 7) that tuple is used,
 * otherwise `direction: "to_client"` swaps src and dest. EVE does not say which side is local, so nothing is
 * `outbound` (the privacy filter drops private sources later); a loopback source skips as `loopback`.
 *
 * Time: a flow record's `flow.start` (when the attempt began; `timestamp` is when the record was written, at the
 * flow's timeout), else `timestamp`. Offsets `+0000`/`+01:00` are honoured; a stamp without one takes the
 * configured zone.
 *
 * Flags and handshake (flow records): `flags` are the TCP flags the client sent (`tcp.tcp_flags_ts`, a hex byte
 * whose bits are FIN SYN RST PSH ACK URG ECE CWR, the FSRPAUEC order of AttackEvent). `handshake` is true when
 * `tcp.state` reached established or a later state of an established connection (fin_wait1, fin_wait2, closing,
 * time_wait, close_wait, last_ack), false when it stopped at none/syn_sent/syn_recv; for `closed` (reached both
 * by a finished connection and by a SYN answered with RST) or no state, true only when the client sent SYN and
 * ACK and the server sent SYN and ACK (tcp_flags_ts and tcp_flags_tc), so an nmap SYN scan (client S R,
 * server S A) and a refused SYN (server R A) are false. Limit: a client that answers the SYN-ACK with RST+ACK
 * (rather than a bare RST) looks like a completed handshake in a `closed` flow. Drop records carry the dropped
 * packet's flags (drop.syn, drop.ack, ...); alerts carry neither.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, FLAG_STRINGS } from '../iptables/fields.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import {
  bytesEq,
  bytesEqLower,
  J_NONE,
  J_NULL,
  J_NUMBER,
  J_OBJECT,
  J_STRING,
  J_TRUE,
  JsonFields,
  SCAN_BAD,
  SCAN_STOPPED,
  uintAt,
} from './json-scan.js';

export const MALFORMED_REASONS = [
  'multiline_json',
  'bad_json',
  'missing_event_type',
  'bad_timestamp',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_proto',
  'bad_proto',
  'missing_port',
  'bad_port',
  'missing_icmp_type',
  'bad_icmp_type',
] as const;
export type SuricataMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export const EVENT_TYPES = ['flow', 'alert', 'drop'] as const;
export type SuricataEventType = (typeof EVENT_TYPES)[number];

export interface SuricataParserOptions {
  /** Zone of stamps without an offset. Default 'utc'. */
  timezone?: TimeZoneMode;
  /** EVE event types counted as attempts. Default ['flow']. */
  eventTypes?: readonly SuricataEventType[];
}

// Slots of the wanted keys (JsonFields paths, same order).
const PATHS = [
  'timestamp',
  'event_type',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'proto',
  'icmp_type',
  'direction',
  'flow/start',
  'flow/src_ip',
  'flow/src_port',
  'flow/dest_ip',
  'flow/dest_port',
  'tcp/state',
  'tcp/tcp_flags_ts',
  'tcp/tcp_flags_tc',
  'tcp',
  'drop/fin',
  'drop/syn',
  'drop/rst',
  'drop/psh',
  'drop/ack',
  'drop/urg',
] as const;
const S_TIMESTAMP = 0;
const S_EVENT_TYPE = 1;
const S_SRC_IP = 2;
const S_SRC_PORT = 3;
const S_DEST_IP = 4;
const S_DEST_PORT = 5;
const S_PROTO = 6;
const S_ICMP_TYPE = 7;
const S_DIRECTION = 8;
const S_FLOW_START = 9;
const S_FLOW_SRC_IP = 10;
const S_FLOW_SRC_PORT = 11;
const S_FLOW_DEST_IP = 12;
const S_FLOW_DEST_PORT = 13;
const S_TCP_STATE = 14;
const S_TCP_FLAGS_TS = 15;
const S_TCP_FLAGS_TC = 16;
const S_TCP = 17;
const S_DROP_FIN = 18; // .. S_DROP_FIN + 5: fin syn rst psh ack urg (bit i = FSRPAU letter i)

const T_FLOW = 1;
const T_ALERT = 2;
const T_DROP = 3;

/** IP protocol names as Suricata prints them (its known_proto table), lower case → number. */
const PROTO_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['igmp', 2],
  ['ipip', 4],
  ['ipv4', 4],
  ['tcp', 6],
  ['egp', 8],
  ['igp', 9],
  ['udp', 17],
  ['ipv6', 41],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['eigrp', 88],
  ['ospf', 89],
  ['ospfigp', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['udplite', 136],
  ['udp-lite', 136],
]);

const ESTABLISHED_STATES = [
  'established',
  'fin_wait1',
  'fin_wait2',
  'closing',
  'time_wait',
  'close_wait',
  'last_ack',
];
const EARLY_STATES = ['none', 'syn_sent', 'syn_recv'];

const SYN = 2;
const ACK = 16;

function isBlank(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

export class SuricataParser implements InputParser {
  readonly type = 'suricata';
  private readonly stamp: StampParser;
  private readonly fields = new JsonFields(PATHS, 'event_type');
  private readonly wanted: boolean[] = [false, false, false, false];
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private recordType = 0;
  private readonly scratch = new Utf8Scratch();

  constructor(opts: SuricataParserOptions = {}) {
    this.stamp = new StampParser(opts.timezone ?? 'utc');
    for (const t of opts.eventTypes ?? ['flow']) {
      this.wanted[t === 'flow' ? T_FLOW : t === 'alert' ? T_ALERT : T_DROP] = true;
    }
    this.fields.gate = (buf, s, e, kind) => {
      this.recordType = kind !== J_STRING ? 0 : recordTypeOf(buf, s, e);
      return this.wanted[this.recordType] === true;
    };
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    while (end > start && isBlank(buf[end - 1])) end--;
    while (start < end && isBlank(buf[start])) start++;
    if (end <= start) return SKIP.empty;

    const first = buf[start];
    // Pieces of a pretty-printed object (one key per line): EVE is one object per line, so say so loudly.
    if (
      first === 34 ||
      first === 125 ||
      first === 93 ||
      (end - start === 1 && (first === 123 || first === 91))
    )
      return BAD.multiline_json;

    let open = start;
    if (first !== 123) {
      // A syslog header before the object: the first '{' (another program's line has none, or no eve object).
      while (open < end && buf[open] !== 123) open++;
      if (open >= end) return SKIP.not_firewall;
    }

    this.recordType = 0;
    const f = this.fields;
    const r = f.scan(buf, open, end);
    if (r === SCAN_STOPPED) return SKIP.not_attempt;
    if (r === SCAN_BAD) {
      if (open === start || containsEventType(buf, open, end)) return BAD.bad_json;
      return SKIP.not_firewall;
    }
    if (f.kind[S_EVENT_TYPE] === J_NONE)
      return f.kind[S_SRC_IP] === J_NONE ? SKIP.not_firewall : BAD.missing_event_type;
    const type = this.recordType;
    if (this.wanted[type] !== true) return SKIP.not_attempt;
    return this.attempt(buf, type, ctx);
  }

  private attempt(buf: Uint8Array, type: number, ctx: ParseContext): ParseResult {
    const f = this.fields;
    // The flow's own tuple when an alert/drop carries it (Suricata 7), else the record's, swapped to_client.
    let srcSlot = S_SRC_IP;
    let dstSlot = S_DEST_IP;
    let sportSlot = S_SRC_PORT;
    let dportSlot = S_DEST_PORT;
    if (type !== T_FLOW) {
      if (f.kind[S_FLOW_SRC_IP] === J_STRING) {
        srcSlot = S_FLOW_SRC_IP;
        dstSlot = S_FLOW_DEST_IP;
        sportSlot = S_FLOW_SRC_PORT;
        dportSlot = S_FLOW_DEST_PORT;
      } else if (f.kind[S_DIRECTION] === J_STRING && this.is(buf, S_DIRECTION, 'to_client')) {
        srcSlot = S_DEST_IP;
        dstSlot = S_SRC_IP;
        sportSlot = S_DEST_PORT;
        dportSlot = S_SRC_PORT;
      }
    }

    let ts = -1;
    if (type === T_FLOW && f.kind[S_FLOW_START] === J_STRING) ts = this.time(buf, S_FLOW_START, ctx.now);
    if (ts < 0) ts = this.time(buf, S_TIMESTAMP, ctx.now);
    if (ts < 0) return BAD.bad_timestamp;

    if (f.kind[srcSlot] === J_NONE || f.kind[srcSlot] === J_NULL) return BAD.missing_src;
    const src = this.address(buf, srcSlot, this.srcStrings);
    if (src === null) return BAD.bad_src;
    if (isLoopback(src)) return SKIP.loopback;
    let dst: string | undefined;
    if (f.kind[dstSlot] !== J_NONE && f.kind[dstSlot] !== J_NULL) {
      const d = this.address(buf, dstSlot, this.dstStrings);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }

    if (f.kind[S_PROTO] !== J_STRING) return f.kind[S_PROTO] === J_NONE ? BAD.missing_proto : BAD.bad_proto;
    const pnum = protoNumber(buf, f.vs[S_PROTO] ?? 0, f.ve[S_PROTO] ?? 0);
    if (pnum < 0) return BAD.bad_proto;
    const isV6 = src.includes(':');
    const proto: Protocol =
      pnum === 6
        ? 'tcp'
        : pnum === 17
          ? 'udp'
          : pnum === 1
            ? isV6
              ? 'icmp6'
              : 'icmp'
            : pnum === 58
              ? 'icmp6'
              : 'other';

    if (proto === 'tcp' || proto === 'udp') {
      if (f.kind[dportSlot] === J_NONE) return BAD.missing_port;
      const port = this.uint(buf, dportSlot);
      if (port < 0 || port > 65535) return BAD.bad_port;
      let sport: number | undefined;
      if (f.kind[sportSlot] !== J_NONE) {
        sport = this.uint(buf, sportSlot);
        if (sport < 0 || sport > 65535) return BAD.bad_port;
      }
      const event: AttackEvent = { ts, proto, port, src, sport, dst };
      if (proto === 'tcp') {
        if (type === T_FLOW) {
          event.flags = this.clientFlags(buf);
          event.handshake = this.handshake(buf);
        } else if (type === T_DROP) {
          event.flags = this.dropFlags();
        }
      }
      return { kind: 'event', event };
    }
    if (proto === 'icmp' || proto === 'icmp6') {
      if (f.kind[S_ICMP_TYPE] === J_NONE) return BAD.missing_icmp_type;
      const t = this.uint(buf, S_ICMP_TYPE);
      if (t < 0 || t > 255) return BAD.bad_icmp_type;
      return { kind: 'event', event: { ts, proto, port: t, src, dst } };
    }
    return { kind: 'event', event: { ts, proto, port: pnum, src, dst } };
  }

  private is(buf: Uint8Array, slot: number, text: string): boolean {
    return bytesEq(buf, this.fields.vs[slot] ?? 0, this.fields.ve[slot] ?? 0, text);
  }

  /** A JSON integer (or a string of digits) in the slot, or -1. */
  private uint(buf: Uint8Array, slot: number): number {
    const k = this.fields.kind[slot];
    if (k !== J_NUMBER && k !== J_STRING) return -1;
    return uintAt(buf, this.fields.vs[slot] ?? 0, this.fields.ve[slot] ?? 0, 6);
  }

  private time(buf: Uint8Array, slot: number, now: number): number {
    const f = this.fields;
    if (f.kind[slot] !== J_STRING) return -1;
    const s = f.vs[slot] ?? 0;
    const e = f.ve[slot] ?? 0;
    const q = this.stamp.parse(buf, s, e, now);
    return q === e && this.stamp.ts >= 0 ? this.stamp.ts : -1;
  }

  private address(buf: Uint8Array, slot: number, strings: AddressStrings): string | null {
    const f = this.fields;
    if (f.kind[slot] !== J_STRING) return null;
    const s = f.vs[slot] ?? 0;
    const e = f.ve[slot] ?? 0;
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }

  /** tcp.tcp_flags_ts as FSRPAUEC letters, undefined when absent or not a hex byte. */
  private clientFlags(buf: Uint8Array): string | undefined {
    const v = this.hexByte(buf, S_TCP_FLAGS_TS);
    return v < 0 ? undefined : FLAG_STRINGS[v];
  }

  private handshake(buf: Uint8Array): boolean | undefined {
    const f = this.fields;
    if (f.kind[S_TCP] !== J_OBJECT) return undefined;
    if (f.kind[S_TCP_STATE] === J_STRING) {
      const s = f.vs[S_TCP_STATE] ?? 0;
      const e = f.ve[S_TCP_STATE] ?? 0;
      for (const t of ESTABLISHED_STATES) if (bytesEq(buf, s, e, t)) return true;
      for (const t of EARLY_STATES) if (bytesEq(buf, s, e, t)) return false;
    }
    const ts = this.hexByte(buf, S_TCP_FLAGS_TS);
    const tc = this.hexByte(buf, S_TCP_FLAGS_TC);
    if (ts < 0 || tc < 0) return undefined;
    const both = SYN | ACK;
    return (ts & both) === both && (tc & both) === both;
  }

  private dropFlags(): string {
    let m = 0;
    for (let i = 0; i < 6; i++) if (this.fields.kind[S_DROP_FIN + i] === J_TRUE) m |= 1 << i;
    return FLAG_STRINGS[m] ?? '';
  }

  /** One or two hex digits in a string slot, or -1. */
  private hexByte(buf: Uint8Array, slot: number): number {
    const f = this.fields;
    if (f.kind[slot] !== J_STRING) return -1;
    const s = f.vs[slot] ?? 0;
    const e = f.ve[slot] ?? 0;
    if (e - s < 1 || e - s > 2) return -1;
    let v = 0;
    for (let i = s; i < e; i++) {
      const d = hexDigit(buf[i] ?? 0);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function recordTypeOf(buf: Uint8Array, s: number, e: number): number {
  if (bytesEq(buf, s, e, 'flow')) return T_FLOW;
  if (bytesEq(buf, s, e, 'alert')) return T_ALERT;
  if (bytesEq(buf, s, e, 'drop')) return T_DROP;
  return 0;
}

/** IP protocol number of a `proto` value: a known name (any case) or a decimal number (Suricata pads: "047"). */
function protoNumber(buf: Uint8Array, s: number, e: number): number {
  const c = buf[s] ?? 0;
  if (c >= 48 && c <= 57) {
    const n = uintAt(buf, s, e, 3);
    return n > 255 ? -1 : n;
  }
  if (bytesEqLower(buf, s, e, 'tcp')) return 6;
  if (bytesEqLower(buf, s, e, 'udp')) return 17;
  if (e - s > 12) return -1;
  let name = '';
  for (let i = s; i < e; i++) {
    const b = buf[i] ?? 0;
    name += String.fromCharCode(b >= 65 && b <= 90 ? b | 32 : b);
  }
  return PROTO_NUMBERS.get(name) ?? -1;
}

/** A record that failed to parse after a prefix: does it look like EVE at all? */
function containsEventType(buf: Uint8Array, s: number, e: number): boolean {
  const key = '"event_type"';
  outer: for (let i = s; i + key.length <= e; i++) {
    for (let k = 0; k < key.length; k++) if (buf[i + k] !== key.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 (canonical text). */
function isLoopback(src: string): boolean {
  return src.startsWith('127.') || src === '::1' || src.startsWith('::ffff:127.');
}
