/**
 * Unit cases of the OpenCanary parser on records written here after opencanary/logger.py and its modules (ssh.py,
 * portscan.py, samba.py, tcpbanner.py), for the logtypes and oddities the real fixtures do not show.
 */
import { describe, expect, it } from 'vitest';
import { OpenCanaryParser } from './index.js';

const ctx = { now: Date.UTC(2024, 5, 1) };
const base = {
  dst_host: '192.0.2.2',
  dst_port: 22,
  local_time: '2023-06-28 15:51:47.199237',
  local_time_adjusted: '2023-06-28 17:51:47.199255',
  logdata: { SESSION: '4' },
  logtype: 4000,
  node_id: 'opencanary-01',
  src_host: '203.0.113.61',
  src_port: 1906,
  utc_time: '2023-06-28 15:51:47.199250',
};
const rec = (patch: Record<string, unknown> = {}): string => JSON.stringify({ ...base, ...patch });
const parse = (line: string) => new OpenCanaryParser().parseLine(line, ctx);
const outcome = (line: string): string => {
  const r = parse(line);
  return r.kind === 'event' ? `${r.event.proto}/${r.event.port}` : r.reason;
};

describe('OpenCanaryParser', () => {
  it('an SSH new connection: a TCP attempt with a completed handshake, time from utc_time', () => {
    expect(parse(rec())).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 5, 28, 15, 51, 47, 199),
        proto: 'tcp',
        port: 22,
        src: '203.0.113.61',
        sport: 1906,
        dst: '192.0.2.2',
        handshake: true,
      },
    });
  });

  it('logtypes: boot/msg and repeats of a logged connection are not attempts', () => {
    for (const t of [1000, 1001, 1002, 1003, 1004, 1005, 1006, 2001, 4001, 4002, 18003, 18004, 18005])
      expect(outcome(rec({ logtype: t })), String(t)).toBe('not_attempt');
    expect(outcome(rec({ logtype: 18005, logdata: { ALERT_STRING: 'x', FUNCTION: 'DATA_RECEIVED' } }))).toBe(
      'tcp/22',
    );
  });

  it('logtypes: UDP services, TCP services, unknown ones', () => {
    for (const [t, port] of [
      [10001, 69],
      [11001, 123],
      [13001, 161],
      [15001, 5060],
      [19001, 5355],
    ])
      expect(outcome(rec({ logtype: t, dst_port: port })), String(t)).toBe(`udp/${port}`);
    for (const t of [
      2000, 3000, 3001, 5000, 6001, 6002, 7001, 8001, 9001, 9002, 9003, 12001, 14001, 16001, 17001, 18001,
      18002, 20001,
    ])
      expect(parse(rec({ logtype: t })), String(t)).toMatchObject({
        event: { proto: 'tcp', handshake: true },
      });
    expect(parse(rec({ logtype: 99003 }))).toMatchObject({
      event: { proto: 'tcp', port: 22, handshake: undefined },
    });
    expect(parse(rec({ logtype: 99003, src_host: '', src_port: -1 }))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse(rec({ logtype: '3000' }))).toMatchObject({ kind: 'event' });
  });

  it('port-scan records: string ports, flags from the kernel words or the probe, loopback interface', () => {
    const scan = (logtype: number, logdata: Record<string, string>) =>
      parse(
        rec({
          logtype,
          logdata,
          dst_port: '3389',
          src_port: '61000',
          local_time: '2024-02-01 10:00:00.000001',
          utc_time: undefined,
        }),
      );
    expect(scan(5001, { IN: 'eth0', PROTO: 'TCP', SYN: '', URGP: '0' })).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 1, 1, 10),
        proto: 'tcp',
        port: 3389,
        src: '203.0.113.61',
        sport: 61000,
        dst: '192.0.2.2',
        flags: 'S',
      },
    });
    expect(scan(5001, { IN: 'eth0', SYN: '', ECE: '', CWR: '' })).toMatchObject({ event: { flags: 'SEC' } });
    expect(scan(5003, { IN: 'eth0', PROTO: 'TCP' })).toMatchObject({ event: { flags: '' } });
    expect(scan(5004, { IN: 'eth0', FIN: '', PSH: '', URG: '' })).toMatchObject({ event: { flags: 'FPU' } });
    expect(scan(5004, {})).toMatchObject({ event: { flags: 'FPU' } });
    expect(scan(5005, {})).toMatchObject({ event: { flags: 'F' } });
    expect(scan(5002, {})).toMatchObject({ event: { flags: 'FSPU' } });
    expect(scan(5001, { IN: 'lo', SYN: '' })).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('samba file opens: src_port "-1" is no port', () => {
    expect(
      parse(rec({ logtype: 5000, dst_port: 445, src_port: '-1', logdata: { USER: 'anonymous' } })),
    ).toMatchObject({
      event: { port: 445, sport: undefined },
    });
  });

  it('sanitizeLog defaults: "" host and -1 ports', () => {
    expect(parse(rec({ src_host: '' }))).toEqual({ kind: 'malformed', reason: 'missing_src' });
    expect(parse(rec({ dst_port: -1 }))).toEqual({ kind: 'malformed', reason: 'missing_port' });
    expect(parse(rec({ src_port: -1 }))).toMatchObject({ event: { sport: undefined } });
    expect(parse(rec({ dst_host: '' }))).toMatchObject({ event: { dst: undefined } });
  });

  it('time: utc_time first, local_time (also UTC) without it, never local_time_adjusted', () => {
    expect(parse(rec({ utc_time: undefined, local_time: '2020-09-09 12:16:42.028417' }))).toMatchObject({
      event: { ts: Date.UTC(2020, 8, 9, 12, 16, 42, 28) },
    });
    expect(parse(rec({ utc_time: undefined, local_time: undefined }))).toEqual({
      kind: 'malformed',
      reason: 'missing_time',
    });
    expect(parse(rec({ utc_time: 'now' }))).toEqual({ kind: 'malformed', reason: 'bad_time' });
  });

  it.each([
    ['bad_logtype', { logtype: 'ssh' }],
    ['bad_logtype', { logtype: 40.5 }],
    ['bad_src', { src_host: 'scanner.example' }],
    ['bad_dst', { dst_host: '300.1.1.1' }],
    ['bad_port', { dst_port: 65536 }],
    ['bad_port', { src_port: '1e3' }],
  ])('refuses %s (%j)', (reason, patch) => {
    expect(parse(rec(patch))).toEqual({ kind: 'malformed', reason });
  });

  it('syslog-wrapped lines, [ERR] lines, JSON without a logtype, IPv6, CRLF', () => {
    expect(parse(`<12>opencanaryd[9    :140261098514240]: opencanary-01 WARNING ${rec()}`)).toEqual(
      parse(rec()),
    );
    expect(parse(`[ERR] '${rec()}'`)).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse('{"src_ip":"198.51.100.1"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse(rec({ src_host: '::ffff:203.0.113.61' }))).toMatchObject({ event: { src: '203.0.113.61' } });
    expect(parse(rec({ src_host: '2001:DB8::61' }))).toMatchObject({ event: { src: '2001:db8::61' } });
    expect(parse(`${rec()}\r\n`)).toEqual(parse(rec()));
    expect(parse(rec().slice(0, 40))).toEqual({ kind: 'malformed', reason: 'bad_json' });
  });
});
