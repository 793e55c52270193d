/**
 * Juniper SRX (Junos OS) security logs from syslog ("Junos OS System Log Messages Reference", RT_FLOW and RT_IDS
 * sections, and "Structured-data format"):
 * - classic: `[<pri>][stamp host] RT_FLOW: RT_FLOW_SESSION_CREATE: session created a/p->b/p [0x0] service
 *   nat-a/p->nat-b/p [0x0] [rule types and names] protocol-id policy from-zone to-zone session-id ...`,
 *   `RT_FLOW_SESSION_DENY: session denied a/p->b/p [0x0] service protocol-id(icmp-type) policy from-zone
 *   to-zone ...`, `RT_IDS: RT_SCREEN_TCP: SYN flood! source: a:p, destination: b:p, zone name: z, interface
 *   name: i[, action: drop]`;
 * - structured data (sd-syslog, RFC 5424): `[<pri>1 stamp host] RT_FLOW - RT_FLOW_SESSION_DENY
 *   [junos@2636.1.1.1.2.xx source-address="a" source-port="p" destination-address="b" destination-port="q"
 *   ... protocol-id="6" icmp-type="0" ... source-zone-name="untrust" ...]`, also behind a relay's classic header
 *   (`Sep 23 13:54:55 relay junos-flow: 2017-09-23T13:54:54.803Z srx RT_FLOW - ...`).
 *
 * What counts (decided here, with the reason for each choice):
 * - RT_FLOW_SESSION_CREATE and RT_FLOW_SESSION_DENY (and their `_LS` logical-system forms) are attempts: one per
 *   session. RT_FLOW_SESSION_CLOSE repeats a create: `not_attempt`, like every other Junos message (a message ID
 *   such as `UI_LOGIN_EVENT:`, `APPTRACK_SESSION_CLOSE`, `IDP_ATTACK_LOG_EVENT` - IDP alerts belong to a session
 *   its create already counts). A line without a Junos message ID is `not_firewall`.
 * - RT_SCREEN_* (screens drop before a session exists, so no create repeats them) are attempts where they can be
 *   keyed: TCP and UDP screens by their destination port; ICMP screens whose attack is an echo flood, sweep or
 *   ping of death as echo requests (type 8, 128 for IPv6; Junos logs no ICMP type); IP screens as `other/<proto>`
 *   when protocol-id names a protocol other than TCP, UDP, ICMP and ICMPv6. Screens that cannot be keyed (an IP
 *   screen of a TCP packet, a session-limit screen, ICMP fragments): `not_attempt`.
 * - Classic RT_FLOW text has no field names and its middle varies with the Junos release (connection tags, NAT
 *   rule types): the protocol is the first bare number (`6`, `17(0)`) after the tuples, skipping `0x..` tags, so
 *   a NAT rule named with digits only would be read as the protocol (structured data has no such ambiguity).
 * - ICMP sessions: the type in `protocol-id(icmp-type)` or `icmp-type="n"`; a create names none, so a create of
 *   a ping service (`junos-ping`, `icmp-ping`...) is an echo request and another ICMP create `not_attempt`.
 * - Direction: Junos only names zones, which the administrator names. Without the `inboundZones` option every
 *   record is taken as inbound; with it, a record whose source zone is not one of them is `outbound`.
 * - Time: the last syslog stamp before the message ID (a relay's classic stamp is overridden by the device's own
 *   RFC 3339 one); a line without any stamp (a collector kept only the message) takes ctx.now.
 * - handshake: a TCP deny is false (no session was made); a create does not tell.
 * Checks run in this order: message ID, direction, source, destination, protocol, port or ICMP type.
 *
 * Invariant: one pass over the bytes in place; only address strings are made (fresh, cached), plus the zone,
 * attack or service text in the rare cases that need it. Nothing is read outside [start, end).
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
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
  eqAt,
  EQ,
  isBytes,
  isDigitByte,
  LBRACKET,
  portAt,
  QUOTE,
  RBRACKET,
  SLASH,
  SP,
  skipPri,
  skipSpaces,
  text,
  trimEnd,
} from '../fortinet/bytes.js';

export const MALFORMED_REASONS = [
  'missing_tuple',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_proto',
  'bad_proto',
  'missing_port',
  'bad_port',
  'bad_icmp_type',
] as const;
export type JuniperMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface JuniperParserOptions {
  /** Zone of syslog stamps that carry none (classic BSD stamps). Default 'local'. */
  timezone?: 'utc' | 'local';
  /** Source zones that face the outside; when given, records from any other zone are `outbound`. */
  inboundZones?: readonly string[];
}

/** How many header tokens (stamps, host, program, structured-data markers) are searched for the message ID. */
const HEADER_TOKENS = 12;

// Kinds of message that can hold an attempt.
const K_FLOW_CREATE = 1;
const K_FLOW_DENY = 2;
const K_SCREEN_TCP = 3;
const K_SCREEN_UDP = 4;
const K_SCREEN_ICMP = 5;
const K_SCREEN_IP = 6;

// Record fields, whichever the form.
const J_SRC = 0;
const J_SPORT = 1;
const J_DST = 2;
const J_DPORT = 3;
const J_PROTO = 4;
const J_ICMP = 5;
const J_SERVICE = 6;
const J_ZONE = 7;
const J_ATTACK = 8;
const J_FIELDS = 9;
/**
 * The parameters after which a structured-data element is not read further: all a TCP or UDP session record
 * uses (Junos writes icmp-type right after protocol-id, before the zone names).
 */
const SD_NEEDED = [J_SRC, J_SPORT, J_DST, J_DPORT, J_PROTO, J_SERVICE, J_ZONE].reduce(
  (m, f) => m | (1 << f),
  0,
);

const ID = {
  create: ascii('RT_FLOW_SESSION_CREATE'),
  deny: ascii('RT_FLOW_SESSION_DENY'),
  screen: ascii('RT_SCREEN_'),
  ls: ascii('_LS'),
  tcp: ascii('TCP'),
  udp: ascii('UDP'),
  icmp: ascii('ICMP'),
  ip: ascii('IP'),
};
const SD_KEYS = new KeyTable([
  ['source-address', J_SRC],
  ['source-port', J_SPORT],
  ['destination-address', J_DST],
  ['destination-port', J_DPORT],
  ['protocol-id', J_PROTO],
  ['icmp-type', J_ICMP],
  ['service-name', J_SERVICE],
  ['source-zone-name', J_ZONE],
  ['attack-name', J_ATTACK],
]);
const LABEL = {
  source: ascii('source: '),
  destination: ascii('destination: '),
  protocol: ascii('protocol-id: '),
  zone: ascii('zone name: '),
};
const HEX_PREFIX = ascii('0x');

/** A Junos message ID in buf[a, b): upper-case letters, digits and '_', one '_' at least, a letter first. */
function isMessageId(buf: Uint8Array, a: number, b: number): boolean {
  if (b - a < 4) return false;
  const first = buf[a]!;
  if (first < 65 || first > 90) return false;
  let underscore = false;
  for (let i = a + 1; i < b; i++) {
    const c = buf[i]!;
    if (c === 95) underscore = true;
    else if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return underscore;
}

/** Index of `lit` in buf[from, end), or -1. */
function find(buf: Uint8Array, lit: Uint8Array, from: number, end: number): number {
  const first = lit[0];
  for (let i = from; i + lit.length <= end; i++) if (buf[i] === first && eqAt(buf, i, end, lit)) return i;
  return -1;
}

/** The Junos parser. One instance per input: it holds only caches and scratch state, never line data. */
export class JuniperParser implements InputParser {
  readonly type = 'juniper';
  private readonly stamp: StampParser;
  private readonly zones: ReadonlySet<string> | undefined;
  private readonly srcs = new AddressCache();
  private readonly dsts = new AddressCache();
  private readonly scratch = new Utf8Scratch();
  private readonly fs = new Int32Array(J_FIELDS);
  private readonly fe = new Int32Array(J_FIELDS);
  private buf: Uint8Array = EMPTY;
  /** Bit i set once field i is (SD_NEEDED: the rest of a structured-data element is not read). */
  private seen = 0;

  constructor(opts: JuniperParserOptions = {}) {
    this.stamp = new StampParser(opts.timezone ?? 'local');
    // Lines are read as bytes, so a zone name is compared as the latin1 text of its UTF-8 bytes.
    this.zones =
      opts.inboundZones === undefined
        ? undefined
        : new Set(opts.inboundZones.map((z) => Buffer.from(z, 'utf8').toString('latin1')));
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    end = trimEnd(buf, start, end);
    let i = skipSpaces(buf, start, end);
    if (i >= end) return SKIP.empty;
    i = skipPri(buf, i, end);
    if (i + 1 < end && isDigitByte(buf[i]) && buf[i + 1] === SP) i += 2; // RFC 5424 VERSION
    let ts = NaN;
    const q = this.stamp.parse(buf, i, end, ctx.now);
    if (q >= 0) {
      ts = this.stamp.ts;
      i = q;
    }

    // Header tokens up to the message ID: `ID:` (classic, the last of a run such as `RT_FLOW: RT_FLOW_SESSION_X:`)
    // or `ID [` (structured data). An RFC 3339 stamp on the way (after a relay's header) is the device's time.
    let idS = -1;
    let idE = -1;
    let body = end; // classic: where the message text starts
    let sd = -1; // structured: index of '['
    for (let t = 0; t < HEADER_TOKENS && i < end; t++) {
      i = skipSpaces(buf, i, end);
      if (i >= end) break;
      let e = i;
      while (e < end && buf[e] !== SP) e++;
      const c = buf[i];
      if (c === LBRACKET) break;
      const colon = buf[e - 1] === COLON;
      if (isDigitByte(c)) {
        if (
          e - i >= 20 &&
          buf[i + 4] === 45 &&
          buf[i + 10] === 84 &&
          this.stamp.parse(buf, i, e, ctx.now) === e
        )
          ts = this.stamp.ts;
        if (idS >= 0) break;
      } else if (isMessageId(buf, i, colon ? e - 1 : e)) {
        if (colon) {
          idS = i;
          idE = e - 1;
          body = e + 1;
        } else if (e + 1 < end && buf[e + 1] === LBRACKET) {
          idS = i;
          idE = e;
          sd = e + 1;
          break;
        }
      } else if (idS >= 0) break;
      i = e;
    }
    if (idS < 0) return SKIP.not_firewall;
    if (Number.isNaN(ts)) ts = ctx.now;

    const kind = this.kindOf(buf, idS, idE);
    if (kind === 0) return SKIP.not_attempt;
    this.fs.fill(-1);
    this.seen = 0;
    this.buf = buf;
    try {
      if (sd >= 0) this.structured(buf, sd, end);
      else if (kind === K_FLOW_CREATE || kind === K_FLOW_DENY) {
        if (!this.classicFlow(buf, Math.min(body, end), end)) return BAD.missing_tuple;
      } else this.classicScreen(buf, Math.min(body, end), end, kind);
      return this.decide(kind, ts);
    } finally {
      this.buf = EMPTY;
    }
  }

  /** The kind of the message ID in buf[a, b) (a `_LS` suffix ignored), or 0 when it holds no attempt. */
  private kindOf(buf: Uint8Array, a: number, b: number): number {
    if (b - a > 3 && eqAt(buf, b - 3, b, ID.ls)) b -= 3;
    if (isBytes(buf, a, b, ID.create)) return K_FLOW_CREATE;
    if (isBytes(buf, a, b, ID.deny)) return K_FLOW_DENY;
    if (!eqAt(buf, a, b, ID.screen)) return 0;
    const p = a + 10;
    const word = (w: Uint8Array): boolean =>
      eqAt(buf, p, b, w) && (p + w.length === b || buf[p + w.length] === 95);
    if (word(ID.tcp)) return K_SCREEN_TCP;
    if (word(ID.udp)) return K_SCREEN_UDP;
    if (word(ID.icmp)) return K_SCREEN_ICMP;
    if (word(ID.ip)) return K_SCREEN_IP;
    return 0;
  }

  private set(f: number, a: number, b: number): void {
    if (this.fs[f]! < 0) {
      this.fs[f] = a;
      this.fe[f] = b;
      this.seen |= 1 << f;
    }
  }

  private has(f: number): boolean {
    return this.fs[f]! >= 0 && this.fe[f]! > this.fs[f]!;
  }

  /** Reads the parameters of the structured-data element that starts at buf[at] === '['. */
  private structured(buf: Uint8Array, at: number, end: number): void {
    let i = at + 1;
    // The SD-ID (junos@2636...), when there is one: a first token without '='.
    let id = i;
    while (id < end && buf[id] !== SP && buf[id] !== RBRACKET && buf[id] !== EQ) id++;
    if (id >= end || buf[id] !== EQ) i = id;
    while (i < end) {
      i = skipSpaces(buf, i, end);
      if (i >= end || buf[i] === RBRACKET) return;
      let eq = i;
      while (eq < end && buf[eq] !== EQ) eq++;
      if (eq + 1 >= end || buf[eq + 1] !== QUOTE) return;
      const vs = eq + 2;
      let ve = vs;
      for (; ve < end; ve++) if (buf[ve] === QUOTE && buf[ve - 1] !== BACKSLASH) break;
      if (ve >= end) return; // cut inside a value
      const f = SD_KEYS.get(buf, i, eq);
      if (f >= 0) {
        this.set(f, vs, ve);
        if ((this.seen & SD_NEEDED) === SD_NEEDED) return;
      }
      i = ve + 1;
    }
  }

  /**
   * Classic RT_FLOW create or deny text in buf[from, end): the first `a/p->b/p` token, then (skipping connection
   * tags `0x..` and the NAT tuple) the service name and the protocol token `6` or `17(0)`, the policy and the
   * source zone. @returns false when there is no tuple.
   */
  private classicFlow(buf: Uint8Array, from: number, end: number): boolean {
    let arrow = from;
    while (arrow + 1 < end && !(buf[arrow] === DASH_ && buf[arrow + 1] === GT_)) arrow++;
    if (arrow + 1 >= end) return false;
    let a = arrow;
    while (a > from && buf[a - 1] !== SP) a--;
    let e = arrow + 2;
    while (e < end && buf[e] !== SP) e++;
    let ls = arrow - 1;
    while (ls > a && buf[ls] !== SLASH) ls--;
    if (ls > a) {
      this.set(J_SRC, a, ls);
      this.set(J_SPORT, ls + 1, arrow);
    } else this.set(J_SRC, a, arrow);
    let rs = e - 1;
    while (rs > arrow + 2 && buf[rs] !== SLASH) rs--;
    if (rs > arrow + 2) {
      this.set(J_DST, arrow + 2, rs);
      this.set(J_DPORT, rs + 1, e);
    } else this.set(J_DST, arrow + 2, e);

    let afterProto = -1; // tokens seen after the protocol token
    let service = false;
    for (let i = e; i < end;) {
      i = skipSpaces(buf, i, end);
      if (i >= end) break;
      let te = i;
      let tuple = false;
      while (te < end && buf[te] !== SP) {
        if (buf[te] === DASH_ && te + 1 < end && buf[te + 1] === GT_) tuple = true;
        te++;
      }
      if (afterProto >= 0) {
        if (++afterProto === 2) {
          this.set(J_ZONE, i, te);
          return true;
        }
      } else if (!tuple && !eqAt(buf, i, te, HEX_PREFIX)) {
        if (!service) {
          this.set(J_SERVICE, i, te);
          service = true;
        } else {
          let d = i;
          while (d < te && isDigitByte(buf[d])) d++;
          if (d > i && d - i <= 3 && (d === te || buf[d] === 40)) {
            this.set(J_PROTO, i, d);
            if (d < te && buf[te - 1] === 41) this.set(J_ICMP, d + 1, te - 1);
            afterProto = 0;
          }
        }
      }
      i = te;
    }
    return true;
  }

  /**
   * Classic RT_SCREEN text in buf[from, end): `<attack> source: a[:p], destination: b[:p][, protocol-id: n],
   * zone name: z, ...`. Ports are split off only for TCP and UDP screens (an IPv6 address has colons too).
   */
  private classicScreen(buf: Uint8Array, from: number, end: number, kind: number): void {
    const src = find(buf, LABEL.source, from, end);
    if (src < 0) return;
    let attackEnd = src;
    while (attackEnd > from && buf[attackEnd - 1] === SP) attackEnd--;
    this.set(J_ATTACK, from, attackEnd);
    const withPort = kind === K_SCREEN_TCP || kind === K_SCREEN_UDP;
    const value = (label: Uint8Array, f: number, portField: number): void => {
      const at = find(buf, label, src, end);
      if (at < 0) return;
      const a = at + label.length;
      let b = a;
      while (b < end && buf[b] !== COMMA) b++;
      while (b > a && buf[b - 1] === SP) b--;
      if (portField >= 0 && withPort) {
        let c = b - 1;
        while (c > a && buf[c] !== COLON) c--;
        if (c > a) {
          this.set(f, a, c);
          this.set(portField, c + 1, b);
          return;
        }
      }
      this.set(f, a, b);
    };
    value(LABEL.source, J_SRC, J_SPORT);
    value(LABEL.destination, J_DST, J_DPORT);
    value(LABEL.protocol, J_PROTO, -1);
    value(LABEL.zone, J_ZONE, -1);
  }

  /** Validates the record of a message of `kind` and builds the event. */
  private decide(kind: number, ts: number): ParseResult {
    const { buf, fs, fe } = this;
    if (this.zones !== undefined && this.has(J_ZONE) && !this.zones.has(text(buf, fs[J_ZONE]!, fe[J_ZONE]!)))
      return SKIP.outbound;
    if (!this.has(J_SRC)) return BAD.missing_src;
    const src = this.srcs.at(buf, fs[J_SRC]!, fe[J_SRC]!);
    if (src === null) return BAD.bad_src;
    let dst: string | undefined;
    if (this.has(J_DST)) {
      const d = this.dsts.at(buf, fs[J_DST]!, fe[J_DST]!);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }

    let pn: number;
    if (kind === K_SCREEN_TCP) pn = 6;
    else if (kind === K_SCREEN_UDP) pn = 17;
    else if (kind === K_SCREEN_ICMP) pn = src.includes(':') ? 58 : 1;
    else {
      if (!this.has(J_PROTO)) return kind === K_SCREEN_IP ? SKIP.not_attempt : BAD.missing_proto;
      pn = digits(buf, fs[J_PROTO]!, fe[J_PROTO]!, 3);
      if (pn < 0 || pn > 255) return BAD.bad_proto;
      if (kind === K_SCREEN_IP && (pn === 1 || pn === 6 || pn === 17 || pn === 58)) return SKIP.not_attempt;
    }
    const proto: Protocol =
      pn === 6 ? 'tcp' : pn === 17 ? 'udp' : pn === 1 ? 'icmp' : pn === 58 ? 'icmp6' : 'other';

    let port = pn;
    let sport: number | undefined;
    let handshake: boolean | undefined;
    if (proto === 'tcp' || proto === 'udp') {
      if (!this.has(J_DPORT)) return BAD.missing_port;
      port = portAt(buf, fs[J_DPORT]!, fe[J_DPORT]!);
      if (port < 0) return BAD.bad_port;
      if (this.has(J_SPORT)) {
        sport = portAt(buf, fs[J_SPORT]!, fe[J_SPORT]!);
        if (sport < 0) return BAD.bad_port;
      }
      if (proto === 'tcp' && kind === K_FLOW_DENY) handshake = false;
    } else if (proto === 'icmp' || proto === 'icmp6') {
      const echo = proto === 'icmp' ? 8 : 128;
      if (kind === K_SCREEN_ICMP) {
        if (!this.has(J_ATTACK) || !/sweep|flood|ping/i.test(text(buf, fs[J_ATTACK]!, fe[J_ATTACK]!)))
          return SKIP.not_attempt;
        port = echo;
      } else if (this.has(J_ICMP)) {
        port = digits(buf, fs[J_ICMP]!, fe[J_ICMP]!, 3);
        if (port < 0 || port > 255) return BAD.bad_icmp_type;
      } else if (this.has(J_SERVICE) && /ping/i.test(text(buf, fs[J_SERVICE]!, fe[J_SERVICE]!))) port = echo;
      else return SKIP.not_attempt;
    }
    const event: AttackEvent = { ts, proto, port, src, sport, dst, flags: undefined, handshake };
    return { kind: 'event', event };
  }
}

const DASH_ = 45;
const GT_ = 62;
const EMPTY = new Uint8Array(0);
