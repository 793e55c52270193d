/**
 * Unit cases of the filterlog parser on lines written here after Netgate's "Raw Filter Log Format" and
 * filterlog's icmp.c, for what the real fixtures do not show: every ICMP word, flag letters, fragments, other
 * protocols, RFC 5424 structured data with escapes, refused lines.
 */
import { describe, expect, it } from 'vitest';
import { FilterlogParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const parse = (line: string | Buffer, now = NOW) =>
  new FilterlogParser({ timezone: 'utc' }).parseLine(line, { now });

const common = '5,,,1000000103,em0,match,block,in';
const v4 = (proto: string, data: string, offset = '0') =>
  `${common},4,0x0,,64,1234,${offset},none,${proto},60,198.51.100.7,192.0.2.8,${data}`;
const v6 = (proto: string, data: string) =>
  `${common},6,0x00,0x00000,64,${proto},60,2001:0db8:0000:0000:0000:0000:0000:0007,2001:db8::8,${data}`;
const tcp4 = v4('6,tcp', '40000,22,0,S,1,,1024,,mss');

describe('FilterlogParser: envelopes and time', () => {
  const want = { proto: 'tcp', port: 22, src: '198.51.100.7', sport: 40000, dst: '192.0.2.8', flags: 'S' };

  it('BSD syslog with or without the host, with a pid, with a PRI', () => {
    const ts = Date.UTC(2023, 8, 28, 10, 38, 9); // read in June 2024: September is last year's
    for (const h of [
      'Sep 28 10:38:09 pfSense filterlog: ',
      'Sep 28 10:38:09 filterlog: ',
      'Sep 28 10:38:09 fw.example.org filterlog[7061]: ',
      '<134>Sep 28 10:38:09 pfSense filterlog: ',
    ])
      expect(parse(h + tcp4)).toEqual({ kind: 'event', event: { ts, ...want } });
  });

  it('RFC 5424 with an offset, microseconds, and structured data holding escapes', () => {
    expect(
      parse(`<134>1 2022-09-06T18:37:34.250+02:00 opnsense filterlog 69805 - [meta sequenceId="1"] ${tcp4}`),
    ).toEqual({ kind: 'event', event: { ts: Date.UTC(2022, 8, 6, 16, 37, 34, 250), ...want } });
    expect(
      parse(`<134>1 2022-09-06T18:37:34Z h filterlog 1 - [a b="x \\"]\\" y"][c d="]"] ${tcp4}`),
    ).toMatchObject({ kind: 'event', event: { ts: Date.UTC(2022, 8, 6, 18, 37, 34), port: 22 } });
  });

  it('RFC 5424 without its <PRI>VERSION (as some relays write it)', () => {
    expect(parse(`2022-09-06T18:37:34Z opnsense filterlog 69805 - [meta sequenceId="1"] ${tcp4}`)).toEqual({
      kind: 'event',
      event: { ts: Date.UTC(2022, 8, 6, 18, 37, 34), ...want },
    });
    expect(parse('2022-09-06T18:37:34Z opnsense configd.py 1 - - ran action')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
  });

  it('a bare CSV body has no time: ctx.now', () => {
    expect(parse(tcp4)).toEqual({ kind: 'event', event: { ts: NOW, ...want } });
  });

  it('a December stamp read in January belongs to last year', () => {
    const r = parse(`Dec 31 23:59:59 fw filterlog: ${tcp4}`, Date.UTC(2025, 0, 1, 0, 5));
    expect(r).toMatchObject({ event: { ts: Date.UTC(2024, 11, 31, 23, 59, 59) } });
  });
});

describe('FilterlogParser: protocols', () => {
  it.each([
    ['S', 'S'],
    ['SA', 'SA'],
    ['PA', 'PA'],
    ['AP', 'PA'],
    ['FA', 'FA'],
    ['R', 'R'],
    ['RA', 'RA'],
    ['FPU', 'FPU'],
    ['SEW', 'SEC'],
    ['SEC', 'SEC'],
    ['', ''],
  ])('TCP flags %j become %j (FSRPAUEC order)', (printed, flags) => {
    expect(parse(v4('6,tcp', `40000,22,0,${printed},1,,1024,,`))).toMatchObject({
      kind: 'event',
      event: { flags },
    });
  });

  it('IPv6 layout: protocol text before the id, addresses canonical', () => {
    expect(parse(v6('tcp,6', '40000,443,0,S,1,,0,,mss'))).toEqual({
      kind: 'event',
      event: {
        ts: NOW,
        proto: 'tcp',
        port: 443,
        src: '2001:db8::7',
        sport: 40000,
        dst: '2001:db8::8',
        flags: 'S',
      },
    });
    expect(parse(v6('UDP,17', '6881,51918,73'))).toMatchObject({
      event: { proto: 'udp', port: 51918, sport: 6881, flags: undefined },
    });
  });

  it('UDP, and the protocol text when the id is empty', () => {
    expect(parse(v4('17,udp', '17500,17600,166'))).toMatchObject({
      event: { proto: 'udp', port: 17600, sport: 17500 },
    });
    expect(parse(v4(',tcp', '40000,22,0,S,1,,1024,,'))).toMatchObject({ event: { proto: 'tcp', port: 22 } });
  });

  it.each([
    ['request,540,55972', 8],
    ['reply,540,55972', 0],
    ['unreachproto,192.0.2.9,47', 3],
    ['unreachport,192.0.2.9,UDP,53', 3],
    ['unreach,host 192.0.2.9 unreachable - admin prohibited filter36', 3],
    ['needfrag,192.0.2.9,1400', 3],
    ['redirect,redirect 192.0.2.9 to host 192.0.2.1', 5],
    ['routeradv1800,1,36', 9],
    ['timexceed,time exceeded in-transit36', 11],
    ['paramprob, parameter problem - octet 20', 12],
    ['maskreply, address mask is 0xffffff00', 18],
    ['tstamp,1,2', 13],
    ['tstampreply, 1,2,00:00:00.000,00:00:00.000,00:00:00.000', 14],
    ['source quench56', 4],
    ['echo reply56', 0],
    ['information request28', 15],
    ['address mask request32', 17],
  ])('ICMP %j is type %i', (data, type) => {
    expect(parse(v4('1,icmp', data))).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: type, src: '198.51.100.7', dst: '192.0.2.8', sport: undefined },
    });
  });

  it('ICMPv6: a number, a word, or nothing usable', () => {
    expect(parse(v6('ICMPv6,58', '135'))).toMatchObject({ event: { proto: 'icmp6', port: 135 } });
    expect(parse(v6('ICMPv6,58', 'request,1,2'))).toMatchObject({ event: { proto: 'icmp6', port: 128 } });
    expect(parse(v6('ICMPv6,58', 'neighbor solicitation'))).toMatchObject({ event: { port: 135 } });
    expect(parse(v6('ICMPv6,58', 'datalength=32'))).toEqual({
      kind: 'malformed',
      reason: 'missing_icmp_type',
    });
    expect(parse(`${common},6,0x00,0x00000,255,ICMPv6,58,32,fe80::1,ff02::1`)).toEqual({
      kind: 'malformed',
      reason: 'missing_icmp_type',
    });
  });

  it('other protocols: the port is the protocol number (58 in an IPv4 header is not ICMPv6)', () => {
    expect(parse(v4('112,carp', 'advertise,255,1,2,0,1'))).toMatchObject({
      event: { proto: 'other', port: 112, sport: undefined, flags: undefined },
    });
    expect(parse(v4('47,gre', 'datalength=40'))).toMatchObject({ event: { proto: 'other', port: 47 } });
    expect(parse(v4('58,ipv6-icmp', '128'))).toMatchObject({ event: { proto: 'other', port: 58 } });
    expect(parse(v6('esp,50', 'datalength=100'))).toMatchObject({ event: { proto: 'other', port: 50 } });
  });

  it('a later IPv4 fragment (offset > 0) has no transport header: not an attempt', () => {
    expect(parse(v4('17,udp', 'datalength=1480', '1480'))).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });
});

describe('FilterlogParser: skips and refusals', () => {
  it.each([
    ['outbound', tcp4.replace(',in,', ',out,')],
    ['loopback', tcp4.replace(',em0,', ',lo0,')],
    ['not_firewall', 'Sep 28 10:38:09 pfSense sshd[1]: Accepted publickey for root'],
    ['not_firewall', '<134>1 2022-09-06T18:37:34Z opnsense configd.py 1 - - [] ran action'],
    ['not_firewall', 'hello, world'],
    ['not_attempt', 'Sep 28 10:38:09 pfSense filterlog[1]: [priv]: msg PRIV_OPEN_LOG received'],
    ['empty', ''],
    ['empty', '  \r\n'],
  ])('skip %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'skip', reason });
  });

  it.each([
    ['bad_time', `Sep 99 10:38:09 pfSense filterlog: ${tcp4}`],
    ['bad_time', `<134>1 - opnsense filterlog 1 - - ${tcp4}`],
    ['too_few_fields', '5,,,1000000103,em0,match,block,in'],
    ['too_few_fields', tcp4.slice(0, tcp4.indexOf(',198.51.100.7'))],
    ['bad_direction', tcp4.replace(',in,', ',inbound,')],
    ['bad_ip_version', tcp4.replace(',in,4,', ',in,5,')],
    ['bad_src', tcp4.replace('198.51.100.7', '198.51.100.777')],
    ['bad_dst', tcp4.replace('192.0.2.8', 'example.org')],
    ['bad_proto', v4(',wat', '1,2,3')],
    ['bad_proto', v4('x,tcp', '1,2,3').replace(',tcp,', ',nope,')],
    ['missing_port', v4('6,tcp', '40000')],
    ['missing_port', v4('17,udp', '40000,,8')],
    ['bad_port', v4('6,tcp', '40000,70000,0,S')],
    ['bad_port', v4('6,tcp', 'abc,22,0,S')],
    ['missing_icmp_type', v4('1,icmp', 'datalength=36')],
    ['bad_icmp_type', v4('1,icmp', 'type-??28')],
    ['bad_icmp_type', v4('1,icmp', '300')],
  ])('refuses %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
  });

  it('truncated lines never throw and are never events with bad fields', () => {
    const line = `Sep 28 10:38:09 pfSense filterlog: ${tcp4}`;
    for (let n = 0; n <= line.length; n++) {
      const r = parse(line.slice(0, n));
      if (r.kind === 'event') expect(r.event.port).toBeGreaterThanOrEqual(0);
    }
  });

  it('CRLF endings, a huge options field, bytes from a shared buffer', () => {
    expect(parse(`${tcp4}\r\n`)).toMatchObject({ kind: 'event', event: { port: 22 } });
    const huge = `${tcp4};${'nop;'.repeat(100_000)}`;
    expect(parse(huge)).toMatchObject({ kind: 'event', event: { port: 22, flags: 'S' } });
    const buf = Buffer.from(`${tcp4}\n${tcp4.replace(',22,', ',23,')}\n`);
    const p = new FilterlogParser({ timezone: 'utc' });
    const a = p.parseBytes(buf, 0, tcp4.length, { now: NOW });
    const b = p.parseBytes(buf, tcp4.length + 1, buf.length - 1, { now: NOW });
    expect([a, b].map((r) => (r.kind === 'event' ? r.event.port : r.kind))).toEqual([22, 23]);
  });

  it('reads nothing past the end it is given, whatever byte follows (every prefix of a few lines)', () => {
    const p = new FilterlogParser({ timezone: 'utc' });
    const ctx = { now: NOW };
    for (const line of [
      `<134>1 2022-09-06T18:37:34Z opnsense filterlog 1 - [meta sequenceId="1"] ${tcp4}`,
      `Sep 28 10:38:09 pfSense filterlog[1]: ${v4('1,icmp', 'request,1,2')}`,
      v6('udp,17', '1,2,3'),
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
