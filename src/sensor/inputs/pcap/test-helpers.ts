/**
 * Test-only builders of capture bytes, written from the format documents (pcap-savefile(5), the pcapng draft,
 * tcpdump.org/linktypes.html, RFC 791/8200/9293/768/792/4443), never from the decoder. Excluded from the build.
 *
 * Layouts written here (all multi-byte fields in the file's byte order unless "network order"):
 * - pcap file header (24 bytes): magic u32 (a1b2c3d4 µs, a1b23c4d ns, a1b2cd34 modified), version major u16 = 2,
 *   minor u16 = 4, thiszone i32 = 0, sigfigs u32 = 0, snaplen u32, link type u32.
 * - pcap record: ts_sec u32, ts_usec-or-nsec u32, incl_len u32, orig_len u32, then incl_len bytes (the modified
 *   format adds ifindex u32, protocol u16, pkt_type u8, pad u8: 24 bytes of header).
 * - pcapng block: type u32, total length u32, body padded to 4 bytes, total length u32 again.
 *   SHB body: byte-order magic 1a2b3c4d, major u16 = 1, minor u16 = 0, section length i64 = -1, options.
 *   IDB body: link type u16, reserved u16, snaplen u32, options (code u16, length u16, value padded to 4;
 *   if_tsresol = 9 (1 byte), if_tsoffset = 14 (i64 seconds), opt_endofopt = 0).
 *   EPB body: interface id u32, ts high u32, ts low u32, captured len u32, original len u32, data padded.
 *   PB (obsolete) body: interface id u16, drops u16, ts high, ts low, captured len, original len, data.
 *   SPB body: original len u32, data padded.
 * - Packets (network order): Ethernet dst(6) src(6) type(2); 802.1Q tag TPID(2) TCI(2); IPv4 (RFC 791) 20 bytes +
 *   options; IPv6 (RFC 8200) 40 bytes; TCP 20 bytes (ports, seq, ack, offset, flags at 13, window, sum, urg);
 *   UDP 8 bytes; ICMP type, code, checksum, rest (8 bytes).
 */

/** IPv4 text to 4 bytes, IPv6 text (with "::") to 16 bytes; deliberately simple. */
export function addrBytes(text: string): number[] {
  if (!text.includes(':')) return text.split('.').map(Number);
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

const u16be = (n: number): number[] => [(n >> 8) & 255, n & 255];

export const TCP = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 } as const;

export function tcp(sport: number, dport: number, flags: number): number[] {
  return [...u16be(sport), ...u16be(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, ...u16be(1024), 0, 0, 0, 0];
}

export function udp(sport: number, dport: number, payload: number[] = []): number[] {
  return [...u16be(sport), ...u16be(dport), ...u16be(8 + payload.length), 0, 0, ...payload];
}

export function icmp(type: number, code = 0): number[] {
  return [type, code, 0, 0, 0, 1, 0, 1];
}

export function ipv4(
  src: string,
  dst: string,
  proto: number,
  payload: number[],
  o: { options?: number[]; fragOffset?: number; moreFragments?: boolean; totalLength?: number } = {},
): number[] {
  const opts = o.options ?? [];
  const ihl = 5 + opts.length / 4;
  const total = o.totalLength ?? ihl * 4 + payload.length;
  const frag = ((o.moreFragments ?? false) ? 0x2000 : 0) | ((o.fragOffset ?? 0) & 0x1fff);
  return [
    0x40 | ihl,
    0,
    ...u16be(total),
    0,
    1,
    ...u16be(frag),
    64,
    proto,
    0,
    0,
    ...addrBytes(src),
    ...addrBytes(dst),
    ...opts,
    ...payload,
  ];
}

/** IPv6 with extension headers: each `[type, bytes]` with its own next-header byte filled in here. */
export function ipv6(
  src: string,
  dst: string,
  nextHeader: number,
  payload: number[],
  ext: Array<[number, number[]]> = [],
): number[] {
  // ext[i][1] must start with the next-header byte slot (overwritten).
  const chain: number[] = [];
  ext.forEach(([, bytes], i) => {
    const next = i + 1 < ext.length ? ext[i + 1]![0] : nextHeader;
    chain.push(next, ...bytes.slice(1));
  });
  const first = ext.length > 0 ? ext[0]![0] : nextHeader;
  const plen = chain.length + payload.length;
  return [
    0x60,
    0,
    0,
    0,
    ...u16be(plen),
    first,
    64,
    ...addrBytes(src),
    ...addrBytes(dst),
    ...chain,
    ...payload,
  ];
}

/** An 8-byte hop-by-hop / destination options header (Pad6) or routing header (type 0 segments left 0). */
export const EXT_OPTIONS_8: number[] = [0, 0, 1, 4, 0, 0, 0, 0];
export const EXT_ROUTING_24: number[] = [0, 2, 0, 0, 0, 0, 0, 0, ...Array<number>(16).fill(0)];
export function extFragment(offset8: number, more: boolean): number[] {
  return [0, 0, ...u16be((offset8 << 3) | (more ? 1 : 0)), 0, 0, 0, 7];
}
/** AH with a 12-byte ICV: payload length field = (24 / 4) - 2 = 4. */
export const EXT_AH_24: number[] = [0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...Array<number>(12).fill(0)];

export function ether(type: number, payload: number[], vlans: number[] = []): number[] {
  const macs = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  const tags = vlans.flatMap((tpid, i) => [...u16be(tpid), ...u16be(100 + i)]);
  return [...macs, ...tags, ...u16be(type), ...payload];
}

/** Linux cooked v1 (16 bytes): packet type, ARPHRD type, address length, address (8), protocol. */
export function sll(pktType: number, protocol: number, payload: number[], arphrd = 1): number[] {
  return [...u16be(pktType), ...u16be(arphrd), 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...u16be(protocol), ...payload];
}

/** Linux cooked v2 (20 bytes): protocol, reserved, ifindex u32, ARPHRD type, packet type, addr len, addr (8). */
export function sll2(pktType: number, protocol: number, payload: number[], arphrd = 1): number[] {
  return [
    ...u16be(protocol),
    0,
    0,
    0,
    0,
    0,
    2,
    ...u16be(arphrd),
    pktType,
    6,
    2,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    ...payload,
  ];
}

/** OpenBSD pfloghdr: length 61 (padded to 64), af, action, reason, ifname, ruleset, rulenr ... dir at 60. */
export function pflog(af: number, dir: number, payload: number[], length = 61): number[] {
  const h = Array<number>(64).fill(0);
  h[0] = length;
  h[1] = af;
  h[60] = dir;
  'em0'.split('').forEach((c, i) => (h[4 + i] = c.charCodeAt(0)));
  return [...h, ...payload];
}

function u32(n: number, le: boolean): number[] {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return [...b];
}
function u16(n: number, le: boolean): number[] {
  return le ? [n & 255, (n >> 8) & 255] : [(n >> 8) & 255, n & 255];
}

export interface PcapRecord {
  sec: number;
  frac: number;
  data: number[];
  /** Original length (defaults to data length). */
  orig?: number;
  /** incl_len written into the header (defaults to data length). */
  incl?: number;
}

/** A classic pcap file. */
export function pcapFile(o: {
  le?: boolean;
  nano?: boolean;
  modified?: boolean;
  linkType: number;
  snaplen?: number;
  major?: number;
  records: PcapRecord[];
}): Buffer {
  const le = o.le ?? true;
  const magic = o.modified === true ? 0xa1b2cd34 : o.nano === true ? 0xa1b23c4d : 0xa1b2c3d4;
  const out = [
    ...u32(magic, le),
    ...u16(o.major ?? 2, le),
    ...u16(4, le),
    ...u32(0, le),
    ...u32(0, le),
    ...u32(o.snaplen ?? 65535, le),
    ...u32(o.linkType, le),
  ];
  for (const r of o.records) {
    out.push(
      ...u32(r.sec, le),
      ...u32(r.frac, le),
      ...u32(r.incl ?? r.data.length, le),
      ...u32(r.orig ?? r.data.length, le),
    );
    if (o.modified === true) out.push(...u32(1, le), ...u16(0x0800, le), 0, 0);
    for (const b of r.data) out.push(b);
  }
  return Buffer.from(out);
}

const pad4 = (b: number[]): number[] => [...b, ...Array<number>((4 - (b.length % 4)) % 4).fill(0)];

/** One pcapng block with its two length fields; `lengthOverride` writes a wrong leading length (fatal tests). */
export function block(le: boolean, type: number, body: number[], lengthOverride?: number): number[] {
  const b = pad4(body);
  const len = 12 + b.length;
  return [...u32(type, le), ...u32(lengthOverride ?? len, le), ...b, ...u32(len, le)];
}

export function option(le: boolean, code: number, value: number[]): number[] {
  return [...u16(code, le), ...u16(value.length, le), ...pad4(value)];
}

export function shb(le: boolean, major = 1): number[] {
  return block(le, 0x0a0d0d0a, [
    ...u32(0x1a2b3c4d, le),
    ...u16(major, le),
    ...u16(0, le),
    ...Array<number>(8).fill(0xff),
  ]);
}

export function idb(
  le: boolean,
  linkType: number,
  o: { tsresol?: number; tsoffset?: bigint; name?: string } = {},
): number[] {
  const opts: number[] = [];
  if (o.name !== undefined) opts.push(...option(le, 2, [...Buffer.from(o.name)]));
  if (o.tsresol !== undefined) opts.push(...option(le, 9, [o.tsresol]));
  if (o.tsoffset !== undefined) {
    const b = Buffer.alloc(8);
    if (le) b.writeBigInt64LE(o.tsoffset);
    else b.writeBigInt64BE(o.tsoffset);
    opts.push(...option(le, 14, [...b]));
  }
  if (opts.length > 0) opts.push(...option(le, 0, []));
  return block(le, 1, [...u16(linkType, le), ...u16(0, le), ...u32(262144, le), ...opts]);
}

export function epb(le: boolean, ifid: number, ticks: bigint, data: number[], caplen?: number): number[] {
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  return block(le, 6, [
    ...u32(ifid, le),
    ...u32(hi, le),
    ...u32(lo, le),
    ...u32(caplen ?? data.length, le),
    ...u32(data.length, le),
    ...data,
  ]);
}

export function pb(le: boolean, ifid: number, ticks: bigint, data: number[]): number[] {
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  return block(le, 2, [
    ...u16(ifid, le),
    ...u16(0, le),
    ...u32(hi, le),
    ...u32(lo, le),
    ...u32(data.length, le),
    ...u32(data.length, le),
    ...data,
  ]);
}

export function spb(le: boolean, data: number[], orig?: number): number[] {
  return block(le, 3, [...u32(orig ?? data.length, le), ...data]);
}
