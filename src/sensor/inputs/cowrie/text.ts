/**
 * Cowrie's text log (cowrie.log, Twisted's log format), written to a file or forwarded through syslog:
 *   [<syslog stamp> <host> cowrie[pid]: ]2024-01-26T21:59:42.976396Z [<system>] <message>
 * An attempt is the session start cowrie logs for SSH and telnet alike (cowrie/ssh/factory.py,
 * cowrie/telnet/transport.py; older kippo and cowrie releases have other system names):
 *   ... [cowrie.ssh.factory.CowrieSSHFactory] New connection: 1.2.3.4:5678 (5.6.7.8:2222) [session: abc]
 *   ... [cowrie.telnet.transport.HoneyPotTelnetFactory] New connection: ::ffff:1.2.3.4:5678 (::ffff:5.6.7.8:2223) [session: 1]
 *
 * Invariants:
 * - Address and port are split at the LAST ':' of `addr:port`, so IPv6 and IPv4-mapped addresses read right;
 *   a mapped address becomes the IPv4 address.
 * - Every other line with a stamp and a `[system]` is cowrie's (login, command, close, ...): `not_attempt`.
 *   A line without a leading ISO stamp (directly or after a `...: ` syslog prefix) is `not_firewall`.
 * - The stamp carries `Z` or an offset (`+0000`); one without a zone is read in the configured zone.
 * - As with the JSON log, the session means a completed TCP handshake, and the port is the one cowrie listened on.
 */
import type { AttackEvent } from '../../../core/event.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseContext, ParseResult } from '../input.js';
import { ByteLineParser, trimEnd, trimStart } from '../generic/line-base.js';
import { AddressReader, portAt } from '../generic/values.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const COWRIE_TEXT_MALFORMED_REASONS = ['bad_src', 'bad_dst', 'bad_port', 'missing_port'] as const;
export type CowrieTextMalformedReason = (typeof COWRIE_TEXT_MALFORMED_REASONS)[number];
const BAD = malformedResults(COWRIE_TEXT_MALFORMED_REASONS);

const SP = 32;
const COLON = 58;
const NEW_CONNECTION = Buffer.from('New connection: ');
/** How far into a line a syslog prefix may reach before the cowrie stamp. */
const PREFIX_WINDOW = 512;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

export interface CowrieTextParserOptions {
  /** Zone of stamps that carry none. Default 'utc' (cowrie writes UTC with a zone). */
  timezone?: TimeZoneMode;
}

export class CowrieTextParser extends ByteLineParser {
  readonly type = 'cowrie-text';
  private readonly stamp: StampParser;
  private readonly srcs = new AddressReader();
  private readonly dsts = new AddressReader();

  constructor(opts: CowrieTextParserOptions = {}) {
    super();
    this.stamp = new StampParser(opts.timezone ?? 'utc');
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    end = trimEnd(buf, start, end);
    start = trimStart(buf, start, end);
    if (end <= start) return SKIP.empty;

    const q = this.findStamp(buf, start, end, ctx.now);
    if (q < 0 || q + 2 >= end || buf[q] !== SP || buf[q + 1] !== 91) return SKIP.not_firewall; // ' ['
    let r = q + 2;
    while (r + 1 < end && !(buf[r] === 93 && buf[r + 1] === SP)) r++; // '] '
    if (r + 1 >= end) return SKIP.not_attempt;
    const m = r + 2;
    if (!startsWith(buf, m, end, NEW_CONNECTION)) return SKIP.not_attempt;

    // `src:sport (dst:dport) [session: id]`
    const a = m + NEW_CONNECTION.length;
    let sp = a;
    while (sp < end && buf[sp] !== SP) sp++;
    const c = lastColon(buf, a, sp);
    if (c < 0) return BAD.bad_src;
    const src = this.srcs.read(buf, a, c);
    if (src === null) return BAD.bad_src;
    if (this.srcs.loopback) return SKIP.loopback;
    const sport = portAt(buf, c + 1, sp);
    if (sport < 0) return BAD.bad_port;

    if (sp + 1 >= end || buf[sp + 1] !== 40) return BAD.missing_port; // '('
    const b = sp + 2;
    let close = b;
    while (close < end && buf[close] !== 41) close++; // ')'
    const d = close < end ? lastColon(buf, b, close) : -1;
    if (d < 0) return BAD.missing_port;
    const dst = this.dsts.read(buf, b, d);
    if (dst === null) return BAD.bad_dst;
    const port = portAt(buf, d + 1, close);
    if (port < 0) return BAD.bad_port;

    const event: AttackEvent = {
      ts: this.stamp.ts,
      proto: 'tcp',
      port,
      src,
      sport,
      dst,
      flags: undefined,
      handshake: true,
    };
    return { kind: 'event', event };
  }

  /** The index after an ISO stamp at the start or after a `: ` prefix (syslog), or -1. Leaves the time in stamp.ts. */
  private findStamp(buf: Uint8Array, start: number, end: number, now: number): number {
    if (isDigit(buf[start])) return this.iso(buf, start, end, now);
    const limit = Math.min(end - 1, start + PREFIX_WINDOW);
    for (let i = start; i < limit; i++) {
      if (buf[i] === COLON && buf[i + 1] === SP && isDigit(buf[i + 2])) {
        const q = this.iso(buf, i + 2, end, now);
        if (q >= 0) return q;
      }
    }
    return -1;
  }

  /** An RFC 3339 stamp (not epoch or classic: cowrie writes ISO 8601) at p. */
  private iso(buf: Uint8Array, p: number, end: number, now: number): number {
    if (p + 19 > end || buf[p + 4] !== 45 || buf[p + 7] !== 45) return -1; // yyyy-mm-dd
    return this.stamp.parse(buf, p, end, now);
  }
}

function startsWith(buf: Uint8Array, p: number, end: number, word: Uint8Array): boolean {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word[i]) return false;
  return true;
}

function lastColon(buf: Uint8Array, s: number, e: number): number {
  for (let i = e - 1; i >= s; i--) if (buf[i] === COLON) return i;
  return -1;
}
