/**
 * Unit cases of the pf parser on lines written here after tcpdump's printers (print-pflog.c, print-tcp.c,
 * print-icmp.c, print-icmp6.c of OpenBSD and of tcpdump.org), for what the two real fixture files do not show:
 * the tcpdump.org style, IPv6, ICMPv6, other protocols, -v additions, time forms, refused lines.
 */
import { describe, expect, it } from 'vitest';
import { PfParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const parse = (line: string | Buffer, now = NOW) =>
  new PfParser({ timezone: 'utc' }).parseLine(line, { now });
const head = 'rule 0/0(match): block in on em0: ';
const at = (packet: string) => parse(head + packet);

describe('PfParser: tcpdump.org style', () => {
  it('reads a SYN: addresses and ports split at the last dot, ctx.now for a bare line', () => {
    expect(at('198.51.100.7.5678 > 192.0.2.8.22: Flags [S], seq 1, win 1024, length 0')).toEqual({
      kind: 'event',
      event: {
        ts: NOW,
        proto: 'tcp',
        port: 22,
        src: '198.51.100.7',
        sport: 5678,
        dst: '192.0.2.8',
        flags: 'S',
      },
    });
  });

  it.each([
    ['S.', 'SA'],
    ['P.', 'PA'],
    ['F.', 'FA'],
    ['R', 'R'],
    ['R.', 'RA'],
    ['.', 'A'],
    ['none', ''],
    ['SEW', 'SEC'],
    ['FPU', 'FPU'],
  ])('maps Flags [%s] to %j (FSRPAUEC order)', (printed, flags) => {
    const r = at(`198.51.100.7.5678 > 192.0.2.8.22: Flags [${printed}], seq 1, length 0`);
    expect(r).toMatchObject({ kind: 'event', event: { flags } });
  });

  it('reads IPv6 addresses ending in .port, canonical (RFC 5952)', () => {
    expect(
      at('2001:0db8:0000:0000:0000:0000:0000:0007.40000 > 2001:db8::10.3389: Flags [S], seq 1, length 0'),
    ).toMatchObject({
      kind: 'event',
      event: { proto: 'tcp', port: 3389, src: '2001:db8::7', sport: 40000, dst: '2001:db8::10' },
    });
    expect(at('::ffff:198.51.100.7.80 > ::ffff:192.0.2.8.8080: Flags [S], length 0')).toMatchObject({
      event: { src: '::ffff:198.51.100.7', sport: 80, port: 8080 },
    });
  });

  it('UDP: "UDP, length n", or decoded as its application (DNS)', () => {
    expect(at('198.51.100.7.5353 > 192.0.2.8.161: UDP, length 40')).toMatchObject({
      kind: 'event',
      event: { proto: 'udp', port: 161, sport: 5353, flags: undefined },
    });
    expect(at('198.51.100.7.5353 > 192.0.2.8.53: 12345+ A? example.com. (29)')).toMatchObject({
      event: { proto: 'udp', port: 53 },
    });
  });

  it.each([
    ['ICMP echo request, id 1, seq 1, length 64', 8],
    ['ICMP echo reply, id 1, seq 1, length 64', 0],
    ['ICMP 192.0.2.8 udp port 53 unreachable, length 36', 3],
    ['ICMP time exceeded in-transit, length 36', 11],
    ['ICMP time stamp query id 1 seq 2, length 20', 13],
    ['ICMP address mask is 0xffffff00, length 12', 18],
    ['ICMP type-#42, length 8', 42],
  ])('ICMP %j is type %i', (text, type) => {
    expect(at(`198.51.100.7 > 192.0.2.8: ${text}`)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: type, src: '198.51.100.7', dst: '192.0.2.8', sport: undefined },
    });
  });

  it.each([
    ['ICMP6, echo request, id 1, seq 1, length 64', 128],
    ['ICMP6, neighbor solicitation, who has 2001:db8::1, length 32', 135],
    ['ICMP6, destination unreachable, unreachable port, 2001:db8::1 udp port 53, length 80', 1],
    ['ICMP6, packet too big, mtu 1280, length 1240', 2],
    ['ICMP6, multicast listener report v2, 1 group record(s), length 28', 143],
  ])('ICMPv6 %j is type %i', (text, type) => {
    expect(at(`2001:db8::7 > 2001:db8::8: ${text}`)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp6', port: type, src: '2001:db8::7' },
    });
  });

  it.each([
    ['CARPv2-advertise 36: vhid=1 advbase=1 advskew=0 authlen=7 demote=0', 112],
    ['VRRPv2, Advertisement, vrid 1, prio 100, authtype none, intvl 1s, length 20', 112],
    ['ESP(spi=0x00000001,seq=0x2), length 100', 50],
    ['AH(spi=0x00000001,seq=0x2): ESP(spi=0x1,seq=0x2), length 100', 51],
    ['GREv0, length 40: IP 10.0.0.1 > 10.0.0.2: ICMP echo request', 47],
    ['igmp query v2', 2],
    ['ip-proto-253 20', 253],
  ])('other protocols by name: %j is %i', (text, n) => {
    expect(at(`198.51.100.7 > 224.0.0.18: ${text}`)).toMatchObject({
      kind: 'event',
      event: { proto: 'other', port: n, sport: undefined },
    });
  });
});

describe('PfParser: OpenBSD style', () => {
  const obsd = (packet: string) => parse(`Mar 30 15:47:05.522341 rule 1/(match) block in on em0: ${packet}`);

  it('reads the flags word and the ack / urg words before the options', () => {
    const tcp = (flags: string) => obsd(`198.51.100.7.1234 > 192.0.2.8.22: ${flags} <mss 1460> (DF)`);
    expect(tcp('S 1:1(0) win 16384')).toMatchObject({ event: { flags: 'S' } });
    expect(tcp('S 1:1(0) ack 5 win 16384')).toMatchObject({ event: { flags: 'SA' } });
    expect(tcp('. ack 5 win 73')).toMatchObject({ event: { flags: 'A' } });
    expect(tcp('FP 1:9(8) ack 5 win 73 urg 1')).toMatchObject({ event: { flags: 'FPAU' } });
    expect(tcp('SWE 1:1(0) win 16384')).toMatchObject({ event: { flags: 'SEC' } });
    expect(tcp('R 0:0(0) win 0')).toMatchObject({ event: { flags: 'R' } });
  });

  it('IPv6 TCP, and a bare line keeps its own -ttt stamp (OpenBSD prints month and day)', () => {
    expect(obsd('2001:db8::7.40000 > 2001:db8::10.22: S 1:1(0) win 16384 <mss 1440>')).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 30, 15, 47, 5, 522),
        proto: 'tcp',
        port: 22,
        src: '2001:db8::7',
        sport: 40000,
        dst: '2001:db8::10',
        flags: 'S',
      },
    });
  });

  it.each([
    ['icmp: echo request', 'icmp', 8],
    ['icmp: echo reply', 'icmp', 0],
    ['icmp: 192.0.2.8 udp port 137 unreachable', 'icmp', 3],
    ['icmp: host 192.0.2.8 unreachable - admin prohibited filter', 'icmp', 3],
    ['icmp: redirect 192.0.2.9 to host 192.0.2.1', 'icmp', 5],
    ['icmp: type-#200', 'icmp', 200],
  ])('%j', (text, proto, type) => {
    expect(obsd(`198.51.100.7 > 192.0.2.8: ${text}`)).toMatchObject({ event: { proto, port: type } });
  });

  it.each([
    ['icmp6: neighbor sol: who has fe80::2', 135],
    ['icmp6: neighbor adv: tgt is fe80::2', 136],
    ['icmp6: router solicitation', 133],
    ['icmp6: echo request', 128],
    ['icmp6: 2001:db8::1 udp port 53 unreachable', 1],
  ])('%j', (text, type) => {
    expect(obsd(`fe80::1 > ff02::1: ${text}`)).toMatchObject({
      event: { proto: 'icmp6', port: type, src: 'fe80::1', dst: 'ff02::1' },
    });
  });

  it('two spaces before "udp n", -v additions, anchors and other rule forms', () => {
    expect(obsd('198.51.100.7.1514 > 192.0.2.8.3875:  udp 57')).toMatchObject({
      event: { proto: 'udp', port: 3875, sport: 1514 },
    });
    const v =
      'rule 2/(match) [uid 0, pid 123] block in on em0: [uid 0, pid 456] [rewritten: src 198.51.100.7:1234, dst 192.0.2.8:80] 198.51.100.7.1234 > 192.0.2.8.80: S 1:1(0) win 1024';
    expect(parse(v)).toMatchObject({ event: { proto: 'tcp', port: 80, flags: 'S' } });
    for (const rule of ['3.ftp-proxy.1/(match)', 'def/(match)', '2/(unkn 17)', '1.anchor.def/(short)'])
      expect(
        parse(`rule ${rule} pass in on em0: 198.51.100.7.1 > 192.0.2.8.2: S 1:1(0) win 1`),
      ).toMatchObject({
        kind: 'event',
        event: { port: 2 },
      });
  });

  it('a later fragment has no transport header: not an attempt', () => {
    expect(obsd('198.51.100.7 > 192.0.2.8: (frag 1234:1480@1480+)')).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
  });
});

describe('PfParser: time', () => {
  const tail = 'rule 2/(match) block in on em0: 198.51.100.7.1 > 192.0.2.8.22: S 1:1(0) win 1';

  it('a syslog header gives the time, not the tcpdump stamp in the body', () => {
    expect(parse(`Mar 30 15:55:20 gw pf: Mar 30 15:53:25.793256 ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 15, 55, 20) },
    });
    expect(parse(`2024-03-30T15:55:20.250+02:00 gw pf[42]: ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 13, 55, 20, 250) },
    });
    expect(parse(`<134>1 2024-03-30T15:55:20Z gw pf - - [meta sequenceId="7"] ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 15, 55, 20) },
    });
    expect(parse(`2024-03-30T15:55:20Z gw pf 42 - - ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 15, 55, 20) },
    });
    expect(parse(`<134>Mar 30 15:55:20 pf: 00:00:00.123456 ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 15, 55, 20) },
    });
  });

  it('bare lines: a relative time (tcpdump.org -ttt) takes ctx.now; absolute stamps (-tt, -tttt) are used', () => {
    for (const delta of ['00:00:00.123456 ', ' 00:00:00.000012 ', '-00:00:01.5 ', '0.123456 ', ''])
      expect(parse(delta + tail)).toMatchObject({ event: { ts: NOW } });
    expect(parse(`1711813625.522341 ${tail}`)).toMatchObject({ event: { ts: 1711813625522 } });
    expect(parse(`2024-03-30 15:47:05.522341 ${tail}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 2, 30, 15, 47, 5, 522) },
    });
  });

  it('a December stamp read in January belongs to last year', () => {
    const r = parse(`Dec 31 23:59:59 gw pf: ${tail}`, Date.UTC(2025, 0, 1, 0, 5));
    expect(r).toMatchObject({ event: { ts: Date.UTC(2024, 11, 31, 23, 59, 59) } });
  });

  it('a pf line whose syslog stamp is unusable is malformed bad_time', () => {
    expect(parse(`Mar 32 15:55:20 gw pf: ${tail}`)).toEqual({ kind: 'malformed', reason: 'bad_time' });
    expect(parse(`<134>1 - gw pf - - - ${tail}`)).toEqual({ kind: 'malformed', reason: 'bad_time' });
  });
});

describe('PfParser: skips and refusals', () => {
  const ok = '198.51.100.7.1234 > 192.0.2.8.22: S 1:1(0) win 16384';

  it.each([
    ['outbound', `rule 3/(match) pass out on em0: ${ok}`],
    ['loopback', `rule 3/(match) block in on lo0: ${ok}`],
    ['loopback', `rule 3/(match) block in on lo: ${ok}`],
    ['not_firewall', 'Mar 30 15:55:20 gw sshd[1]: Accepted publickey for root from 198.51.100.7 port 1 ssh2'],
    ['not_firewall', 'Mar 30 15:55:20 gw kernel: em0: link state changed to UP'],
    ['not_firewall', 'Mar 30 15:55:20 gw cron[9]: rule of thumb: nothing'],
    ['not_firewall', 'just some text'],
    ['not_attempt', 'Mar 30 15:55:20 gw pf: tcpdump: WARNING: snaplen raised from 116 to 160'],
    ['not_attempt', 'Mar 30 15:55:20 gw pflogd[77]: [priv]: msg PRIV_OPEN_LOG received'],
    ['empty', ''],
    ['empty', ' \r\n'],
  ])('skip %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'skip', reason });
  });

  it.each([
    ['bad_header', `rule 2/(match) block in em0: ${ok}`],
    ['bad_header', 'rule 2/(match) block in on'],
    ['missing_packet', 'rule 2/(match) block in on em0:'],
    ['missing_packet', 'rule 2/(match) block in on em0: [|pflog]'],
    ['missing_packet', 'rule 2/(match) block in on em0: 198.51.100.7.1234 192.0.2.8.22: S'],
    ['bad_src', 'rule 2/(match) block in on em0: 198.51.100.300.1234 > 192.0.2.8.22: S 1:1(0) win 1'],
    ['bad_src', 'rule 2/(match) block in on em0: host.example.1234 > 192.0.2.8.22: S 1:1(0) win 1'],
    ['bad_dst', 'rule 2/(match) block in on em0: 198.51.100.7.1234 > 2001:db8:::8.22: S 1:1(0) win 1'],
    ['bad_port', 'rule 2/(match) block in on em0: 198.51.100.7.1234 > 192.0.2.8.99999: S 1:1(0) win 1'],
    ['bad_port', 'rule 2/(match) block in on em0: 198.51.100.7.ssh > 192.0.2.8.22: S 1:1(0) win 1'],
    ['missing_port', 'rule 2/(match) block in on em0: 198.51.100.7 > 192.0.2.8: [|tcp]'],
    ['missing_port', 'rule 2/(match) block in on em0: 198.51.100.7.1 > 192.0.2.8: udp 5'],
    ['unknown_icmp_type', 'rule 2/(match) block in on em0: 198.51.100.7 > 192.0.2.8: icmp: wat'],
    ['unknown_icmp_type', 'rule 2/(match) block in on em0: 198.51.100.7 > 192.0.2.8: [|icmp]'],
    ['unknown_proto', 'rule 2/(match) block in on em0: 198.51.100.7 > 192.0.2.8: frobnicate 20'],
    ['unknown_proto', 'rule 2/(match) block in on em0: 198.51.100.7.1234 > 192.0.2.8.22:'],
  ])('refuses %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
  });

  it('truncated lines never throw and are never events with bad fields', () => {
    const line = `Mar 30 15:55:20 gw pf: Mar 30 15:53:25.793256 rule 2/(match) block in on em0: ${ok} <mss 1460>`;
    for (let n = 0; n <= line.length; n++) {
      const r = parse(line.slice(0, n));
      if (r.kind === 'event') expect(r.event.port).toBeLessThanOrEqual(65535);
    }
    expect(parse(line.slice(0, line.indexOf(' > ')))).toEqual({
      kind: 'malformed',
      reason: 'missing_packet',
    });
  });

  it('CRLF endings, extra spaces, and a huge line', () => {
    const want = { kind: 'event', event: { port: 22, src: '198.51.100.7', flags: 'S' } };
    expect(parse(`rule 2/(match) block in on em0: ${ok}\r\n`)).toMatchObject(want);
    expect(
      parse(`Mar 30 15:55:20 gw pf:   Mar 30 15:53:25.793256   rule 2/(match)  block  in  on  em0:  ${ok}`),
    ).toMatchObject(want);
    const huge = `rule 2/(match) block in on em0: ${ok} <${'nop,'.repeat(100_000)}mss 1460>`;
    expect(parse(huge)).toMatchObject(want);
    expect(parse(Buffer.from(huge))).toMatchObject(want);
  });

  it('parses from the given range of a shared buffer only', () => {
    const a = `rule 2/(match) block in on em0: ${ok}`;
    const buf = Buffer.from(`${a}\n${a.replace('.22:', '.23:')}\n`);
    const p = new PfParser({ timezone: 'utc' });
    const first = p.parseBytes(buf, 0, a.length, { now: NOW });
    const second = p.parseBytes(buf, a.length + 1, buf.length - 1, { now: NOW });
    expect([first, second].map((r) => (r.kind === 'event' ? r.event.port : r.kind))).toEqual([22, 23]);
  });

  it('reads nothing past the end it is given, whatever byte follows (every prefix of a few lines)', () => {
    const p = new PfParser({ timezone: 'utc' });
    const ctx = { now: NOW };
    for (const line of [
      `Mar 30 15:55:20 gw pf: Mar 30 15:53:25.793256 rule 2/(match) block in on em0: [uid 0, pid 1] ${ok} <mss 1460>`,
      '<134>1 2024-03-30T15:55:20Z gw pf - - - rule 0/0(match): block in on em0: 2001:db8::7 > 2001:db8::8: ICMP6, echo request',
      'rule 2/(match) block in on em0: (tos 0x0, proto TCP (6)) 198.51.100.7 > 192.0.2.8: icmp: echo request',
    ]) {
      const bytes = Buffer.from(line);
      for (let n = 0; n <= bytes.length; n++) {
        const alone = p.parseBytes(Buffer.from(bytes.subarray(0, n)), 0, n, ctx);
        for (const tail of [' ', '|', ',', '>', ':', '(', '[', ']', '1', '<', '=']) {
          const joined = Buffer.concat([bytes.subarray(0, n), Buffer.from(tail)]);
          expect(p.parseBytes(joined, 0, n, ctx)).toEqual(alone);
        }
      }
    }
  });
});
