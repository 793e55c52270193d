import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { crc32, crc32Table } from './crc32.js';

describe('crc32', () => {
  it('gives the standard check value 0xCBF43926 for "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
  it('table and native agree, also when continued', () => {
    const rnd = seededRandom(1);
    for (let i = 0; i < 200; i++) {
      const a = Buffer.from(Array.from({ length: rnd.int(300) }, () => rnd.int(256)));
      const b = Buffer.from(Array.from({ length: rnd.int(300) }, () => rnd.int(256)));
      expect(crc32Table(b, crc32Table(a))).toBe(crc32(b, crc32(a)));
      expect(crc32(Buffer.concat([a, b]))).toBe(crc32(b, crc32(a)));
    }
  });
});
