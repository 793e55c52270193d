/**
 * The aggregation engine alone (src/store/rollups) on a real SQLite file: pre-built batches counted into the
 * 5m/1h/1d port rows, per-source days and per-sensor hours, committed every million events the way the
 * aggregator does under load. Sources are drawn from a pool of 200,000 addresses, ports from a long-tailed
 * distribution (200 busy ports, 5% to any port), 100 sensors in 30 operators, all within one hour. The figure is the
 * engine's own ceiling on one core: the server runs it on the worker thread, beside ingest on the main thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BusBatch } from '../src/bus/bus.js';
import type { AttackEvent } from '../src/core/event.js';
import { RollupEngine } from '../src/store/rollups/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { Figure } from './figures.js';

const T0 = Date.parse('2026-11-01T10:00:00Z');
const PER_BATCH = 5000;

/** Deterministic xorshift so that every run counts the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function makeBatches(total: number, distinctSources: number, seed = 7): BusBatch[] {
  const r = rng(seed);
  // 200 busy ports with Zipf-like weights (rank r drawn as floor(200 * u^3)), plus 5% to any port.
  const busy = Array.from(
    { length: 200 },
    (_, i) => [22, 23, 80, 443, 445, 1025, 1433, 3389][i] ?? 1024 + i * 37,
  );
  const batches: BusBatch[] = [];
  for (let b = 0; b * PER_BATCH < total; b++) {
    const events: AttackEvent[] = [];
    for (let i = 0; i < PER_BATCH; i++) {
      const n = Math.floor(r() * distinctSources);
      const u = r();
      const port = u < 0.95 ? (busy[Math.floor(200 * r() ** 3)] ?? 22) : 1 + Math.floor(r() * 65535);
      events.push({
        ts: T0 + Math.floor(((b * PER_BATCH + i) / total) * 3_600_000),
        proto: u < 0.9 ? 'tcp' : 'udp',
        port,
        src: `${11 + (n >>> 24)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
        sport: 1024 + (i % 60000),
        dst: `10.${b % 100}.0.0`,
        flags: 'S',
      });
    }
    batches.push({
      batch_id: `bench/${b}`,
      sensor_id: `sensor-${b % 100}`,
      received_at: T0 + 3_600_000,
      clock_offset_ms: 0,
      events,
    });
  }
  return batches;
}

export function benchAggregate(opts: { events?: number; sources?: number } = {}): Figure[] {
  const total = opts.events ?? 2_000_000;
  const sources = opts.sources ?? 200_000;
  const batches = makeBatches(total, sources);
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-agg-'));
  const store = openSqliteStore({
    path: join(dir, 'store.db'),
    seed: new Uint8Array(16).fill(1),
    logger: pino({ level: 'warn' }),
  });
  try {
    for (let s = 0; s < 100; s++) {
      store.addSensor({
        id: `sensor-${s}`,
        name: `s${s}`,
        operator: `op-${s % 30}`,
        public_key_pem: 'k',
        created_at: T0,
      });
    }
    const engine = new RollupEngine(store, {
      hasher: store.hasher,
      operatorOf: (id) => store.getSensor(id)?.operator ?? id,
    });
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let commitSeconds = 0;
    let pending = 0;
    const t0 = process.hrtime.bigint();
    for (const b of batches) {
      engine.add(b);
      pending += b.events.length;
      if (pending >= 1_000_000) {
        const c0 = process.hrtime.bigint();
        store.commitRollups(engine.takeCommit());
        engine.committed();
        commitSeconds += Number(process.hrtime.bigint() - c0) / 1e9;
        pending = 0;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    const c0 = process.hrtime.bigint();
    store.commitRollups(engine.takeCommit());
    engine.committed();
    commitSeconds += Number(process.hrtime.bigint() - c0) / 1e9;
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const st = engine.stats();
    return [
      {
        name: `aggregate: ${total / 1e6}M events, ${sources / 1e6}M sources, into SQLite`,
        value: Math.round(total / secs),
        unit: 'events/s',
      },
      {
        name: 'aggregate: share of time in commits',
        value: Math.round((commitSeconds / secs) * 100),
        unit: '%',
      },
      { name: 'aggregate: source-day states held', value: st.source_states, unit: 'states' },
      { name: 'aggregate: peak RSS of the process', value: Math.round(peakRss / 1048576), unit: 'MiB' },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
