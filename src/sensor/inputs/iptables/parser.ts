/**
 * Linux netfilter LOG lines (iptables, ip6tables, nftables `log`, ufw, Shorewall, Proxmox pvefw-logger, UniFi):
 *   [stamp] [host] [kernel: [uptime]] [PREFIX]IN=if OUT=if [MAC=..] SRC=a DST=a LEN= ... PROTO=p [SPT= DPT= ... flags]
 * Field format from the kernel, net/netfilter/nf_log_syslog.c (IPv4: TOS/TTL/ID, IPv6: TC/HOPLIMIT/FLOWLBL;
 * TCP flag words CWR ECE URG ACK PSH RST SYN FIN between RES= and URGP=; ICMP TYPE= CODE=; PROTO=<n> for other
 * protocols; ICMP errors append the offending packet in brackets, `[SRC=.. DST=.. PROTO=..]`).
 *
 * Invariants:
 * - One left-to-right pass over the bytes of the line; nothing is allocated for a skipped or refused line; an
 *   event allocates its object and its address strings (fresh, cached for repeated addresses).
 * - Outer fields win: scanning stops at the first '[' after PROTO=, so an ICMP error's inner packet never
 *   overrides SRC/DST/PROTO/ports. The first occurrence of each key counts (IP ID= vs ICMP ID=).
 * - The IN= key may be glued to a log prefix (`Shorewall:net:DROP:IN=`, `DROP(src wan)IN=`): it is recognised
 *   when the character before it is not a letter, digit or '_' (so PHYSIN= is not it).
 * - Interface names may contain '.', as VLAN interfaces do (eth0.100).
 */
import type { AttackEvent } from '../../../core/event.js';
import { parseIPv4, parseIPv6 } from '../../net/ip.js';
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { AddressStrings, EQ, FLAG_STRINGS, port, protoOf, SP } from './fields.js';
import { F_DPT, F_DST, F_IN, F_OUT, F_PROTO, F_SPT, F_SRC, F_TYPE, LineFields } from './scan.js';
import { StampParser } from './timestamp.js';
import type { TimeZoneMode } from './timestamp.js';

export const MALFORMED_REASONS = [
  'missing_in',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_proto',
  'bad_proto',
  'missing_dpt',
  'bad_port',
  'missing_icmp_type',
  'bad_icmp_type',
] as const;
export type IptablesMalformedReason = (typeof MALFORMED_REASONS)[number];
const BAD = malformedResults(MALFORMED_REASONS);

export interface IptablesParserOptions {
  /** Zone of stamps that carry none (classic syslog). Default 'local' (what syslog daemons write). */
  timezone?: TimeZoneMode;
}

/** The netfilter LOG parser. One instance per input: it holds only caches, never line data. */
export class IptablesParser implements InputParser {
  readonly type = 'iptables';
  private readonly stamp: StampParser;
  private readonly srcStrings = new AddressStrings();
  private readonly dstStrings = new AddressStrings();
  private readonly hextets = new Uint16Array(8);
  private readonly fields = new LineFields();
  private readonly scratch = new Utf8Scratch();

  constructor(opts: IptablesParserOptions = {}) {
    this.stamp = new StampParser(opts.timezone ?? 'local');
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    while (end > start) {
      const c = buf[end - 1];
      if (c !== 10 && c !== 13 && c !== SP) break;
      end--;
    }
    if (end <= start) return SKIP.empty;

    let ts = ctx.now;
    let p = this.stamp.parse(buf, start, end, ctx.now);
    if (p < 0) p = this.stampAfterPrefix(buf, start, end, ctx.now);
    if (p >= 0) ts = this.stamp.ts;
    else p = start;

    const f = this.fields;
    if (!f.findIn(buf, p, start, end)) {
      return f.outSeen ? SKIP.outbound : f.fieldSeen ? BAD.missing_in : SKIP.not_firewall;
    }
    f.scanFields(buf, end);
    const inS = f.start(F_IN);
    const inE = f.end(F_IN);
    if (inE === inS) return f.outSeen || f.end(F_OUT) > f.start(F_OUT) ? SKIP.outbound : BAD.missing_in;
    if (inE - inS === 2 && buf[inS] === 108 && buf[inS + 1] === 111) return SKIP.loopback; // IN=lo
    return this.event(buf, ts);
  }

  /** Validates the located fields and builds the event. */
  private event(buf: Uint8Array, ts: number): ParseResult {
    const f = this.fields;
    if (f.start(F_SRC) < 0) return BAD.missing_src;
    const src = this.address(buf, f.start(F_SRC), f.end(F_SRC), this.srcStrings);
    if (src === null) return BAD.bad_src;
    let dst: string | undefined;
    if (f.start(F_DST) >= 0) {
      const d = this.address(buf, f.start(F_DST), f.end(F_DST), this.dstStrings);
      if (d === null) return BAD.bad_dst;
      dst = d;
    }
    if (f.start(F_PROTO) < 0) return BAD.missing_proto;
    const proto = protoOf(buf, f.start(F_PROTO), f.end(F_PROTO));
    if (proto === null) return BAD.bad_proto;
    const kind = proto[0];

    if (kind === 'tcp' || kind === 'udp') {
      if (f.start(F_DPT) < 0) return BAD.missing_dpt;
      const dport = port(buf, f.start(F_DPT), f.end(F_DPT));
      if (dport < 0 || dport > 65535) return BAD.bad_port;
      let sport: number | undefined;
      if (f.start(F_SPT) >= 0) {
        sport = port(buf, f.start(F_SPT), f.end(F_SPT));
        if (sport < 0 || sport > 65535) return BAD.bad_port;
      }
      const event: AttackEvent = {
        ts,
        proto: kind,
        port: dport,
        src,
        sport,
        dst,
        flags: kind === 'tcp' ? FLAG_STRINGS[f.flags] : undefined,
      };
      return { kind: 'event', event };
    }
    if (kind === 'icmp' || kind === 'icmp6') {
      if (f.start(F_TYPE) < 0) return BAD.missing_icmp_type;
      const type = port(buf, f.start(F_TYPE), f.end(F_TYPE));
      if (type < 0 || type > 255) return BAD.bad_icmp_type;
      return {
        kind: 'event',
        event: { ts, proto: kind, port: type, src, sport: undefined, dst, flags: undefined },
      };
    }
    return {
      kind: 'event',
      event: { ts, proto: kind, port: proto[1], src, sport: undefined, dst, flags: undefined },
    };
  }

  /** Canonical text of the address in [s, e), or null. */
  private address(buf: Uint8Array, s: number, e: number, strings: AddressStrings): string | null {
    const v4 = parseIPv4(buf, s, e);
    if (v4 >= 0) return strings.v4(v4);
    return parseIPv6(buf, s, e, this.hextets) ? strings.v6(this.hextets) : null;
  }

  /**
   * Stamps not at the start of the line: after a `file:` prefix (grep -H output) or Proxmox's
   * `<vmid> <level> <chain> dd/Mon/yyyy:...`. Looks only before the first '=' (the fields).
   */
  private stampAfterPrefix(buf: Uint8Array, start: number, end: number, now: number): number {
    const limit = Math.min(end, start + 256);
    for (let i = start; i < limit; i++) {
      const c = buf[i];
      if (c === EQ) return -1;
      if (c === 58) return this.stamp.parse(buf, i + 1, end, now); // ':'
      if (c === 47 && i - start >= 2) {
        const q = this.stamp.proxmox(buf, i - 2, end); // '/'
        if (q >= 0) return q;
      }
    }
    return -1;
  }
}
