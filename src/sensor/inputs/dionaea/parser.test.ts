/**
 * Unit cases of the dionaea parser on records written here after log_json.py and its documented layout, for what
 * the real fixture does not show: connection types, UDP and TLS, IPv6, the nested layout, refused lines.
 */
import { describe, expect, it } from 'vitest';
import { dionaeaInput, DionaeaParser } from './index.js';

const ctx = { now: Date.UTC(2024, 5, 1) };
const base = {
  connection: { protocol: 'smbd', transport: 'tcp', type: 'accept' },
  dst_ip: '192.0.2.2',
  dst_port: 445,
  src_hostname: '',
  src_ip: '198.51.100.1',
  src_port: 59388,
  timestamp: '2024-05-17T07:05:24.106767',
};
const rec = (patch: Record<string, unknown> = {}, conn: Record<string, unknown> = {}): string =>
  JSON.stringify({ ...base, ...patch, connection: { ...base.connection, ...conn } });
const parse = (line: string) => new DionaeaParser().parseLine(line, ctx);

describe('DionaeaParser', () => {
  it('an accepted TCP connection: remote = source, local = target, handshake completed', () => {
    expect(parse(rec())).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 17, 7, 5, 24, 106),
        proto: 'tcp',
        port: 445,
        src: '198.51.100.1',
        sport: 59388,
        dst: '192.0.2.2',
        handshake: true,
      },
    });
  });

  it('connection types: connect is dionaea going out, listen is its own socket, reject is an attempt', () => {
    expect(parse(rec({}, { type: 'connect' }))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(rec({ src_ip: '', src_port: 0 }, { type: 'listen' }))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse(rec({}, { type: 'pending' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(rec({}, { type: 'reject' }))).toMatchObject({
      kind: 'event',
      event: { port: 445, handshake: undefined },
    });
    expect(parse(rec({}, { type: 'accepted' }))).toMatchObject({ kind: 'event', event: { handshake: true } });
  });

  it('transports: tls is TCP, udp has no handshake, others are refused', () => {
    expect(parse(rec({ dst_port: 443 }, { transport: 'tls', protocol: 'httpd' }))).toMatchObject({
      event: { proto: 'tcp', port: 443, handshake: true },
    });
    expect(parse(rec({ dst_port: 5060 }, { transport: 'udp', protocol: 'SipSession' }))).toMatchObject({
      event: { proto: 'udp', port: 5060, handshake: undefined },
    });
    expect(parse(rec({}, { transport: 'sctp' }))).toEqual({ kind: 'malformed', reason: 'bad_transport' });
    expect(parse(rec({}, { transport: undefined }))).toEqual({ kind: 'malformed', reason: 'bad_transport' });
    expect(parse(rec({}, { type: undefined }))).toEqual({ kind: 'malformed', reason: 'missing_type' });
  });

  it('IPv6 and the IPv4-mapped addresses of a dual-stack listener', () => {
    expect(parse(rec({ src_ip: '::ffff:198.51.100.50', dst_ip: '::ffff:192.0.2.69' }))).toMatchObject({
      event: { src: '198.51.100.50', dst: '192.0.2.69' },
    });
    expect(
      parse(rec({ src_ip: '2001:0db8:0000:0000:0000:0000:0000:00aa', dst_ip: 'fe80::1' })),
    ).toMatchObject({
      event: { src: '2001:db8::aa', dst: 'fe80::1' },
    });
    expect(parse(rec({ src_ip: '::1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('isoformat() without microseconds, and UTC whatever the configured zone', () => {
    expect(parse(rec({ timestamp: '2024-05-17T10:32:55' }))).toMatchObject({
      event: { ts: Date.UTC(2024, 4, 17, 10, 32, 55) },
    });
    const local = dionaeaInput.createParser({ timezone: 'local' }).parseLine(rec(), ctx);
    expect(local).toMatchObject({ event: { ts: Date.UTC(2024, 4, 17, 7, 5, 24, 106) } });
  });

  it('the documented nested layout, which carries no time, takes the read time', () => {
    const nested = JSON.stringify({
      connection: {
        local: { address: '192.0.2.2', port: 21 },
        protocol: 'ftpd',
        remote: { address: '203.0.113.4', port: 40000, hostname: '' },
        transport: 'tcp',
        type: 'accept',
      },
    });
    expect(parse(nested)).toEqual({
      kind: 'event',
      event: {
        ts: ctx.now,
        proto: 'tcp',
        port: 21,
        src: '203.0.113.4',
        sport: 40000,
        dst: '192.0.2.2',
        handshake: true,
      },
    });
  });

  it.each([
    ['missing_src', { src_ip: '' }],
    ['bad_src', { src_ip: 'attacker.example' }],
    ['missing_port', { dst_port: undefined }],
    ['bad_port', { dst_port: 70000 }],
    ['bad_port', { src_port: 'x' }],
    ['bad_dst', { dst_ip: '192.0.2.' }],
    ['missing_time', { timestamp: undefined }],
    ['bad_time', { timestamp: '17/05/2024 07:05' }],
    ['bad_time', { timestamp: 1715929523 }],
  ])('refuses %s (%j)', (reason, patch) => {
    expect(parse(rec(patch))).toEqual({ kind: 'malformed', reason });
  });

  it('other JSON, broken JSON, blank lines, CRLF', () => {
    expect(parse('{"eventid":"cowrie.session.connect"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse('{"connection": "tcp"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse(rec().slice(0, -2))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse(`${rec()}\r\n`)).toEqual(parse(rec()));
  });
});
