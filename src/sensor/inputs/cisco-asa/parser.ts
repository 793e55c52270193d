/**
 * Cisco ASA / PIX / FWSM / Firepower Threat Defense syslog:
 *   [<PRI>] [stamp] [host [:]] %ASA-<sev>-<id>: <message text>
 * or the message text alone (what grok patterns and some collectors pass on). Templates per message ID from
 * Cisco's "ASA Series Syslog Messages" and "Secure Firewall Threat Defense Syslog Messages"; header forms in
 * header.ts.
 *
 * Connection attempts (everything else that is Cisco is `not_attempt`):
 * - 106001 `Inbound TCP connection denied from A/p to B/p flags SYN on interface X`
 * - 106006/106007 `Deny inbound UDP from A/p to B/p ...`; 106012 `Deny IP from A to B, IP options ...`
 * - 106010/106011/106014/106023 `Deny [inbound] [(No xlate)] <proto> src [if:]A[/p] dst [if:]B[/p]
 *   [(type N, code N)] [by access-group "acl"]`
 * - 106015 `Deny TCP (no connection) from A/p to B/p flags RST ACK on interface X`
 * - 106021 `Deny <proto> reverse path check from A to B on interface X`
 * - 106100 `access-list acl {permitted|denied|est-allowed} <proto> if/A(p) -> if/B(p) hit-cnt N ...`
 * - 302013/302015/302020 `Built {inbound|outbound} [Probe] {TCP|UDP} connection N for if:A/p (mA/mp) to if:B/p
 *   (mB/mp)` and `Built ... ICMP connection for faddr A/id gaddr G/n laddr B/n [type N code N]`
 * - 710003/710005 `{TCP|UDP} {access denied by ACL|request discarded} from A/p to if:B/service`
 * - FTD 430002/430003 `Key: value, ...` connection events (SrcIP/InitiatorIP, DstIP/ResponderIP, ports,
 *   Protocol, ICMPType, FirstPacketSecond).
 *
 * Decisions (the formats leave them open):
 * - Direction: `Built outbound` and 106002 (denied by the `outbound` list: inside hosts going out) are skipped
 *   as `outbound`; every other message is taken as inbound.
 * - Addresses: the real (untranslated) address and port of each side, as ACL messages print them since 8.3.
 * - A source that is not an IP address (an object name, a hostname, `***`, `X.X.X.X`) is `src_not_ip`; a
 *   destination that is a name is left out of the event (the attempt itself is known); one that looks numeric
 *   but is not an address (`192.168.20`) is `bad_dst`.
 * - A message that names the protocol but states no destination port or ICMP type (106021, 106012 `Deny IP`,
 *   protocol-only ACL denies, ICMP without a type) becomes `other` with the IP protocol number (`IP` = 0), the
 *   key the event model keeps for protocol-level attempts; templates that always carry a port (106001, 106006,
 *   106015, 302013, 710003, ...) are `missing_port` without one.
 * - 106100 ICMP: Cisco documents `(0)` for the source and the type for the destination, real devices print
 *   `(type) -> (code)`; the type is the source value when it is not 0, else the destination value.
 * - Time: FTD `FirstPacketSecond` when present, else the syslog stamp, else ctx.now.
 *
 * Invariants: one latin1 decode per line, then index scans (no regular expression on the hot path except for
 * rare words); nothing returned refers to the input (addresses are formatted fresh); refusing a line allocates
 * nothing beyond the decoded text.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, FLAG_STRINGS } from '../iptables/fields.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { HeaderReader, STAMP_BAD, STAMP_NONE, STAMP_OK } from './header.js';
import { flagBit, icmpType, protocolNumber, protocolOf, servicePort } from './tables.js';

export const MALFORMED_REASONS = [
  'bad_message',
  'bad_time',
  'missing_proto',
  'bad_proto',
  'missing_src',
  'src_not_ip',
  'bad_src',
  'missing_dst',
  'bad_dst',
  'missing_port',
  'bad_port',
  'bad_icmp_type',
] as const;
export type CiscoAsaMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface CiscoAsaParserOptions {
  /** Zone of stamps that carry none (classic syslog, the ASA's own stamp). Default 'local'. */
  timezone?: TimeZoneMode;
}

const SP = 32;
/** Port / type values besides 0..65535: none stated, or stated but not a number or known name. */
const NONE = -2;
const BAD_VALUE = -1;
/** Why an address was refused. */
const WHY_MISSING = 0;
const WHY_NAME = 1;
const WHY_BAD = 2;
/** Keys of FTD connection events the parser reads. */
const K_NONE = 0;
const K_SRC = 1;
const K_DST = 2;
const K_SPORT = 3;
const K_DPORT = 4;
const K_PROTO = 5;
const K_ICMP = 6;
const K_FIRST = 7;

/** IDs accepted without facility (`302020: Built ...`): the ones this parser knows. */
const BARE_IDS = new Set([
  106001, 106002, 106006, 106007, 106010, 106011, 106012, 106014, 106015, 106021, 106023, 106100, 302013,
  302014, 302015, 302016, 302020, 302021, 430002, 430003, 710003, 710005, 733100,
]);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Characters of a port field: digits or an ASA port literal (`netbios-ns`). */
function isPortChar(c: number): boolean {
  return isWordChar(c) || c === 45;
}

/** Ends an address: space, tab, '/', '(', ')', ','. */
function endsAddress(c: number): boolean {
  return c === SP || c === 47 || c === 40 || c === 41 || c === 44 || c === 9;
}

/** Index of the next space at or after `p`, or the end of `s`. */
function wordEnd(s: string, p: number): number {
  const i = s.indexOf(' ', p);
  return i < 0 ? s.length : i;
}

/** True when [a, e) is only digits and dots, or hex digits, colons and dots with a colon: a broken address. */
function looksNumeric(s: string, a: number, e: number): boolean {
  let colon = false;
  let hexLetter = false;
  let dot = false;
  for (let i = a; i < e; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) colon = true;
    else if (c === 46) dot = true;
    else if (!isDigit(c)) {
      if (!isHex(c)) return false;
      hexLetter = true;
    }
  }
  return colon || (dot && !hexLetter);
}

/** The Cisco ASA / PIX / FTD syslog parser. One instance per input: it holds only caches, never line data. */
/** What `b` holds between lines: nothing of a caller's buffer. */
const NO_LINE = new Uint8Array(0);

export class CiscoAsaParser implements InputParser {
  readonly type = 'cisco-asa';
  private readonly header: HeaderReader;
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private readonly scratch = new Utf8Scratch();

  // Per-line scratch state (overwritten by every line, never returned).
  private b: Uint8Array = NO_LINE;
  private o = 0;
  private ts = 0;
  private tsState = STAMP_NONE;
  private body = 0;
  private aS = 0;
  private aE = 0;
  private pS = -1;
  private pE = -1;
  private epEnd = 0;
  private why = WHY_MISSING;

  constructor(opts: CiscoAsaParserOptions = {}) {
    this.header = new HeaderReader(opts.timezone ?? 'local');
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
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const s = b.toString('latin1', start, end);
    this.b = b;
    this.o = start;
    const p = this.header.read(s, b, start, ctx.now);
    this.tsState = this.header.state;
    this.ts = this.tsState === STAMP_OK ? this.header.ts : ctx.now;
    const r = this.message(s, p);
    this.b = NO_LINE; // keep no reference to the caller's buffer
    return r;
  }

  /** Finds the message tag (or a tag-less template) and hands the text to the handler of its ID. */
  private message(s: string, p: number): ParseResult {
    for (let t = s.indexOf('%', p); t >= 0; t = s.indexOf('%', t + 1)) {
      const id = this.tagAt(s, t + 1);
      if (id >= 0) return this.dispatch(id, s, this.body);
    }
    const r = this.untagged(s, p);
    if (r !== null) return r;
    if (this.tsState === STAMP_NONE && s.charCodeAt(0) !== 60) return SKIP.not_firewall;
    // After a stamp: skip the host name (`host`, `host:`, `host :`) and look again.
    let q = s.indexOf(' ', p);
    if (q < 0) return SKIP.not_firewall;
    while (s.charCodeAt(q) === SP) q++;
    if (s.charCodeAt(q) === 58) q++;
    return this.untagged(s, q) ?? SKIP.not_firewall;
  }

  /** `ASA-6-302013[:]` (also PIX, FTD, FWSM, NGIPS) at `i`: the ID, with `body` set; else -1. */
  private tagAt(s: string, i: number): number {
    const f = s.charCodeAt(i);
    if (f !== 65 && f !== 80 && f !== 70 && f !== 78) return -1; // A P F N
    let j: number;
    if (s.startsWith('ASA-', i) || s.startsWith('PIX-', i) || s.startsWith('FTD-', i)) j = i + 4;
    else if (s.startsWith('FWSM-', i)) j = i + 5;
    else if (s.startsWith('NGIPS-', i)) j = i + 6;
    else return -1;
    if (!isDigit(s.charCodeAt(j)) || s.charCodeAt(j + 1) !== 45) return -1;
    let id = 0;
    for (let k = j + 2; k < j + 8; k++) {
      const c = s.charCodeAt(k);
      if (!isDigit(c)) return -1;
      id = id * 10 + (c - 48);
    }
    let k = j + 8;
    const c = s.charCodeAt(k);
    if (k < s.length && c !== 58 && c !== SP) return -1;
    if (c === 58) k++;
    while (s.charCodeAt(k) === SP) k++;
    this.body = k;
    return id;
  }

  /** A message without `%`: `ASA-2-106001: ...`, `302020: ...`, or a known template; null when none fits. */
  private untagged(s: string, p: number): ParseResult | null {
    while (s.charCodeAt(p) === SP || s.charCodeAt(p) === 9) p++;
    const id = this.tagAt(s, p);
    if (id >= 0) return this.dispatch(id, s, this.body);
    if (isDigit(s.charCodeAt(p))) {
      let n = 0;
      let k = p;
      while (k < p + 6 && isDigit(s.charCodeAt(k))) n = n * 10 + (s.charCodeAt(k++) - 48);
      if (k === p + 6 && s.charCodeAt(k) === 58 && BARE_IDS.has(n)) {
        k++;
        while (s.charCodeAt(k) === SP) k++;
        return this.dispatch(n, s, k);
      }
    }
    return this.template(s, p);
  }

  /** Message text without any ID, recognised by the start of its template. */
  private template(s: string, p: number): ParseResult | null {
    switch (s.charCodeAt(p)) {
      case 73: // I
        return s.startsWith('Inbound TCP connection denied from ', p) ? this.dispatch(106001, s, p) : null;
      case 68: // D
        return s.startsWith('Deny ', p) ? this.deny(s, p) : null;
      case 97: // a
        return s.startsWith('access-list ', p) && s.includes(' -> ', p) ? this.dispatch(106100, s, p) : null;
      case 66: // B
        if (s.startsWith('Built inbound ', p) || s.startsWith('Built outbound ', p)) {
          if (s.includes(' connection ', p)) return this.built(s, p);
        }
        return s.startsWith('Built ', p) ? SKIP.not_attempt : null;
      case 84: // T
      case 85: // U
        if (s.startsWith('CP ', p + 1) || s.startsWith('DP ', p + 1)) {
          if (s.startsWith('access denied by ACL from ', p + 4)) return this.dispatch(710003, s, p);
          if (s.startsWith('request discarded from ', p + 4)) return this.dispatch(710005, s, p);
        }
        return s.startsWith('Teardown ', p) ||
          s.startsWith('Task ran for ', p) ||
          s.startsWith('TunnelGroup <', p) ||
          s.startsWith('Tunnel group ', p)
          ? SKIP.not_attempt
          : null;
      case 71: // G
        return s.startsWith('Group <', p) || s.startsWith('Group = ', p) ? SKIP.not_attempt : null;
      case 78: // N
        return s.startsWith('No matching connection for ICMP error message', p) ? SKIP.not_attempt : null;
      default:
        if (s.includes(' connection denied by outbound list ', p)) return SKIP.outbound;
        return s.includes(' Accessed URL ', p) ? SKIP.not_attempt : null;
    }
  }

  /** Tag-less `Deny ...`: which template it is from the words after `Deny`. */
  private deny(s: string, p: number): ParseResult {
    const q = p + 5;
    if (s.startsWith('TCP (no connection) from ', q)) return this.dispatch(106015, s, p);
    if (s.startsWith('IP from ', q)) return this.dispatch(106012, s, p);
    if (s.startsWith('inbound UDP from ', q)) return this.dispatch(106006, s, p);
    if (s.startsWith('inbound ', q)) return this.srcDst(s, p);
    let w = wordEnd(s, q);
    if (s.startsWith(' reverse path check from ', w)) return this.reversePath(s, p);
    if (w - q === 8 && s.startsWith('protocol', q)) w = wordEnd(s, w + 1);
    return s.startsWith(' src ', w) ? this.srcDst(s, p) : SKIP.not_attempt;
  }

  private dispatch(id: number, s: string, p: number): ParseResult {
    switch (id) {
      case 106001:
        return this.fromTo(s, p, 'Inbound TCP connection denied from ', 6, false, true);
      case 106002:
        return SKIP.outbound;
      case 106006:
      case 106007:
        return this.fromTo(s, p, 'Deny inbound UDP from ', 17, false, false);
      case 106010:
      case 106011:
      case 106014:
      case 106023:
        return this.srcDst(s, p);
      case 106012:
        return this.fromTo(s, p, 'Deny IP from ', 0, false, false);
      case 106015:
        return this.fromTo(s, p, 'Deny TCP (no connection) from ', 6, false, true);
      case 106021:
        return this.reversePath(s, p);
      case 106100:
        return this.accessList(s, p);
      case 302013:
      case 302015:
      case 302020:
        return this.built(s, p);
      case 710003:
        return this.service(s, p, 'access denied by ACL from ');
      case 710005:
        return this.service(s, p, 'request discarded from ');
      case 430002:
      case 430003:
        return this.connectionEvent(s, p);
      default:
        return SKIP.not_attempt;
    }
  }

  // ---- message handlers -------------------------------------------------------------------------------------

  /** `<prefix>A/p to B/p [flags ...]` (106001, 106006/7, 106012, 106015). */
  private fromTo(
    s: string,
    p: number,
    prefix: string,
    proto: number,
    spacedDst: boolean,
    flags: boolean,
  ): ParseResult {
    if (!s.startsWith(prefix, p)) return BAD.bad_message;
    return this.fromToAt(s, p + prefix.length, proto, spacedDst, flags, true);
  }

  /** `A[/p] to [if:]B[/p]` at `q`: source, destination, then the protocol's port or type. */
  private fromToAt(
    s: string,
    q: number,
    proto: number,
    spacedDst: boolean,
    flags: boolean,
    portRequired: boolean,
  ): ParseResult {
    this.endpoint(s, q, false);
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    const sport = this.portValue(s);
    const to = s.indexOf(' to ', this.epEnd);
    if (to < 0) return BAD.missing_dst;
    this.endpoint(s, to + 4, spacedDst);
    const dst = this.address(s, this.dstStrings);
    if (dst === null && this.why !== WHY_NAME) return this.why === WHY_BAD ? BAD.bad_dst : BAD.missing_dst;
    const dport = this.portValue(s);
    const f = flags ? this.flagsAfter(s, this.epEnd) : undefined;
    return this.transport(proto, dport, sport, NONE, src, dst ?? undefined, f, portRequired);
  }

  /** 710003 / 710005: `{TCP|UDP} <words>A/p to if:B/service`. */
  private service(s: string, p: number, words: string): ParseResult {
    const proto = s.startsWith('TCP ', p) ? 6 : s.startsWith('UDP ', p) ? 17 : -1;
    if (proto < 0) return s.startsWith(words, wordEnd(s, p) + 1) ? BAD.bad_proto : BAD.bad_message;
    if (!s.startsWith(words, p + 4)) return BAD.bad_message;
    return this.fromToAt(s, p + 4 + words.length, proto, true, false, true);
  }

  /** 106021 `Deny <proto> reverse path check from A to B on interface X`. */
  private reversePath(s: string, p: number): ParseResult {
    if (!s.startsWith('Deny ', p)) return BAD.bad_message;
    const w = wordEnd(s, p + 5);
    if (!s.startsWith(' reverse path check from ', w)) return BAD.bad_message;
    const proto = this.protocolAt(s, p + 5, w);
    if (proto < 0) return BAD.bad_proto;
    return this.fromToAt(s, w + 25, proto, false, false, false);
  }

  /** 106010 / 106011 / 106014 / 106023: `Deny [inbound] [(No xlate)] <proto> src .. dst .. [(type N, code N)]`. */
  private srcDst(s: string, p: number): ParseResult {
    if (!s.startsWith('Deny ', p)) return BAD.bad_message;
    let q = p + 5;
    if (s.startsWith('inbound ', q)) q += 8;
    if (s.startsWith('(No xlate) ', q)) q += 11;
    let w = wordEnd(s, q);
    if (w - q === 8 && s.startsWith('protocol', q) && !s.startsWith(' src ', w)) {
      q = w + 1; // `Deny protocol 47 src ...`
      w = wordEnd(s, q);
    }
    if (!s.startsWith(' src ', w)) return BAD.bad_message;
    const proto = this.protocolAt(s, q, w);
    if (proto < 0) return BAD.bad_proto;
    this.endpoint(s, w + 5, false);
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    const sport = this.portValue(s);
    const d = s.indexOf(' dst', this.epEnd);
    if (d < 0 || s.charCodeAt(d + 4) !== SP) return BAD.missing_dst;
    this.endpoint(s, d + 5, false);
    const dst = this.address(s, this.dstStrings);
    if (dst === null && this.why !== WHY_NAME) return this.why === WHY_BAD ? BAD.bad_dst : BAD.missing_dst;
    const dport = this.portValue(s);
    let type = NONE;
    const t = s.indexOf('(type ', this.epEnd);
    if (t >= 0) type = this.number(s, t + 6, 3);
    return this.transport(proto, dport, sport, type, src, dst ?? undefined, undefined, false);
  }

  /** 106100 `access-list acl {permitted|denied|est-allowed} <proto> if/A(p) -> if/B(p) hit-cnt ...`. */
  private accessList(s: string, p: number): ParseResult {
    if (!s.startsWith('access-list ', p)) return BAD.bad_message;
    const a = wordEnd(s, p + 12) + 1;
    if (s.startsWith('est-allowed ', a)) return SKIP.not_attempt; // a packet of an established session
    let q: number;
    if (s.startsWith('permitted ', a)) q = a + 10;
    else if (s.startsWith('denied ', a)) q = a + 7;
    else return BAD.bad_message;
    const w = wordEnd(s, q);
    const proto = this.protocolAt(s, q, w);
    if (proto < 0) return BAD.bad_proto;
    if (!this.aclEndpoint(s, w + 1)) return BAD.bad_message;
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    const sport = this.portValue(s);
    const arrow = s.indexOf(' -> ', this.epEnd);
    if (arrow < 0 || !this.aclEndpoint(s, arrow + 4)) return BAD.missing_dst;
    const dst = this.address(s, this.dstStrings);
    if (dst === null && this.why !== WHY_NAME) return this.why === WHY_BAD ? BAD.bad_dst : BAD.missing_dst;
    const dport = this.portValue(s);
    const type = sport > 0 ? sport : dport === NONE ? NONE : dport;
    return this.transport(proto, dport, sport, type, src, dst ?? undefined, undefined, true);
  }

  /** 302013 / 302015 / 302020 `Built {inbound|outbound} ...`. */
  private built(s: string, p: number): ParseResult {
    if (!s.startsWith('Built ', p)) return BAD.bad_message;
    let q = p + 6;
    if (s.startsWith('outbound ', q)) return SKIP.outbound;
    if (!s.startsWith('inbound ', q)) return BAD.bad_message;
    q += 8;
    if (s.startsWith('Probe ', q)) q += 6;
    if (s.startsWith('ICMP connection for faddr ', q)) return this.builtIcmp(s, q + 26);
    const proto = s.startsWith('TCP ', q) ? 6 : s.startsWith('UDP ', q) ? 17 : -1;
    if (proto < 0) return BAD.bad_proto;
    const f = s.indexOf(' for ', q);
    if (f < 0) return BAD.bad_message;
    this.endpoint(s, f + 5, true);
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    const sport = this.portValue(s);
    const to = s.indexOf(' to ', this.epEnd);
    if (to < 0) return BAD.missing_dst;
    this.endpoint(s, to + 4, true);
    const dst = this.address(s, this.dstStrings);
    if (dst === null && this.why !== WHY_NAME) return this.why === WHY_BAD ? BAD.bad_dst : BAD.missing_dst;
    const dport = this.portValue(s);
    return this.transport(proto, dport, sport, NONE, src, dst ?? undefined, undefined, true);
  }

  /** `... ICMP connection for faddr A/id gaddr G/n laddr B/n [(user)] [type N code N]`, from after `faddr `. */
  private builtIcmp(s: string, q: number): ParseResult {
    this.endpoint(s, q, false);
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    const l = s.indexOf(' laddr ', this.epEnd);
    if (l < 0) return BAD.missing_dst;
    this.endpoint(s, l + 7, false);
    const dst = this.address(s, this.dstStrings);
    if (dst === null && this.why !== WHY_NAME) return this.why === WHY_BAD ? BAD.bad_dst : BAD.missing_dst;
    const t = s.indexOf(' type ', this.epEnd);
    const type = t < 0 ? NONE : this.number(s, t + 6, 3);
    return this.transport(1, NONE, NONE, type, src, dst ?? undefined, undefined, false);
  }

  /** FTD 430002 / 430003 `Key: value, Key: value, ...` connection events. */
  private connectionEvent(s: string, p: number): ParseResult {
    let srcS = -1;
    let srcE = -1;
    let dstS = -1;
    let dstE = -1;
    let spS = -1;
    let spE = -1;
    let dpS = -1;
    let dpE = -1;
    let prS = -1;
    let prE = -1;
    let itS = -1;
    let itE = -1;
    let fpS = -1;
    let fpE = -1;
    // Hop from ": " to ": " (native search); a key is the word before it, at the body start or after ", ".
    // Stops once every key wanted has been seen (they come early in FTD's field order).
    const n = s.length;
    for (let c = s.indexOf(': ', p); c >= 0; c = s.indexOf(': ', c + 2)) {
      let k = c;
      while (k > p && isWordChar(s.charCodeAt(k - 1))) k--;
      if (k !== p && !(k >= p + 2 && s.charCodeAt(k - 1) === SP && s.charCodeAt(k - 2) === 44)) continue;
      const key = this.ftdKey(s, k, c - k);
      if (key === K_NONE) continue;
      const vs = c + 2;
      let ve = s.indexOf(',', vs);
      if (ve < 0) ve = n;
      c = ve - 2; // the value of a wanted key holds no ": "
      while (ve > vs && s.charCodeAt(ve - 1) === SP) ve--;
      // The first occurrence of a key counts, as when the whole line is read.
      if (key === K_SRC) {
        if (srcS < 0) {
          srcS = vs;
          srcE = ve;
        }
      } else if (key === K_DST) {
        if (dstS < 0) {
          dstS = vs;
          dstE = ve;
        }
      } else if (key === K_SPORT) {
        if (spS < 0) {
          spS = vs;
          spE = ve;
        }
      } else if (key === K_DPORT) {
        if (dpS < 0) {
          dpS = vs;
          dpE = ve;
        }
      } else if (key === K_PROTO) {
        if (prS < 0) {
          prS = vs;
          prE = ve;
        }
      } else if (key === K_ICMP) {
        if (itS < 0) {
          itS = vs;
          itE = ve;
        }
      } else {
        if (fpS < 0) {
          fpS = vs;
          fpE = ve;
        }
      }
      if (srcS >= 0 && dstS >= 0 && prS >= 0 && fpS >= 0 && ((spS >= 0 && dpS >= 0) || itS >= 0)) break;
    }
    if (prS < 0) return BAD.missing_proto;
    const proto = this.protocolAt(s, prS, prE);
    if (proto < 0) return BAD.bad_proto;
    if (srcS < 0) return BAD.missing_src;
    this.setAddress(srcS, srcE);
    const src = this.address(s, this.srcStrings);
    if (src === null) return this.badSrc();
    let dst: string | null = null;
    if (dstS >= 0) {
      this.setAddress(dstS, dstE);
      dst = this.address(s, this.dstStrings);
      if (dst === null && this.why === WHY_BAD) return BAD.bad_dst;
    }
    this.setPort(spS, spE);
    const sport = this.portValue(s);
    this.setPort(dpS, dpE);
    const dport = this.portValue(s);
    let type = NONE;
    if (itS >= 0) {
      const t = icmpType(s.slice(itS, itE), src.includes(':') || proto === 58);
      if (t >= 0) type = t;
    }
    if (fpS >= 0) {
      if (!this.header.rfc3339(this.b, this.o + fpS, this.o + fpE)) return BAD.bad_time;
      this.ts = this.header.ts;
      this.tsState = STAMP_OK;
    }
    return this.transport(proto, dport, sport, type, src, dst ?? undefined, undefined, true);
  }

  /** Which connection-event key of interest is the word of length `len` at `k` (K_NONE for the rest). */
  private ftdKey(s: string, k: number, len: number): number {
    switch (len) {
      case 5:
        return s.startsWith('SrcIP', k) ? K_SRC : s.startsWith('DstIP', k) ? K_DST : K_NONE;
      case 7:
        return s.startsWith('SrcPort', k) ? K_SPORT : s.startsWith('DstPort', k) ? K_DPORT : K_NONE;
      case 8:
        return s.startsWith('Protocol', k) ? K_PROTO : s.startsWith('ICMPType', k) ? K_ICMP : K_NONE;
      case 11:
        return s.startsWith('InitiatorIP', k) ? K_SRC : s.startsWith('ResponderIP', k) ? K_DST : K_NONE;
      case 13:
        return s.startsWith('InitiatorPort', k)
          ? K_SPORT
          : s.startsWith('ResponderPort', k)
            ? K_DPORT
            : K_NONE;
      case 17:
        return s.startsWith('FirstPacketSecond', k) ? K_FIRST : K_NONE;
      default:
        return K_NONE;
    }
  }

  // ---- fields -------------------------------------------------------------------------------------------------

  /**
   * Reads `[if:][ ]addr[/port]` at `p` into aS/aE, pS/pE (pS -1: no port) and epEnd. The interface ends at the
   * first ':' of the first word (`spaced`: of the text before any '/' or '(', for names like `NP Identity Ifc`),
   * unless that word is 1-4 hex digits followed by more colons: an IPv6 address without interface.
   */
  private endpoint(s: string, p: number, spaced: boolean): void {
    const n = s.length;
    while (p < n && s.charCodeAt(p) === SP) p++;
    let a = p;
    let c = -1;
    for (let i = p; i < n; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 58) {
        c = i;
        break;
      }
      if (ch === 47 || ch === 40 || ch === 41 || ch === 44 || (!spaced && (ch === SP || ch === 9))) break;
    }
    if (c >= 0) {
      let iface = true;
      if (c - p <= 4) {
        let hex = true;
        for (let i = p; i < c; i++) if (!isHex(s.charCodeAt(i))) hex = false;
        if (hex) {
          // `2001:db8::1`, `::1`: a second colon in the address means the whole word is the address.
          for (let i = c + 1; i < n && !endsAddress(s.charCodeAt(i)); i++) {
            if (s.charCodeAt(i) === 58) {
              iface = false;
              break;
            }
          }
        }
      }
      if (iface) {
        a = c + 1;
        while (a < n && s.charCodeAt(a) === SP) a++;
      }
    }
    let e = a;
    while (e < n && !endsAddress(s.charCodeAt(e))) e++;
    this.aS = a;
    this.aE = e;
    if (s.charCodeAt(e) === 47) {
      let q = e + 1;
      while (q < n && isPortChar(s.charCodeAt(q))) q++;
      this.pS = e + 1;
      this.pE = q;
      this.epEnd = q;
    } else {
      this.pS = -1;
      this.pE = -1;
      this.epEnd = e;
    }
  }

  /** 106100's `if/addr(port)` at `p`; false when the word has no `(port)`. */
  private aclEndpoint(s: string, p: number): boolean {
    const w = wordEnd(s, p);
    const open = s.indexOf('(', p);
    if (open < 0 || open >= w) return false;
    const slash = s.lastIndexOf('/', open);
    this.aS = slash >= p ? slash + 1 : p;
    this.aE = open;
    let q = open + 1;
    while (q < w && isPortChar(s.charCodeAt(q))) q++;
    if (s.charCodeAt(q) !== 41) return false;
    this.pS = open + 1;
    this.pE = q;
    this.epEnd = q + 1;
    return true;
  }

  private setAddress(a: number, e: number): void {
    this.aS = a;
    this.aE = e;
  }

  private setPort(a: number, e: number): void {
    this.pS = a;
    this.pE = e;
  }

  /** Canonical text of the address in [aS, aE), or null with `why` set. */
  private address(s: string, strings: AddressStrings): string | null {
    const a = this.aS;
    const e = this.aE;
    if (e <= a) {
      this.why = WHY_MISSING;
      return null;
    }
    const b = this.b;
    const o = this.o;
    const v4 = parseIPv4(b, o + a, o + e);
    if (v4 >= 0) return strings.v4(v4);
    if (parseIPv6(b, o + a, o + e, this.hextets)) return strings.v6(this.hextets);
    this.why = looksNumeric(s, a, e) ? WHY_BAD : WHY_NAME;
    return null;
  }

  private badSrc(): ParseResult {
    return this.why === WHY_MISSING ? BAD.missing_src : this.why === WHY_NAME ? BAD.src_not_ip : BAD.bad_src;
  }

  /** The port in [pS, pE): its number, NONE when there is none, BAD_VALUE when it is not a port. */
  private portValue(s: string): number {
    const a = this.pS;
    const e = this.pE;
    if (a < 0) return NONE;
    if (e <= a) return BAD_VALUE;
    if (isDigit(s.charCodeAt(a))) {
      const v = this.number(s, a, 5);
      return v >= 0 && v <= 65535 && this.numberEnd === e ? v : BAD_VALUE;
    }
    const v = servicePort(s.slice(a, e));
    return v >= 0 ? v : BAD_VALUE;
  }

  private numberEnd = 0;

  /** Decimal number of at most `max` digits at `p` (end in `numberEnd`), or BAD_VALUE. */
  private number(s: string, p: number, max: number): number {
    let v = 0;
    let i = p;
    while (isDigit(s.charCodeAt(i))) {
      if (i - p === max) return BAD_VALUE;
      v = v * 10 + (s.charCodeAt(i) - 48);
      i++;
    }
    this.numberEnd = i;
    return i === p ? BAD_VALUE : v;
  }

  /** IP protocol number of the word [q, w) (`tcp`, `UDP`, `icmp6`, `47`, `gre`...), or -1. */
  private protocolAt(s: string, q: number, w: number): number {
    if (w - q === 3) {
      if (s.startsWith('tcp', q) || s.startsWith('TCP', q)) return 6;
      if (s.startsWith('udp', q) || s.startsWith('UDP', q)) return 17;
    }
    if (w <= q || w - q > 12) return -1;
    return protocolNumber(s.slice(q, w));
  }

  /** TCP flag letters of `flags W W ... [on interface X]` after `q`; undefined when absent or not all known. */
  private flagsAfter(s: string, q: number): string | undefined {
    const f = s.indexOf(' flags', q);
    if (f < 0) return undefined;
    let i = f + 6;
    const n = s.length;
    if (i < n && s.charCodeAt(i) !== SP) return undefined;
    const on = s.indexOf(' on interface', i);
    const stop = on < 0 ? n : on;
    let bits = 0;
    let words = 0;
    while (i < stop) {
      while (i < stop && s.charCodeAt(i) === SP) i++;
      if (i >= stop) break;
      const j = Math.min(wordEnd(s, i), stop);
      const bit = flagBit(s.slice(i, j));
      if (bit < 0) return undefined;
      bits |= bit;
      words++;
      i = j;
    }
    if (words === 0 && on < 0) return undefined; // `flags` at the end of a cut line: not known
    return FLAG_STRINGS[bits];
  }

  // ---- events -------------------------------------------------------------------------------------------------

  /**
   * The event for IP protocol `proto`: tcp/udp on the destination port, icmp on the type, else `other` on the
   * protocol number (also tcp/udp/icmp when the message states no port or type, unless `portRequired`).
   */
  private transport(
    proto: number,
    dport: number,
    sport: number,
    type: number,
    src: string,
    dst: string | undefined,
    flags: string | undefined,
    portRequired: boolean,
  ): ParseResult {
    let kind: Protocol = protocolOf(proto);
    if (kind === 'tcp' || kind === 'udp') {
      if (dport === NONE)
        return portRequired ? BAD.missing_port : this.emit('other', proto, src, undefined, dst);
      if (dport === BAD_VALUE || sport === BAD_VALUE) return BAD.bad_port;
      return this.emit(kind, dport, src, sport === NONE ? undefined : sport, dst, flags);
    }
    if (kind === 'icmp' || kind === 'icmp6') {
      if (kind === 'icmp' && src.includes(':')) kind = 'icmp6';
      if (type === NONE) return this.emit('other', kind === 'icmp6' ? 58 : 1, src, undefined, dst);
      if (type < 0 || type > 255) return BAD.bad_icmp_type;
      return this.emit(kind, type, src, undefined, dst);
    }
    return this.emit('other', proto, src, undefined, dst);
  }

  private emit(
    proto: Protocol,
    port: number,
    src: string,
    sport: number | undefined,
    dst: string | undefined,
    flags?: string,
  ): ParseResult {
    if (this.tsState === STAMP_BAD) return BAD.bad_time;
    const event: AttackEvent = { ts: this.ts, proto, port, src, sport, dst, flags };
    return { kind: 'event', event };
  }
}
