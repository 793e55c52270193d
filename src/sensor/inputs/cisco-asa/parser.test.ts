/**
 * Unit cases of the Cisco ASA parser on lines written here after Cisco's message templates, for what the real
 * fixtures do not show: IPv6, stamps and zones, protocol numbers, port literals, FTD key variants, odd spacing,
 * cut lines, CRLF endings and huge lines.
 */
import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../input.js';
import { CiscoAsaParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const parse = (line: string | Buffer, now = NOW, timezone: 'utc' | 'local' = 'utc'): ParseResult =>
  new CiscoAsaParser({ timezone }).parseLine(line, { now });
const event = (line: string, now = NOW) => {
  const r = parse(line, now);
  if (r.kind !== 'event') throw new Error(`expected an event, got ${r.kind} ${r.reason}: ${line}`);
  return r.event;
};
const DENY =
  '%ASA-4-106023: Deny tcp src outside:203.0.113.7/44321 dst inside:192.0.2.10/23 by access-group "out"';

describe('CiscoAsaParser: messages', () => {
  it('reads 106023 with every field, sport and dst included', () => {
    expect(parse(DENY)).toEqual({
      kind: 'event',
      event: { ts: NOW, proto: 'tcp', port: 23, src: '203.0.113.7', sport: 44321, dst: '192.0.2.10' },
    });
  });

  it('IPv6 addresses with and without interface, canonical text out', () => {
    expect(
      event(
        '%ASA-4-106023: Deny tcp src outside:2001:0DB8:0000:0000:0000:0000:0000:0001/5000 dst inside:2001:db8::a/443 by access-group "x"',
      ),
    ).toMatchObject({ proto: 'tcp', port: 443, src: '2001:db8::1', sport: 5000, dst: '2001:db8::a' });
    expect(
      event(
        '%ASA-2-106001: Inbound TCP connection denied from 2001:db8::5/1234 to ::1/22 flags SYN on interface o',
      ),
    ).toMatchObject({ src: '2001:db8::5', dst: '::1', port: 22, flags: 'S' });
    expect(
      event(
        '%ASA-6-106100: access-list in denied udp outside/2001:db8:1::2(53) -> inside/2001:db8:2::3(5353) hit-cnt 1 first hit [0x1, 0x0]',
      ),
    ).toMatchObject({ proto: 'udp', port: 5353, src: '2001:db8:1::2', dst: '2001:db8:2::3' });
    expect(
      event(
        '%ASA-6-302013: Built inbound TCP connection 7 for outside:2001:db8::9/40000 (2001:db8::9/40000) to dmz:2001:db8::80/80 (2001:db8::80/80)',
      ),
    ).toMatchObject({ proto: 'tcp', port: 80, src: '2001:db8::9', sport: 40000, dst: '2001:db8::80' });
    // ICMP from an IPv6 source is ICMPv6; `icmp6` is too.
    expect(
      event(
        '%ASA-3-106014: Deny inbound icmp src outside:2001:db8::1 dst inside:2001:db8::2 (type 128, code 0)',
      ),
    ).toMatchObject({ proto: 'icmp6', port: 128 });
    expect(
      event(
        '%ASA-4-106023: Deny icmp6 src outside:2001:db8::1 dst inside:2001:db8::2 (type 135, code 0) by access-group "x"',
      ),
    ).toMatchObject({ proto: 'icmp6', port: 135 });
  });

  it('an interface name that is short hex is still an interface before an IPv4 address', () => {
    expect(event(DENY.replace('outside:203', 'fab:203'))).toMatchObject({ src: '203.0.113.7', sport: 44321 });
  });

  it('protocol numbers map to tcp/udp/icmp/icmp6, others stay `other` on the number', () => {
    const proto = (p: string, tail = '') =>
      event(
        `%ASA-4-106023: Deny protocol ${p} src outside:198.51.100.1/1000 dst inside:192.0.2.1/22${tail} by access-group "x"`,
      );
    expect(proto('6')).toMatchObject({ proto: 'tcp', port: 22, sport: 1000 });
    expect(proto('17')).toMatchObject({ proto: 'udp', port: 22 });
    expect(proto('1', ' (type 8, code 0)')).toMatchObject({ proto: 'icmp', port: 8 });
    expect(proto('58', ' (type 128, code 0)')).toMatchObject({ proto: 'icmp6', port: 128 });
    expect(proto('47')).toEqual({ ts: NOW, proto: 'other', port: 47, src: '198.51.100.1', dst: '192.0.2.1' });
    expect(event(DENY.replace('Deny tcp', 'Deny gre'))).toMatchObject({ proto: 'other', port: 47 });
    expect(event(DENY.replace('Deny tcp', 'Deny esp'))).toMatchObject({ proto: 'other', port: 50 });
    expect(parse(DENY.replace('Deny tcp', 'Deny protocol 256'))).toEqual({
      kind: 'malformed',
      reason: 'bad_proto',
    });
    expect(parse(DENY.replace('Deny tcp', 'Deny wat'))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
  });

  it('messages without a destination port or ICMP type land on other/<protocol number>', () => {
    expect(
      event('%ASA-1-106021: Deny UDP reverse path check from 198.51.100.2 to 192.0.2.3 on interface outside'),
    ).toEqual({ ts: NOW, proto: 'other', port: 17, src: '198.51.100.2', dst: '192.0.2.3' });
    expect(
      event('%ASA-1-106021: Deny ICMP reverse path check from 198.51.100.2 to 192.0.2.3 on interface o'),
    ).toMatchObject({ proto: 'other', port: 1 });
    expect(
      event('%ASA-6-106012: Deny IP from 198.51.100.2 to 192.0.2.3, IP options: "Router Alert"'),
    ).toMatchObject({
      proto: 'other',
      port: 0,
    });
    expect(
      event('%ASA-4-106023: Deny tcp src outside:198.51.100.2 dst inside:192.0.2.3 by access-group "x"'),
    ).toMatchObject({ proto: 'other', port: 6 });
    // Templates that always carry the port: missing_port.
    expect(
      parse('%ASA-2-106001: Inbound TCP connection denied from 198.51.100.2/5 to 192.0.2.3 flags SYN'),
    ).toEqual({
      kind: 'malformed',
      reason: 'missing_port',
    });
  });

  it('port literals of the ASA are ports; unknown words are bad_port; > 65535 is bad_port', () => {
    const line = (svc: string) =>
      `%ASA-3-710003: TCP access denied by ACL from 198.51.100.7/4000 to outside:192.0.2.1/${svc}`;
    expect(event(line('https'))).toMatchObject({ port: 443 });
    expect(event(line('sqlnet'))).toMatchObject({ port: 1521 });
    expect(event(line('NETBIOS-SSN'))).toMatchObject({ port: 139 });
    expect(parse(line('frobnicate'))).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(parse(line('65536'))).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(parse(line('1234567'))).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(parse(line('22').replace('/4000', '/70000'))).toEqual({ kind: 'malformed', reason: 'bad_port' });
  });

  it('TCP flag words in any order give FSRPAUEC letters', () => {
    const flags = (f: string) =>
      event(
        `%ASA-6-106015: Deny TCP (no connection) from 198.51.100.7/443 to 192.0.2.1/5000 flags ${f} on interface o`,
      ).flags;
    expect(flags('SYN')).toBe('S');
    expect(flags('RST ACK')).toBe('RA');
    expect(flags('ACK  RST')).toBe('RA');
    expect(flags('FIN PSH ACK')).toBe('FPA');
    expect(flags('CWR ECE URG SYN')).toBe('SUEC');
    expect(flags('')).toBe('');
    expect(flags('WAT')).toBeUndefined();
  });

  it('106100 ICMP: the type is the first value unless it is 0 (documented `(0) -> (type)` and seen `(type) -> (code)`)', () => {
    const acl = (a: string, b: string) =>
      event(
        `%ASA-6-106100: access-list out denied icmp outside/198.51.100.7(${a}) -> inside/192.0.2.1(${b}) hit-cnt 1 first hit [0x1, 0x0]`,
      );
    expect(acl('8', '0')).toMatchObject({ proto: 'icmp', port: 8 });
    expect(acl('0', '8')).toMatchObject({ proto: 'icmp', port: 8 });
    expect(acl('3', '3')).toMatchObject({ proto: 'icmp', port: 3 });
    expect(acl('0', '0')).toMatchObject({ proto: 'icmp', port: 0 });
    expect(acl('8', '0').sport).toBeUndefined();
  });

  it('106100 est-allowed is a packet of an established session: not_attempt', () => {
    expect(
      parse(
        '%ASA-6-106100: access-list in est-allowed tcp outside/198.51.100.7(80) -> inside/192.0.2.1(5000) hit-cnt 1 first hit [0x1, 0x0]',
      ),
    ).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('Built: inbound (also Probe) is an attempt, outbound is skipped, UDP and ICMP too', () => {
    const built =
      '%ASA-6-302015: Built inbound UDP connection 5 for outside:198.51.100.7/5060 (198.51.100.7/5060) to inside:10.0.0.5/5060 (192.0.2.5/5060)';
    expect(event(built)).toEqual({
      ts: NOW,
      proto: 'udp',
      port: 5060,
      src: '198.51.100.7',
      sport: 5060,
      dst: '10.0.0.5',
    });
    expect(event(built.replace('inbound UDP', 'inbound Probe UDP'))).toMatchObject({ port: 5060 });
    expect(parse(built.replace('inbound', 'outbound'))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(
      parse(
        '%ASA-6-302020: Built outbound ICMP connection for faddr 198.51.100.7/0 gaddr 192.0.2.1/3 laddr 10.0.0.1/3',
      ),
    ).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(
      event(
        '%ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.7/1 gaddr 192.0.2.1/0 laddr 10.0.0.1/0 type 13 code 0',
      ),
    ).toMatchObject({ proto: 'icmp', port: 13, src: '198.51.100.7', dst: '10.0.0.1' });
  });

  it('outbound list, teardowns, rate summaries and other Cisco messages are skipped', () => {
    const skip = (line: string) => (parse(line) as { reason: string }).reason;
    expect(
      skip('%ASA-2-106002: tcp connection denied by outbound list 1 src 10.0.0.1 dest 198.51.100.1'),
    ).toBe('outbound');
    expect(
      skip(
        '%ASA-6-302014: Teardown TCP connection 1 for outside:198.51.100.7/1 to inside:10.0.0.1/22 duration 0:00:00 bytes 0',
      ),
    ).toBe('not_attempt');
    expect(skip('%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 1 per second')).toBe(
      'not_attempt',
    );
    expect(skip('%ASA-6-113004: AAA user authentication Successful : server = 10.0.0.1 : user = admin')).toBe(
      'not_attempt',
    );
    expect(
      skip('%FTD-1-430005: SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 80, Protocol: tcp'),
    ).toBe('not_attempt');
    expect(skip('Teardown TCP connection 1 for outside:198.51.100.7/1 to inside:10.0.0.1/22')).toBe(
      'not_attempt',
    );
  });

  it('lines of other programs are not_firewall, blank lines empty', () => {
    const skip = (line: string) => (parse(line) as { reason: string }).reason;
    expect(
      skip('Jun  1 11:00:00 host sshd[42]: Failed password for root from 198.51.100.7 port 22 ssh2'),
    ).toBe('not_firewall');
    expect(
      skip(
        'Jun  1 11:00:00 rtr 123: %SEC-6-IPACCESSLOGP: list 101 denied tcp 198.51.100.7(1) -> 192.0.2.1(22), 1 packet',
      ),
    ).toBe('not_firewall');
    expect(skip('999999: not a message this parser knows')).toBe('not_firewall');
    expect(skip('100% done')).toBe('not_firewall');
    expect(skip('')).toBe('empty');
    expect(skip(' \t\r\n')).toBe('empty');
  });
});

describe('CiscoAsaParser: FTD connection events', () => {
  const ftd = (kv: string) => `%FTD-6-430002: EventPriority: Low, ${kv}, IngressInterface: outside`;

  it('reads Initiator*/Responder* keys and ignores NAT_* twins', () => {
    expect(
      event(
        ftd(
          'NAT_InitiatorIP: 203.0.113.1, InitiatorIP: 198.51.100.7, ResponderIP: 192.0.2.1, NAT_InitiatorPort: 9, InitiatorPort: 4000, ResponderPort: 22, Protocol: tcp',
        ),
      ),
    ).toEqual({ ts: NOW, proto: 'tcp', port: 22, src: '198.51.100.7', sport: 4000, dst: '192.0.2.1' });
  });

  it('FirstPacketSecond is the time; a bad one is bad_time; ICMP type names and numbers', () => {
    expect(
      event(
        ftd(
          'FirstPacketSecond: 2023-07-27T08:13:09Z, SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 2, Protocol: udp',
        ),
      ).ts,
    ).toBe(Date.UTC(2023, 6, 27, 8, 13, 9));
    expect(
      parse(ftd('FirstPacketSecond: 2023-13-27T08:13:09Z, SrcIP: 198.51.100.7, Protocol: icmp')),
    ).toEqual({
      kind: 'malformed',
      reason: 'bad_time',
    });
    expect(
      event(ftd('SrcIP: 198.51.100.7, DstIP: 192.0.2.1, ICMPType: Time Exceeded, Protocol: icmp')),
    ).toMatchObject({
      proto: 'icmp',
      port: 11,
    });
    expect(
      event(ftd('SrcIP: 2001:db8::7, DstIP: 2001:db8::1, ICMPType: Echo Request, Protocol: ipv6-icmp')),
    ).toMatchObject({ proto: 'icmp6', port: 128 });
    expect(event(ftd('SrcIP: 198.51.100.7, DstIP: 192.0.2.1, ICMPType: 3, Protocol: 1'))).toMatchObject({
      proto: 'icmp',
      port: 3,
    });
  });

  it('a value with ", " (a user agent) does not hide the keys after it', () => {
    expect(
      event(
        ftd(
          'UserAgent: Mozilla/5.0 (KHTML, like Gecko) X, SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 8080, Protocol: tcp',
        ),
      ),
    ).toMatchObject({ port: 8080, src: '198.51.100.7' });
  });

  it.each([
    ['missing_proto', 'SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 2'],
    ['missing_src', 'DstIP: 192.0.2.1, SrcPort: 1, DstPort: 2, Protocol: tcp'],
    ['missing_port', 'SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, Protocol: tcp'],
    ['bad_port', 'SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 99999, Protocol: tcp'],
    ['src_not_ip', 'SrcIP: <REDACTED>, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 2, Protocol: tcp'],
    ['bad_dst', 'SrcIP: 198.51.100.7, DstIP: 192.0.2.300, SrcPort: 1, DstPort: 2, Protocol: tcp'],
  ])('refuses %s', (reason, kv) => {
    expect(parse(ftd(kv))).toEqual({ kind: 'malformed', reason });
  });
});

describe('CiscoAsaParser: refused lines', () => {
  it.each([
    ['src_not_ip', DENY.replace('outside:203.0.113.7', 'outside:attacker-host')],
    ['src_not_ip', DENY.replace('outside:203.0.113.7', 'outside:X.X.X.X')],
    ['bad_src', DENY.replace('203.0.113.7', '203.0.113.700')],
    ['bad_src', DENY.replace('203.0.113.7', '2001:db8:::7')],
    ['bad_dst', DENY.replace('192.0.2.10', '192.0.2')],
    ['missing_dst', DENY.replace(/ dst .*/, '')],
    ['bad_message', '%ASA-4-106023: Something else entirely'],
    ['bad_message', '%ASA-6-106100: access-list in maybe tcp a/1.2.3.4(1) -> b/5.6.7.8(2) hit-cnt 1'],
    [
      'bad_icmp_type',
      '%ASA-3-106014: Deny inbound icmp src o:198.51.100.7 dst i:192.0.2.1 (type 300, code 0)',
    ],
    [
      'bad_proto',
      '%ASA-6-302013: Built inbound SCTP connection 1 for o:198.51.100.7/1 (198.51.100.7/1) to i:192.0.2.1/2 (192.0.2.1/2)',
    ],
  ])('%s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
  });

  it('a destination that is a name is left out, the attempt kept', () => {
    expect(event(DENY.replace('inside:192.0.2.10', 'inside:web-01.example.org'))).toEqual({
      ts: NOW,
      proto: 'tcp',
      port: 23,
      src: '203.0.113.7',
      sport: 44321,
      dst: undefined,
    });
  });

  it('every cut of a line is an event, a skip or a refusal with a reason, never a throw', () => {
    const full = `<164>Jun 01 2024 11:59:00: ${DENY} [0x0, 0x0]`;
    const p = new CiscoAsaParser({ timezone: 'utc' });
    for (let n = 0; n <= full.length; n++) {
      const r = p.parseLine(full.slice(0, n), { now: NOW });
      if (r.kind !== 'event') expect(r.reason).toMatch(/^[a-z][a-z_]*$/);
    }
  });
});

describe('CiscoAsaParser: headers and time', () => {
  it.each<[string, string, number]>([
    ['classic', 'Jun  1 11:59:00 fw01 %ASA-4-106023', Date.UTC(2024, 5, 1, 11, 59, 0)],
    [
      'classic, host with colon and PRI',
      '<164>May 31 23:00:01 fw01: %ASA-4-106023',
      Date.UTC(2024, 4, 31, 23, 0, 1),
    ],
    ['classic, previous year', 'Dec 31 23:59:59 fw01 %ASA-4-106023', Date.UTC(2023, 11, 31, 23, 59, 59)],
    ['ASA stamp', 'Oct 03 2018 17:34:08: %ASA-4-106023', Date.UTC(2018, 9, 3, 17, 34, 8)],
    ['ASA stamp + host', '<166>Oct  3 2018 17:34:08 fw01 : %ASA-4-106023', Date.UTC(2018, 9, 3, 17, 34, 8)],
    [
      'RFC 3339 with offset',
      '2019-09-26T11:55:18-04:00 fw01 : %ASA-4-106023',
      Date.UTC(2019, 8, 26, 15, 55, 18),
    ],
    [
      'RFC 5424',
      '<166>1 2018-10-03T17:34:08.250Z fw01 - - - %ASA-4-106023',
      Date.UTC(2018, 9, 3, 17, 34, 8, 250),
    ],
    ['epoch seconds', '1700000000 fw01 %ASA-4-106023', 1_700_000_000_000],
    ['no header', '%ASA-4-106023', NOW],
  ])('%s', (_name, head, ts) => {
    expect(event(DENY.replace('%ASA-4-106023', head)).ts).toBe(ts);
  });

  it('zone-less stamps follow the timezone option', () => {
    const r = parse(DENY.replace('%ASA', 'Oct 03 2018 17:34:08: %ASA'), NOW, 'local');
    expect(r.kind === 'event' && r.event.ts).toBe(new Date(2018, 9, 3, 17, 34, 8).getTime());
  });

  it('a stamp that is not a valid one makes an attempt bad_time (and leaves skips alone)', () => {
    expect(parse(`Oct 03 2018 25:34:08: ${DENY}`)).toEqual({ kind: 'malformed', reason: 'bad_time' });
    expect(parse(`Feb 30 2018 99:00:00 fw ${DENY}`)).toEqual({ kind: 'malformed', reason: 'bad_time' });
    expect(parse(`2018-10-03T17:99:08Z fw ${DENY}`)).toEqual({ kind: 'malformed', reason: 'bad_time' });
    expect(parse('Oct 03 2018 25:34:08: %ASA-6-113004: AAA user authentication Successful')).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
  });

  it('tags without "%", without facility, pipe form, without colon; a leading space', () => {
    expect(event(DENY.slice(1))).toMatchObject({ port: 23 });
    expect(event(DENY.replace('%ASA-4-', ''))).toMatchObject({ port: 23 });
    expect(event(DENY.replace('%ASA-4-106023:', '4|Jun 01 2024 11:00:00|106023:')).ts).toBe(
      Date.UTC(2024, 5, 1, 11),
    );
    expect(event(DENY.replace('106023:', '106023'))).toMatchObject({ port: 23 });
    expect(event(`  ${DENY.replace('%ASA-4-106023: ', '')}`)).toMatchObject({ port: 23 });
    expect(event(DENY.replace('%ASA', '%PIX'))).toMatchObject({ port: 23 });
    expect(event(DENY.replace('%ASA', '%FWSM'))).toMatchObject({ port: 23 });
  });
});

describe('CiscoAsaParser: bytes', () => {
  it('CRLF, trailing blanks and odd inner spacing', () => {
    expect(event(`${DENY}\r\n`)).toMatchObject({ port: 23 });
    expect(event(`${DENY}   \t`)).toMatchObject({ port: 23 });
    expect(
      event('%PIX-7-710005: UDP request discarded from   198.51.100.7/53 to outside:  192.0.2.1/5353'),
    ).toMatchObject({ src: '198.51.100.7', dst: '192.0.2.1', port: 5353 });
  });

  it('reads only [start, end) of a larger buffer and keeps no reference to it', () => {
    const a = Buffer.from(`garbage\n${DENY}\nmore`);
    const start = 8;
    const end = start + DENY.length;
    const p = new CiscoAsaParser({ timezone: 'utc' });
    const r = p.parseBytes(a, start, end, { now: NOW });
    const copy = JSON.stringify(r);
    a.fill(0x41);
    expect(JSON.stringify(r)).toBe(copy);
    expect(r).toMatchObject({ kind: 'event', event: { port: 23 } });
    const view = new Uint8Array(a.buffer, a.byteOffset, a.length);
    view.set(Buffer.from(DENY), 3);
    expect(p.parseBytes(view, 3, 3 + DENY.length, { now: NOW })).toEqual(r);
  });

  it('huge lines: a 1 MB tail after the message, 1 MB of junk, and a 1 MB FTD line', () => {
    expect(event(DENY + ' x'.repeat(500_000))).toMatchObject({ port: 23 });
    expect(parse('%'.repeat(1_000_000))).toEqual({ kind: 'skip', reason: 'not_firewall' });
    const ftd = `%FTD-1-430002: ${'Foo: bar, '.repeat(100_000)}SrcIP: 198.51.100.7, DstIP: 192.0.2.1, SrcPort: 1, DstPort: 3, Protocol: tcp`;
    expect(event(ftd)).toMatchObject({ port: 3 });
  });

  it('non-ASCII bytes are read as the same text from a string and from bytes', () => {
    const line = DENY.replace('"out"', '"außen→dmz"');
    expect(parse(line)).toEqual(parse(Buffer.from(line, 'utf8')));
    expect(event(line)).toMatchObject({ port: 23 });
  });
});
