/**
 * End-to-end ingest: signed gzip batches over real HTTP on loopback into a real server (SQLite), from load generator
 * PROCESSES (bench/load-generator.ts) on the same 2-core machine, timed until the aggregator has committed
 * everything. The server runs in this process, so its resident memory is this process's (sampled every 100 ms).
 *
 * Phase 1, throughput: every batch of set A as fast as the server acknowledges them; events/s to acknowledgement,
 * and to acknowledgement AND aggregation (the server's drain).
 * Phase 2, latency: set B paced at half the phase-1 end-to-end rate; p50 and p99 of the acknowledgement latency.
 * The sources are drawn from a pool of a million addresses, so phase 1 sees about a million distinct sources within
 * one event-time hour: the memory figure is the "a million distinct sources an hour".
 * The server's per-sensor rate limits are raised for the bench (they protect the server from one sensor; here a
 * few sensors carry a whole fleet's load). The aggregator's memory settings are the defaults; the environment
 * variables STORMWATCH_BENCH_AGG_PORT_ROWS, STORMWATCH_BENCH_AGG_SOURCE_DAYS and STORMWATCH_BENCH_AGG_HEAP_MB set
 * aggregate_max_port_rows, aggregate_max_source_days and aggregate_worker_heap_mb (docs/CONFIG.md) to others.
 * With STORMWATCH_BENCH_MEM_LOG=FILE, a JSON line every 2 s says where the memory is: the process's resident and
 * anonymous MiB, the main thread's heap and external memory, the aggregator thread's heap (used and committed,
 * from /metrics) and the rows it holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startServer } from '../src/api/server.js';
import { createEnrollmentTokenViaApi, enrollViaApi } from '../src/protocol/client.js';
import { generateSensorKeyPair } from '../src/protocol/signing.js';
import type { Figure } from './figures.js';
import { startMemLog } from './mem-log.js';

const PER_BATCH = 5000; // as in load-generator.ts
const HERE = fileURLToPath(new URL('.', import.meta.url));

interface GeneratorResult {
  startedAt: number;
  events: number;
  errors: number;
  throttled: number;
  seconds: number;
  latencies: number[];
}

function runGenerator(specFile: string): Promise<GeneratorResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'load-generator.ts'), specFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}`));
      resolve(JSON.parse(out) as GeneratorResult);
    });
  });
}

/** A server setting from the environment, to measure other memory settings than the defaults. */
function envInt(name: string, key: string): Record<string, number> {
  const v = process.env[name];
  return v === undefined || v === '' ? {} : { [key]: Number(v) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function benchIngest(
  opts: { sensors?: number; batchesA?: number; batchesB?: number; generators?: number; pool?: number } = {},
): Promise<Figure[]> {
  const sensors = opts.sensors ?? 16;
  const batchesA = opts.batchesA ?? 600;
  const batchesB = opts.batchesB ?? 300;
  const generators = opts.generators ?? 2;
  const pool = opts.pool ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  const logger = pino({ level: 'warn' });
  // The server's event clock starts at ten to the hour and, when phase 2 starts, moves on to 40 s after the next
  // hour (the detector closes a bucket 60 s after its end): every run then includes the detector closing an hour
  // that holds most of phase 1 (about 100 k keys), with its memory and its pause, whatever the time of day.
  const HOUR = 3_600_000;
  let offset = 50 * 60_000 - (Date.now() % HOUR);
  const eventClock = { now: (): number => Date.now() + offset };
  const server = await startServer({
    port: 0,
    eventClock,
    dataDir: join(dir, 'data'),
    logger,
    config: {
      rate_limit_burst: 100_000,
      rate_limit_refill_per_sec: 100_000,
      ...envInt('STORMWATCH_BENCH_AGG_PORT_ROWS', 'aggregate_max_port_rows'),
      ...envInt('STORMWATCH_BENCH_AGG_SOURCE_DAYS', 'aggregate_max_source_days'),
      ...envInt('STORMWATCH_BENCH_AGG_HEAP_MB', 'aggregate_worker_heap_mb'),
    },
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const memLog = process.env.STORMWATCH_BENCH_MEM_LOG;
  const stopMemLog = memLog ? startMemLog(server.url, memLog) : null;
  try {
    const ids: Array<{ id: string; privateKeyPem: string }> = [];
    for (let i = 0; i < sensors; i++) {
      const { token } = await createEnrollmentTokenViaApi(server.url, server.adminToken, `bench-op-${i % 8}`);
      const keys = generateSensorKeyPair();
      const { sensor_id } = await enrollViaApi(server.url, token, keys.publicKeyPem, `bench-${i}`);
      ids.push({ id: sensor_id, privateKeyPem: keys.privateKeyPem });
    }
    // Each generator builds its own batches before its clock starts: event times within the last hour.
    const hourAgo = eventClock.now() - HOUR;
    const spec = (tag: string, batches: number, eventsPerSecond: number, g: number): string => {
      const file = join(dir, `spec-${tag}-${g}.json`);
      const count = Math.ceil(batches / generators);
      const from = hourAgo + (tag === 'a' ? 0 : 3_000_000);
      const span = (tag === 'a' ? 3_000_000 : 500_000) / generators;
      writeFileSync(
        file,
        JSON.stringify({
          url: server.url,
          sensors: ids.filter((_, i) => i % generators === g),
          batches: {
            count,
            seed: 1 + g * 7919 + (tag === 'a' ? 0 : 104729),
            pool,
            from: from + g * span,
            span,
            tag: `${tag}${g}`,
          },
          concurrency: 8,
          eventsPerSecond,
        }),
      );
      return file;
    };

    // Phase 1: as fast as acknowledged, then until aggregated.
    const a = await Promise.all(
      Array.from({ length: generators }, (_, g) => runGenerator(spec('a', batchesA, 0, g))),
    );
    const start = Math.min(...a.map((x) => x.startedAt));
    const ackedSecs = (Date.now() - start) / 1000;
    await server.drain();
    const e2eSecs = (Date.now() - start) / 1000;
    const eventsA = a.reduce((n, x) => n + x.events, 0);
    const e2eRate = eventsA / e2eSecs;

    // Phase 2: half the end-to-end rate, split over the generators; the hour closes 20 s in.
    const hourClose = Math.floor(hourAgo / HOUR) * HOUR + 2 * HOUR + 40_000;
    offset = Math.max(offset, hourClose - Date.now());
    const half = e2eRate / 2 / generators;
    const b = await Promise.all(
      Array.from({ length: generators }, (_, g) => runGenerator(spec('b', batchesB, half, g))),
    );
    await server.drain();
    const lat = b.flatMap((x) => x.latencies).sort((x, y) => x - y);
    const errors = [...a, ...b].reduce((n, x) => n + x.errors, 0);
    const throttled = [...a, ...b].reduce((n, x) => n + x.throttled, 0);
    return [
      {
        name: 'ingest: acknowledged (signed gzip batches over HTTP, durable on the bus)',
        value: Math.round(eventsA / ackedSecs),
        unit: 'events/s',
      },
      {
        name: 'ingest: end to end (acknowledged and aggregated into SQLite)',
        value: Math.round(e2eRate),
        unit: 'events/s',
      },
      {
        name: 'ingest: ack latency p50 at half that load',
        value: Math.round(percentile(lat, 50)),
        unit: 'ms',
      },
      {
        name: 'ingest: ack latency p99 at half that load',
        value: Math.round(percentile(lat, 99)),
        unit: 'ms',
      },
      {
        name: `ingest: server peak RSS (${(pool / 1e6).toFixed(1)}M-source pool, ${((batchesA * PER_BATCH) / 1e6).toFixed(1)}M events in one hour)`,
        value: Math.round(peakRss / 1048576),
        unit: 'MiB',
      },
      { name: 'ingest: refused or throttled requests', value: errors + throttled, unit: 'requests' },
    ];
  } finally {
    clearInterval(sampler);
    stopMemLog?.();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
