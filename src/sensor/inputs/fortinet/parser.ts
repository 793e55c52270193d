/**
 * FortiGate (FortiOS) logs, in the two forms a FortiGate sends to syslog (FortiOS Log Message Reference):
 * - key=value: `[syslog header] date=2019-05-13 time=11:20:54 logid="0000000013" type="traffic"
 *   subtype="forward" ... srcip=a srcport=p srcintf="port1" srcintfrole="wan" dstip=b dstport=q proto=6
 *   action="deny" ...`, values quoted or not, pairs separated by spaces (or by commas, `format csv`);
 *   FortiOS 4 names (`log_id= src= dst= src_port= dst_port= status=`) are read too;
 * - CEF (`set format cef`): `CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|... src=a spt=p
 *   dst=b dpt=q proto=6 act=close FTNTFGTeventtime=... FTNTFGTsrcintfrole=wan ...`; the Fortinet keys carry a
 *   prefix (`FTNTFGT`, `FortinetFortiGate` or `ad.`) that is ignored.
 *
 * What counts (decided here, with the reason for each choice):
 * - `type=traffic` records are attempts, one per session, whatever the action (deny, accept, close, timeout,
 *   client-rst, server-rst, ip-conn, dns...), except `action=start`: FortiOS writes a start record only in
 *   addition to the end record (`set logtraffic-start enable`), so it would count a session twice.
 * - DoS-policy anomalies (`type=anomaly`, or `type=utm subtype=anomaly`) are attempts: the DoS policy drops them
 *   before any session exists (sessionid=0), so no traffic record repeats them. When such a record names no
 *   port or ICMP type (an IP-level anomaly such as IP.Bad.Header) it cannot be keyed: `not_attempt`.
 * - Other UTM records (ips signatures, virus, webfilter, app-ctrl, dns, ssl...) happen on a session that its
 *   traffic record already counts: `not_attempt`. Event, dns and other types: `not_attempt`. A line without a
 *   `type` and a `logid` or `subtype` (or a CEF header of vendor Fortinet) is `not_firewall`.
 * - Direction from the interface roles FortiOS logs (`srcintfrole`/`dstintfrole`: lan, wan, dmz, undefined):
 *   from a `wan` interface is inbound; from a `lan` or `dmz` interface is sent by the protected network
 *   (`outbound`, also when it goes to another internal interface); for `subtype=local` (traffic to or from the
 *   FortiGate itself) a source interface that is the VDOM itself or `unknown*` is the box's own traffic
 *   (`outbound`) unless the policy type is a local-in one; otherwise to a `wan` interface is outbound; without
 *   roles (role `undefined`, FortiOS 4) the record is taken as inbound.
 * - Time: `eventtime` (epoch in s, ms, us or ns: absolute), else `date`+`time` with `tz` (or the configured zone
 *   without it), else CEF `start` or `rt`, else the syslog header stamp; a record with none is `missing_time`,
 *   one whose date or time is unreadable `bad_time`.
 * - ICMP type from `icmptype=0x08`, else from a service or app `icmp/<type>/<code>` (FortiOS 4: `<type>/icmp`),
 *   else service `PING` (8; 128 for ICMPv6).
 * - handshake: TCP `action=deny` false (blocked by policy), `action=close` true (closed by FIN: established).
 * Checks run in this order: type, direction, source, destination, protocol, port or ICMP type, time.
 *
 * Invariant: one left-to-right pass over the bytes; nothing is decoded to a string but the address strings
 * (fresh, cached); nothing is read outside [start, end).
 */
import type { AttackEvent } from '../../../core/event.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { StampParser } from '../iptables/timestamp.js';
import {
  AddressCache,
  KeyTable,
  ascii,
  BACKSLASH,
  COLON,
  COMMA,
  digits,
  epochAt,
  eqAt,
  EQ,
  icmpTypeAt,
  isBytes,
  isBytesNoCase,
  offsetAt,
  portAt,
  protocolAt,
  protocolOfNumber,
  QUOTE,
  SLASH,
  SP,
  skipPri,
  skipSpaces,
  TAB,
  trimEnd,
} from './bytes.js';
import { cefHeaderAt, cefTimeAt, isCefStart, newCefHeader, scanCefExtension } from './cef.js';
import { CivilClock, clockAt, fractionAt } from './clock.js';

export const MALFORMED_REASONS = [
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_proto',
  'bad_proto',
  'missing_port',
  'bad_port',
  'missing_icmp_type',
  'bad_icmp_type',
  'missing_time',
  'bad_time',
] as const;
export type FortinetMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface FortinetParserOptions {
  /** Zone of times that carry none (`date`/`time` without `tz`, classic syslog stamps). Default 'local'. */
  timezone?: 'utc' | 'local';
}

// Fields of a record (first occurrence of a key wins).
const F_TYPE = 0;
const F_SUBTYPE = 1;
const F_ACTION = 2;
const F_STATUS = 3;
const F_SRC = 4;
const F_DST = 5;
const F_SPORT = 6;
const F_DPORT = 7;
const F_PROTO = 8;
const F_SERVICE = 9;
const F_APP = 10;
const F_ICMPTYPE = 11;
const F_DATE = 12;
const F_TIME = 13;
const F_TZ = 14;
const F_EVENTTIME = 15;
const F_START = 16;
const F_RT = 17;
const F_SRCINTF = 18;
const F_SRCROLE = 19;
const F_DSTROLE = 20;
const F_VD = 21;
const F_POLICYTYPE = 22;
const FIELDS = 23;
/**
 * The fields after which the rest of a native record is not read: all a TCP or UDP record's decision can use
 * (the event time as `eventtime`, so `date`, `time` and `tz` are not needed; a record without them is read to
 * the end, as is an ICMP one, which has no ports).
 */
const ALL_NEEDED = [
  F_TYPE,
  F_SUBTYPE,
  F_ACTION,
  F_SRC,
  F_DST,
  F_SPORT,
  F_DPORT,
  F_PROTO,
  F_SERVICE,
  F_EVENTTIME,
  F_SRCINTF,
  F_SRCROLE,
  F_DSTROLE,
  F_VD,
  F_POLICYTYPE,
].reduce((m, f) => m | (1 << f), 0);

const ID_LOGID = 100;
const ID_CAT = 101;
/** The native keys the decision reads (FortiOS 4 names too). */
const KV_KEYS = new KeyTable([
  ['type', F_TYPE],
  ['subtype', F_SUBTYPE],
  ['action', F_ACTION],
  ['status', F_STATUS],
  ['srcip', F_SRC],
  ['src', F_SRC],
  ['dstip', F_DST],
  ['dst', F_DST],
  ['srcport', F_SPORT],
  ['src_port', F_SPORT],
  ['dstport', F_DPORT],
  ['dst_port', F_DPORT],
  ['proto', F_PROTO],
  ['service', F_SERVICE],
  ['app', F_APP],
  ['icmptype', F_ICMPTYPE],
  ['date', F_DATE],
  ['time', F_TIME],
  ['tz', F_TZ],
  ['eventtime', F_EVENTTIME],
  ['srcintf', F_SRCINTF],
  ['srcintfrole', F_SRCROLE],
  ['dstintfrole', F_DSTROLE],
  ['vd', F_VD],
  ['policytype', F_POLICYTYPE],
  ['logid', ID_LOGID],
  ['log_id', ID_LOGID],
]);
/** The CEF keys the decision reads, Fortinet prefixes removed. */
const CEF_KEYS = new KeyTable([
  ['cat', ID_CAT],
  ['subtype', F_SUBTYPE],
  ['act', F_ACTION],
  ['action', F_ACTION],
  ['src', F_SRC],
  ['dst', F_DST],
  ['spt', F_SPORT],
  ['dpt', F_DPORT],
  ['proto', F_PROTO],
  ['service', F_SERVICE],
  ['app', F_APP],
  ['icmptype', F_ICMPTYPE],
  ['tz', F_TZ],
  ['eventtime', F_EVENTTIME],
  ['start', F_START],
  ['rt', F_RT],
  ['deviceInboundInterface', F_SRCINTF],
  ['srcintfrole', F_SRCROLE],
  ['dstintfrole', F_DSTROLE],
  ['vd', F_VD],
  ['policytype', F_POLICYTYPE],
  ['logid', ID_LOGID],
]);
const PREFIX_FTNTFGT = ascii('FTNTFGT');
const PREFIX_FORTINET = ascii('FortinetFortiGate');
const PREFIX_AD = ascii('ad.');
const V = {
  fortinet: ascii('Fortinet'),
  traffic: ascii('traffic'),
  anomaly: ascii('anomaly'),
  utm: ascii('utm'),
  start: ascii('start'),
  local: ascii('local'),
  localIn: ascii('local-in'),
  unknown: ascii('unknown'),
  wan: ascii('wan'),
  lan: ascii('lan'),
  dmz: ascii('dmz'),
  deny: ascii('deny'),
  close: ascii('close'),
  icmp: ascii('icmp'),
  icmpSlash: ascii('icmp/'),
  icmp6Slash: ascii('icmp6/'),
  slashIcmp: ascii('/icmp'),
  ping: ascii('ping'),
  ping6: ascii('ping6'),
};

/** Bytes that may appear in a key. */
const KEY_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_.-]/.test(ch)) KEY_BYTE[c] = 1;
}

const NOT_ICMP = -1;
const BAD_ICMP = -2;

/** The FortiGate parser. One instance per input: it holds only caches and scratch state, never line data. */
export class FortinetParser implements InputParser {
  readonly type = 'fortinet';
  private readonly stamp: StampParser;
  private readonly clock: CivilClock;
  private readonly srcs = new AddressCache();
  private readonly dsts = new AddressCache();
  private readonly header = newCefHeader();
  private readonly scratch = new Utf8Scratch();
  private readonly fs = new Int32Array(FIELDS);
  private readonly fe = new Int32Array(FIELDS);
  private buf: Uint8Array = new Uint8Array(0);
  private logid = false;
  /** Bit i set once field i is (ALL_NEEDED: every field a TCP/UDP record needs, so the rest is not read). */
  private seen = 0;
  private cef = false;
  private settledCef = false;
  private readonly visit = (ks: number, ke: number, vs: number, ve: number): boolean =>
    (this.settledCef = this.cefField(ks, ke, vs, ve));

  constructor(opts: FortinetParserOptions = {}) {
    const zone = opts.timezone ?? 'local';
    this.stamp = new StampParser(zone);
    this.clock = new CivilClock(zone);
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    end = trimEnd(buf, start, end);
    let p = skipSpaces(buf, start, end);
    if (p >= end) return SKIP.empty;
    p = skipPri(buf, p, end);
    this.fs.fill(-1);
    this.seen = 0;
    this.logid = false;
    this.cef = false;
    this.buf = buf;
    try {
      const cefAt = this.cefStart(buf, p, end);
      if (cefAt >= 0) {
        const h = this.header;
        if (!cefHeaderAt(buf, cefAt, end, h) || !isBytes(buf, h.at[2]!, h.at[3]!, V.fortinet))
          return SKIP.not_firewall;
        this.cef = true;
        this.settledCef = false;
        scanCefExtension(buf, h.extension, end, this.visit);
        if (this.settledCef) return SKIP.not_attempt;
        if (this.fs[F_TYPE]! < 0) this.typeFromName(h.at[10]!, h.at[11]!);
      } else if (this.scanKv(buf, p, end)) return SKIP.not_attempt;
      return this.decide(p, end, ctx);
    } finally {
      this.buf = EMPTY;
    }
  }

  /** Where a CEF record starts among the first header tokens, or -1 (a native key=value record). */
  private cefStart(buf: Uint8Array, p: number, end: number): number {
    for (let t = 0; t < 8 && p < end; t++) {
      p = skipSpaces(buf, p, end);
      if (isCefStart(buf, p, end)) return p;
      while (p < end && buf[p] !== SP) {
        if (buf[p] === EQ) return -1;
        p++;
      }
    }
    return -1;
  }

  private set(f: number, a: number, b: number): void {
    if (this.fs[f]! < 0) {
      this.fs[f] = a;
      this.fe[f] = b;
      this.seen |= 1 << f;
    }
  }

  private has(f: number): boolean {
    return this.fs[f]! >= 0;
  }

  private is(f: number, lit: Uint8Array): boolean {
    const a = this.fs[f]!;
    return a >= 0 && isBytes(this.buf, a, this.fe[f]!, lit);
  }

  /** True once the record is known to be a Fortinet record that holds no attempt. */
  private settled(): boolean {
    if (!this.has(F_TYPE) || this.is(F_TYPE, V.traffic) || this.is(F_TYPE, V.anomaly)) return false;
    if (this.is(F_TYPE, V.utm)) return this.has(F_SUBTYPE) && !this.is(F_SUBTYPE, V.anomaly);
    return this.logid || this.cef || this.has(F_SUBTYPE);
  }

  /** Reads the native pairs of buf[from, end); true when the record settled as not an attempt. */
  private scanKv(buf: Uint8Array, from: number, end: number): boolean {
    let mode = -1; // separator: -1 not known yet, 0 spaces, 1 commas (FortiOS `format csv`)
    let i = from;
    while (i < end) {
      let c = buf[i]!;
      if (c === SP || c === COMMA || c === TAB) {
        i++;
        continue;
      }
      const ks = i;
      while (i < end && KEY_BYTE[buf[i]!] === 1) i++;
      if (i === ks || i >= end || buf[i] !== EQ) {
        // Not a key (a syslog header word): skip the token.
        while (i < end && (c = buf[i]!) !== SP && !(c === COMMA && mode === 1)) i++;
        continue;
      }
      const ke = i++;
      let vs: number;
      let ve: number;
      if (i < end && buf[i] === QUOTE) {
        vs = ++i;
        while (i < end && !(buf[i] === QUOTE && buf[i - 1] !== BACKSLASH)) i++;
        ve = i;
        if (i < end) i++;
        if (mode < 0 && i < end) mode = buf[i] === COMMA ? 1 : 0;
      } else {
        vs = i;
        while (i < end && (c = buf[i]!) !== SP && !(c === COMMA && mode !== 0)) i++;
        ve = i;
        if (mode < 0 && i < end) mode = c === COMMA ? 1 : 0;
      }
      if (this.kvField(buf, ks, ke, vs, ve)) return true;
      if (this.complete()) return false;
    }
    return false;
  }

  /** Stores one native pair when the decision needs it; true when the record settled. */
  private kvField(buf: Uint8Array, ks: number, ke: number, vs: number, ve: number): boolean {
    const id = KV_KEYS.get(buf, ks, ke);
    if (id < 0) return false;
    if (id === ID_LOGID) {
      this.logid = true;
      return this.settled();
    }
    this.set(id, vs, ve);
    return (id === F_TYPE || id === F_SUBTYPE) && this.settled();
  }

  /** True once every field the decision of a TCP or UDP record can need has been seen. */
  private complete(): boolean {
    return (this.seen & ALL_NEEDED) === ALL_NEEDED;
  }

  /** Stores one CEF extension pair when the decision needs it; true when the record settled. */
  private cefField(ks: number, ke: number, vs: number, ve: number): boolean {
    const buf = this.buf;
    let k = ks;
    if (eqAt(buf, k, ke, PREFIX_FTNTFGT)) k += 7;
    else if (eqAt(buf, k, ke, PREFIX_FORTINET)) k += 17;
    else if (eqAt(buf, k, ke, PREFIX_AD)) k += 3;
    const id = CEF_KEYS.get(buf, k, ke);
    if (id < 0) return false;
    if (id === ID_LOGID) this.logid = true;
    else if (id === ID_CAT) {
      if (this.has(F_TYPE)) return false;
      let colon = vs;
      while (colon < ve && buf[colon] !== COLON) colon++;
      this.set(F_TYPE, vs, colon);
      if (colon < ve) this.set(F_SUBTYPE, colon + 1, ve);
      return this.settled();
    } else if (id !== F_APP || eqAt(buf, vs, ve, V.icmp)) {
      this.set(id, vs, ve);
      return id === F_SUBTYPE && this.settled();
    }
    return false;
  }

  /** A CEF record without `cat=`: the header name says it (`traffic:forward close`). */
  private typeFromName(a: number, b: number): void {
    const buf = this.buf;
    let colon = a;
    while (colon < b && buf[colon] !== COLON && buf[colon] !== SP) colon++;
    if (colon === a || colon >= b || buf[colon] !== COLON) return;
    let sp = colon + 1;
    while (sp < b && buf[sp] !== SP) sp++;
    this.set(F_TYPE, a, colon);
    this.set(F_SUBTYPE, colon + 1, sp);
  }

  /** Turns the gathered record into a result. `hdr` is where a syslog header stamp would start. */
  private decide(hdr: number, end: number, ctx: ParseContext): ParseResult {
    const { buf, fs, fe } = this;
    if (!this.has(F_TYPE) || !(this.logid || this.cef || this.has(F_SUBTYPE))) return SKIP.not_firewall;
    let anomaly = false;
    const actionField = this.has(F_ACTION) ? F_ACTION : F_STATUS;
    if (this.is(F_TYPE, V.traffic)) {
      if (this.is(actionField, V.start)) return SKIP.not_attempt;
    } else if (this.is(F_TYPE, V.anomaly) || (this.is(F_TYPE, V.utm) && this.is(F_SUBTYPE, V.anomaly))) {
      anomaly = true;
    } else return SKIP.not_attempt;
    if (this.outbound()) return SKIP.outbound;

    if (!this.has(F_SRC) || fe[F_SRC] === fs[F_SRC]) return BAD.missing_src;
    const src = this.srcs.at(buf, fs[F_SRC]!, fe[F_SRC]!);
    if (src === null) return BAD.bad_src;
    let dst: string | undefined;
    if (this.has(F_DST) && fe[F_DST]! > fs[F_DST]!) {
      const d = this.dsts.at(buf, fs[F_DST]!, fe[F_DST]!);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }
    if (!this.has(F_PROTO) || fe[F_PROTO] === fs[F_PROTO]) return BAD.missing_proto;
    const pn = protocolAt(buf, fs[F_PROTO]!, fe[F_PROTO]!);
    if (pn < 0) return BAD.bad_proto;
    const proto = protocolOfNumber(pn);

    let port = pn;
    let sport: number | undefined;
    let handshake: boolean | undefined;
    if (proto === 'tcp' || proto === 'udp') {
      if (!this.has(F_DPORT)) return anomaly ? SKIP.not_attempt : BAD.missing_port;
      port = portAt(buf, fs[F_DPORT]!, fe[F_DPORT]!);
      if (port < 0) return BAD.bad_port;
      if (this.has(F_SPORT)) {
        sport = portAt(buf, fs[F_SPORT]!, fe[F_SPORT]!);
        if (sport < 0) return BAD.bad_port;
      }
      if (proto === 'tcp' && !anomaly) {
        if (this.is(actionField, V.deny)) handshake = false;
        else if (this.is(actionField, V.close)) handshake = true;
      }
    } else if (proto === 'icmp' || proto === 'icmp6') {
      port = this.icmpType(proto === 'icmp6');
      if (port === NOT_ICMP) return anomaly ? SKIP.not_attempt : BAD.missing_icmp_type;
      if (port === BAD_ICMP) return BAD.bad_icmp_type;
    }

    const ts = this.time(hdr, end, ctx);
    if (Number.isNaN(ts)) return BAD.bad_time;
    if (ts < 0) return BAD.missing_time;
    const event: AttackEvent = { ts, proto, port, src, sport, dst, flags: undefined, handshake };
    return { kind: 'event', event };
  }

  /** Whether the interface roles say the protected network (or the FortiGate itself) sent the record. */
  private outbound(): boolean {
    if (this.is(F_SRCROLE, V.wan)) return false;
    if (this.is(F_SRCROLE, V.lan) || this.is(F_SRCROLE, V.dmz)) return true;
    if (
      this.is(F_SUBTYPE, V.local) &&
      !(this.has(F_POLICYTYPE) && this.startsWith(F_POLICYTYPE, V.localIn))
    ) {
      if (this.has(F_SRCINTF) && (this.startsWith(F_SRCINTF, V.unknown) || this.sameAs(F_SRCINTF, F_VD)))
        return true;
    }
    return this.is(F_DSTROLE, V.wan);
  }

  private startsWith(f: number, lit: Uint8Array): boolean {
    return eqAt(this.buf, this.fs[f]!, this.fe[f]!, lit);
  }

  private sameAs(f: number, g: number): boolean {
    const { buf, fs, fe } = this;
    const a = fs[f]!;
    const b = fs[g]!;
    const n = fe[f]! - a;
    if (b < 0 || fe[g]! - b !== n) return false;
    for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return false;
    return true;
  }

  /** ICMP type of the record: 0-255, NOT_ICMP when it names none, BAD_ICMP when it is unreadable. */
  private icmpType(v6: boolean): number {
    const { buf, fs, fe } = this;
    if (this.has(F_ICMPTYPE)) {
      const t = icmpTypeAt(buf, fs[F_ICMPTYPE]!, fe[F_ICMPTYPE]!);
      return t < 0 ? BAD_ICMP : t;
    }
    for (const f of [F_SERVICE, F_APP]) {
      if (!this.has(f)) continue;
      const a = fs[f]!;
      const b = fe[f]!;
      const from = eqAt(buf, a, b, V.icmpSlash) ? a + 5 : eqAt(buf, a, b, V.icmp6Slash) ? a + 6 : -1;
      if (from >= 0) {
        let to = from;
        while (to < b && buf[to] !== SLASH) to++;
        const t = digits(buf, from, to, 3);
        return t >= 0 && t <= 255 ? t : BAD_ICMP;
      }
      // FortiOS 4: `3/icmp`.
      if (b - a > 5 && eqAt(buf, b - 5, b, V.slashIcmp)) {
        const t = digits(buf, a, b - 5, 3);
        return t >= 0 && t <= 255 ? t : BAD_ICMP;
      }
    }
    if (this.has(F_SERVICE)) {
      if (isBytesNoCase(buf, fs[F_SERVICE]!, fe[F_SERVICE]!, V.ping)) return v6 ? 128 : 8;
      if (isBytesNoCase(buf, fs[F_SERVICE]!, fe[F_SERVICE]!, V.ping6)) return 128;
    }
    return NOT_ICMP;
  }

  /** The record's time in ms; -1 when it has none, NaN when the one it has is unreadable. */
  private time(hdr: number, end: number, ctx: ParseContext): number {
    const { buf, fs, fe } = this;
    if (this.has(F_EVENTTIME)) {
      const v = epochAt(buf, fs[F_EVENTTIME]!, fe[F_EVENTTIME]!);
      if (!Number.isNaN(v)) return v;
    }
    const tz = this.has(F_TZ) ? offsetAt(buf, fs[F_TZ]!, fe[F_TZ]!) : NaN;
    const offset = Number.isNaN(tz) ? undefined : tz;
    if (this.has(F_DATE) && this.has(F_TIME)) return this.dateTime(offset);
    if (this.has(F_START)) return cefTimeAt(buf, fs[F_START]!, fe[F_START]!, this.clock, offset);
    if (this.has(F_RT)) return cefTimeAt(buf, fs[F_RT]!, fe[F_RT]!, this.clock, offset);
    if (this.stamp.parse(buf, hdr, end, ctx.now) >= 0) return this.stamp.ts;
    return -1;
  }

  /** `date=YYYY-MM-DD` (or `/`) and `time=HH:MM:SS[.fff]`. */
  private dateTime(offset: number | undefined): number {
    const { buf, fs, fe } = this;
    const d0 = fs[F_DATE]!;
    const t0 = fs[F_TIME]!;
    const tEnd = fe[F_TIME]!;
    if (fe[F_DATE]! - d0 !== 10) return NaN;
    const sep = buf[d0 + 4];
    if ((sep !== 45 && sep !== SLASH) || buf[d0 + 7] !== sep) return NaN;
    const y = digits(buf, d0, d0 + 4, 4);
    const mo = digits(buf, d0 + 5, d0 + 7, 2);
    const d = digits(buf, d0 + 8, d0 + 10, 2);
    const hms = clockAt(buf, t0, tEnd);
    if (y < 0 || mo < 0 || d < 0 || hms === null) return NaN;
    const [ms, q] = fractionAt(buf, t0 + 8, tEnd);
    if (ms < 0 || q !== tEnd) return NaN;
    return this.clock.ms(y, mo, d, hms[0], hms[1], hms[2], ms, offset);
  }
}

const EMPTY = new Uint8Array(0);
