/**
 * Unit cases of the Suricata EVE parser and of the JSON scanner, on records written here after the EVE format,
 * for what the real fixtures do not show: syslog wrapping, reply-direction alerts, Suricata 7 flow tuples,
 * protocol names and numbers, refused records, stamps, the handshake rule, the options schema.
 */
import { describe, expect, it } from 'vitest';
import { describeLineInputContract } from '../line-input.contract.js';
import type { LineInputDefinition } from '../registry.js';
import { suricataInput, suricataOptionsSchema } from './index.js';
import {
  J_ARRAY,
  J_FALSE,
  J_NONE,
  J_NULL,
  J_NUMBER,
  J_OBJECT,
  J_STRING,
  J_TRUE,
  JsonFields,
  SCAN_BAD,
  SCAN_OK,
  SCAN_STOPPED,
} from './json-scan.js';
import { SuricataParser } from './parser.js';
import type { SuricataEventType } from './parser.js';

describeLineInputContract(suricataInput);
const alertExamples: LineInputDefinition = {
  ...suricataInput,
  examples: [
    '{"timestamp":"2022-07-12T06:22:33.415742+0000","flow_id":1398609176796675,"in_iface":"eth0","event_type":"alert","src_ip":"198.51.100.4","src_port":33270,"dest_ip":"192.0.2.5","dest_port":80,"proto":"TCP","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2034125,"rev":4,"signature":"ET EXPLOIT Apache HTTP Server 2.4.49 - Path Traversal Attempt (CVE-2021-41773) M2","category":"Attempted Administrator Privilege Gain","severity":1},"app_proto":"http","direction":"to_server","flow":{"pkts_toserver":4,"pkts_toclient":1,"bytes_toserver":400,"bytes_toclient":74,"start":"2022-07-12T06:22:33.300000+0000","src_ip":"198.51.100.4","dest_ip":"192.0.2.5","src_port":33270,"dest_port":80}}',
    '{"timestamp":"2023-04-07T00:21:01.318245+0800","flow_id":180225164834117,"in_iface":"eth1","event_type":"drop","src_ip":"203.0.113.110","src_port":46016,"dest_ip":"192.0.2.125","dest_port":23,"proto":"TCP","drop":{"len":60,"tos":0,"ttl":48,"ipid":62316,"tcpseq":3900248957,"tcpack":0,"tcpwin":1024,"syn":true,"ack":false,"psh":false,"rst":false,"urg":false,"fin":false,"tcpres":0,"tcpurgp":0}}',
  ],
  createParser: (o) =>
    suricataInput.createParser({ ...o, options: { event_types: ['flow', 'alert', 'drop'] } }),
};
describe('with alerts and drops counted', () => describeLineInputContract(alertExamples));

const ctx = { now: Date.UTC(2024, 5, 1) };
const ALL: SuricataEventType[] = ['flow', 'alert', 'drop'];
const parse = (line: string, eventTypes?: SuricataEventType[]) =>
  new SuricataParser({ timezone: 'utc', eventTypes }).parseLine(line, ctx);
const flow = (o: Record<string, unknown> = {}, tcp: Record<string, unknown> | null = {}): string =>
  JSON.stringify({
    timestamp: '2024-01-09T15:12:24.540473+0000',
    flow_id: 1,
    event_type: 'flow',
    src_ip: '198.51.100.23',
    src_port: 49250,
    dest_ip: '192.0.2.4',
    dest_port: 445,
    proto: 'TCP',
    flow: { pkts_toserver: 1, start: '2024-01-09T15:07:44.721525+0000', state: 'closed' },
    ...(tcp === null
      ? {}
      : { tcp: { tcp_flags: '16', tcp_flags_ts: '02', tcp_flags_tc: '14', syn: true, ...tcp } }),
    ...o,
  });
const SYN = {
  kind: 'event',
  event: {
    ts: Date.UTC(2024, 0, 9, 15, 7, 44, 721),
    proto: 'tcp',
    port: 445,
    src: '198.51.100.23',
    sport: 49250,
    dst: '192.0.2.4',
    flags: 'S',
    handshake: false,
  },
};
const alert = (o: Record<string, unknown> = {}): string =>
  JSON.stringify({
    timestamp: '2020-01-27T21:27:10.693784+0000',
    event_type: 'alert',
    src_ip: '190.214.13.2',
    src_port: 449,
    dest_ip: '10.20.30.101',
    dest_port: 49791,
    proto: 'TCP',
    alert: { action: 'allowed', signature_id: 2011540 },
    ...o,
  });

describe('SuricataParser', () => {
  it('reads a flow record: flow.start as time, client flags, handshake', () => {
    expect(parse(flow())).toEqual(SYN);
    // flow.start unusable: the record's own timestamp.
    expect(parse(flow({ flow: { start: 'soon' } }))).toMatchObject({
      event: { ts: Date.UTC(2024, 0, 9, 15, 12, 24, 540) },
    });
  });

  it.each([
    ['established', '1b', '1b', true],
    ['fin_wait2', '02', '12', true],
    ['time_wait', '1b', '1b', true],
    ['syn_sent', '02', '00', false],
    ['syn_recv', '02', '12', false],
    ['none', '1b', '1b', false],
    ['closed', '1b', '1b', true], // a finished connection
    ['closed', '06', '12', false], // SYN, SYN-ACK, RST without ACK: nmap's half-open scan
    ['closed', '02', '14', false], // SYN answered with RST-ACK: port closed
    [undefined, '12', '12', true],
    [undefined, '02', '00', false],
  ])('tcp.state %s, flags to server %s, to client %s: handshake %s', (state, ts, tc, want) => {
    const r = parse(flow({}, { state, tcp_flags_ts: ts, tcp_flags_tc: tc }));
    expect(r).toMatchObject({ kind: 'event', event: { handshake: want } });
  });

  it('no tcp object or no per-direction flags: handshake and flags unknown', () => {
    const a = parse(flow({}, null));
    expect(a.kind === 'event' && [a.event.flags, a.event.handshake]).toEqual([undefined, undefined]);
    const b = parse(flow({}, { state: 'closed', tcp_flags_ts: undefined, tcp_flags_tc: undefined }));
    expect(b.kind === 'event' && [b.event.flags, b.event.handshake]).toEqual([undefined, undefined]);
    const c = parse(flow({}, { tcp_flags_ts: 'zz' }));
    expect(c.kind === 'event' && c.event.flags).toBeUndefined();
  });

  it('alerts and drops skip by default, count when configured', () => {
    expect(parse(alert())).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(flow({ event_type: 'drop' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(flow(), ['alert'])).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(alert(), ['alert'])).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2020, 0, 27, 21, 27, 10, 693),
        proto: 'tcp',
        port: 49791,
        src: '190.214.13.2',
        sport: 449,
        dst: '10.20.30.101',
      },
    });
  });

  it('alert direction: to_client swaps the packet tuple; a Suricata 7 flow tuple wins', () => {
    expect(parse(alert({ direction: 'to_client' }), ALL)).toMatchObject({
      event: { src: '10.20.30.101', sport: 49791, dst: '190.214.13.2', port: 449 },
    });
    expect(parse(alert({ direction: 'to_server' }), ALL)).toMatchObject({
      event: { src: '190.214.13.2', port: 49791 },
    });
    const v7 = alert({
      direction: 'to_client',
      flow: {
        start: '2020-01-27T21:27:09.000000+0000',
        src_ip: '10.20.30.101',
        dest_ip: '190.214.13.2',
        src_port: 49791,
        dest_port: 449,
      },
    });
    expect(parse(v7, ALL)).toMatchObject({
      event: {
        ts: Date.UTC(2020, 0, 27, 21, 27, 10, 693),
        src: '10.20.30.101',
        sport: 49791,
        dst: '190.214.13.2',
        port: 449,
      },
    });
  });

  it('drop records carry the dropped packet flags', () => {
    const drop = flow(
      { event_type: 'drop', drop: { syn: true, ack: false, fin: false, rst: false, psh: false, urg: false } },
      null,
    );
    expect(parse(drop, ['drop'])).toMatchObject({
      kind: 'event',
      event: { flags: 'S', ts: Date.UTC(2024, 0, 9, 15, 12, 24, 540) },
    });
    const xmas = flow({ event_type: 'drop', drop: { fin: true, psh: true, urg: true } }, null);
    expect(parse(xmas, ['drop'])).toMatchObject({ event: { flags: 'FPU' } });
  });

  it('protocols: names any case, numbers (Suricata pads them: "047"), ICMP types', () => {
    expect(parse(flow({ proto: 'udp' }))).toMatchObject({ event: { proto: 'udp', port: 445, sport: 49250 } });
    expect(parse(flow({ proto: 'GRE', src_port: undefined, dest_port: undefined }, null))).toMatchObject({
      event: { proto: 'other', port: 47 },
    });
    expect(parse(flow({ proto: '047' }, null))).toMatchObject({ event: { proto: 'other', port: 47 } });
    expect(parse(flow({ proto: 'SCTP' }, null))).toMatchObject({ event: { proto: 'other', port: 132 } });
    expect(parse(flow({ proto: 'ICMP', icmp_type: 8, icmp_code: 0 }, null))).toMatchObject({
      event: { proto: 'icmp', port: 8 },
    });
    expect(
      parse(
        flow({ proto: 'IPv6-ICMP', src_ip: '2001:0db8:0000:0000:0000:0000:0000:0001', icmp_type: 128 }, null),
      ),
    ).toMatchObject({
      event: { proto: 'icmp6', port: 128, src: '2001:db8::1' },
    });
    expect(parse(flow({ proto: 'ICMP', src_ip: '2001:db8::1', icmp_type: 128 }, null))).toMatchObject({
      event: { proto: 'icmp6' },
    });
  });

  it.each([
    [{ proto: 'FOO' }, 'bad_proto'],
    [{ proto: '300' }, 'bad_proto'],
    [{ proto: 6 }, 'bad_proto'],
    [{ proto: undefined }, 'missing_proto'],
    [{ dest_port: undefined }, 'missing_port'],
    [{ dest_port: 70000 }, 'bad_port'],
    [{ src_port: -1 }, 'bad_port'],
    [{ dest_port: 80.5 }, 'bad_port'],
    [{ proto: 'ICMP' }, 'missing_icmp_type'],
    [{ proto: 'ICMP', icmp_type: 300 }, 'bad_icmp_type'],
    [{ src_ip: undefined }, 'missing_src'],
    [{ src_ip: '198.51.100' }, 'bad_src'],
    [{ dest_ip: 'fe80::1%eth0' }, 'bad_dst'],
    [{ timestamp: '2024-01-09 15:12', flow: { start: 'x' } }, 'bad_timestamp'],
  ])('refuses %j as %s', (over, reason) => {
    expect(parse(flow(over))).toEqual({ kind: 'malformed', reason });
  });

  it('skips loopback sources', () => {
    expect(parse(flow({ src_ip: '127.0.0.1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(parse(flow({ src_ip: '::1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('stamps: +hhmm, +hh:mm, Z, and no zone (the configured one)', () => {
    const at = (start: string, timezone: 'utc' | 'local' = 'utc') =>
      new SuricataParser({ timezone }).parseLine(flow({ flow: { start } }), ctx);
    expect(at('2024-01-09T15:07:44.721525+0100')).toMatchObject({
      event: { ts: Date.UTC(2024, 0, 9, 14, 7, 44, 721) },
    });
    expect(at('2024-01-09T15:07:44.721525-05:30')).toMatchObject({
      event: { ts: Date.UTC(2024, 0, 9, 20, 37, 44, 721) },
    });
    expect(at('2024-01-09T15:07:44Z')).toMatchObject({ event: { ts: Date.UTC(2024, 0, 9, 15, 7, 44) } });
    expect(at('2024-01-09T15:07:44.721525')).toMatchObject({
      event: { ts: Date.UTC(2024, 0, 9, 15, 7, 44, 721) },
    });
    expect(at('2024-01-09T15:07:44.721525', 'local')).toMatchObject({
      event: { ts: new Date(2024, 0, 9, 15, 7, 44, 721).getTime() },
    });
  });

  it('syslog-wrapped records; other programs; broken JSON', () => {
    const head = 'Jan  9 15:12:24 ids suricata[1234]: ';
    expect(parse(head + flow())).toEqual(SYN);
    expect(parse(`<134>1 2024-01-09T15:12:24Z ids suricata 1234 - - @cee: ${flow()}`)).toEqual(SYN);
    expect(parse(`${head}<Notice> -- This is Suricata version 7.0.2 RELEASE running in SYSTEM mode`)).toEqual(
      {
        kind: 'skip',
        reason: 'not_firewall',
      },
    );
    expect(parse('Jan  9 15:12:24 ids kernel: cgroup {weird} thing')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse(head + flow().slice(0, 100))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(flow().slice(0, 100))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(flow() + flow())).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse('{"src_ip":"198.51.100.1","proto":"TCP"}')).toEqual({
      kind: 'malformed',
      reason: 'missing_event_type',
    });
    expect(parse('{"level":"info"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse('{"event_type":7}')).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('pieces of a pretty-printed record are multiline_json', () => {
    for (const l of [
      '{',
      '  "timestamp": "2021-05-30T20:07:13.208777+0200",',
      '    "alert": {',
      '    },',
      '}',
      ']',
    ])
      expect(parse(l)).toEqual({ kind: 'malformed', reason: 'multiline_json' });
  });

  it('CRLF, blanks, a huge stats record, deep nesting', () => {
    expect(parse(`${flow()}\r\n`)).toEqual(SYN);
    expect(parse(`   ${flow()}   `)).toEqual(SYN);
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    const stats = JSON.stringify({
      timestamp: '2024-01-09T15:13:00.667785+0000',
      event_type: 'stats',
      stats: { x: 'y'.repeat(1_000_000) },
    });
    expect(parse(stats)).toEqual({ kind: 'skip', reason: 'not_attempt' });
    const deep = `{"event_type":"flow","a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(parse(deep)).toEqual({ kind: 'malformed', reason: 'bad_timestamp' });
    expect(parse(`{"event_type":"flow","a":${'['.repeat(200_000)}`)).toEqual({
      kind: 'malformed',
      reason: 'bad_json',
    });
  });
});

describe('suricata options', () => {
  it('defaults to flow records; refuses empty lists, unknown types and unknown keys', () => {
    expect(suricataOptionsSchema.parse({})).toEqual({ event_types: ['flow'] });
    expect(suricataOptionsSchema.parse({ event_types: ['alert', 'drop'] })).toEqual({
      event_types: ['alert', 'drop'],
    });
    expect(suricataOptionsSchema.safeParse({ event_types: [] }).success).toBe(false);
    expect(suricataOptionsSchema.safeParse({ event_types: ['dns'] }).success).toBe(false);
    expect(suricataOptionsSchema.safeParse({ types: ['flow'] }).success).toBe(false);
    const p = suricataInput.createParser({ timezone: 'utc', options: { event_types: ['alert'] } });
    expect(p.parseLine(alert(), ctx)).toMatchObject({ kind: 'event' });
    expect(p.parseLine(flow(), ctx)).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });
});

describe('JsonFields', () => {
  const fields = new JsonFields(['a', 'b', 'c', 'o/x', 'o/y', 'k.dot']);
  const scan = (text: string) => {
    const buf = Buffer.from(text);
    const r = fields.scan(buf, 0, buf.length);
    const val = (slot: number): string | null =>
      fields.kind[slot] === J_NONE ? null : buf.toString('utf8', fields.vs[slot], fields.ve[slot]);
    return { r, val, kind: (slot: number) => fields.kind[slot] };
  };

  it('finds wanted keys at two levels, whatever the blanks and the order', () => {
    const s = scan(' { "z" : [1, {"a": 9}], "o" : { "y" : "why", "x" : -1.5e3 } , "a":"A", "k.dot": true } ');
    expect(s.r).toBe(SCAN_OK);
    expect([s.val(0), s.kind(0)]).toEqual(['A', J_STRING]);
    expect([s.val(3), s.kind(3)]).toEqual(['-1.5e3', J_NUMBER]);
    expect(s.val(4)).toBe('why');
    expect([s.val(5), s.kind(5)]).toEqual(['true', J_TRUE]);
    expect(s.val(1)).toBeNull();
  });

  it('records kinds of every value and lets the last duplicate win', () => {
    const s = scan('{"a":null,"b":false,"c":[1,2],"o":{"x":{"deep":1}},"a":"again"}');
    expect([s.kind(0), s.val(0)]).toEqual([J_STRING, 'again']);
    expect(s.kind(1)).toBe(J_FALSE);
    expect(s.kind(2)).toBe(J_ARRAY);
    expect(s.kind(3)).toBe(J_OBJECT);
    expect(scan('{"a":null}').kind(0)).toBe(J_NULL);
  });

  it('crosses escaped quotes and backslash runs inside strings', () => {
    const s = scan('{"z":"say \\"hi\\" \\\\","a":"x\\\\\\"y","b":"' + 'long '.repeat(50) + '\\""}');
    expect(s.r).toBe(SCAN_OK);
    expect(s.val(0)).toBe('x\\\\\\"y');
  });

  it.each([
    '',
    '[]',
    '{',
    '{"a":1',
    '{"a" 1}',
    '{"a":1,}',
    '{"a":tru}',
    '{"a":01x}',
    '{"a":-}',
    '{"a":"unterminated}',
    '{"a":[1,2}',
    '{"a":1}x',
    '{"a":1}{"b":2}',
    "{'a':1}",
  ])('refuses %j', (text) => {
    expect(scan(text).r).toBe(SCAN_BAD);
  });

  it('stops at the gate key when told to', () => {
    const g = new JsonFields(['kind', 'a'], 'kind');
    let seen = '';
    g.gate = (buf, s, e) => {
      seen = Buffer.from(buf.subarray(s, e)).toString();
      return seen === 'keep';
    };
    const run = (t: string) => g.scan(Buffer.from(t), 0, t.length);
    expect(run('{"kind":"skip","a":1, broken')).toBe(SCAN_STOPPED);
    expect(seen).toBe('skip');
    expect(run('{"kind":"keep","a":1}')).toBe(SCAN_OK);
    expect(run('{"kind":"keep","a":1, broken')).toBe(SCAN_BAD);
  });
});
