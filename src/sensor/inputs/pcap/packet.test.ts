/**
 * Link layers, IP and transport decoding (packet.ts) on packets built by hand (test-helpers.ts), including what
 * the fixtures lack: VLAN/QinQ, SLL/SLL2, NULL/LOOP, raw IPv4/IPv6, pflog, IPv4 options and fragments, IPv6
 * extension headers, every TCP flag rule, the ICMP/ICMPv6 tables, local_networks.
 */
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { NetworkList, parseCidr, pcapOptionsSchema } from './index.js';
import { LINKTYPE, PacketReader } from './packet.js';
import {
  EXT_AH_24,
  EXT_OPTIONS_8,
  EXT_ROUTING_24,
  ether,
  extFragment,
  icmp,
  ipv4,
  ipv6,
  pflog,
  sll,
  sll2,
  TCP,
  tcp,
  udp,
} from './test-helpers.js';

const TS = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const reader = new PacketReader();
const read = (bytes: number[], link: number = LINKTYPE.ETHERNET, r = reader): ParseResult =>
  r.read(Uint8Array.from(bytes), 0, bytes.length, link, TS);
const ev = (r: ParseResult): AttackEvent => {
  if (r.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(r)}`);
  return r.event;
};
const skip = (reason: string): ParseResult => ({ kind: 'skip', reason }) as ParseResult;
const bad = (reason: string): ParseResult => ({ kind: 'malformed', reason });

const SYN4 = ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S));
const SYN4_EVENT: AttackEvent = {
  ts: TS,
  proto: 'tcp',
  port: 22,
  src: '198.51.100.7',
  sport: 40000,
  dst: '192.0.2.1',
  flags: 'S',
};
const SYN6 = ipv6('2001:db8::7', '2001:db8:0:1::1', 6, tcp(40000, 443, TCP.S));
const SYN6_EVENT: AttackEvent = { ...SYN4_EVENT, port: 443, src: '2001:db8::7', dst: '2001:db8:0:1::1' };

describe('link layers', () => {
  it('Ethernet: IPv4 and IPv6, 802.1Q, QinQ (88a8 + 8100), 9100; more than 4 tags is bad_link_header', () => {
    expect(read(ether(0x0800, SYN4))).toEqual({ kind: 'event', event: SYN4_EVENT });
    expect(read(ether(0x86dd, SYN6))).toEqual({ kind: 'event', event: SYN6_EVENT });
    expect(ev(read(ether(0x0800, SYN4, [0x8100])))).toEqual(SYN4_EVENT);
    expect(ev(read(ether(0x86dd, SYN6, [0x88a8, 0x8100])))).toEqual(SYN6_EVENT);
    expect(ev(read(ether(0x0800, SYN4, [0x9100, 0x8100, 0x8100, 0x8100])))).toEqual(SYN4_EVENT);
    expect(read(ether(0x0800, SYN4, [0x8100, 0x8100, 0x8100, 0x8100, 0x8100]))).toEqual(
      bad('bad_link_header'),
    );
  });

  it('Ethernet: ARP, LLDP and 802.3 length frames are not attempts; PPPoE sessions carry IP', () => {
    expect(read(ether(0x0806, Array<number>(28).fill(1)))).toEqual(skip('not_attempt'));
    expect(read(ether(0x88cc, Array<number>(20).fill(0)))).toEqual(skip('not_attempt'));
    expect(read(ether(46, Array<number>(46).fill(0x42)))).toEqual(skip('not_attempt'));
    const pppoe = (proto: number, p: number[]): number[] => [
      0x11,
      0,
      0,
      1,
      0,
      p.length + 2,
      proto >> 8,
      proto & 255,
      ...p,
    ];
    expect(ev(read(ether(0x8864, pppoe(0x0021, SYN4))))).toEqual(SYN4_EVENT);
    expect(ev(read(ether(0x8864, pppoe(0x0057, SYN6))))).toEqual(SYN6_EVENT);
    expect(read(ether(0x8864, pppoe(0xc021, [1, 2, 3, 4])))).toEqual(skip('not_attempt')); // LCP
  });

  it('Linux cooked SLL and SLL2: incoming decoded, outgoing (4) outbound, ARPHRD_LOOPBACK (772) loopback', () => {
    expect(ev(read(sll(0, 0x0800, SYN4), LINKTYPE.LINUX_SLL))).toEqual(SYN4_EVENT);
    expect(ev(read(sll(1, 0x86dd, SYN6), LINKTYPE.LINUX_SLL))).toEqual(SYN6_EVENT);
    expect(read(sll(4, 0x0800, SYN4), LINKTYPE.LINUX_SLL)).toEqual(skip('outbound'));
    expect(read(sll(0, 0x0800, SYN4, 772), LINKTYPE.LINUX_SLL)).toEqual(skip('loopback'));
    expect(read(sll(0, 0x0806, [1, 2, 3]), LINKTYPE.LINUX_SLL)).toEqual(skip('not_attempt'));
    expect(ev(read(sll2(0, 0x0800, SYN4), LINKTYPE.LINUX_SLL2))).toEqual(SYN4_EVENT);
    expect(ev(read(sll2(3, 0x86dd, SYN6), LINKTYPE.LINUX_SLL2))).toEqual(SYN6_EVENT);
    expect(read(sll2(4, 0x0800, SYN4), LINKTYPE.LINUX_SLL2)).toEqual(skip('outbound'));
    expect(read(sll2(0, 0x0800, SYN4, 772), LINKTYPE.LINUX_SLL2)).toEqual(skip('loopback'));
    expect(read(sll2(0, 0x0800, SYN4).slice(0, 19), LINKTYPE.LINUX_SLL2)).toEqual(bad('truncated'));
  });

  it('NULL / LOOP: the address family in either byte order; 2 = IPv4, 10/24/28/30 = IPv6', () => {
    expect(ev(read([2, 0, 0, 0, ...SYN4], LINKTYPE.NULL))).toEqual(SYN4_EVENT); // little-endian host
    expect(ev(read([0, 0, 0, 2, ...SYN4], LINKTYPE.NULL))).toEqual(SYN4_EVENT); // big-endian host
    expect(ev(read([0, 0, 0, 2, ...SYN4], LINKTYPE.LOOP))).toEqual(SYN4_EVENT);
    for (const af of [10, 24, 28, 30])
      expect(ev(read([af, 0, 0, 0, ...SYN6], LINKTYPE.NULL))).toEqual(SYN6_EVENT);
    expect(ev(read([0, 0, 0, 30, ...SYN6], LINKTYPE.NULL))).toEqual(SYN6_EVENT);
    expect(read([7, 0, 0, 0, ...SYN4], LINKTYPE.NULL)).toEqual(skip('not_attempt'));
    expect(read([2, 0, 0, 2, ...SYN4], LINKTYPE.NULL)).toEqual(skip('not_attempt'));
    expect(read([2, 0, 0], LINKTYPE.NULL)).toEqual(bad('truncated'));
  });

  it('raw IP: 101 by version nibble, 228 IPv4 only, 229 IPv6 only', () => {
    expect(ev(read(SYN4, LINKTYPE.RAW))).toEqual(SYN4_EVENT);
    expect(ev(read(SYN6, LINKTYPE.RAW))).toEqual(SYN6_EVENT);
    expect(read([0x50, ...SYN4.slice(1)], LINKTYPE.RAW)).toEqual(bad('bad_ip_header'));
    expect(ev(read(SYN4, LINKTYPE.IPV4))).toEqual(SYN4_EVENT);
    expect(read(SYN6, LINKTYPE.IPV4)).toEqual(bad('bad_ip_header'));
    expect(ev(read(SYN6, LINKTYPE.IPV6))).toEqual(SYN6_EVENT);
    expect(SYN4).toHaveLength(40);
    expect(read(SYN4, LINKTYPE.IPV6)).toEqual(bad('bad_ip_header')); // version nibble 4
    expect(read(SYN6.slice(0, 39), LINKTYPE.IPV6)).toEqual(bad('truncated'));
    expect(read([], LINKTYPE.RAW)).toEqual(bad('truncated'));
  });

  it('pflog: header length word-aligned, direction out is outbound, a short header is bad_link_header', () => {
    expect(ev(read(pflog(2, 1, SYN4), LINKTYPE.PFLOG))).toEqual(SYN4_EVENT);
    expect(ev(read(pflog(24, 0, SYN6), LINKTYPE.PFLOG))).toEqual(SYN6_EVENT);
    expect(read(pflog(2, 2, SYN4), LINKTYPE.PFLOG)).toEqual(skip('outbound'));
    expect(read(pflog(2, 1, SYN4, 20), LINKTYPE.PFLOG)).toEqual(bad('bad_link_header'));
    expect(read(pflog(2, 1, []).slice(0, 50), LINKTYPE.PFLOG)).toEqual(bad('truncated'));
  });

  it('unknown link types are unsupported_link_type', () => {
    expect(read(SYN4, 105)).toEqual(bad('unsupported_link_type')); // 802.11
    expect(read(SYN4, 65535)).toEqual(bad('unsupported_link_type'));
  });
});

describe('IPv4', () => {
  it('reads ports after IP options (IHL 6 and 15)', () => {
    const rr = [7, 3, 4, 0]; // record route, length 3, pointer 4, end of options
    expect(
      ev(read(ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S), { options: rr }), 101)),
    ).toEqual(SYN4_EVENT);
    const nops = Array<number>(40).fill(1);
    expect(
      ev(read(ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S), { options: nops }), 101)),
    ).toEqual(SYN4_EVENT);
  });

  it('IHL below 5 or total length below the header: bad_ip_header; header cut: truncated', () => {
    expect(read([0x44, ...SYN4.slice(1)], 101)).toEqual(bad('bad_ip_header'));
    expect(read(ipv4('198.51.100.7', '192.0.2.1', 6, tcp(1, 2, TCP.S), { totalLength: 19 }), 101)).toEqual(
      bad('bad_ip_header'),
    );
    expect(read(SYN4.slice(0, 19), 101)).toEqual(bad('truncated'));
    const withOpts = ipv4('198.51.100.7', '192.0.2.1', 6, tcp(1, 2, TCP.S), {
      options: Array<number>(8).fill(1),
    });
    expect(read(withOpts.slice(0, 24), 101)).toEqual(bad('truncated'));
    expect(read(SYN4.slice(0, 20 + 13), 101)).toEqual(bad('truncated')); // TCP flags byte missing
  });

  it('total length 0 (TSO capture) reads to the end; Ethernet padding after total length is ignored', () => {
    const tso = ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S), { totalLength: 0 });
    expect(ev(read(tso, 101))).toEqual(SYN4_EVENT);
    // A UDP header cut by the IP total length: the padding bytes must not be read as the header.
    const short = ipv4('198.51.100.7', '192.0.2.1', 17, [0, 53], { totalLength: 22 });
    expect(read(ether(0x0800, [...short, ...Array<number>(24).fill(0)]))).toEqual(bad('truncated'));
  });

  it('fragments: the first (MF, offset 0) has the ports; later ones are not_attempt', () => {
    const first = ipv4('198.51.100.7', '192.0.2.1', 17, udp(5353, 161), { moreFragments: true });
    expect(ev(read(first, 101))).toMatchObject({ proto: 'udp', port: 161, sport: 5353 });
    const later = ipv4('198.51.100.7', '192.0.2.1', 17, [1, 2, 3, 4, 5, 6, 7, 8], { fragOffset: 185 });
    expect(read(later, 101)).toEqual(skip('not_attempt'));
    const last = ipv4('198.51.100.7', '192.0.2.1', 6, [1, 2, 3, 4], { fragOffset: 1 });
    expect(read(last, 101)).toEqual(skip('not_attempt'));
  });

  it('loopback addresses are skip loopback', () => {
    expect(read(ipv4('127.0.0.1', '127.0.0.1', 6, tcp(1, 2, TCP.S)), 101)).toEqual(skip('loopback'));
    expect(read(ipv4('192.0.2.9', '127.0.0.53', 17, udp(1, 53)), 101)).toEqual(skip('loopback'));
  });
});

describe('IPv6', () => {
  const S = '2001:db8::7';
  const D = '2001:db8:0:1::1';

  it('walks hop-by-hop, routing, destination options, fragment (offset 0) and AH headers', () => {
    const ext: Array<[number, number[]]> = [
      [0, EXT_OPTIONS_8],
      [43, EXT_ROUTING_24],
      [60, EXT_OPTIONS_8],
      [44, extFragment(0, true)],
      [51, EXT_AH_24],
    ];
    expect(ev(read(ipv6(S, D, 6, tcp(40000, 443, TCP.S), ext), 229))).toEqual(SYN6_EVENT);
    expect(ev(read(ipv6(S, D, 17, udp(1000, 53), [[60, EXT_OPTIONS_8]]), 229))).toMatchObject({
      proto: 'udp',
      port: 53,
      sport: 1000,
    });
  });

  it('a later fragment is not_attempt; more than 8 extension headers bad_ip_header; cut chains truncated', () => {
    expect(read(ipv6(S, D, 6, [1, 2, 3, 4, 5, 6, 7, 8], [[44, extFragment(3, false)]]), 229)).toEqual(
      skip('not_attempt'),
    );
    const nine = Array.from({ length: 9 }, (): [number, number[]] => [60, EXT_OPTIONS_8]);
    expect(read(ipv6(S, D, 6, tcp(1, 2, TCP.S), nine), 229)).toEqual(bad('bad_ip_header'));
    const cut = ipv6(S, D, 6, tcp(1, 2, TCP.S), [[43, EXT_ROUTING_24]]);
    expect(read(cut.slice(0, 40 + 20), 229)).toEqual(bad('truncated'));
    expect(read(cut.slice(0, 40 + 4), 229)).toEqual(bad('truncated'));
  });

  it('No Next Header (59), ESP (50) and other next headers are other/<number>', () => {
    expect(ev(read(ipv6(S, D, 59, []), 229))).toMatchObject({ proto: 'other', port: 59, src: S, dst: D });
    expect(ev(read(ipv6(S, D, 50, [0, 0, 1, 0, 0, 0, 0, 1]), 229))).toMatchObject({
      proto: 'other',
      port: 50,
    });
    expect(ev(read(ipv6(S, D, 1, icmp(8)), 229))).toMatchObject({ proto: 'other', port: 1 }); // ICMPv4 in IPv6
  });

  it('addresses come out RFC 5952 (checked against the WHATWG URL serialiser)', () => {
    const canon = (a: string): string => new URL(`http://[${a}]/`).hostname.slice(1, -1);
    for (const a of [
      '2001:db8:0:0:1:0:0:1',
      'fe80::200:86ff:fe05:80da',
      '2001:DB8::',
      '::2',
      '1:0:0:2:0:0:0:3',
    ]) {
      const e = ev(read(ipv6(a, '2001:db8::1', 17, udp(1, 2)), 229));
      expect(e.src).toBe(canon(a));
    }
    // IPv4-mapped: RFC 5952 section 5 (dotted tail), where the URL serialiser prints hex.
    expect(ev(read(ipv6('::ffff:c000:201', '2001:db8::1', 17, udp(1, 2)), 229)).src).toBe('::ffff:192.0.2.1');
  });

  it('::1 is loopback', () => {
    expect(read(ipv6('::1', '::1', 6, tcp(1, 2, TCP.S)), 229)).toEqual(skip('loopback'));
  });
});

describe('transport: what is an attempt', () => {
  const tcpWith = (flags: number): ParseResult =>
    read(ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 80, flags)), 101);

  it.each([
    ['SYN', TCP.S, 'S'],
    ['SYN+ECE+CWR', TCP.S | TCP.E | TCP.C, 'SEC'],
    ['SYN+FIN', TCP.S | TCP.F, 'FS'],
    ['FIN scan', TCP.F, 'F'],
    ['NULL scan', 0, ''],
    ['XMAS scan', TCP.F | TCP.P | TCP.U, 'FPU'],
    ['all but ACK', 0xff & ~TCP.A, 'FSRPUEC'],
  ])('TCP %s is an event with flags %j', (_name, flags, letters) => {
    expect(ev(tcpWith(flags))).toMatchObject({ proto: 'tcp', port: 80, sport: 40000, flags: letters });
  });

  it.each([
    ['SYN-ACK', TCP.S | TCP.A],
    ['ACK', TCP.A],
    ['PSH-ACK', TCP.P | TCP.A],
    ['RST', TCP.R],
    ['RST-ACK', TCP.R | TCP.A],
    ['FIN-ACK', TCP.F | TCP.A],
    ['everything', 0xff],
  ])('TCP %s is not_attempt', (_name, flags) => {
    expect(tcpWith(flags)).toEqual(skip('not_attempt'));
  });

  it('every UDP packet is an event: destination port, source port, no flags', () => {
    const e = ev(read(ipv4('198.51.100.7', '192.0.2.1', 17, udp(1434, 1434, [4, 1, 1])), 101));
    expect(e).toEqual({
      ts: TS,
      proto: 'udp',
      port: 1434,
      src: '198.51.100.7',
      sport: 1434,
      dst: '192.0.2.1',
    });
    expect(read(ipv4('198.51.100.7', '192.0.2.1', 17, [0, 1, 0]), 101)).toEqual(bad('truncated'));
  });

  it('ICMP: requests are events (port = type), replies, errors and router messages not_attempt', () => {
    const icmpType = (t: number): ParseResult => read(ipv4('198.51.100.7', '192.0.2.1', 1, icmp(t)), 101);
    for (const t of [8, 13, 15, 17, 42]) {
      expect(ev(icmpType(t))).toEqual({
        ts: TS,
        proto: 'icmp',
        port: t,
        src: '198.51.100.7',
        dst: '192.0.2.1',
      });
    }
    for (const t of [0, 3, 4, 5, 9, 10, 11, 12, 14, 16, 18, 43, 30, 200]) {
      expect(icmpType(t), `type ${t}`).toEqual(skip('not_attempt'));
    }
    expect(read(ipv4('198.51.100.7', '192.0.2.1', 1, []), 101)).toEqual(bad('truncated'));
  });

  it('ICMPv6: echo request, node information query, extended echo are events; the rest not_attempt', () => {
    const t6 = (t: number): ParseResult => read(ipv6('2001:db8::7', '2001:db8::1', 58, icmp(t)), 229);
    for (const t of [128, 139, 160]) expect(ev(t6(t))).toMatchObject({ proto: 'icmp6', port: t });
    for (const t of [1, 2, 3, 4, 129, 130, 133, 134, 135, 136, 137, 140, 143, 161]) {
      expect(t6(t), `type ${t}`).toEqual(skip('not_attempt'));
    }
  });

  it('other protocols are other/<protocol number>, ICMPv6 (58) in IPv4 included', () => {
    for (const p of [2, 47, 50, 58, 132, 255, 0]) {
      expect(ev(read(ipv4('198.51.100.7', '192.0.2.1', p, [1, 2, 3, 4]), 101))).toEqual({
        ts: TS,
        proto: 'other',
        port: p,
        src: '198.51.100.7',
        dst: '192.0.2.1',
      });
    }
  });
});

describe('local_networks', () => {
  const r = new PacketReader(
    new NetworkList(['192.0.2.0/24', '10.0.0.0/8', '2001:db8:1::/48', '203.0.113.9']),
  );

  it('a source inside is outbound; a destination inside is inbound', () => {
    expect(read(ipv4('192.0.2.200', '198.51.100.7', 6, tcp(1, 80, TCP.S)), 101, r)).toEqual(skip('outbound'));
    expect(read(ipv4('10.255.0.1', '198.51.100.7', 17, udp(1, 53)), 101, r)).toEqual(skip('outbound'));
    expect(read(ipv4('203.0.113.9', '198.51.100.7', 17, udp(1, 53)), 101, r)).toEqual(skip('outbound'));
    expect(ev(read(ipv4('203.0.113.10', '192.0.2.1', 17, udp(1, 53)), 101, r))).toMatchObject({ port: 53 });
    expect(ev(read(ipv4('198.51.100.7', '192.0.2.1', 6, tcp(1, 22, TCP.S)), 101, r))).toMatchObject({
      port: 22,
    });
    expect(read(ipv6('2001:db8:1:ffff::1', '2001:db8::1', 6, tcp(1, 80, TCP.S)), 229, r)).toEqual(
      skip('outbound'),
    );
    expect(ev(read(ipv6('2001:db8:2::1', '2001:db8:1::1', 6, tcp(1, 80, TCP.S)), 229, r))).toMatchObject({
      port: 80,
    });
  });

  it('parseCidr: prefixes with host bits, bare addresses, and refusals', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, bytes: Uint8Array.of(10, 0, 0, 0), prefix: 8 });
    expect(parseCidr('192.0.2.1')?.prefix).toBe(32);
    expect(parseCidr('0.0.0.0/0')?.prefix).toBe(0);
    expect(parseCidr('2001:db8::/33')?.bytes).toEqual(
      Uint8Array.from([0x20, 1, 0xd, 0xb8, ...Array<number>(12).fill(0)]),
    );
    for (const badCidr of [
      '',
      'foo',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/',
      '10.0.0.0/-1',
      '10.0.0/8',
    ]) {
      expect(parseCidr(badCidr), badCidr).toBeNull();
    }
    const all = new NetworkList(['0.0.0.0/0']);
    expect(all.contains(Uint8Array.of(1, 2, 3, 4), 0, 4)).toBe(true);
    expect(all.contains(new Uint8Array(16), 0, 6)).toBe(false);
    const odd = new NetworkList(['172.16.0.0/12']);
    expect(odd.contains(Uint8Array.of(172, 31, 255, 255), 0, 4)).toBe(true);
    expect(odd.contains(Uint8Array.of(172, 32, 0, 0), 0, 4)).toBe(false);
  });

  it('the options schema accepts CIDR lists and refuses anything else', () => {
    expect(pcapOptionsSchema.safeParse({}).success).toBe(true);
    expect(pcapOptionsSchema.safeParse({ local_networks: ['192.0.2.0/24', '2001:db8::/32'] }).success).toBe(
      true,
    );
    expect(pcapOptionsSchema.safeParse({ local_networks: ['192.0.2.0/40'] }).success).toBe(false);
    expect(pcapOptionsSchema.safeParse({ local_networks: '192.0.2.0/24' }).success).toBe(false);
    expect(pcapOptionsSchema.safeParse({ local_network: ['192.0.2.0/24'] }).success).toBe(false);
  });
});
