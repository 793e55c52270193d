/** Unit cases of the generic jsonl parser: field maps, defaults, protocols, times, refused lines. */
import { describe, expect, it } from 'vitest';
import { jsonlInput, JsonlParser, jsonlOptionsSchema } from './index.js';

const ctx = { now: Date.UTC(2024, 5, 1) };
const withMap = (options: unknown, tz: 'utc' | 'local' = 'utc') =>
  new JsonlParser(jsonlOptionsSchema.parse(options), tz);
const def = (line: string) => jsonlInput.createParser({ timezone: 'utc' }).parseLine(line, ctx);
const line = (o: Record<string, unknown>): string => JSON.stringify(o);
const ev = {
  ts: '2024-05-17T07:05:23Z',
  src: '198.51.100.7',
  port: 22,
  proto: 'tcp',
  sport: 42830,
  dst: '192.0.2.2',
};

describe('JsonlParser', () => {
  it('default field names: ts, src, port, proto, sport, dst, flags', () => {
    expect(def(line({ ...ev, flags: 'SYN' }))).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 17, 7, 5, 23),
        proto: 'tcp',
        port: 22,
        src: '198.51.100.7',
        sport: 42830,
        dst: '192.0.2.2',
        flags: 'S',
      },
    });
    expect(jsonlOptionsSchema.parse({})).toMatchObject({
      fields: { ts: 'ts', src: 'src', port: 'port' },
      default_proto: 'tcp',
    });
    expect(() => jsonlOptionsSchema.parse({ fields: { src: 'a' } })).toThrow();
    expect(() => jsonlOptionsSchema.parse({ fileds: {} })).toThrow();
  });

  it('nested and flat dotted paths', () => {
    const p = withMap({
      fields: { ts: 'meta.time', src: 'id.orig_h', port: 'id.resp_p', proto: 'net.proto' },
    });
    const flat = line({
      meta: { time: 1700000000 },
      'id.orig_h': '203.0.113.5',
      'id.resp_p': 443,
      net: { proto: 'udp' },
    });
    const nested = line({
      meta: { time: 1700000000 },
      id: { orig_h: '203.0.113.5', resp_p: 443 },
      net: { proto: 'udp' },
    });
    const want = {
      kind: 'event',
      event: { ts: 1_700_000_000_000, proto: 'udp', port: 443, src: '203.0.113.5' },
    };
    expect(p.parseLine(flat, ctx)).toMatchObject(want);
    expect(p.parseLine(nested, ctx)).toMatchObject(want);
  });

  it('protocols: numbers, any case, default, other numbers carry the protocol number as port', () => {
    expect(def(line({ ...ev, proto: 17 }))).toMatchObject({ event: { proto: 'udp', sport: 42830 } });
    expect(def(line({ ...ev, proto: 'UDP' }))).toMatchObject({ event: { proto: 'udp' } });
    expect(def(line({ ...ev, proto: undefined }))).toMatchObject({ event: { proto: 'tcp' } });
    expect(withMap({ default_proto: 'udp' }).parseLine(line({ ...ev, proto: undefined }), ctx)).toMatchObject(
      { event: { proto: 'udp' } },
    );
    expect(def(line({ ...ev, proto: 47, port: undefined }))).toMatchObject({
      event: { proto: 'other', port: 47, sport: undefined },
    });
    expect(def(line({ ...ev, proto: 'icmp', port: 8 }))).toMatchObject({
      event: { proto: 'icmp', port: 8, sport: undefined },
    });
    expect(def(line({ ...ev, src: '2001:db8::7', proto: 'icmp', port: 128 }))).toMatchObject({
      event: { proto: 'icmp6', port: 128 },
    });
    expect(def(line({ ...ev, proto: 'icmp', port: 300 }))).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(def(line({ ...ev, proto: 'carrier-pigeon' }))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
    expect(def(line({ ...ev, proto: true }))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
    expect(def(line({ ...ev, flags: 'S', proto: 'udp' }))).toMatchObject({ event: { flags: undefined } });
    expect(def(line({ ...ev, flags: 'weird' }))).toMatchObject({
      kind: 'event',
      event: { flags: undefined },
    });
  });

  it('time formats', () => {
    expect(def(line({ ...ev, ts: 1700000000.5 }))).toMatchObject({ event: { ts: 1_700_000_000_500 } });
    expect(def(line({ ...ev, ts: 1700000000500 }))).toMatchObject({ event: { ts: 1_700_000_000_500 } });
    expect(def(line({ ...ev, ts: '1700000000' }))).toMatchObject({ event: { ts: 1_700_000_000_000 } });
    expect(
      withMap({ time_format: 'epoch_us' }).parseLine(line({ ...ev, ts: 1700000000500000 }), ctx),
    ).toMatchObject({ event: { ts: 1_700_000_000_500 } });
    expect(withMap({ time_format: 'iso' }).parseLine(line({ ...ev, ts: 1700000000 }), ctx)).toEqual({
      kind: 'malformed',
      reason: 'bad_time',
    });
    expect(withMap({}, 'local').parseLine(line({ ...ev, ts: '2024-05-17 07:05:23' }), ctx)).toMatchObject({
      event: { ts: new Date(2024, 4, 17, 7, 5, 23).getTime() },
    });
  });

  it('match: only records whose fields hold one of the values', () => {
    const p = withMap({ match: { event_type: ['flow', 'alert'], 'flow.state': 'new' } });
    const rec = (event_type: unknown, state: unknown) =>
      p.parseLine(line({ ...ev, event_type, flow: { state } }), ctx);
    expect(rec('flow', 'new').kind).toBe('event');
    expect(rec('alert', 'new').kind).toBe('event');
    expect(rec('dns', 'new')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(rec('flow', 'closed')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(rec(undefined, 'new')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(withMap({ match: { logtype: '4000' } }).parseLine(line({ ...ev, logtype: 4000 }), ctx).kind).toBe(
      'event',
    );
  });

  it.each([
    ['missing_src', { src: undefined }],
    ['missing_src', { src: '' }],
    ['missing_src', { src: null }],
    ['bad_src', { src: 'example.org' }],
    ['bad_src', { src: 16909060 }],
    ['missing_port', { port: undefined }],
    ['bad_port', { port: '22/tcp' }],
    ['bad_port', { port: { n: 22 } }],
    ['bad_sport', { sport: 65536 }],
    ['bad_sport', { sport: [1] }],
    ['bad_dst', { dst: 'x' }],
    ['missing_time', { ts: undefined }],
    ['bad_time', { ts: 'soon' }],
    ['bad_time', { ts: false }],
  ])('refuses %s (%j)', (reason, patch) => {
    expect(def(line({ ...ev, ...patch }))).toEqual({ kind: 'malformed', reason });
  });

  it('skips: blank, comments, other programs, loopback; negative sport is none', () => {
    expect(def('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(def('#fields ts src')).toEqual({ kind: 'skip', reason: 'header' });
    expect(def('plain text')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(def(line({ ...ev, src: '127.0.0.53' }))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(def(line({ ...ev, sport: -1 }))).toMatchObject({ event: { sport: undefined } });
  });

  it('truncated lines, CRLF, a syslog prefix, a huge line', () => {
    const l = line(ev);
    expect(def(l.slice(0, -1))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(def(`${l}\r\n`)).toEqual(def(l));
    expect(def(`Jan  1 00:00:00 host app[1]: ${l}`)).toEqual(def(l));
    expect(def(line({ ...ev, blob: 'y'.repeat(2_000_000) }))).toEqual(def(l));
  });
});
