import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { BusBatch } from '../../bus/bus.js';
import { seededRandom } from '../../core/random.js';
import { openSqliteStore } from '../sqlite/index.js';
import { RollupEngine } from './engine.js';
import { networkOf, SAMPLE_SIZE, sampleEvidence, SourceSample } from './source-sample.js';

const hashes = (s: SourceSample) => s.list().map((e) => e.hash);

describe('source sample (bottom-k by keyed hash)', () => {
  it('keeps the k smallest hashes, whatever the order and repeats of the offers', () => {
    const rnd = seededRandom(3);
    const all = Array.from({ length: 500 }, () => Math.floor(rnd.next() * 2 ** 32));
    const s = new SourceSample();
    for (const h of [...all, ...all.slice(0, 100)]) s.offer(h, `10.0.${h % 256}.${h % 200}`, null);
    expect(hashes(s)).toEqual([...new Set(all)].sort((a, b) => a - b).slice(0, SAMPLE_SIZE));
  });

  it('merges to the sample of the union, and survives its encoding', () => {
    const rnd = seededRandom(5);
    const a = new SourceSample();
    const b = new SourceSample();
    const u = new SourceSample();
    for (let i = 0; i < 300; i++) {
      const h = Math.floor(rnd.next() * 2 ** 32);
      const src = `192.0.2.${i % 250}`;
      (i % 3 === 0 ? a : b).offer(h, src, i % 2 ? 'DE' : null);
      u.offer(h, src, i % 2 ? 'DE' : null);
    }
    a.merge(b);
    expect(a.list()).toEqual(u.list());
    expect(SourceSample.decode(a.encode()).list()).toEqual(u.list());
    expect(new SourceSample().encode()).toBeNull();
    expect(SourceSample.decode('x,1.2.3.4,;5,,DE;7,9.9.9.9,US').list()).toEqual([
      { hash: 7, src: '9.9.9.9', country: 'US' },
    ]);
  });

  it('names networks /24 and /48, and scales the sample to the row', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:0:1::5')).toBe('2001:db8:0::/48');
    expect(networkOf('2001:0db8:00aa:1:2:3:4:5')).toBe('2001:db8:aa::/48');
    const s = new SourceSample();
    for (let i = 0; i < 8; i++) s.offer(i, `198.51.100.${i}`, 'NL');
    for (let i = 8; i < 10; i++) s.offer(i, `203.0.113.${i}`, null);
    const ev = sampleEvidence(s.list(), 1000);
    expect(ev.sample_sources).toHaveLength(10);
    expect(ev.top_networks).toEqual([
      { network: '198.51.100.0/24', sources: 800 },
      { network: '203.0.113.0/24', sources: 200 },
    ]);
    expect(ev.top_countries).toEqual([{ country: 'NL', sources: 800 }]);
  });
});

describe('source samples through the store', () => {
  it('gives the detector sample sources, top networks and countries of a bucket, and keeps them across reloads', () => {
    const logger = pino({ level: 'silent' });
    const store = openSqliteStore({ path: ':memory:', seed: new Uint8Array(16).fill(4), logger });
    store.addSensor({ id: 's1', name: 's1', operator: 'op', public_key_pem: 'k', created_at: 0 });
    const geo = (ip: string) => ({ country: ip.startsWith('198.') ? 'NL' : 'BR', asn: null, as_name: null });
    const operatorOf = () => 'op';
    const T0 = Date.parse('2007-04-16T10:00:00Z');
    const batch = (id: string, srcs: string[]): BusBatch => ({
      batch_id: id,
      sensor_id: 's1',
      received_at: T0 + 60_000,
      clock_offset_ms: 0,
      events: srcs.map((src, i) => ({ ts: T0 + i, proto: 'tcp', port: 1025, src })),
    });
    const srcs = [
      ...Array.from({ length: 90 }, (_, i) => `198.51.100.${i + 1}`),
      ...Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`),
    ];
    let engine = new RollupEngine(store, { hasher: store.hasher, operatorOf, geo }, { now: () => 0 });
    engine.add(batch('b1', srcs.slice(0, 60)));
    store.commitRollups(engine.takeCommit());
    engine.committed();
    // A new engine reloads the row from the store and goes on with the stored sample.
    engine = new RollupEngine(store, { hasher: store.hasher, operatorOf, geo }, { now: () => 0 });
    engine.add(batch('b2', srcs.slice(60)));
    store.commitRollups(engine.takeCommit());
    engine.committed();

    const key = store.bucketObservation('1h', T0).keys.find((k) => k.port === 1025);
    expect(key?.sources).toBe(120);
    const expected = [...srcs]
      .sort((a, b) => store.hasher.hash(a) - store.hasher.hash(b))
      .slice(0, SAMPLE_SIZE);
    expect(key?.sample_sources).toEqual(expected);
    const nl = expected.filter((s) => s.startsWith('198.')).length;
    expect(key?.top_networks?.[0]).toEqual({
      network: nl >= SAMPLE_SIZE / 2 ? '198.51.100.0/24' : '203.0.113.0/24',
      sources: Math.round((Math.max(nl, SAMPLE_SIZE - nl) * 120) / SAMPLE_SIZE),
    });
    expect(key?.top_countries?.find((c) => c.country === 'NL')?.sources).toBe(
      Math.round((nl * 120) / SAMPLE_SIZE),
    );
  });
});
