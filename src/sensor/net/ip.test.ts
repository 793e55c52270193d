import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { canonicalIp, formatIPv6, maskIPv4, maskIPv6, parseIp, parseIPv4, parseIPv6 } from './ip.js';
import { classifyIp, cidrContains, parseCidr } from './ranges.js';

/** RFC 5952 text by an independent implementation: the WHATWG URL serialiser. */
const whatwg = (a: string): string => new URL(`http://[${a}]/`).hostname.slice(1, -1);
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('IPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['255.255.255.255', 4294967295],
    ['10.0.0.1', 167772161],
  ])('parses %s', (text, n) => expect(parseIPv4(b(text), 0, text.length)).toBe(n));
  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1234.1.1.1', '.1.2.3'])(
    'refuses %j',
    (t) => expect(parseIPv4(b(t), 0, t.length)).toBe(-1),
  );
  it('masks', () =>
    expect(maskIPv4(parseIPv4(b('203.0.113.77'), 0, 12), 24)).toBe(parseIPv4(b('203.0.113.0'), 0, 11)));
});

describe('IPv6', () => {
  it('formats random addresses exactly as the WHATWG serialiser (RFC 5952)', () => {
    const rnd = seededRandom(7);
    const h = new Uint16Array(8);
    for (let i = 0; i < 5000; i++) {
      // Many zero hextets, so that runs and ties occur.
      for (let k = 0; k < 8; k++) h[k] = rnd.next() < 0.5 ? 0 : rnd.int(65536);
      if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) continue;
      const full = [...h].map((x) => x.toString(16).padStart(4, '0')).join(':');
      const text = formatIPv6(h);
      expect(text).toBe(whatwg(full));
      const back = new Uint16Array(8);
      expect(parseIPv6(b(text), 0, text.length, back)).toBe(true);
      expect([...back]).toEqual([...h]);
    }
  });
  it.each([
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:DB8::0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('canonical %s → %s', (text, want) => expect(canonicalIp(text)).toBe(want));
  it.each([
    ':',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    'g::',
    '1:2:3:4:5:6:7:8::',
    '::1.2.3',
    '1:',
  ])('refuses %j like node:net does', (t) => {
    expect(isIP(t)).toBe(0);
    expect(canonicalIp(t)).toBeNull();
  });
  it('refuses zone ids (node:net accepts them; an event address has none)', () =>
    expect(canonicalIp('fe80::1%eth0')).toBeNull());
  it('masks to a /64 and /56', () => {
    const p = parseIp('2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff');
    if (p?.family !== 6) throw new Error('parse');
    expect(formatIPv6(maskIPv6(Uint16Array.from(p.v6), 64))).toBe('2001:db8:aaaa:bbbb::');
    expect(formatIPv6(maskIPv6(Uint16Array.from(p.v6), 56))).toBe('2001:db8:aaaa:bb00::');
  });
});

describe('address classes and CIDRs', () => {
  const cls = (t: string) => classifyIp(parseIp(t)!);
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.53', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.10.55', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.1.1', 'link_local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::213:46ff:fe3a:4136', 'link_local'],
    ['fd00::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::2', 'reserved'],
    ['::ffff:10.0.0.1', 'private'],
  ])('%s is %s', (t, c) => expect(cls(t)).toBe(c));
  it.each(['8.8.8.8', '100.16.243.115', '172.32.0.1', '2a0a:1580::a', '::ffff:8.8.8.8'])(
    '%s is public',
    (t) => expect(cls(t)).toBeNull(),
  );
  it('matches CIDRs of both families', () => {
    expect(cidrContains(parseCidr('203.0.113.0/24'), parseIp('203.0.113.200')!)).toBe(true);
    expect(cidrContains(parseCidr('203.0.113.0/24'), parseIp('203.0.114.1')!)).toBe(false);
    expect(cidrContains(parseCidr('2a0a:1580::/32'), parseIp('2a0a:1580::17')!)).toBe(true);
    expect(cidrContains(parseCidr('2a0a:1580::/32'), parseIp('203.0.113.1')!)).toBe(false);
    expect(cidrContains(parseCidr('192.0.2.7'), parseIp('192.0.2.7')!)).toBe(true);
    for (const bad of ['1.2.3.4/33', '1.2.3.4/', 'x/8', '::/129', '1.2.3.4/8x'])
      expect(() => parseCidr(bad)).toThrow(/CIDR/);
  });
});
