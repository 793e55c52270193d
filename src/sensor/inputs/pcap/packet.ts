/**
 * One captured packet (link layer, IP, transport) to a ParseResult. Stateless: the framing (decoder.ts) passes the
 * bytes, the interface's link type and the record's time in ms.
 *
 * Link types (tcpdump.org/linktypes.html): 0 NULL and 108 LOOP (BSD loopback: a 4-byte address family in the
 * capturing host's / network byte order; both orders are accepted), 1 Ethernet (802.1Q / 802.1ad / QinQ tags,
 * at most 4, and PPPoE sessions), 101 raw IP (version from the first nibble), 228 raw IPv4, 229 raw IPv6,
 * 113 Linux cooked SLL, 276 Linux cooked SLL2, 117 OpenBSD pflog (header length in byte 0, direction at 60).
 *
 * What is an event (a packet that starts an attempt; a capture does not tell the direction, so every packet
 * counts as inbound unless the link header says outgoing or the source is in `local_networks`):
 * - TCP: SYN without ACK (a connection attempt; flags such as ECE/CWR/FIN along with it do not matter), and
 *   packets with neither SYN, ACK nor RST (FIN, NULL and XMAS scans). Anything with ACK (established traffic,
 *   SYN-ACK replies, RST-ACK) and a bare RST is skip `not_attempt`. `flags` are the letters FSRPAUEC of the
 *   flag byte. `handshake` stays unset: the event is emitted when the SYN is seen, before any reply.
 * - UDP: every packet. Port = destination port.
 * - ICMP (IPv4, protocol 1): the query types that probe a host are events (8 echo, 13 timestamp, 15 information,
 *   17 address mask, 42 extended echo request); replies, errors (unreachable, time exceeded, ...), router
 *   discovery, redirects and unassigned/deprecated types are `not_attempt`. Port = ICMP type.
 * - ICMPv6 (IPv6, next header 58): 128 echo request, 139 node information query, 160 extended echo request are
 *   events; errors (< 128), replies and the link-local control messages (MLD, router/neighbour discovery,
 *   redirect, ...) are `not_attempt`. Port = ICMPv6 type.
 * - Any other protocol: `other` with port = protocol number (ICMPv6 in IPv4 and ICMP in IPv6 included, as a
 *   protocol scan would send them). IPv6 extension headers (0, 43, 44, 51, 60) are walked first.
 * - IP fragments other than the first (offset != 0): skip `not_attempt` (the first fragment carries the ports
 *   and is the event). Non-IP frames (ARP, LLDP, STP, ...): `not_attempt`.
 * - Source or destination 127.0.0.0/8 or ::1: skip `loopback`. Outgoing per the link header (SLL/SLL2 packet
 *   type 4, pflog direction out) or a source in `local_networks`: skip `outbound`.
 * Malformed reasons: `truncated` (the capture ends before the headers needed), `bad_ip_header` (version nibble
 * not the link's, IHL < 5, total length below the header, more than 8 IPv6 extension headers),
 * `bad_link_header` (pflog header length below 61, more than 4 VLAN tags), `unsupported_link_type`.
 */
import type { AttackEvent } from '../../../core/event.js';
import { formatIPv6 } from '../../net/ip.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseResult } from '../input.js';
import type { NetworkList } from './networks.js';

export const MALFORMED_REASONS = [
  'truncated',
  'bad_ip_header',
  'bad_link_header',
  'unsupported_link_type',
  'unknown_interface',
  'bad_block',
  'bad_timestamp',
] as const;
export type PcapMalformedReason = (typeof MALFORMED_REASONS)[number];
export const MALFORMED = malformedResults(MALFORMED_REASONS);

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  PFLOG: 117,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** Flag byte (TCP header offset 13: FIN=0x01 ... CWR=0x80) to letters in FSRPAUEC order. */
const FLAG_LETTERS: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  [...'FSRPAUEC'].filter((_, i) => (b >> i) & 1).join(''),
);

/** ICMP (v4) types that are attempts: echo, timestamp, information, address mask, extended echo requests. */
const ICMP4_ATTEMPT = new Uint8Array(256);
for (const t of [8, 13, 15, 17, 42]) ICMP4_ATTEMPT[t] = 1;
/** ICMPv6 types that are attempts: echo request, node information query, extended echo request. */
const ICMP6_ATTEMPT = new Uint8Array(256);
for (const t of [128, 139, 160]) ICMP6_ATTEMPT[t] = 1;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const MAX_VLAN_TAGS = 4;
const MAX_IPV6_EXTENSIONS = 8;
/** Linux ARPHRD_LOOPBACK in the SLL/SLL2 header: a capture on `lo`. */
const ARPHRD_LOOPBACK = 772;
/** Linux PACKET_OUTGOING in the SLL/SLL2 packet type. */
const PACKET_OUTGOING = 4;
/** pflog: PFLOG_REAL_HDRLEN (offsetof pad) and the direction byte (PF_OUT = 2). */
const PFLOG_MIN_HDRLEN = 61;
const PFLOG_DIR_AT = 60;
const PF_OUT = 2;

const be16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const hex6 = new Uint16Array(8);

/** Text of the IPv4 address at `b[i, i + 4)` (a fresh string). */
function ipv4Text(b: Uint8Array, i: number): string {
  return `${b[i] ?? 0}.${b[i + 1] ?? 0}.${b[i + 2] ?? 0}.${b[i + 3] ?? 0}`;
}

/** RFC 5952 text of the IPv6 address at `b[i, i + 16)`. */
function ipv6Text(b: Uint8Array, i: number): string {
  for (let k = 0; k < 8; k++) hex6[k] = be16(b, i + 2 * k);
  return formatIPv6(hex6);
}

function isLoopback6(b: Uint8Array, i: number): boolean {
  for (let k = 0; k < 15; k++) if (b[i + k] !== 0) return false;
  return b[i + 15] === 1;
}

/** Decodes packets; holds only configuration (the local networks), so one instance serves every interface. */
export class PacketReader {
  constructor(private readonly local: NetworkList | null = null) {}

  /** Decodes `buf[start, end)`, a frame of link type `linkType` captured at `ts` (ms). Never throws. */
  read(buf: Uint8Array, start: number, end: number, linkType: number, ts: number): ParseResult {
    switch (linkType) {
      case LINKTYPE.ETHERNET:
        return this.ethernet(buf, start, end, ts);
      case LINKTYPE.RAW: {
        if (end - start < 1) return MALFORMED.truncated;
        const v = (buf[start] ?? 0) >> 4;
        if (v === 4) return this.ipv4(buf, start, end, ts);
        if (v === 6) return this.ipv6(buf, start, end, ts);
        return MALFORMED.bad_ip_header;
      }
      case LINKTYPE.IPV4:
        return this.ipv4(buf, start, end, ts);
      case LINKTYPE.IPV6:
        return this.ipv6(buf, start, end, ts);
      case LINKTYPE.LINUX_SLL: {
        if (end - start < 16) return MALFORMED.truncated;
        if (be16(buf, start) === PACKET_OUTGOING) return SKIP.outbound;
        if (be16(buf, start + 2) === ARPHRD_LOOPBACK) return SKIP.loopback;
        return this.ethertype(be16(buf, start + 14), buf, start + 16, end, ts);
      }
      case LINKTYPE.LINUX_SLL2: {
        if (end - start < 20) return MALFORMED.truncated;
        if (buf[start + 10] === PACKET_OUTGOING) return SKIP.outbound;
        if (be16(buf, start + 8) === ARPHRD_LOOPBACK) return SKIP.loopback;
        return this.ethertype(be16(buf, start), buf, start + 20, end, ts);
      }
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP:
        return this.bsdLoopback(buf, start, end, ts);
      case LINKTYPE.PFLOG: {
        if (end - start < 1) return MALFORMED.truncated;
        const hdrlen = buf[start] ?? 0;
        if (hdrlen < PFLOG_MIN_HDRLEN) return MALFORMED.bad_link_header;
        const at = start + ((hdrlen + 3) & ~3); // BPF_WORDALIGN
        if (at > end) return MALFORMED.truncated;
        if (buf[start + PFLOG_DIR_AT] === PF_OUT) return SKIP.outbound;
        const af = buf[start + 1] ?? 0;
        if (af === 2) return this.ipv4(buf, at, end, ts);
        if (af === 10 || af === 24 || af === 28 || af === 30) return this.ipv6(buf, at, end, ts);
        return SKIP.not_attempt;
      }
      default:
        return MALFORMED.unsupported_link_type;
    }
  }

  private ethernet(buf: Uint8Array, start: number, end: number, ts: number): ParseResult {
    if (end - start < 14) return MALFORMED.truncated;
    let p = start + 14;
    let type = be16(buf, start + 12);
    for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; tags++) {
      if (tags === MAX_VLAN_TAGS) return MALFORMED.bad_link_header;
      if (end - p < 4) return MALFORMED.truncated;
      type = be16(buf, p + 2);
      p += 4;
    }
    if (type === 0x8864) {
      // PPPoE session: version/type, code, session id, length, then the 2-byte PPP protocol.
      if (end - p < 8) return MALFORMED.truncated;
      const ppp = be16(buf, p + 6);
      if (ppp === 0x0021) return this.ipv4(buf, p + 8, end, ts);
      if (ppp === 0x0057) return this.ipv6(buf, p + 8, end, ts);
      return SKIP.not_attempt;
    }
    return this.ethertype(type, buf, p, end, ts);
  }

  private ethertype(type: number, buf: Uint8Array, p: number, end: number, ts: number): ParseResult {
    if (type === ETH_IPV4) return this.ipv4(buf, p, end, ts);
    if (type === ETH_IPV6) return this.ipv6(buf, p, end, ts);
    return SKIP.not_attempt;
  }

  private bsdLoopback(buf: Uint8Array, start: number, end: number, ts: number): ParseResult {
    if (end - start < 4) return MALFORMED.truncated;
    // The family is a uint32 in the capturing host's order (NULL) or network order (LOOP): try both.
    const b0 = buf[start] ?? 0;
    const b3 = buf[start + 3] ?? 0;
    const high = (buf[start + 1] ?? 0) | (buf[start + 2] ?? 0);
    const af = high !== 0 ? -1 : b3 === 0 ? b0 : b0 === 0 ? b3 : -1;
    if (af === 2) return this.ipv4(buf, start + 4, end, ts);
    if (af === 10 || af === 24 || af === 28 || af === 30) return this.ipv6(buf, start + 4, end, ts);
    return SKIP.not_attempt;
  }

  private ipv4(buf: Uint8Array, p: number, end: number, ts: number): ParseResult {
    if (end - p < 20) return MALFORMED.truncated;
    const vihl = buf[p] ?? 0;
    const ihl = (vihl & 15) * 4;
    if (vihl >> 4 !== 4 || ihl < 20) return MALFORMED.bad_ip_header;
    if (end - p < ihl) return MALFORMED.truncated;
    const total = be16(buf, p + 2);
    // Total 0 is a TSO/GSO capture (length filled in by the NIC): read to the end of the capture then.
    if (total !== 0 && total < ihl) return MALFORMED.bad_ip_header;
    const l4end = total !== 0 && p + total < end ? p + total : end; // drops Ethernet padding
    if (buf[p + 12] === 127 || buf[p + 16] === 127) return SKIP.loopback;
    if (this.local !== null && this.local.contains(buf, p + 12, 4)) return SKIP.outbound;
    if ((be16(buf, p + 6) & 0x1fff) !== 0) return SKIP.not_attempt; // a later fragment
    return this.transport(buf[p + 9] ?? 0, buf, p + ihl, l4end, ts, 4, p + 12, p + 16);
  }

  private ipv6(buf: Uint8Array, p: number, end: number, ts: number): ParseResult {
    if (end - p < 40) return MALFORMED.truncated;
    if ((buf[p] ?? 0) >> 4 !== 6) return MALFORMED.bad_ip_header;
    const plen = be16(buf, p + 4);
    // Payload length 0 is a jumbogram or a TSO capture: read to the end of the capture then.
    const l4end = plen !== 0 && p + 40 + plen < end ? p + 40 + plen : end;
    if (isLoopback6(buf, p + 8) || isLoopback6(buf, p + 24)) return SKIP.loopback;
    if (this.local !== null && this.local.contains(buf, p + 8, 6)) return SKIP.outbound;
    let nh = buf[p + 6] ?? 0;
    let q = p + 40;
    for (let n = 0; ; n++) {
      if (nh !== 0 && nh !== 43 && nh !== 60 && nh !== 44 && nh !== 51) break;
      if (n === MAX_IPV6_EXTENSIONS) return MALFORMED.bad_ip_header;
      if (l4end - q < 8) return MALFORMED.truncated;
      const next = buf[q] ?? 0;
      if (nh === 44) {
        if ((be16(buf, q + 2) & 0xfff8) !== 0) return SKIP.not_attempt; // a later fragment
        q += 8;
      } else if (nh === 51) {
        q += ((buf[q + 1] ?? 0) + 2) * 4; // AH: length in 4-octet units minus 2
      } else {
        q += ((buf[q + 1] ?? 0) + 1) * 8; // hop-by-hop, routing, destination options
      }
      nh = next;
    }
    if (q > l4end) return MALFORMED.truncated;
    return this.transport(nh, buf, q, l4end, ts, 6, p + 8, p + 24);
  }

  private transport(
    proto: number,
    buf: Uint8Array,
    q: number,
    end: number,
    ts: number,
    family: 4 | 6,
    srcAt: number,
    dstAt: number,
  ): ParseResult {
    let event: AttackEvent;
    if (proto === 6) {
      if (end - q < 14) return MALFORMED.truncated;
      const f = buf[q + 13] ?? 0;
      const syn = f & 0x02;
      const ack = f & 0x10;
      if (ack !== 0 || (syn === 0 && (f & 0x04) !== 0)) return SKIP.not_attempt;
      event = {
        ts,
        proto: 'tcp',
        port: be16(buf, q + 2),
        src: '',
        sport: be16(buf, q),
        dst: '',
        flags: FLAG_LETTERS[f] ?? '',
      };
    } else if (proto === 17) {
      if (end - q < 4) return MALFORMED.truncated;
      event = { ts, proto: 'udp', port: be16(buf, q + 2), src: '', sport: be16(buf, q), dst: '' };
    } else if ((proto === 1 && family === 4) || (proto === 58 && family === 6)) {
      if (end - q < 1) return MALFORMED.truncated;
      const type = buf[q] ?? 0;
      if ((family === 4 ? ICMP4_ATTEMPT : ICMP6_ATTEMPT)[type] !== 1) return SKIP.not_attempt;
      event = { ts, proto: family === 4 ? 'icmp' : 'icmp6', port: type, src: '', dst: '' };
    } else {
      event = { ts, proto: 'other', port: proto, src: '', dst: '' };
    }
    if (family === 4) {
      event.src = ipv4Text(buf, srcAt);
      event.dst = ipv4Text(buf, dstAt);
    } else {
      event.src = ipv6Text(buf, srcAt);
      event.dst = ipv6Text(buf, dstAt);
    }
    return { kind: 'event', event };
  }
}
