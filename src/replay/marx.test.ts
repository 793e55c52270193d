import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MarxParser, parseMarxTime } from './marx.js';

const MARX = fileURLToPath(new URL('../../../shared/data/marx/marx.csv.gz', import.meta.url));

describe('marx rows', () => {
  it('reads the data set layout: uint32 sources, TCP/UDP by dpt, ICMP by type', () => {
    const p = new MarxParser();
    expect(p.parseLine('datetime,host,src,proto,type,spt,dpt')).toEqual({ kind: 'skip', reason: 'header' });
    expect(p.parseLine('2013-03-03 21:53:59,groucho-oregon,1032051418,TCP,,6000,1433')).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2013, 2, 3, 21, 53, 59),
        proto: 'tcp',
        port: 1433,
        src: '61.131.218.218',
        sport: 6000,
      },
      host: 'groucho-oregon',
      operator: undefined,
    });
    expect(p.parseLine('2013-03-03 21:57:01,groucho-oregon,1347834426,UDP,,5270,5060')).toMatchObject({
      event: { proto: 'udp', port: 5060, src: '80.86.82.58', sport: 5270 },
    });
    const icmp = p.parseLine('2013-03-03 23:01:45,groucho-eu,2148114514,ICMP,8,,');
    expect(icmp).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8, src: '128.9.160.82' } });
    expect(icmp.kind === 'event' && 'sport' in icmp.event).toBe(false);
    expect(p.parseLine('2013-03-03 23:01:45,groucho-eu,0,ICMP,0,,')).toMatchObject({
      event: { src: '0.0.0.0', port: 0 },
    });
    expect(p.parseLine('2013-03-03 23:01:45,groucho-eu,4294967295,tcp,,,80')).toMatchObject({
      event: { src: '255.255.255.255', port: 80 },
    });
  });

  it('takes an operator column, a header in another order, text addresses, CRLF and quotes', () => {
    const p = new MarxParser();
    // Without a header, an eighth cell is the operator.
    expect(p.parseLine('2013-03-03 21:53:59,h1,1032051418,TCP,,6000,1433,acme')).toMatchObject({
      operator: 'acme',
    });
    expect(p.parseLine('host,operator,dpt,spt,type,proto,src,datetime,extra\r')).toEqual({
      kind: 'skip',
      reason: 'header',
    });
    expect(p.parseLine('"h 2",ACME Ltd,22,,,tcp,2001:DB8::1,2013-06-01T10:00:00Z,x\r')).toEqual({
      kind: 'event',
      event: { ts: Date.UTC(2013, 5, 1, 10), proto: 'tcp', port: 22, src: '2001:db8::1' },
      host: 'h 2',
      operator: 'ACME Ltd',
    });
    expect(p.parseLine('h3,,23,1024,,TCP,203.0.113.9,2013-06-01 10:00:00,')).toMatchObject({
      event: { src: '203.0.113.9', port: 23, sport: 1024 },
      operator: undefined,
    });
    expect(p.parseLine('h3,,,,3,icmpv6,::1,2013-06-01 10:00:00,')).toMatchObject({
      event: { proto: 'icmp6', port: 3 },
    });
    expect(p.parseLine('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(p.parseLine('  \r')).toEqual({ kind: 'skip', reason: 'empty' });
  });

  it('refuses each kind of damage with its reason', () => {
    const p = new MarxParser();
    const bad: Array<[string, string]> = [
      ['2013-03-03 21:53:59,h,1032051418,TCP,,6000', 'bad_columns'],
      ['2013-03-03 21:53:59,h,1032051418,TCP,,6000,1433,op,more', 'bad_columns'],
      ['2013-02-30 21:53:59,h,1032051418,TCP,,6000,1433', 'bad_time'],
      ['2013-03-03 24:00:00,h,1032051418,TCP,,6000,1433', 'bad_time'],
      ['1989-12-31 23:59:59,h,1032051418,TCP,,6000,1433', 'bad_time'],
      ['03/03/2013 21:53,h,1032051418,TCP,,6000,1433', 'bad_time'],
      ['2013-03-03 21:53:59,,1032051418,TCP,,6000,1433', 'bad_host'],
      ['2013-03-03 21:53:59,h/../x,1032051418,TCP,,6000,1433', 'bad_host'],
      ['2013-03-03 21:53:59,h,4294967296,TCP,,6000,1433', 'bad_src'],
      ['2013-03-03 21:53:59,h,1.2.3,TCP,,6000,1433', 'bad_src'],
      ['2013-03-03 21:53:59,h,1032051418,SCTP,,6000,1433', 'bad_proto'],
      ['2013-03-03 21:53:59,h,1032051418,ICMP,,,', 'bad_icmp_type'],
      ['2013-03-03 21:53:59,h,1032051418,ICMP,256,,', 'bad_icmp_type'],
      ['2013-03-03 21:53:59,h,1032051418,TCP,,6000,', 'bad_dpt'],
      ['2013-03-03 21:53:59,h,1032051418,UDP,,6000,65536', 'bad_dpt'],
      ['2013-03-03 21:53:59,h,1032051418,TCP,,-1,80', 'bad_spt'],
      ['2013-03-03 21:53:59,h,1032051418,TCP,,6000,80,bad/op', 'bad_operator'],
    ];
    for (const [line, reason] of bad) expect(p.parseLine(line), line).toEqual({ kind: 'malformed', reason });
    // A header missing a required column is refused and leaves the layout as it was.
    expect(p.parseLine('datetime,host,src,proto,spt,dpt')).toEqual({
      kind: 'malformed',
      reason: 'bad_header',
    });
    expect(p.parseLine('2013-03-03 21:53:59,h,1032051418,TCP,,6000,1433').kind).toBe('event');
  });

  it('reads zones and fractions as instants', () => {
    expect(parseMarxTime('2013-03-03 21:53:59')).toBe(Date.UTC(2013, 2, 3, 21, 53, 59));
    expect(parseMarxTime('2013-03-03T21:53:59.25Z')).toBe(Date.UTC(2013, 2, 3, 21, 53, 59, 250));
    expect(parseMarxTime('2013-03-03T23:53:59+02:00')).toBe(Date.UTC(2013, 2, 3, 21, 53, 59));
    expect(parseMarxTime('2013-03-03T16:53:59-0500')).toBe(Date.UTC(2013, 2, 3, 21, 53, 59));
    expect(parseMarxTime('2013-03-03T16:53:59+25:00')).toBeNull();
  });

  it.skipIf(!existsSync(MARX))('reads every row of the real data set as an event', () => {
    const lines = gunzipSync(readFileSync(MARX)).toString('utf8').split('\n');
    const p = new MarxParser();
    const kinds = new Map<string, number>();
    const hosts = new Set<string>();
    for (const l of lines) {
      const r = p.parseLine(l);
      const k = r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
      if (r.kind === 'event') hosts.add(r.host);
    }
    expect(Object.fromEntries(kinds)).toEqual({ event: 451_581, 'skip:header': 1, 'skip:empty': 1 });
    expect(hosts.size).toBe(9);
  });
});

if (!existsSync(MARX))
  console.warn(`skipping the real marx rows: ${MARX} is absent (../shared is not beside the project)`);
