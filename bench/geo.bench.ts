/**
 * Country and ASN lookup (src/pipeline/enrich/geo.ts) with the installed ip-location-db data.
 * - Load: in a fresh child process (this file with --load-child), so that its memory is the load's alone:
 *   wall and CPU time of loadGeo, then heap, typed-array and resident memory after forced GCs, as deltas over
 *   the process before the load (modules already imported), and the peak resident growth during the load.
 *   Median of 3 children.
 * - Lookups: GeoLookup.lookup on 65,536 pre-generated addresses (IPv4: uniform over the public space; IPv6:
 *   inside allocated /12s), and mmdb-lib's Reader.get on the same IPv4 strings (country only) for comparison,
 *   the two alternated; each figure the median of 5 timed runs after >= 300 ms of warm-up.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';
import pino from 'pino';
import { DEFAULT_GEO_FILES, loadGeo } from '../src/pipeline/enrich/index.js';
import { median, type Figure } from './figures.js';

const RUNS = 5;
const MiB = 1024 * 1024;
let sink = 0;

interface LoadSample {
  wall_ms: number;
  cpu_ms: number;
  heap_mib: number;
  array_buffers_mib: number;
  table_mib: number;
  rss_mib: number;
  rss_total_mib: number;
  peak_rss_mib: number;
}

/** Collects twice, a turn of the event loop apart, so that freed ArrayBuffers are returned too. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
  gc?.();
}

/** The child: one load, measured. */
async function loadChild(): Promise<void> {
  await settle();
  const before = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const geo = loadGeo({}, pino({ level: 'silent' }));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await settle();
  const after = process.memoryUsage();
  sink ^= geo.lookup('8.8.8.8').asn ?? 0;
  const out: LoadSample = {
    wall_ms: wall,
    cpu_ms: (cpu.user + cpu.system) / 1000,
    heap_mib: (after.heapUsed - before.heapUsed) / MiB,
    array_buffers_mib: (after.arrayBuffers - before.arrayBuffers) / MiB,
    table_mib: geo.stats.table_bytes / MiB,
    rss_mib: (after.rss - before.rss) / MiB,
    rss_total_mib: after.rss / MiB,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024 - before.rss / MiB,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function loadFigures(): Figure[] {
  const self = fileURLToPath(import.meta.url);
  const samples: LoadSample[] = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--load-child'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    samples.push(JSON.parse(out.trim().split('\n').pop() ?? '{}') as LoadSample);
  }
  const m = (k: keyof LoadSample): number => Math.round(median(samples.map((s) => s[k])) * 10) / 10;
  return [
    { name: 'geo load (wall)', value: Math.round(m('wall_ms')), unit: 'ms' },
    { name: 'geo load (cpu)', value: Math.round(m('cpu_ms')), unit: 'ms' },
    { name: 'geo memory after load: heap', value: m('heap_mib'), unit: 'MiB' },
    { name: 'geo memory after load: typed arrays', value: m('array_buffers_mib'), unit: 'MiB' },
    { name: 'geo memory after load: tables (exact)', value: m('table_mib'), unit: 'MiB' },
    { name: 'geo memory after load: rss growth', value: m('rss_mib'), unit: 'MiB' },
    { name: 'geo memory after load: rss total', value: m('rss_total_mib'), unit: 'MiB' },
    { name: 'geo memory during load: peak rss growth', value: m('peak_rss_mib'), unit: 'MiB' },
  ];
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

/** Rates of each variant, alternated run by run so that both see the same machine. */
function alternate(ops: number, variants: Array<() => void>): number[] {
  const warm = process.hrtime.bigint();
  for (let i = 0; i < 2 || process.hrtime.bigint() - warm < 300_000_000n; i++) for (const v of variants) v();
  const rates = variants.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++) {
    variants.forEach((v, k) => {
      const t0 = process.hrtime.bigint();
      v();
      rates[k]?.push(ops / (Number(process.hrtime.bigint() - t0) / 1e9));
    });
  }
  return rates.map((r) => Math.round(median(r)));
}

export function benchGeo(): Figure[] {
  const figures = loadFigures();
  const geo = loadGeo({}, pino({ level: 'silent' }));
  const next = prng(3);
  const v4: string[] = [];
  while (v4.length < 1 << 16) {
    const a = next();
    const o = a >>> 24;
    if (o === 0 || o === 10 || o === 127 || o >= 224) continue; // mostly public, as attack sources are
    v4.push(`${o}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
  }
  const tops = [0x2001, 0x2400, 0x2600, 0x2800, 0x2a00, 0x2c00];
  const v6 = Array.from({ length: 1 << 16 }, (_, i) => {
    const top = (tops[i % tops.length] ?? 0x2001) + (next() & 0xf);
    const hex = (): string => (next() & 0xffff).toString(16);
    return `${top.toString(16)}:${hex()}:${hex()}::${hex()}`;
  });
  const require = createRequire(import.meta.url);
  const reader = new Reader<Response>(readFileSync(require.resolve(DEFAULT_GEO_FILES.country_file)));

  const OPS = 1_000_000;
  const ours4 = (): void => {
    let acc = 0;
    for (let i = 0; i < OPS; i++) acc ^= geo.lookup(v4[i & 0xffff] ?? '').asn ?? 0;
    sink ^= acc;
  };
  const mmdb4 = (): void => {
    let acc = 0;
    for (let i = 0; i < OPS; i++) acc ^= reader.get(v4[i & 0xffff] ?? '') === null ? 0 : 1;
    sink ^= acc;
  };
  const ours6 = (): void => {
    let acc = 0;
    for (let i = 0; i < OPS; i++) acc ^= geo.lookup(v6[i & 0xffff] ?? '').asn ?? 0;
    sink ^= acc;
  };
  const [rate4 = 0, rateMmdb = 0] = alternate(OPS, [ours4, mmdb4]);
  const [rate6 = 0] = alternate(OPS, [ours6]);
  if (sink === 0.5) console.log(sink); // never true; keeps `sink` observable
  return [
    { name: 'geo lookup IPv4 (country + ASN)', value: rate4, unit: 'lookups/s' },
    { name: 'geo lookup IPv6 (country + ASN)', value: rate6, unit: 'lookups/s' },
    { name: 'mmdb-lib get IPv4 (country only)', value: rateMmdb, unit: 'lookups/s' },
    ...figures,
  ];
}

if (process.argv.includes('--load-child')) await loadChild();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of benchGeo())
    process.stdout.write(`${f.name}: ${f.value.toLocaleString('en-US')} ${f.unit}\n`);
}
