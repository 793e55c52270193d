/**
 * Palo Alto Networks PAN-OS logs as a firewall or Panorama sends them to syslog ("PAN-OS Administrator's Guide >
 * Syslog Field Descriptions"), in the default CSV form and in the two other forms found in the wild:
 * - CSV, after an optional syslog header (`<14>Sep 16 10:00:02 PA-1 `, RFC 3339 stamps, `: `): positional
 *   fields FUTURE_USE, Receive Time, Serial, Type, Subtype, FUTURE_USE, Generated Time, Source, Destination,
 *   NAT Source, NAT Destination, Rule, Source User, Destination User, Application, Virtual System, Source Zone,
 *   Destination Zone, Inbound Interface, Outbound Interface, Log Action, FUTURE_USE, Session ID, Repeat Count,
 *   Source Port, Destination Port, NAT Source Port, NAT Destination Port, Flags, Protocol, Action, ... (TRAFFIC:
 *   field 46 is the Session End Reason); a field holding commas is double-quoted (`""` inside it is a quote);
 *   PAN-OS 10+ appends a High Resolution Timestamp (`2023-07-06T08:11:40.288+02:00`) among the last fields;
 * - CEF (Panorama / Cortex Data Lake log forwarding, `CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|...`, or the
 *   PAN-OS custom CEF template, with type and subtype the other way round): `src dst spt dpt proto app reason
 *   start rt dtz`, the source zone in the `csN` whose `csNLabel` is FromZone or Source Zone, IPv6 addresses in
 *   `c6a2`/`c6a3` when `src`/`dst` are empty;
 * - JSON (Cortex Data Lake / Strata Logging Service HTTPS forwarding): `LogType Subtype SourceAddress
 *   DestinationAddress SourcePort DestinationPort Protocol Application FromZone SessionEndReason TimeGenerated`.
 * LEEF needs the syslog profile's own custom format: not read (`not_firewall`).
 *
 * What counts (decided here, with the reason for each choice):
 * - TRAFFIC `end`, `drop` and `deny` are one record per session: attempts. `start` is written only in addition
 *   to `end` (log at session start), so it would count a session twice: `not_attempt`. Other subtypes (`N/A`):
 *   `not_attempt`.
 * - THREAT `scan`, `flood` and `packet` (zone protection: reconnaissance, floods, packet-based attacks) are
 *   dropped before a session exists, so no TRAFFIC record repeats them: attempts. Every other THREAT subtype
 *   (vulnerability, spyware, virus, url, file, wildfire, data...) belongs to a session whose TRAFFIC record
 *   already counts it: `not_attempt`. Other log types (SYSTEM, CONFIG, USERID, GLOBALPROTECT...): `not_attempt`.
 * - Direction: PAN-OS only names zones, which the administrator names. Without the `inboundZones` option every
 *   record is taken as inbound; with it, a record whose source zone is not one of them is `outbound`.
 * - ICMP: PAN-OS logs no ICMP type. A session of application `ping` is an echo request (8, or 128 for ICMPv6);
 *   another ICMP session cannot be keyed: `not_attempt`.
 * - Time: the High Resolution Timestamp when the record has one (it carries the offset), else the Generated
 *   Time, else (empty) the Receive Time, in the configured zone (PAN-OS writes local time without offset); CEF
 *   `start` (generated) else `rt`, UTC when `dtz=UTC`; JSON TimeGeneratedHighResolution, TimeGenerated or
 *   TimeReceived.
 * - handshake: TCP `deny`/`drop` false; `end` with Session End Reason `tcp-fin` true (closed by FIN).
 * Checks run in this order: type, truncation, subtype, direction, source, destination, protocol, ports, time.
 *
 * Invariant: CSV and CEF are read on the bytes in place (only address strings are made, fresh and cached); the
 * rare JSON form is parsed with JSON.parse. Nothing is read outside [start, end).
 */
import type { AttackEvent } from '../../../core/event.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { StampParser } from '../iptables/timestamp.js';
import {
  AddressCache,
  KeyTable,
  ascii,
  COMMA,
  isBytes,
  isBytesNoCase,
  isDigitByte,
  LBRACE,
  portAt,
  protocolAt,
  protocolOfNumber,
  QUOTE,
  SP,
  skipPri,
  skipSpaces,
  text,
  trimEnd,
} from '../fortinet/bytes.js';
import { cefHeaderAt, cefTimeAt, isCefStart, newCefHeader, scanCefExtension } from '../fortinet/cef.js';
import { CivilClock } from '../fortinet/clock.js';

export const MALFORMED_REASONS = [
  'truncated',
  'bad_json',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_proto',
  'bad_proto',
  'missing_port',
  'bad_port',
  'missing_time',
  'bad_time',
] as const;
export type PaloAltoMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface PaloAltoParserOptions {
  /** Zone of times without an offset (Generated Time, Receive Time). Default 'local'. */
  timezone?: 'utc' | 'local';
  /** Source zones that face the outside; when given, records from any other zone are `outbound`. */
  inboundZones?: readonly string[];
}

// CSV field indexes (PAN-OS Syslog Field Descriptions; TRAFFIC and THREAT share the first 31).
const C_RECEIVE = 1;
const C_TYPE = 3;
const C_SUBTYPE = 4;
const C_GENERATED = 6;
const C_SRC = 7;
const C_DST = 8;
const C_APP = 14;
const C_FROM_ZONE = 16;
const C_SPORT = 24;
const C_DPORT = 25;
const C_PROTO = 29;
const C_END_REASON = 46;
/** Fields located per line; a TRAFFIC or THREAT record has at least MIN_FIELDS. */
const MAX_FIELDS = C_END_REASON + 1;
const MIN_FIELDS = C_PROTO + 2;

// Record fields, whatever the form.
const R_SRC = 0;
const R_DST = 1;
const R_SPORT = 2;
const R_DPORT = 3;
const R_PROTO = 4;
const R_APP = 5;
const R_ZONE = 6;
const R_REASON = 7;
const R_FIELDS = 8;

const NO_TIME = -1;
const K_TRAFFIC = 1;
const K_THREAT = 2;

const V = {
  traffic: ascii('TRAFFIC'),
  threat: ascii('THREAT'),
  end: ascii('end'),
  drop: ascii('drop'),
  deny: ascii('deny'),
  scan: ascii('scan'),
  flood: ascii('flood'),
  packet: ascii('packet'),
  ping: ascii('ping'),
  tcpFin: ascii('tcp-fin'),
  vendor: ascii('Palo Alto Networks'),
  fromZone: ascii('FromZone'),
  sourceZone: ascii('Source Zone'),
  utc: ascii('UTC'),
  gmt: ascii('GMT'),
};
const X_START = 0;
const X_RT = 1;
const X_DTZ = 2;
const X_SRC6 = 3;
const X_DST6 = 4;
/** Extension keys: record fields, or 100 + an X_ index. */
const CEF_KEYS = new KeyTable([
  ['src', R_SRC],
  ['dst', R_DST],
  ['spt', R_SPORT],
  ['dpt', R_DPORT],
  ['proto', R_PROTO],
  ['app', R_APP],
  ['reason', R_REASON],
  ['start', 100 + X_START],
  ['rt', 100 + X_RT],
  ['dtz', 100 + X_DTZ],
  ['c6a2', 100 + X_SRC6],
  ['c6a3', 100 + X_DST6],
]);
const CS = ascii('cs');
const LABEL = ascii('Label');

function isUpperWord(buf: Uint8Array, a: number, b: number): boolean {
  if (b <= a) return false;
  for (let i = a; i < b; i++) {
    const c = buf[i]!;
    if (c < 65 || c > 90) return false;
  }
  return true;
}

/** The kind of attempt a (type, subtype) pair holds, or 0. */
function kindOf(buf: Uint8Array, ta: number, tb: number, sa: number, sb: number): number {
  if (isBytes(buf, ta, tb, V.traffic)) {
    return isBytes(buf, sa, sb, V.end) || isBytes(buf, sa, sb, V.drop) || isBytes(buf, sa, sb, V.deny)
      ? K_TRAFFIC
      : 0;
  }
  if (isBytes(buf, ta, tb, V.threat)) {
    return isBytes(buf, sa, sb, V.scan) || isBytes(buf, sa, sb, V.flood) || isBytes(buf, sa, sb, V.packet)
      ? K_THREAT
      : 0;
  }
  return 0;
}

/** The string value of `"key": "value"` in a JSON text, found without parsing it, or undefined. */
function jsonString(s: string, quotedKey: string): string | undefined {
  const k = s.indexOf(quotedKey);
  if (k < 0) return undefined;
  let p = k + quotedKey.length;
  while (s.charCodeAt(p) === 32) p++;
  if (s.charCodeAt(p) !== 58) return undefined;
  p++;
  while (s.charCodeAt(p) === 32) p++;
  if (s.charCodeAt(p) !== 34) return undefined;
  const q = s.indexOf('"', p + 1);
  return q < 0 ? undefined : s.slice(p + 1, q);
}

/** A JSON scalar as the text the CSV form would hold (integers as decimal text), or undefined. */
function jsonText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  return undefined;
}

/** The PAN-OS parser. One instance per input: it holds only caches and scratch state, never line data. */
export class PaloAltoParser implements InputParser {
  readonly type = 'paloalto';
  private readonly stamp: StampParser;
  private readonly clock: CivilClock;
  private readonly zones: ReadonlySet<string> | undefined;
  private readonly srcs = new AddressCache();
  private readonly dsts = new AddressCache();
  private readonly header = newCefHeader();
  private readonly scratch = new Utf8Scratch();
  private readonly cs = new Int32Array(MAX_FIELDS);
  private readonly ce = new Int32Array(MAX_FIELDS);
  private readonly rs = new Int32Array(R_FIELDS);
  private readonly re = new Int32Array(R_FIELDS);
  private readonly xs = new Int32Array(5);
  private readonly xe = new Int32Array(5);
  /** csN value and csNLabel positions (N 1-6) of a CEF record. */
  private readonly csv6 = new Int32Array(28);
  private buf: Uint8Array = EMPTY;
  private json = Buffer.alloc(1024);
  private readonly visit = (ks: number, ke: number, vs: number, ve: number): boolean => {
    this.cefField(ks, ke, vs, ve);
    return false;
  };

  constructor(opts: PaloAltoParserOptions = {}) {
    const zone = opts.timezone ?? 'local';
    this.stamp = new StampParser(zone);
    this.clock = new CivilClock(zone);
    // Lines are read as bytes, so a zone name is compared as the latin1 text of its UTF-8 bytes.
    this.zones =
      opts.inboundZones === undefined
        ? undefined
        : new Set(opts.inboundZones.map((z) => Buffer.from(z, 'utf8').toString('latin1')));
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, _ctx: ParseContext): ParseResult {
    end = trimEnd(buf, start, end);
    let p = skipSpaces(buf, start, end);
    if (p >= end) return SKIP.empty;
    p = skipPri(buf, p, end);
    this.rs.fill(-1);
    this.buf = buf;
    try {
      if (buf[p] === LBRACE) {
        const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
        return this.jsonRecord(b.toString('utf8', p, end));
      }
      // The record starts at the first header token that is `CEF:` or digits then a comma.
      for (let t = 0; t < 12 && p < end; t++) {
        p = skipSpaces(buf, p, end);
        if (isCefStart(buf, p, end)) return this.cefRecord(buf, p, end);
        let q = p;
        while (q < end && isDigitByte(buf[q])) q++;
        if (q > p && q < end && buf[q] === COMMA) return this.csvRecord(buf, p, end);
        while (p < end && buf[p] !== SP) p++;
      }
      return SKIP.not_firewall;
    } finally {
      this.buf = EMPTY;
    }
  }

  private setR(f: number, a: number, b: number): void {
    if (this.rs[f]! < 0) {
      this.rs[f] = a;
      this.re[f] = b;
    }
  }

  // ---- CSV ----

  private csvRecord(buf: Uint8Array, at: number, end: number): ParseResult {
    const count = this.split(buf, at, end);
    const { cs, ce } = this;
    if (count <= C_TYPE || !isUpperWord(buf, cs[C_TYPE]!, ce[C_TYPE]!)) return SKIP.not_firewall;
    const ta = cs[C_TYPE]!;
    const tb = ce[C_TYPE]!;
    if (!isBytes(buf, ta, tb, V.traffic) && !isBytes(buf, ta, tb, V.threat)) return SKIP.not_attempt;
    if (count < MIN_FIELDS) return BAD.truncated;
    const kind = kindOf(buf, ta, tb, cs[C_SUBTYPE]!, ce[C_SUBTYPE]!);
    if (kind === 0) return SKIP.not_attempt;
    const copy = (r: number, c: number): void => {
      this.rs[r] = cs[c]!;
      this.re[r] = ce[c]!;
    };
    copy(R_SRC, C_SRC);
    copy(R_DST, C_DST);
    copy(R_APP, C_APP);
    copy(R_ZONE, C_FROM_ZONE);
    copy(R_SPORT, C_SPORT);
    copy(R_DPORT, C_DPORT);
    copy(R_PROTO, C_PROTO);
    if (kind === K_TRAFFIC && count > C_END_REASON) copy(R_REASON, C_END_REASON);
    let ts = this.highResolution(buf, ce[count - 1]!, end);
    if (ts === NO_TIME) ts = this.panTime(buf, cs[C_GENERATED]!, ce[C_GENERATED]!);
    if (ts === NO_TIME) ts = this.panTime(buf, cs[C_RECEIVE]!, ce[C_RECEIVE]!);
    const subtype = kind === K_TRAFFIC ? [cs[C_SUBTYPE]!, ce[C_SUBTYPE]!] : null;
    return this.decide(kind, subtype, ts);
  }

  /** Locates the first MAX_FIELDS fields from `at`; returns how many there are. */
  private split(buf: Uint8Array, at: number, end: number): number {
    const { cs, ce } = this;
    let i = at;
    let k = 0;
    while (k < MAX_FIELDS) {
      if (i < end && buf[i] === QUOTE) {
        let q = i + 1;
        while (q < end && !(buf[q] === QUOTE && !(q + 1 < end && buf[q + 1] === QUOTE)))
          q += buf[q] === QUOTE ? 2 : 1;
        cs[k] = i + 1;
        ce[k] = Math.min(q, end);
        k++;
        while (q < end && buf[q] !== COMMA) q++;
        if (q >= end) break;
        i = q + 1;
      } else {
        let q = i;
        while (q < end && buf[q] !== COMMA) q++;
        cs[k] = i;
        ce[k] = q;
        k++;
        if (q >= end) break;
        i = q + 1;
      }
    }
    return k;
  }

  /**
   * The High Resolution Timestamp after `from`: a field `YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm)`. NO_TIME when the
   * record has none.
   */
  private highResolution(buf: Uint8Array, from: number, end: number): number {
    for (let k = from + 11; k < end; k++) {
      if (buf[k] !== 84) continue; // 'T'
      const a = k - 10;
      if (buf[a - 1] !== COMMA || buf[a + 4] !== 45 || buf[a + 7] !== 45 || !isDigitByte(buf[a])) continue;
      let e = k;
      while (e < end && buf[e] !== COMMA) e++;
      if (this.stamp.parse(buf, a, e, 0) === e) return this.stamp.ts;
    }
    return NO_TIME;
  }

  /**
   * A PAN-OS time in buf[a, b): `YYYY/MM/DD HH:MM:SS`, or `M/D/YY H:MM[:SS]` (older custom formats), in the
   * configured zone. NO_TIME when empty, NaN when unreadable.
   */
  private panTime(buf: Uint8Array, a: number, b: number): number {
    if (b <= a) return NO_TIME;
    // Six numbers separated by / / space : :
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    let n3 = 0;
    let n4 = 0;
    let n5 = 0;
    const len = [0, 0, 0, 0, 0, 0];
    let k = 0;
    for (let i = a; i < b; i++) {
      const c = buf[i]!;
      if (c >= 48 && c <= 57) {
        const d = c - 48;
        if (++len[k]! > 4) return NaN;
        if (k === 0) n0 = n0 * 10 + d;
        else if (k === 1) n1 = n1 * 10 + d;
        else if (k === 2) n2 = n2 * 10 + d;
        else if (k === 3) n3 = n3 * 10 + d;
        else if (k === 4) n4 = n4 * 10 + d;
        else n5 = n5 * 10 + d;
      } else if (len[k]! > 0 && k < 5 && c === (k < 2 ? 47 : k === 2 ? SP : 58)) k++;
      else return NaN;
    }
    if (k < 4 || len[k] === 0) return NaN;
    const ymd = len[0] === 4;
    // Y/M/D with a 4-digit year first, else M/D/Y with a 2- or 4-digit year last.
    if (ymd ? len[1]! > 2 || len[2]! > 2 : len[0]! > 2 || len[1]! > 2 || (len[2] !== 2 && len[2] !== 4))
      return NaN;
    if (len[3]! > 2 || len[4]! > 2 || len[5]! > 2) return NaN;
    const y = ymd ? n0 : len[2] === 2 ? 2000 + n2 : n2;
    return this.clock.ms(y, ymd ? n1 : n0, ymd ? n2 : n1, n3, n4, n5, 0);
  }

  // ---- CEF ----

  private cefRecord(buf: Uint8Array, at: number, end: number): ParseResult {
    const h = this.header;
    if (!cefHeaderAt(buf, at, end, h) || !isBytes(buf, h.at[2]!, h.at[3]!, V.vendor))
      return SKIP.not_firewall;
    // LF writes `|TRAFFIC|end|`, the PAN-OS CEF template `|end|TRAFFIC|`.
    let [ta, tb, sa, sb] = [h.at[8]!, h.at[9]!, h.at[10]!, h.at[11]!];
    if (!isUpperWord(buf, ta, tb)) [ta, tb, sa, sb] = [sa, sb, ta, tb];
    const kind = kindOf(buf, ta, tb, sa, sb);
    if (kind === 0) return SKIP.not_attempt;
    this.xs.fill(-1);
    this.csv6.fill(-1);
    scanCefExtension(buf, h.extension, end, this.visit);
    const { rs, re, xs, xe, csv6 } = this;
    if (rs[R_SRC] === re[R_SRC] || rs[R_SRC]! < 0) [rs[R_SRC], re[R_SRC]] = [xs[X_SRC6]!, xe[X_SRC6]!];
    if (rs[R_DST] === re[R_DST] || rs[R_DST]! < 0) [rs[R_DST], re[R_DST]] = [xs[X_DST6]!, xe[X_DST6]!];
    for (let i = 1; i <= 6; i++) {
      const la = csv6[4 * i + 2]!;
      const lb = csv6[4 * i + 3]!;
      if (la >= 0 && (isBytesNoCase(buf, la, lb, V.fromZone) || isBytesNoCase(buf, la, lb, V.sourceZone))) {
        rs[R_ZONE] = csv6[4 * i]!;
        re[R_ZONE] = csv6[4 * i + 1]!;
      }
    }
    const dtzA = xs[X_DTZ]!;
    const utc =
      dtzA >= 0 &&
      (isBytesNoCase(buf, dtzA, xe[X_DTZ]!, V.utc) || isBytesNoCase(buf, dtzA, xe[X_DTZ]!, V.gmt))
        ? 0
        : undefined;
    const t = xs[X_START]! >= 0 ? X_START : X_RT;
    const ts = xs[t]! < 0 ? NO_TIME : cefTimeAt(buf, xs[t]!, xe[t]!, this.clock, utc);
    return this.decide(kind, kind === K_TRAFFIC ? [sa, sb] : null, ts);
  }

  private cefField(ks: number, ke: number, vs: number, ve: number): void {
    const buf = this.buf;
    const id = CEF_KEYS.get(buf, ks, ke);
    if (id >= 100) {
      if (this.xs[id - 100]! < 0) {
        this.xs[id - 100] = vs;
        this.xe[id - 100] = ve;
      }
      return;
    }
    if (id >= 0) {
      this.setR(id, vs, ve);
      return;
    }
    // cs1..cs6 and cs1Label..cs6Label
    const n = (buf[ks + 2] ?? 0) - 48;
    if (n < 1 || n > 6 || buf[ks] !== CS[0] || buf[ks + 1] !== CS[1]) return;
    const o = ke - ks === 3 ? 0 : ke - ks === 8 && isBytes(buf, ks + 3, ke, LABEL) ? 2 : -1;
    if (o < 0 || this.csv6[4 * n + o]! >= 0) return;
    this.csv6[4 * n + o] = vs;
    this.csv6[4 * n + o + 1] = ve;
  }

  // ---- JSON ----

  private jsonRecord(s: string): ParseResult {
    const type = jsonString(s, '"LogType"');
    if (type === undefined) return SKIP.not_firewall;
    if (type !== 'TRAFFIC' && type !== 'THREAT') return SKIP.not_attempt;
    const subtype = jsonString(s, '"Subtype"') ?? jsonString(s, '"SubType"') ?? '';
    const kind =
      type === 'TRAFFIC'
        ? subtype === 'end' || subtype === 'drop' || subtype === 'deny'
          ? K_TRAFFIC
          : 0
        : subtype === 'scan' || subtype === 'flood' || subtype === 'packet'
          ? K_THREAT
          : 0;
    if (kind === 0) return SKIP.not_attempt;
    let o: unknown;
    try {
      o = JSON.parse(s);
    } catch {
      return BAD.bad_json;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return BAD.bad_json;
    const j = o as Record<string, unknown>;
    // The values go to a scratch buffer, so the decision reads them as it reads a CSV line.
    const values: [number, unknown][] = [
      [R_SRC, j.SourceAddress],
      [R_DST, j.DestinationAddress],
      [R_SPORT, j.SourcePort],
      [R_DPORT, j.DestinationPort],
      [R_PROTO, j.Protocol],
      [R_APP, j.Application],
      [R_ZONE, j.FromZone],
      [R_REASON, j.SessionEndReason],
      [R_FIELDS, subtype],
      [R_FIELDS + 1, j.TimeGeneratedHighResolution ?? j.TimeGenerated ?? j.TimeReceived],
    ];
    const need = values.reduce((n, [, v]) => n + Buffer.byteLength(jsonText(v) ?? '', 'utf8'), 0);
    if (need > this.json.length) this.json = Buffer.alloc(need * 2);
    const jb = this.json;
    let pos = 0;
    let sub: [number, number] = [0, 0];
    let time: [number, number] | null = null;
    for (const [f, v] of values) {
      const t = jsonText(v);
      if (t === undefined) continue;
      const n = jb.write(t, pos, 'utf8');
      if (f < R_FIELDS) this.setR(f, pos, pos + n);
      else if (f === R_FIELDS) sub = [pos, pos + n];
      else time = [pos, pos + n];
      pos += n;
    }
    this.buf = jb;
    let ts = NO_TIME;
    if (time !== null) ts = this.stamp.parse(jb, time[0], time[1], 0) === time[1] ? this.stamp.ts : NaN;
    return this.decide(kind, kind === K_TRAFFIC ? sub : null, ts);
  }

  // ---- decision ----

  private has(f: number): boolean {
    return this.rs[f]! >= 0 && this.re[f]! > this.rs[f]!;
  }

  /**
   * Validates the gathered record of an attempt and builds the event. `subtype` is where a TRAFFIC record's
   * subtype is (null for THREAT); `ts` the record's time (NO_TIME none, NaN unreadable).
   */
  private decide(kind: number, subtype: number[] | null, ts: number): ParseResult {
    const { buf, rs, re } = this;
    if (this.zones !== undefined && this.has(R_ZONE) && !this.zones.has(text(buf, rs[R_ZONE]!, re[R_ZONE]!)))
      return SKIP.outbound;
    if (!this.has(R_SRC)) return BAD.missing_src;
    const src = this.srcs.at(buf, rs[R_SRC]!, re[R_SRC]!);
    if (src === null) return BAD.bad_src;
    let dst: string | undefined;
    if (this.has(R_DST)) {
      const d = this.dsts.at(buf, rs[R_DST]!, re[R_DST]!);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }
    if (!this.has(R_PROTO)) return BAD.missing_proto;
    const pn = protocolAt(buf, rs[R_PROTO]!, re[R_PROTO]!);
    if (pn < 0) return BAD.bad_proto;
    const proto = protocolOfNumber(pn);
    let port = pn;
    let sport: number | undefined;
    let handshake: boolean | undefined;
    if (proto === 'tcp' || proto === 'udp') {
      if (!this.has(R_DPORT)) return BAD.missing_port;
      port = portAt(buf, rs[R_DPORT]!, re[R_DPORT]!);
      if (port < 0) return BAD.bad_port;
      if (this.has(R_SPORT)) {
        sport = portAt(buf, rs[R_SPORT]!, re[R_SPORT]!);
        if (sport < 0) return BAD.bad_port;
      }
      if (proto === 'tcp' && kind === K_TRAFFIC && subtype !== null) {
        const [a, b] = subtype as [number, number];
        if (isBytes(buf, a, b, V.deny) || isBytes(buf, a, b, V.drop)) handshake = false;
        else if (this.has(R_REASON) && isBytes(buf, rs[R_REASON]!, re[R_REASON]!, V.tcpFin)) handshake = true;
      }
    } else if (proto === 'icmp' || proto === 'icmp6') {
      if (!this.has(R_APP) || !isBytes(buf, rs[R_APP]!, re[R_APP]!, V.ping)) return SKIP.not_attempt;
      port = proto === 'icmp' ? 8 : 128;
    }
    if (Number.isNaN(ts)) return BAD.bad_time;
    if (ts < 0) return BAD.missing_time;
    const event: AttackEvent = { ts, proto, port, src, sport, dst, flags: undefined, handshake };
    return { kind: 'event', event };
  }
}

const EMPTY = new Uint8Array(0);
