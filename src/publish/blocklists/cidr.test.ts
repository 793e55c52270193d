/**
 * cidr.ts against Node's own address handling (node:net BlockList) on hand-picked and random networks:
 * parsing, canonical text, containment and overlap, and refusal of malformed text.
 */
import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { contains, formatCidr, formatValue, lastAddress, overlaps, parseAddress, parseCidr } from './cidr.js';
import type { Network } from './cidr.js';

const must = (text: string): Network => {
  const n = parseCidr(text);
  if (!n) throw new Error(`parseCidr(${text}) is null`);
  return n;
};

describe('parseCidr', () => {
  it('parses and prints canonical CIDR text for both families', () => {
    expect(formatCidr(must('203.0.113.0/24'))).toBe('203.0.113.0/24');
    expect(formatCidr(must('2001:DB8:0:0::/48'))).toBe('2001:db8::/48');
    expect(formatCidr(must('192.0.2.7'))).toBe('192.0.2.7/32');
    expect(formatValue(must('192.0.2.7'))).toBe('192.0.2.7');
    expect(formatValue(must('2001:db8::1'))).toBe('2001:db8::1');
    expect(formatValue(must('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(must('::/0'))).toBe('::/0');
    expect(lastAddress(must('10.1.2.0/23'))).toBe(parseAddress('10.1.3.255')?.value);
  });

  it('refuses host bits, bad prefixes, zones, mapped IPv4 and junk', () => {
    for (const bad of [
      '203.0.113.7/24',
      '203.0.113.0/33',
      '203.0.113.0/',
      '203.0.113.0/-1',
      '203.0.113.0/24/1',
      '2001:db8::/129',
      'fe80::1%eth0',
      '::ffff:192.0.2.1',
      '256.1.1.1',
      '1.2.3',
      '',
      'localhost',
      '2001:db8::1::2',
      '1:2:3:4:5:6:7:8:9',
      'a'.repeat(100),
    ])
      expect(parseCidr(bad), bad).toBeNull();
  });
});

describe('overlaps and contains', () => {
  it('agree with node:net BlockList on random networks', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let inside = 0;
    for (let i = 0; i < 400; i++) {
      const v6 = i % 2 === 1;
      const addr = v6
        ? `2001:db8:${rnd(4).toString(16)}:${rnd(4).toString(16)}::${rnd(3).toString(16)}`
        : `10.${rnd(3)}.${rnd(4)}.${rnd(256)}`;
      const probe = parseAddress(addr);
      const prefix = v6 ? 32 + rnd(97) : 8 + rnd(25);
      const family = v6 ? 6 : 4;
      if (!probe) throw new Error(addr);
      const bits = BigInt(v6 ? 128 : 32);
      const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
      const net: Network = { family, base: probe.value & mask, prefix };
      const list = new BlockList();
      list.addSubnet(formatValue({ ...net, prefix: v6 ? 128 : 32 }), prefix, v6 ? 'ipv6' : 'ipv4');
      const other = v6
        ? `2001:db8:${rnd(4).toString(16)}:${rnd(4).toString(16)}::${rnd(3).toString(16)}`
        : `10.${rnd(3)}.${rnd(4)}.${rnd(256)}`;
      const host = must(other);
      expect(contains(net, host), `${formatCidr(net)} ∋ ${other}`).toBe(
        list.check(other, v6 ? 'ipv6' : 'ipv4'),
      );
      expect(overlaps(net, host)).toBe(contains(net, host));
      expect(overlaps(host, net)).toBe(contains(net, host));
      if (contains(net, host)) inside++;
    }
    expect(inside).toBeGreaterThan(40); // both answers were exercised
    expect(inside).toBeLessThan(360);
  });

  it('treats partial cover as overlap both ways, and never mixes families', () => {
    const net = must('198.51.100.0/24');
    expect(overlaps(net, must('198.51.100.128/25'))).toBe(true);
    expect(overlaps(must('198.51.100.128/25'), net)).toBe(true);
    expect(overlaps(net, must('198.51.0.0/16'))).toBe(true);
    expect(contains(net, must('198.51.0.0/16'))).toBe(false);
    expect(overlaps(net, must('198.51.101.0/24'))).toBe(false);
    expect(overlaps(must('::/0'), net)).toBe(false);
  });
});
