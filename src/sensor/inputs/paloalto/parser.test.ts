/**
 * Unit cases of the PAN-OS parser on records written here after the PAN-OS Syslog Field Descriptions, for what the
 * real fixtures do not show: IPv6, quoted fields, zone-protection THREAT records, ICMP, times, refused lines.
 */
import { describe, expect, it } from 'vitest';
import { PaloAltoParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1);
const ctx = { now: NOW };
const parse = (line: string | Buffer, opts: { timezone?: 'utc' | 'local'; inboundZones?: string[] } = {}) =>
  new PaloAltoParser({ timezone: 'utc', ...opts }).parseLine(line, ctx);

/** A TRAFFIC record: fields 0-46 as PAN-OS writes them, with the given overrides by index. */
function traffic(over: Record<number, string> = {}): string {
  const f = [
    '1',
    '2024/05/13 11:20:55',
    '013201001234',
    'TRAFFIC',
    'deny',
    '2305',
    '2024/05/13 11:20:54',
    '203.0.113.7',
    '198.51.100.10',
    '0.0.0.0',
    '0.0.0.0',
    'deny-all',
    '',
    '',
    'not-applicable',
    'vsys1',
    'untrust',
    'dmz',
    'ethernet1/1',
    '',
    'default',
    '2024/05/13 11:20:54',
    '0',
    '1',
    '51824',
    '3389',
    '0',
    '0',
    '0x0',
    'tcp',
    'deny',
    '66',
    '66',
    '0',
    '1',
    '2024/05/13 11:20:54',
    '0',
    'any',
    '0',
    '6743221905',
    '0x0',
    'CN',
    '192.0.2.0-192.0.2.255',
    '0',
    '1',
    '0',
    'policy-deny',
    '0',
    '0',
    '0',
    '0',
    '',
    'PA-3220',
    'from-policy',
  ];
  for (const [i, v] of Object.entries(over)) f[Number(i)] = v;
  return f.join(',');
}

describe('PaloAltoParser', () => {
  it('reads a TRAFFIC deny after a syslog header: Generated Time in the configured zone', () => {
    const want = {
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 13, 11, 20, 54),
        proto: 'tcp',
        port: 3389,
        src: '203.0.113.7',
        sport: 51824,
        dst: '198.51.100.10',
        flags: undefined,
        handshake: false,
      },
    };
    expect(parse(traffic())).toEqual(want);
    expect(parse(`<14>May 13 11:20:55 PA-3220 ${traffic()}`)).toEqual(want);
    expect(parse(`2024-05-13T11:20:55+02:00 PA-3220 ${traffic()}`)).toEqual(want);
    expect(parse(traffic(), { timezone: 'local' })).toMatchObject({
      event: { ts: new Date(2024, 4, 13, 11, 20, 54).getTime() },
    });
  });

  it('a High Resolution Timestamp wins (with its offset; without one, the configured zone)', () => {
    expect(parse(`${traffic()},,,2024-05-13T11:20:54.125+02:00,,`)).toMatchObject({
      event: { ts: Date.UTC(2024, 4, 13, 9, 20, 54, 125) },
    });
    expect(parse(`${traffic()},,,2024-05-13T11:20:54.125,,`)).toMatchObject({
      event: { ts: Date.UTC(2024, 4, 13, 11, 20, 54, 125) },
    });
  });

  it('quoted fields may hold commas and doubled quotes', () => {
    const line = traffic({ 11: '"deny, ""all"", now"', 12: '"corp\\jdoe,x"' });
    expect(parse(line)).toMatchObject({ kind: 'event', event: { port: 3389, src: '203.0.113.7' } });
  });

  it('IPv6 addresses come out RFC 5952', () => {
    expect(
      parse(traffic({ 7: '2001:DB8:0:0::7', 8: '2001:0db8:0000:0000:0000:0000:0000:000a' })),
    ).toMatchObject({
      event: { src: '2001:db8::7', dst: '2001:db8::a' },
    });
  });

  it('subtypes: end with tcp-fin is a finished handshake; start and other subtypes are not attempts', () => {
    expect(parse(traffic({ 4: 'end', 30: 'allow', 46: 'tcp-fin' }))).toMatchObject({
      event: { handshake: true },
    });
    expect(parse(traffic({ 4: 'end', 30: 'allow', 46: 'aged-out' }))).toMatchObject({
      event: { handshake: undefined },
    });
    expect(parse(traffic({ 4: 'drop', 29: 'udp' }))).toMatchObject({
      event: { proto: 'udp', handshake: undefined },
    });
    expect(parse(traffic({ 4: 'start' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(traffic({ 4: 'N/A' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('THREAT: zone-protection scan/flood/packet records count, session-bound threats do not', () => {
    const scan = traffic({
      3: 'THREAT',
      4: 'scan',
      24: '0',
      25: '0',
      30: 'drop',
      31: '',
      32: 'TCP Port scan(8001)',
    });
    expect(parse(scan)).toMatchObject({
      kind: 'event',
      event: { proto: 'tcp', port: 0, handshake: undefined },
    });
    expect(parse(traffic({ 3: 'THREAT', 4: 'vulnerability' }))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse(traffic({ 3: 'SYSTEM', 4: 'general' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('ICMP: a ping session is an echo request; other ICMP cannot be keyed', () => {
    const icmp = (app: string, proto = 'icmp') => parse(traffic({ 14: app, 29: proto, 24: '0', 25: '0' }));
    expect(icmp('ping')).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: 8, sport: undefined },
    });
    expect(icmp('ping', 'ipv6-icmp')).toMatchObject({ kind: 'event', event: { proto: 'icmp6', port: 128 } });
    expect(icmp('icmp')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(traffic({ 29: 'gre' }))).toMatchObject({ event: { proto: 'other', port: 47 } });
  });

  it.each([
    ['truncated', traffic().split(',').slice(0, 20).join(',')],
    ['missing_src', traffic({ 7: '' })],
    ['bad_src', traffic({ 7: '203.0.113' })],
    ['bad_dst', traffic({ 8: 'host.example' })],
    ['missing_proto', traffic({ 29: '' })],
    ['bad_proto', traffic({ 29: 'quic' })],
    ['missing_port', traffic({ 25: '' })],
    ['bad_port', traffic({ 25: '65536' })],
    ['bad_port', traffic({ 24: '130000' })],
    ['bad_time', traffic({ 6: '2024/02/30 10:00:00' })],
    ['bad_time', traffic({ 6: 'yesterday' })],
    ['missing_time', traffic({ 1: '', 6: '' })],
  ])('refuses %s without throwing', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
  });

  it('M/D/YY H:MM times (older custom formats); an empty Generated Time falls back to the Receive Time', () => {
    expect(parse(traffic({ 6: '9/16/19 10:00' }))).toMatchObject({
      event: { ts: Date.UTC(2019, 8, 16, 10, 0) },
    });
    expect(parse(traffic({ 6: '' }))).toMatchObject({ event: { ts: Date.UTC(2024, 4, 13, 11, 20, 55) } });
  });

  it('CEF: the PAN-OS template order (subtype|type), Source Zone label, dtz=UTC, IPv6 in c6a2', () => {
    const cef =
      'CEF:0|Palo Alto Networks|PAN-OS|10.1.0|deny|TRAFFIC|1|rt=May 13 2024 11:20:55 dtz=UTC start=May 13 2024 11:20:54 src= dst=198.51.100.10 c6a2=2001:db8::7 c6a2Label=Source IPv6 Address cs4Label=Source Zone cs4=untrust cs5Label=Destination Zone cs5=dmz spt=51824 dpt=22 proto=tcp act=deny';
    expect(parse(cef)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 13, 11, 20, 54),
        proto: 'tcp',
        port: 22,
        src: '2001:db8::7',
        sport: 51824,
        dst: '198.51.100.10',
        flags: undefined,
        handshake: false,
      },
    });
    expect(parse(cef, { inboundZones: ['dmz'] })).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(cef.replace('|deny|TRAFFIC|', '|url|THREAT|'))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
  });

  it('JSON: TRAFFIC end read with JSON.parse; a cut record is bad_json; others skipped without parsing', () => {
    const j =
      '{"LogType":"TRAFFIC","Subtype":"deny","TimeGenerated":"2024-05-13T09:20:54.000000Z","SourceAddress":"203.0.113.7","DestinationAddress":"198.51.100.10","SourcePort":51824,"DestinationPort":3389,"Protocol":"tcp","Application":"not-applicable","FromZone":"untrust"}';
    expect(parse(j)).toMatchObject({
      kind: 'event',
      event: { ts: Date.UTC(2024, 4, 13, 9, 20, 54), port: 3389, sport: 51824, handshake: false },
    });
    expect(parse(j.slice(0, -20))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse('{"LogType":"SYSTEM", broken')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse('{"hello":"world"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });

  it('skips foreign lines and blanks; odd spacing, CRLF, a Buffer and huge lines read the same', () => {
    expect(parse('LEEF:1.0|Palo Alto Networks|PAN-OS Syslog Integration|10.1|deny|cat=TRAFFIC')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse('May 13 11:20:55 host sshd[1]: Accepted publickey for root')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    const want = parse(traffic());
    expect(parse(`   <14>May 13 11:20:55   PA-3220   ${traffic()}\r\n`)).toEqual(want);
    expect(parse(Buffer.from(`${traffic()}\n`))).toEqual(want);
    expect(parse(`${traffic()},${'x,'.repeat(100_000)}`)).toEqual(want);
    expect(parse('9,'.repeat(200_000))).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });
});
