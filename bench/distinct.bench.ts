/**
 * Distinct counting hot path: keyed hashing of IPv4 source strings, DistinctCounter.addHash in both modes,
 * and estimate() on a full sketch. Every figure is the median of 5 timed runs after >= 300 ms of warm-up; inputs
 * are generated before timing. CPU only, no I/O.
 */
import { DistinctCounter, createKeyedHasher } from '../src/core/distinct/index.js';
import { median, type Figure } from './figures.js';

const RUNS = 5;

/** Results are folded into this so that the optimiser cannot drop the timed work. */
let sink = 0;

function perSecond(ops: number, run: () => void): number {
  // Warm-up until the JIT has settled: at least 2 runs and 300 ms.
  const warm = process.hrtime.bigint();
  for (let i = 0; i < 2 || process.hrtime.bigint() - warm < 300_000_000n; i++) run();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    run();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(ops / s);
  }
  return Math.round(median(rates));
}

function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export async function benchDistinct(): Promise<Figure[]> {
  const next = prng(1);
  const hasher = createKeyedHasher(Uint8Array.from({ length: 16 }, () => next() & 0xff));

  const ips = Array.from({ length: 1 << 16 }, () => {
    const v = next();
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  });
  const HASH_OPS = 2_000_000;
  const hashRate = perSecond(HASH_OPS, () => {
    let acc = 0;
    for (let i = 0; i < HASH_OPS; i++) acc ^= hasher.hash(ips[i & 0xffff] ?? '') >>> 0;
    sink ^= acc;
  });

  const hashes = Float64Array.from({ length: 1 << 20 }, () => (next() >>> 11) * 4294967296 + next());
  const ADD_OPS = 4_000_000;
  const hll = DistinctCounter.create();
  for (let i = 0; i < 1000; i++) hll.addHash(hashes[i] ?? 0);
  const hllRate = perSecond(ADD_OPS, () => {
    for (let i = 0; i < ADD_OPS; i++) hll.addHash(hashes[i & 0xfffff] ?? 0);
  });

  // Exact mode as most keys see it: a small set, mostly repeated values.
  const exact = DistinctCounter.create();
  const exactRate = perSecond(ADD_OPS, () => {
    for (let i = 0; i < ADD_OPS; i++) exact.addHash(hashes[i & 0xff] ?? 0);
  });
  sink ^= exact.estimate();

  const EST_OPS = 2000;
  const estRate = perSecond(EST_OPS, () => {
    for (let i = 0; i < EST_OPS; i++) sink ^= hll.estimate();
  });

  const e2eRate = perSecond(HASH_OPS, () => {
    const c = DistinctCounter.create();
    for (let i = 0; i < HASH_OPS; i++) c.addHash(hasher.hash(ips[i & 0xffff] ?? ''));
    sink ^= c.estimate();
  });

  if (sink === 0.5) console.log(sink); // never true; keeps `sink` observable
  return Promise.resolve([
    { name: 'distinct.keyed_hash.ipv4', value: hashRate, unit: 'hashes/s' },
    { name: 'distinct.add_hash.hll', value: hllRate, unit: 'adds/s' },
    { name: 'distinct.add_hash.exact', value: exactRate, unit: 'adds/s' },
    { name: 'distinct.hash_and_add.ipv4', value: e2eRate, unit: 'events/s' },
    { name: 'distinct.estimate.hll_p12', value: estRate, unit: 'estimates/s' },
    { name: 'distinct.serialized_bytes.hll_p12', value: hll.serialize().length, unit: 'bytes' },
  ]);
}
