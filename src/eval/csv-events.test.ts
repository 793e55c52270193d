import { describe, expect, it } from 'vitest';
import { isStormwatchError } from '../core/errors.js';
import { formatIPv4, parseIPv4, readEvents } from './csv-events.js';
import type { RawEvent } from './csv-events.js';
import { writeEvents } from './fixtures.test-helpers.js';

describe('readEvents', () => {
  it('reads good rows (integer and dotted sources, any-case protocols, ICMP type as port) and skips bad ones', async () => {
    const path = writeEvents(
      [
        '2013-03-03 21:53:59,groucho-oregon,1032051418,TCP,,6000,1433',
        '2013-03-03 21:54:00,groucho-eu,10.0.0.1,udp,,5060,5060',
        '2013-03-03 21:54:01,groucho-eu,167772161,icmp,8,,',
        'not-a-date,groucho-eu,1,TCP,,1,22',
        '2013-03-03 21:54:02,groucho-eu,999.1.1.1,TCP,,1,22',
        '2013-03-03 21:54:03,groucho-eu,5,SCTP,,1,22',
        '2013-03-03 21:54:04,groucho-eu,5,TCP,,1,70000',
        '2013-03-03 21:54:05,,5,TCP,,1,22',
      ],
      { gzip: true },
    );
    const got: RawEvent[] = [];
    const stats = await readEvents(path, (e) => got.push(e));
    expect(stats.rows).toBe(8);
    expect(stats.accepted).toBe(3);
    expect(stats.rejected).toBe(5);
    expect(got.map((e) => `${e.proto}/${e.port}`)).toEqual(['tcp/1433', 'udp/5060', 'icmp/8']);
    expect(got[0]?.t).toBe(Date.UTC(2013, 2, 3, 21, 53, 59));
    expect(got[1]?.src).toBe(got[2]?.src);
    expect(stats.samples.map((s) => [s.line, s.field])).toEqual([
      [5, 'datetime'],
      [6, 'src'],
      [7, 'proto'],
      [8, 'dpt'],
      [9, 'host'],
    ]);
  });

  it('takes the operator column when present', async () => {
    const path = writeEvents(['2013-03-03 00:00:00,s1,1,TCP,,1,22,acme'], {
      header: 'datetime,host,src,proto,type,spt,dpt,operator',
    });
    const got: RawEvent[] = [];
    await readEvents(path, (e) => got.push(e));
    expect(got[0]?.operator).toBe('acme');
  });

  it('refuses a file whose header lacks the columns, with a typed error', async () => {
    const path = writeEvents(['x,y'], { header: 'a,b' });
    const err: unknown = await readEvents(path, () => undefined).catch((e: unknown) => e);
    expect(isStormwatchError(err) && err.code).toBe('SW_INPUT_INVALID');
  });

  it('parses and formats IPv4 both ways', () => {
    expect(parseIPv4('1.2.3.4')).toBe(0x01020304);
    expect(formatIPv4(0xc0a80101)).toBe('192.168.1.1');
    expect(parseIPv4('4294967296')).toBeNull();
  });
});
