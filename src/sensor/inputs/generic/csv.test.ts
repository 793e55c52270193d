/** Unit cases of the generic csv parser: RFC 4180 quoting, layouts from columns and header rows, Zeek TSV. */
import { describe, expect, it } from 'vitest';
import { csvInput, CsvParser, csvOptionsSchema } from './index.js';

const ctx = { now: Date.UTC(2024, 5, 1) };
const make = (options: unknown) => new CsvParser(csvOptionsSchema.parse(options), 'utc');
const def = () => csvInput.createParser({ timezone: 'utc' });
const run = (p: CsvParser | ReturnType<typeof def>, ...lines: string[]) =>
  lines.map((l) => {
    const r = p.parseLine(l, ctx);
    return r.kind === 'event' ? r.event : r.reason;
  });
const T = Date.UTC(2024, 4, 17, 7, 5, 23);

describe('CsvParser', () => {
  it('default layout ts,src,proto,port,sport,dst until a header row is seen', () => {
    expect(run(def(), '2024-05-17T07:05:23Z,198.51.100.7,tcp,22,42830,192.0.2.2')).toEqual([
      { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7', sport: 42830, dst: '192.0.2.2' },
    ]);
    // A header row with another order re-declares the layout.
    expect(run(def(), 'port,dst,src,ts,proto', '443,192.0.2.9,203.0.113.4,1700000000,udp')).toEqual([
      'header',
      { ts: 1_700_000_000_000, proto: 'udp', port: 443, src: '203.0.113.4', dst: '192.0.2.9' },
    ]);
  });

  it('RFC 4180 quoting: delimiters and doubled quotes inside quoted cells', () => {
    const p = make({
      fields: { ts: 'when', src: 'who', port: 'port' },
      columns: ['note', 'when', 'who', 'port'],
    });
    expect(run(p, '"a, ""quoted"" note",2024-05-17T07:05:23Z,"198.51.100.7", 22 ')).toEqual([
      { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7' },
    ]);
    const q = make({
      fields: { ts: 'when', src: 'who', port: 'port' },
      header: false,
      columns: ['when', 'who', 'port'],
    });
    expect(run(q, '"2024-05-17 07:05:23","198.51.100.""7",22')).toEqual(['bad_src']);
    expect(
      run(q, '"2024-05-17 07:05:23","198.51.100.7"x,22', '"2024-05-17 07:05:23,198.51.100.7,22'),
    ).toEqual(['bad_quote', 'bad_quote']);
  });

  it('header: false with columns; other delimiters; short rows; empty cells and Zeek markers are no value', () => {
    const p = make({ header: false, columns: ['ts', 'src', 'port', 'sport', 'dst'], delimiter: ';' });
    expect(
      run(
        p,
        '1700000000;198.51.100.7;80;-;(empty)',
        '1700000000;198.51.100.7',
        '1700000000;198.51.100.7;;1;',
        'ts;src;port;sport;dst',
      ),
    ).toEqual([
      { ts: 1_700_000_000_000, proto: 'tcp', port: 80, src: '198.51.100.7' },
      'missing_port',
      'missing_port',
      'bad_src', // no header detection without `header: true`
    ]);
    expect(() => csvOptionsSchema.parse({ header: false })).toThrow();
    expect(() =>
      csvOptionsSchema.parse({ header: false, columns: ['a'], fields: { ts: 'a', src: 'b', port: 'a' } }),
    ).toThrow();
    expect(() => csvOptionsSchema.parse({ delimiter: '"' })).toThrow();
    expect(() => csvOptionsSchema.parse({ delimiter: ',,' })).toThrow();
  });

  it('without columns, rows before the header are no_header', () => {
    const p = make({ fields: { ts: 'time', src: 'source', port: 'dport' } });
    expect(
      run(
        p,
        '2024-05-17T07:05:23Z,198.51.100.7,22',
        'time,source,dport',
        '2024-05-17T07:05:23Z,198.51.100.7,22',
      ),
    ).toEqual(['no_header', 'header', { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7' }]);
  });

  it("Zeek TSV: '#fields' declares the layout, other '#' lines are comments", () => {
    const p = make({
      delimiter: '\t',
      fields: {
        ts: 'ts',
        src: 'id.orig_h',
        port: 'id.resp_p',
        proto: 'proto',
        sport: 'id.orig_p',
        dst: 'id.resp_h',
      },
    });
    const rows = [
      '#separator \\x09',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
      '1329843175.736107\tCjhGID4nQcgTWjvg4c\t141.142.220.235\t37604\t199.233.217.249\t56666\ttcp',
      '1329843175.736107\tC2\tfe80::1\t143\tff02::1\t130\ticmp',
      '#close\t2012-02-21',
    ];
    expect(run(p, ...rows)).toEqual([
      'header',
      'header',
      'header',
      {
        ts: 1_329_843_175_736,
        proto: 'tcp',
        port: 56666,
        src: '141.142.220.235',
        sport: 37604,
        dst: '199.233.217.249',
      },
      { ts: 1_329_843_175_736, proto: 'icmp6', port: 130, src: 'fe80::1', dst: 'ff02::1' },
      'header',
    ]);
  });

  it('match, loopback, CRLF, blank lines, a huge row', () => {
    const p = make({ columns: ['ts', 'src', 'proto', 'port', 'kind'], match: { kind: 'deny' } });
    const row = '2024-05-17T07:05:23Z,198.51.100.7,tcp,22,deny';
    expect(
      run(
        p,
        row,
        row.replace('deny', 'allow'),
        row.replace('198.51.100.7', '127.0.0.1'),
        `${row}\r\n`,
        '',
        '  ',
      ),
    ).toEqual([
      { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7' },
      'not_attempt',
      'loopback',
      { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7' },
      'empty',
      'empty',
    ]);
    expect(run(p, `${row},${'z'.repeat(1_000_000)}`)).toEqual([
      { ts: T, proto: 'tcp', port: 22, src: '198.51.100.7' },
    ]);
    expect(run(p, `${row},${Array.from({ length: 5000 }, (_, i) => i).join(',')}`)).toHaveLength(1);
  });

  it('a truncated row never throws, and is an event only when the needed cells are complete', () => {
    const p = def();
    const row = '2024-05-17T07:05:23Z,198.51.100.7,tcp,22,42830,192.0.2.2';
    for (let cut = 0; cut <= row.length; cut++) {
      const r = p.parseLine(row.slice(0, cut), ctx);
      if (cut <= row.indexOf(',22,') + 1) expect(r.kind).not.toBe('event'); // until the port cell has a digit
    }
  });
});
