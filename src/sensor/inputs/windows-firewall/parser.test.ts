/**
 * Unit cases of the Windows Firewall parser on lines written here after the W3C pfirewall.log format, for what
 * the real fixtures do not show: other layouts, the pid column, CRLF, odd spacing, refused lines, zones.
 */
import { describe, expect, it } from 'vitest';
import { describeLineInputContract } from '../line-input.contract.js';
import { windowsFirewallInput } from './index.js';
import { WindowsFirewallParser } from './parser.js';

describeLineInputContract(windowsFirewallInput);

const ctx = { now: Date.UTC(2024, 5, 1) };
const parser = () => new WindowsFirewallParser({ timezone: 'utc' });
const parse = (line: string) => parser().parseLine(line, ctx);
const row = (over: Partial<Record<string, string>> = {}): string => {
  const f: Record<string, string> = {
    date: '2021-06-22',
    time: '12:20:25',
    action: 'DROP',
    protocol: 'TCP',
    'src-ip': '198.51.100.26',
    'dst-ip': '192.0.2.10',
    'src-port': '62187',
    'dst-port': '445',
    size: '52',
    tcpflags: 'S',
    tcpsyn: '1830172183',
    tcpack: '0',
    tcpwin: '64240',
    icmptype: '-',
    icmpcode: '-',
    info: '-',
    path: 'RECEIVE',
    ...over,
  };
  return Object.values(f).join(' ');
};

describe('WindowsFirewallParser', () => {
  it('reads a default-layout row without any header', () => {
    expect(parse(row())).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2021, 5, 22, 12, 20, 25),
        proto: 'tcp',
        port: 445,
        src: '198.51.100.26',
        sport: 62187,
        dst: '192.0.2.10',
        flags: 'S',
      },
    });
  });

  it.each([
    ['S', 'S'],
    ['SA', 'SA'],
    ['AP', 'PA'],
    ['FA', 'FA'],
    ['UAPRSF', 'FSRPAU'],
    ['R', 'R'],
  ])('maps tcpflags %j to FSRPAUEC letters %j', (w, want) => {
    expect(parse(row({ tcpflags: w }))).toMatchObject({ kind: 'event', event: { flags: want } });
  });

  it('leaves flags unset for `-` and for UDP', () => {
    const r = parse(row({ tcpflags: '-' }));
    expect(r.kind === 'event' && 'flags' in r.event && r.event.flags !== undefined).toBe(false);
    const u = parse(row({ protocol: 'UDP', tcpflags: 'S' }));
    expect(u).toMatchObject({ kind: 'event', event: { proto: 'udp', port: 445 } });
    expect(u.kind === 'event' && u.event.flags).toBeUndefined();
  });

  it('accepts one extra (pid) column, refuses two', () => {
    expect(parse(`${row()} 4`)).toMatchObject({ kind: 'event', event: { port: 445 } });
    expect(parse(`${row()} 4 9`)).toEqual({ kind: 'malformed', reason: 'extra_fields' });
    expect(parse(row().split(' ').slice(0, 16).join(' '))).toEqual({
      kind: 'malformed',
      reason: 'missing_field',
    });
  });

  it('follows the layout a #Fields header declares, including pid and another order', () => {
    const p = parser();
    expect(
      p.parseLine('#Fields: time date src-ip dst-ip protocol dst-port src-port action path pid', ctx),
    ).toEqual({
      kind: 'skip',
      reason: 'header',
    });
    expect(
      p.parseLine('07:08:09 2023-01-02 203.0.113.5 192.0.2.1 UDP 1900 5353 ALLOW RECEIVE 1234', ctx),
    ).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 0, 2, 7, 8, 9),
        proto: 'udp',
        port: 1900,
        src: '203.0.113.5',
        sport: 5353,
        dst: '192.0.2.1',
      },
    });
    // pid is declared: no further column is allowed.
    expect(
      p.parseLine('07:08:09 2023-01-02 203.0.113.5 192.0.2.1 UDP 1900 5353 ALLOW RECEIVE 1234 x', ctx),
    ).toEqual({ kind: 'malformed', reason: 'extra_fields' });
    // A header without src-ip: rows cannot give an event.
    p.parseLine('#Fields: date time action protocol', ctx);
    expect(p.parseLine('2023-01-02 07:08:09 DROP TCP', ctx)).toEqual({
      kind: 'malformed',
      reason: 'missing_field',
    });
  });

  it('skips # lines as header and blank lines as empty; handles CRLF and odd spacing', () => {
    expect(parse('#Version: 1.5\r\n')).toEqual({ kind: 'skip', reason: 'header' });
    expect(parse('#Software: Microsoft Windows Firewall')).toEqual({ kind: 'skip', reason: 'header' });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse('  \r\n')).toEqual({ kind: 'skip', reason: 'empty' });
    const want = parse(row());
    expect(parse(`${row()}\r\n`)).toEqual(want);
    expect(parse(`${row()}\r`)).toEqual(want);
    expect(parse(`  ${row().replaceAll(' ', '  ')}  `)).toEqual(want);
    expect(parse(row().replaceAll(' ', '\t'))).toEqual(want);
  });

  it.each([
    ['OPEN', { kind: 'skip', reason: 'outbound' }],
    ['CLOSE', { kind: 'skip', reason: 'not_attempt' }],
    ['INFO-EVENTS-LOST', { kind: 'skip', reason: 'not_attempt' }],
    ['WAT', { kind: 'malformed', reason: 'bad_action' }],
  ])('XP-era action %s', (action, want) => {
    expect(parse(row({ action, path: '-' }))).toEqual(want);
  });

  it('OPEN-INBOUND is an attempt; path decides for DROP/ALLOW', () => {
    expect(parse(row({ action: 'OPEN-INBOUND', path: '-' }))).toMatchObject({ kind: 'event' });
    expect(parse(row({ action: 'ALLOW', path: 'SEND' }))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(row({ action: 'DROP', path: 'SEND' }))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(row({ path: 'FORWARD' }))).toMatchObject({ kind: 'event' });
    expect(parse(row({ path: 'UNKNOWN' }))).toMatchObject({ kind: 'event' });
    expect(parse(row({ path: '-' }))).toMatchObject({ kind: 'event' });
    expect(parse(row({ path: 'SIDEWAYS' }))).toEqual({ kind: 'malformed', reason: 'bad_path' });
  });

  it('ICMP: type as port, icmp6 for IPv6 addresses, ICMPv6 by name', () => {
    const icmp = {
      protocol: 'ICMP',
      'src-port': '-',
      'dst-port': '-',
      tcpflags: '-',
      icmptype: '8',
      icmpcode: '0',
    };
    expect(parse(row(icmp))).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2021, 5, 22, 12, 20, 25),
        proto: 'icmp',
        port: 8,
        src: '198.51.100.26',
        dst: '192.0.2.10',
      },
    });
    expect(
      parse(row({ ...icmp, 'src-ip': 'FE80::0001', 'dst-ip': 'ff02::1', icmptype: '134' })),
    ).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp6', port: 134, src: 'fe80::1', dst: 'ff02::1' },
    });
    expect(parse(row({ ...icmp, protocol: 'ICMPv6', icmptype: '128' }))).toMatchObject({
      event: { proto: 'icmp6', port: 128 },
    });
    expect(parse(row({ ...icmp, icmptype: '-' }))).toEqual({
      kind: 'malformed',
      reason: 'missing_icmp_type',
    });
    expect(parse(row({ ...icmp, icmptype: '300' }))).toEqual({ kind: 'malformed', reason: 'bad_icmp_type' });
  });

  it('numbered protocols become other/n', () => {
    expect(parse(row({ protocol: '2', 'src-port': '-', 'dst-port': '-', tcpflags: '-' }))).toMatchObject({
      kind: 'event',
      event: { proto: 'other', port: 2 },
    });
    expect(parse(row({ protocol: '256' }))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
    expect(parse(row({ protocol: 'GRE' }))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
  });

  it.each([
    [{ 'dst-port': '-' }, 'missing_port'],
    [{ 'dst-port': '65536' }, 'bad_port'],
    [{ 'src-port': 'x1' }, 'bad_port'],
    [{ 'src-ip': '198.51.100' }, 'bad_src'],
    [{ 'src-ip': '-' }, 'bad_src'],
    [{ 'dst-ip': '192.0.2.300' }, 'bad_dst'],
    [{ date: '2021-13-22' }, 'bad_time'],
    [{ date: '21-06-22' }, 'bad_time'],
    [{ time: '12:61:00' }, 'bad_time'],
    [{ time: '-' }, 'bad_time'],
  ])('refuses %j as %s', (over, reason) => {
    expect(parse(row(over))).toEqual({ kind: 'malformed', reason });
  });

  it('skips loopback sources (Windows logs its own SSDP over 127.0.0.1 and ::1)', () => {
    expect(parse(row({ 'src-ip': '127.0.0.1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(parse(row({ 'src-ip': '::1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('reads the stamp in the configured zone unless #Time Format says UTC', () => {
    const local = new WindowsFirewallParser({ timezone: 'local' });
    expect(local.parseLine(row(), ctx)).toMatchObject({
      event: { ts: new Date(2021, 5, 22, 12, 20, 25).getTime() },
    });
    local.parseLine('#Time Format: UTC', ctx);
    expect(local.parseLine(row(), ctx)).toMatchObject({ event: { ts: Date.UTC(2021, 5, 22, 12, 20, 25) } });
    local.parseLine('#Time Format: Local', ctx);
    expect(local.parseLine(row(), ctx)).toMatchObject({
      event: { ts: new Date(2021, 5, 22, 12, 20, 25).getTime() },
    });
    expect(parse(row({ time: '12:20:25.250' }))).toMatchObject({
      event: { ts: Date.UTC(2021, 5, 22, 12, 20, 25, 250) },
    });
  });

  it('never throws on a huge line, and keeps nothing of the buffer', () => {
    const huge = `${row()} ${'x '.repeat(200_000)}`;
    expect(parse(huge)).toEqual({ kind: 'malformed', reason: 'extra_fields' });
    const buf = Buffer.from(row({ 'src-ip': '2001:0db8:0000:0000:0000:0000:0000:0007' }));
    const r = parser().parseBytes(buf, 0, buf.length, ctx);
    buf.fill(0x20);
    expect(r).toMatchObject({ event: { src: '2001:db8::7' } });
  });
});
