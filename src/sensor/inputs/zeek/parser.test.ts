/**
 * Unit cases of the Zeek conn.log parser on rows written here after Zeek's ASCII and JSON writers, for what the
 * real fixtures do not show: other separators and markers, non-conn paths, nested JSON ids, ISO stamps, refused
 * rows, and the handshake rule letter by letter.
 */
import { describe, expect, it } from 'vitest';
import { describeLineInputContract } from '../line-input.contract.js';
import { zeekHandshake, zeekInput } from './index.js';
import { ZeekParser } from './parser.js';

describeLineInputContract(zeekInput);

const ctx = { now: Date.UTC(2024, 5, 1) };
const FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents ip_proto'.split(
    ' ',
  );
const row = (over: Record<string, string> = {}, sep = '\t'): string => {
  const v: Record<string, string> = {
    ts: '1713682798.290854',
    uid: 'Cpzg4P10IwORGHzdw1',
    'id.orig_h': '198.51.100.148',
    'id.orig_p': '39416',
    'id.resp_h': '192.0.2.201',
    'id.resp_p': '1025',
    proto: 'tcp',
    service: '-',
    duration: '0.000063',
    orig_bytes: '0',
    resp_bytes: '0',
    conn_state: 'S0',
    local_orig: 'F',
    local_resp: 'T',
    missed_bytes: '0',
    history: 'S',
    orig_pkts: '1',
    orig_ip_bytes: '44',
    resp_pkts: '0',
    resp_ip_bytes: '0',
    tunnel_parents: '-',
    ip_proto: '6',
    ...over,
  };
  return FIELDS.map((f) => v[f]).join(sep);
};
const parse = (line: string) => new ZeekParser().parseLine(line, ctx);
const json = (o: Record<string, unknown>) =>
  JSON.stringify({
    ts: 1713682798.290854,
    'id.orig_h': '198.51.100.148',
    'id.orig_p': 39416,
    'id.resp_h': '192.0.2.201',
    'id.resp_p': 1025,
    proto: 'tcp',
    conn_state: 'S0',
    history: 'S',
    ...o,
  });
const SYN = {
  kind: 'event',
  event: {
    ts: 1713682798290,
    proto: 'tcp',
    port: 1025,
    src: '198.51.100.148',
    sport: 39416,
    dst: '192.0.2.201',
    handshake: false,
  },
};

describe('ZeekParser, TSV', () => {
  it('reads a row in the default layout without a header', () => {
    expect(parse(row())).toEqual(SYN);
    expect(parse(row().split('\t').slice(0, 21).join('\t'))).toEqual(SYN); // without ip_proto (Zeek < 7)
  });

  it('tells the pre-2.6 layout (20 columns, no local_resp) by the column count', () => {
    const old = FIELDS.filter((f) => f !== 'local_resp' && f !== 'ip_proto');
    const line = old
      .map(
        (f) =>
          ({ local_orig: 'T', history: 'ShADadFf', conn_state: 'SF' })[f] ??
          row().split('\t')[FIELDS.indexOf(f)],
      )
      .join('\t');
    // local_orig T without local_resp: the protected side opened it.
    expect(parse(line)).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(line.replace('\tT\t', '\tF\t'))).toMatchObject({
      kind: 'event',
      event: { handshake: true },
    });
  });

  it('follows #separator (escaped), #unset_field, #empty_field and #fields', () => {
    const p = new ZeekParser();
    const names = [
      'ts',
      'id.orig_h',
      'id.orig_p',
      'id.resp_h',
      'id.resp_p',
      'proto',
      'history',
      'local_orig',
    ];
    for (const h of [
      '#separator \\x2c',
      '#set_separator,;',
      '#empty_field,EMPTY',
      '#unset_field,NA',
      '#path,conn',
      `#fields,${names.join(',')}`,
    ])
      expect(p.parseLine(h, ctx)).toEqual({ kind: 'skip', reason: 'header' });
    expect(p.parseLine('1713682798.290854,198.51.100.148,39416,192.0.2.201,1025,tcp,ShAR,NA', ctx)).toEqual({
      ...SYN,
      event: { ...SYN.event, handshake: true },
    });
    expect(p.parseLine('1713682798.290854,198.51.100.148,39416,192.0.2.201,1025,tcp,NA,NA', ctx)).toEqual({
      kind: 'event',
      event: { ...SYN.event, handshake: undefined },
    });
    const empty = p.parseLine('1713682798.290854,198.51.100.148,39416,192.0.2.201,1025,tcp,EMPTY,NA', ctx);
    expect(empty.kind === 'event' && 'handshake' in empty.event).toBe(false);
    // With a declared layout the row must have exactly its columns.
    expect(p.parseLine('1713682798.290854,198.51.100.148,39416,192.0.2.201,1025,tcp,S', ctx)).toEqual({
      kind: 'malformed',
      reason: 'missing_field',
    });
    expect(p.parseLine('1713682798.290854,198.51.100.148,39416,192.0.2.201,1025,tcp,S,F,x', ctx)).toEqual({
      kind: 'malformed',
      reason: 'extra_fields',
    });
  });

  it('skips rows of other logs while #path is not conn, and comes back at the next conn header', () => {
    const p = new ZeekParser();
    p.parseLine('#path\tdns', ctx);
    expect(p.parseLine(row(), ctx)).toEqual({ kind: 'skip', reason: 'not_attempt' });
    p.parseLine('#path\tconn', ctx);
    expect(p.parseLine(row(), ctx)).toEqual(SYN);
  });

  it('direction: local_orig T with local_resp F is outbound; T/T (internal) and F/F are attempts', () => {
    expect(parse(row({ local_orig: 'T', local_resp: 'F' }))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(row({ local_orig: 'T', local_resp: '-' }))).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(parse(row({ local_orig: 'T', local_resp: 'T' }))).toEqual(SYN);
    expect(parse(row({ local_orig: 'F', local_resp: 'F' }))).toEqual(SYN);
    expect(parse(row({ 'id.orig_h': '127.0.0.1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(parse(row({ 'id.orig_h': '::1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('ICMP: orig_p is the type; ICMPv6 (proto icmp) told by the address; unknown_transport uses ip_proto', () => {
    expect(
      parse(row({ proto: 'icmp', 'id.orig_p': '8', 'id.resp_p': '0', history: '-', conn_state: 'OTH' })),
    ).toEqual({
      kind: 'event',
      event: { ts: 1713682798290, proto: 'icmp', port: 8, src: '198.51.100.148', dst: '192.0.2.201' },
    });
    expect(
      parse(
        row({ proto: 'icmp', 'id.orig_h': '2001:DB8:0:0::5', 'id.resp_h': 'ff02::1', 'id.orig_p': '128' }),
      ),
    ).toMatchObject({
      event: { proto: 'icmp6', port: 128, src: '2001:db8::5' },
    });
    expect(parse(row({ proto: 'icmp', 'id.orig_p': '256' }))).toEqual({
      kind: 'malformed',
      reason: 'bad_icmp_type',
    });
    expect(
      parse(row({ proto: 'unknown_transport', 'id.orig_p': '0', 'id.resp_p': '0', ip_proto: '47' })),
    ).toMatchObject({
      event: { proto: 'other', port: 47 },
    });
    expect(parse(row({ proto: 'unknown_transport', ip_proto: '-' }))).toEqual({
      kind: 'malformed',
      reason: 'missing_ip_proto',
    });
  });

  it.each([
    [{ ts: 'XXXXXXXXXX.XXXXXX' }, 'bad_ts'],
    [{ ts: '-' }, 'bad_ts'],
    [{ ts: '1713682798.' }, 'bad_ts'],
    [{ 'id.orig_h': '198.51.100' }, 'bad_src'],
    [{ 'id.orig_h': '-' }, 'bad_src'],
    [{ 'id.resp_h': 'host.example' }, 'bad_dst'],
    [{ proto: 'sctp' }, 'bad_proto'],
    [{ 'id.resp_p': '65536' }, 'bad_port'],
    [{ 'id.orig_p': '93145' }, 'bad_port'],
    [{ 'id.resp_p': '-' }, 'bad_port'],
  ])('refuses %j as %s', (over, reason) => {
    expect(parse(row(over))).toEqual({ kind: 'malformed', reason });
  });

  it('CRLF, truncated rows, short headerless rows, a huge row', () => {
    expect(parse(`${row()}\r\n`)).toEqual(SYN);
    expect(parse(row().slice(0, 60))).toEqual({ kind: 'malformed', reason: 'missing_field' });
    expect(parse('1300475167.096535\tCHhAvVGS1DHFjwGM9\t141.142.220.202\t224.0.0.251\tD\tdns')).toEqual({
      kind: 'malformed',
      reason: 'missing_field',
    });
    expect(parse(`${row()}\t${'x\t'.repeat(100_000)}`)).toEqual({
      kind: 'malformed',
      reason: 'extra_fields',
    });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse('#close\t2024-04-21-08-00-00')).toEqual({ kind: 'skip', reason: 'header' });
  });
});

describe('ZeekParser, JSON', () => {
  it('reads dotted keys, epoch floats, booleans', () => {
    expect(parse(json({}))).toEqual(SYN);
    expect(parse(json({ local_orig: true, local_resp: false }))).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(parse(json({ local_orig: true, local_resp: true }))).toEqual(SYN);
  });

  it('reads nested ids, ISO 8601 stamps (json_timestamps), ports as strings', () => {
    const nested = JSON.stringify({
      ts: '2024-04-21T07:00:03.881226Z',
      id: { orig_h: '198.51.100.148', orig_p: '39416', resp_h: '192.0.2.201', resp_p: 1025 },
      proto: 'tcp',
      conn_state: 'S0',
      history: 'S',
    });
    expect(parse(nested)).toEqual({
      ...SYN,
      event: { ...SYN.event, ts: Date.UTC(2024, 3, 21, 7, 0, 3, 881) },
    });
    expect(parse(json({ ts: '1713682798.290854' }))).toEqual(SYN);
    expect(parse(json({ ts: '2024-04-21T07:00:03+02:00' }))).toMatchObject({
      event: { ts: Date.UTC(2024, 3, 21, 5, 0, 3) },
    });
  });

  it('other Zeek logs and other JSON are skipped; broken JSON is malformed', () => {
    expect(parse(json({ _path: 'dns' }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(json({ _path: 'conn' }))).toEqual(SYN);
    const dns = JSON.stringify({
      ts: 1713682798.29,
      uid: 'C1',
      'id.orig_h': '198.51.100.1',
      'id.orig_p': 5353,
      'id.resp_h': '192.0.2.1',
      'id.resp_p': 53,
      proto: 'udp',
      query: 'example.com',
    });
    expect(parse(dns)).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse('{"level":"info","msg":"hello"}')).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse(json({}).slice(0, 80))).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(`${json({})}{}`)).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(json({ ts: null }))).toEqual({ kind: 'malformed', reason: 'bad_ts' });
    expect(parse(json({ ts: -5 }))).toEqual({ kind: 'malformed', reason: 'bad_ts' });
    expect(parse(json({ 'id.resp_p': 1025.5 }))).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(parse(`  ${json({})}  \r\n`)).toEqual(SYN);
  });
});

describe('zeekHandshake', () => {
  const h = (history: string | null, state: string | null): boolean | undefined => {
    const text = `${history ?? ''}|${state ?? ''}`;
    const b = Buffer.from(text);
    const bar = text.indexOf('|');
    return zeekHandshake(b, history === null ? -1 : 0, bar, state === null ? -1 : bar + 1, b.length);
  };
  it.each([
    ['ShADadFf', true],
    ['ShAFf', true],
    ['ShAR', true], // connect scan: the handshake completed, then a reset
    ['ShFfAa', true],
    ['ShDadA', true],
    ['^ShA', true],
    ['S', false], // no answer
    ['Sr', false], // refused
    ['SrR', false],
    ['ShR', false], // half-open SYN scan: the scanner resets the SYN-ACK
    ['Sh', false], // no final ACK
    ['ShrR', false],
    ['DaFfA', undefined], // picked up mid-stream
    ['^f', undefined],
    ['Ar', undefined],
    ['R', undefined],
  ])('history %s → %s', (history, want) => {
    expect(h(history, 'SF')).toBe(want);
  });
  it.each([
    ['SF', true],
    ['S0', false],
    ['REJ', false],
    ['RSTOS0', false],
    ['RSTRH', false],
    ['SH', false],
    ['SHR', false],
    ['S1', undefined],
    ['RSTO', undefined],
    ['OTH', undefined],
  ])('no history, conn_state %s → %s', (state, want) => {
    expect(h(null, state)).toBe(want);
  });
});
