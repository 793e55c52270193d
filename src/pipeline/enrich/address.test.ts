/**
 * parseAddress against Node's own address parser (node:net isIP and BlockList) on hand-picked and random
 * strings: the same verdict on what is an address, and the same 128 bits for each one.
 */
import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { INVALID, parseAddress, V4, V6 } from './address.js';

const w = new Uint32Array(4);

/** The parsed words as full IPv6 text (IPv4 as ::ffff:a.b.c.d), for BlockList to compare. */
function asText(kind: number): string {
  const a = w[0] ?? 0;
  if (kind === V4) return `::ffff:${(a >>> 16).toString(16)}:${(a & 0xffff).toString(16)}`;
  return Array.from(w, (x) => `${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}`).join(':');
}

/** Node's verdict and bits: true when `text` and our parse are the same address. */
function sameAddress(text: string, kind: number): boolean {
  const list = new BlockList();
  list.addAddress(text, isIP(text) === 4 ? 'ipv4' : 'ipv6');
  const ours = asText(kind);
  // BlockList matches an IPv4 entry with its IPv4-mapped IPv6 form.
  return list.check(ours, 'ipv6');
}

describe('parseAddress', () => {
  it('reads IPv4 and IPv6 in every text form', () => {
    expect(parseAddress('8.8.8.8', w)).toBe(V4);
    expect(w[0]).toBe(0x08080808);
    expect(parseAddress('255.255.255.255', w)).toBe(V4);
    expect(w[0]).toBe(0xffffffff);
    expect(parseAddress('2001:db8::1', w)).toBe(V6);
    expect(Array.from(w)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseAddress('2001:DB8:0:0:0:0:0:1', w)).toBe(V6);
    expect(Array.from(w)).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseAddress('::', w)).toBe(V6);
    expect(Array.from(w)).toEqual([0, 0, 0, 0]);
    expect(parseAddress('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', w)).toBe(V6);
    expect(Array.from(w)).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect(parseAddress('64:ff9b::192.0.2.33', w)).toBe(V6);
    expect(Array.from(w)).toEqual([0x0064ff9b, 0, 0, 0xc0000221]);
  });

  it('reads IPv4-mapped IPv6 as IPv4', () => {
    expect(parseAddress('::ffff:192.0.2.1', w)).toBe(V4);
    expect(w[0]).toBe(0xc0000201);
    expect(parseAddress('0:0:0:0:0:ffff:c000:201', w)).toBe(V4);
    expect(w[0]).toBe(0xc0000201);
  });

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '1..2.3',
      '1.2.3.4/8',
      'fe80::1%eth0',
      ':',
      ':::',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      '::ffff:1.2.3',
      'g::1',
      '1:2:3:4:5:6:7:',
      ' ::1',
    ])
      expect(parseAddress(bad, w), bad).toBe(INVALID);
  });

  it('agrees with node:net on random strings made of address characters', () => {
    let s = 12345;
    const rand = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    const alphabet = '0123456789abcdefABCDEF:.';
    let valid = 0;
    for (let i = 0; i < 50_000; i++) {
      let text: string;
      if (i % 2 === 0) {
        // Mostly-valid shapes: random groups with an occasional "::" or dotted tail.
        const groups = Array.from({ length: 1 + rand(8) }, () => rand(0x10000).toString(16));
        if (rand(3) === 0) groups.splice(rand(groups.length + 1), 0, '');
        text = groups.join(':');
        if (rand(4) === 0) text += `:${rand(256)}.${rand(256)}.${rand(256)}.${rand(300)}`;
        if (rand(5) === 0) text = `${rand(300)}.${rand(256)}.${rand(256)}.${rand(256)}`;
      } else {
        text = Array.from({ length: 1 + rand(20) }, () => alphabet[rand(alphabet.length)]).join('');
      }
      const kind = parseAddress(text, w);
      // Node accepts leading zeros in no IPv4 octet; we accept up to 3 digits, like the sensor: skip those.
      if (/(^|[.:])0\d/.test(text) && text.includes('.')) continue;
      expect(kind !== INVALID, text).toBe(isIP(text) !== 0);
      if (kind !== INVALID) {
        valid++;
        expect(sameAddress(text, kind), text).toBe(true);
      }
    }
    expect(valid).toBeGreaterThan(5000);
  });
});
