/**
 * Unit cases of the listener building blocks: socket address canonicalisation, the per-source token bucket and
 * its bounded memory, the payload sample, and the options schemas.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { isStormwatchError } from '../../../core/errors.js';
import { tcpListenerInput, udpListenerInput } from './index.js';
import { tcpListenerOptionsSchema, udpListenerOptionsSchema } from './options.js';
import {
  canonicalSocketAddress,
  datagramSample,
  PayloadAccumulator,
  SourceRateLimiter,
  sourceKey,
} from './source.js';
import { RecordingSink, silentLogger } from './test-helpers.js';

describe('canonicalSocketAddress', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['::1', '::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:0:0:1', '::ffff:0:0:1'], // IPv4-translated (SIIT, ::ffff:0:a.b.c.d), not mapped: kept as IPv6
  ])('%s -> %s', (raw, canonical) => {
    expect(canonicalSocketAddress(raw)).toBe(canonical);
  });

  it.each([undefined, '', 'localhost', '1.2.3', '1.2.3.256', ':::'])('refuses %s', (raw) => {
    expect(canonicalSocketAddress(raw)).toBeNull();
  });
});

describe('sourceKey', () => {
  it('keys IPv4 by address and IPv6 by /64', () => {
    expect(sourceKey('192.0.2.1')).toBe('192.0.2.1');
    expect(sourceKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('SourceRateLimiter', () => {
  it('allows a burst, then refills at per_minute up to the burst', () => {
    const l = new SourceRateLimiter(2, 60, 100); // 1 token per second
    const takes = (t: number, n: number) => Array.from({ length: n }, () => l.take('a', t));
    expect(takes(0, 3)).toEqual([true, true, false]);
    expect(l.take('a', 999)).toBe(false);
    expect(l.take('a', 1000)).toBe(true);
    expect(l.take('a', 1000)).toBe(false);
    expect(takes(60_000, 3)).toEqual([true, true, false]); // a long pause refills to the burst, not beyond
    expect(l.take('b', 60_000)).toBe(true); // buckets are per source
  });

  it('a clock going backwards neither refills nor breaks the bucket', () => {
    const l = new SourceRateLimiter(1, 60, 100);
    expect(l.take('a', 10_000)).toBe(true);
    expect(l.take('a', 0)).toBe(false);
    expect(l.take('a', 11_000)).toBe(true);
  });

  it('per_minute 0: the burst is all a source ever gets (while it is tracked)', () => {
    const l = new SourceRateLimiter(3, 0, 100);
    expect(Array.from({ length: 5 }, (_, i) => l.take('a', i * 3_600_000))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('evicts the least recently seen source beyond max_sources_tracked', () => {
    const l = new SourceRateLimiter(1, 0, 3);
    expect(['a', 'b', 'c'].map((k) => l.take(k, 0))).toEqual([true, true, true]);
    expect(l.take('a', 1)).toBe(false); // a is now the most recently seen
    expect(l.take('d', 2)).toBe(true); // evicts b, the least recently seen
    expect(l.size).toBe(3);
    expect(l.take('a', 3)).toBe(false); // a was kept: still over its limit
    expect(l.take('b', 4)).toBe(true); // b was forgotten: a fresh bucket (the price of bounded memory)
    expect(l.size).toBe(3);
  });

  it('100,000 distinct sources keep the map at max_sources_tracked', () => {
    const max = 1000;
    const l = new SourceRateLimiter(20, 60, max);
    let peak = 0;
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      const src = `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
      if (!l.take(src, i)) refused++; // every fake source is new, so within its burst
      if (l.size > peak) peak = l.size;
    }
    expect(refused).toBe(0);
    expect(peak).toBe(max);
    expect(l.size).toBe(max);
  });

  it('the default bound (100,000) holds under 150,000 distinct IPv6 sources', () => {
    const l = new SourceRateLimiter(20, 60, 100_000);
    for (let i = 0; i < 150_000; i++)
      l.take(sourceKey(`2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`), i);
    expect(l.size).toBe(100_000);
  });
});

describe('payload sample', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('PayloadAccumulator over chunks equals the sample of the concatenation, capped', () => {
    const data = randomBytes(5000);
    for (const cap of [1, 10, 64, 65, 100, 4096]) {
      const acc = new PayloadAccumulator(cap);
      for (let p = 0; p < data.length; p += 37) {
        acc.add(data.subarray(p, p + 37));
        if (acc.full) break;
      }
      const want = data.subarray(0, cap);
      const expected = {
        sha256: sha(want),
        head: want.subarray(0, Math.min(64, cap)).toString('base64'),
        bytes: cap,
      };
      expect(acc.sample()).toEqual(expected);
      expect(datagramSample(data, cap)).toEqual(expected);
    }
  });

  it('copies what it keeps: reusing the chunk afterwards changes nothing', () => {
    const chunk = Buffer.from('hello world');
    const acc = new PayloadAccumulator(64);
    acc.add(chunk);
    chunk.fill(0);
    expect(acc.sample()).toEqual({
      sha256: sha(Buffer.from('hello world')),
      head: Buffer.from('hello world').toString('base64'),
      bytes: 11,
    });
  });

  it('nothing received: no sample', () => {
    expect(new PayloadAccumulator(64).sample()).toBeUndefined();
    expect(new PayloadAccumulator(0).sample()).toBeUndefined();
    expect(datagramSample(Buffer.alloc(0), 64)).toBeUndefined();
    expect(datagramSample(Buffer.from('x'), 0)).toBeUndefined();
  });

  it('datagramSample of a short datagram', () => {
    expect(datagramSample(Buffer.from('abc'), 64)).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', // FIPS 180-2 example
      head: 'YWJj',
      bytes: 3,
    });
  });
});

describe('options', () => {
  it('applies the defaults', () => {
    expect(tcpListenerOptionsSchema.parse({ ports: [2222] })).toEqual({
      ports: [2222],
      payload_bytes: 64,
      idle_timeout_ms: 5000,
      per_source: { burst: 20, per_minute: 60 },
      max_sources_tracked: 100_000,
      max_concurrent: 256,
    });
    expect(udpListenerOptionsSchema.parse({ ports: [0], addresses: ['::1'] })).toEqual({
      ports: [0],
      addresses: ['::1'],
      payload_bytes: 64,
      per_source: { burst: 20, per_minute: 60 },
      max_sources_tracked: 100_000,
    });
  });

  it.each([
    ['no ports', {}],
    ['empty ports', { ports: [] }],
    ['port too big', { ports: [65536] }],
    ['negative port', { ports: [-1] }],
    ['fractional port', { ports: [22.5] }],
    ['duplicate port', { ports: [22, 22] }],
    ['host name', { ports: [22], addresses: ['localhost'] }],
    ['duplicate address', { ports: [22], addresses: ['::1', '0:0::1'] }],
    ['payload cap too big', { ports: [22], payload_bytes: 4097 }],
    ['unknown option', { ports: [22], port: 23 }],
    ['zero burst', { ports: [22], per_source: { burst: 0, per_minute: 1 } }],
    ['zero tracked', { ports: [22], max_sources_tracked: 0 }],
  ])('refuses %s', (_name, options) => {
    expect(tcpListenerOptionsSchema.safeParse(options).success).toBe(false);
    expect(udpListenerOptionsSchema.safeParse(options).success).toBe(false);
  });

  it('UDP takes no TCP-only options', () => {
    expect(udpListenerOptionsSchema.safeParse({ ports: [53], max_concurrent: 5 }).success).toBe(false);
    expect(udpListenerOptionsSchema.safeParse({ ports: [53], idle_timeout_ms: 5 }).success).toBe(false);
    expect(tcpListenerOptionsSchema.safeParse({ ports: [53], max_concurrent: 0 }).success).toBe(false);
  });

  it('createListener refuses bad options with SW_CONFIG_INVALID naming the option', () => {
    const deps = { clock: new ManualClock(0), logger: silentLogger };
    for (const def of [tcpListenerInput, udpListenerInput]) {
      let err: unknown;
      try {
        def.createListener({ timezone: 'utc', options: { ports: [70000] } }, new RecordingSink(), deps);
      } catch (e) {
        err = e;
      }
      expect(isStormwatchError(err) && err.code).toBe('SW_CONFIG_INVALID');
      expect(String(err)).toContain(`${def.type}: options.ports[0]`);
    }
  });
});
