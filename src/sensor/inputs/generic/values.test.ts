/** Unit cases of the value readers (values.ts) on written text. */
import { describe, expect, it } from 'vitest';
import { AddressReader, flagMask, FLAG_STRINGS, protocolOf, protoNumber, TimeReader } from './values.js';
import type { TimeFormat } from './values.js';

const b = (s: string): [Buffer, number, number] => {
  const buf = Buffer.from(s);
  return [buf, 0, buf.length];
};
const now = Date.UTC(2024, 5, 1);

describe('value readers', () => {
  it('addresses: canonical, IPv4-mapped as IPv4, loopback flagged, junk refused', () => {
    const r = new AddressReader();
    expect(r.read(...b('2001:0DB8:0000:0000:0000:0000:0000:0001'))).toBe('2001:db8::1');
    expect(r.read(...b('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(r.read(...b('::FFFF:cb00:7109'))).toBe('203.0.113.9');
    expect(r.loopback).toBe(false);
    for (const lo of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) {
      r.read(...b(lo));
      expect(r.loopback, lo).toBe(true);
    }
    for (const bad of ['', '1.2.3', '1.2.3.4.5', 'fe80::1%eth0', '[::1]', 'host', ' 1.2.3.4'])
      expect(r.read(...b(bad)), bad).toBeNull();
  });

  it('protocols: names in any case and numbers', () => {
    const cases: Array<[string, number]> = [
      ['tcp', 6],
      ['TCP', 6],
      ['Udp', 17],
      ['icmp', 1],
      ['ICMP', 1],
      ['IPv6-ICMP', 58],
      ['icmp6', 58],
      ['6', 6],
      ['17', 17],
      ['58', 58],
      ['132', 132],
      ['sctp', 132],
      ['GRE', 47],
      ['256', -1],
      ['tcpx', -1],
      ['', -1],
      ['-6', -1],
    ];
    for (const [text, n] of cases) expect(protoNumber(...b(text)), text).toBe(n);
    expect([
      protocolOf(6, false),
      protocolOf(17, true),
      protocolOf(1, false),
      protocolOf(1, true),
      protocolOf(58, false),
      protocolOf(47, false),
    ]).toEqual(['tcp', 'udp', 'icmp', 'icmp6', 'icmp6', 'other']);
  });

  it('TCP flags: letters, words, header byte', () => {
    const f = (s: string): string | number => {
      const m = flagMask(...b(s));
      return m < 0 ? m : FLAG_STRINGS[m]!;
    };
    expect(f('S')).toBe('S');
    expect(f('as')).toBe('SA');
    expect(f('UPF')).toBe('FPU');
    expect(f('SYN,ACK')).toBe('SA');
    expect(f('syn ack')).toBe('SA');
    expect(f('FIN|PSH|URG')).toBe('FPU');
    expect(f('18')).toBe('SA');
    expect(f('0x12')).toBe('SA');
    expect(f('0x1b')).toBe('FSPA');
    expect(f('')).toBe('');
    expect(f('SX')).toBe(-1);
    expect(f('999')).toBe(-1);
  });

  it('times: epoch by size in auto, explicit units, ISO stamps with and without zones', () => {
    const t = (text: string, format: TimeFormat = 'auto', zone: 'utc' | 'local' = 'utc'): number =>
      new TimeReader(zone, format).read(...b(text), now);
    expect(t('1700000000')).toBe(1_700_000_000_000);
    expect(t('1700000000.123456')).toBe(1_700_000_000_123);
    expect(t('1700000000123')).toBe(1_700_000_000_123);
    expect(t('1700000000123456')).toBe(1_700_000_000_123);
    expect(t('1700000000123456789')).toBe(1_700_000_000_123);
    expect(t('1.7e9')).toBe(1_700_000_000_000);
    expect(t('1700000000', 'epoch_ms')).toBe(1_700_000_000);
    expect(t('1700000000123456.9', 'epoch_us')).toBe(1_700_000_000_123);
    expect(t('1700000000.5', 'epoch_s')).toBe(1_700_000_000_500);
    expect(t('2024-05-17T07:05:23.517478Z')).toBe(Date.UTC(2024, 4, 17, 7, 5, 23, 517));
    expect(t('2024-05-17T07:05:23+0200', 'iso')).toBe(Date.UTC(2024, 4, 17, 5, 5, 23));
    expect(t('2024-05-17 07:05:23', 'iso')).toBe(Date.UTC(2024, 4, 17, 7, 5, 23));
    expect(t('2024-05-17 07:05:23', 'iso', 'local')).toBe(new Date(2024, 4, 17, 7, 5, 23).getTime());
    for (const bad of ['', 'now', '2024-05-17', '2024-05-17T07:05', '12:00:00', '1700000000x', '-5'])
      expect(t(bad), bad).toBeNaN();
    expect(t('1700000000', 'iso')).toBeNaN();
    expect(t('2024-05-17T07:05:23Z', 'epoch_s')).toBeNaN();
    expect(t('999999999999', 'epoch_s')).toBeNaN(); // past year 9999
    expect(t('9'.repeat(21))).toBeNaN();
  });
});
