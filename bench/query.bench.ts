/**
 * Query latency on a store filled with a simulated year (bench/query-fill.ts): the 90-day port series as the
 * API reads it (src/api/series.ts, hourly buckets: 2,160 points), and top ports over 90 days (store.topPorts on
 * daily rollups, through the day spans), p50 and p95 over repeated runs after a warm-up, on this process's
 * SQLite connection (OS page cache warm: the figures are for a server that has been running).
 *
 * The filled database is cached in the OS temp folder (FILL_VERSION in its name) because the fill takes minutes;
 * delete it to start over. Its day spans are built once, right after the fill (store.maintain), timed.
 * Also reported for reference: the API's top-ports views (1h and 24h windows with their 7-window baselines).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { seriesView } from '../src/api/series.js';
import { topPortsView } from '../src/api/top-ports.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/store.js';
import type { Figure } from './figures.js';
import { FILL_VERSION, fillYear } from './query-fill.js';
import { writeCost } from './query-write.js';

const DAY = 86_400_000;
const TODAY = Date.UTC(2025, 5, 30);
const NOW = TODAY + 12 * 3_600_000 + 1_800_000;
const WINDOW_END = TODAY + DAY;
const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(1);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function timeRuns(n: number, warmup: number, fn: (i: number) => unknown): { p50: number; p95: number } {
  for (let i = 0; i < warmup; i++) fn(i);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return { p50: round(quantile(ms, 0.5)), p95: round(quantile(ms, 0.95)) };
}

interface FillFacts {
  version: string;
  rows: Record<string, number>;
  fill_s: number;
  spans_s: number;
  spans_max_step_ms: number;
  top90_before_spans_ms: number;
}

interface Filled {
  version: string;
  rows: Record<string, number>;
  fill_s: number;
}

/** Removes the day spans (before timing a build of the whole year). */
function dropSpans(path: string): void {
  const db = new Database(path);
  db.exec(
    'DELETE FROM port_spans; DELETE FROM span_blocks; DELETE FROM span_dirty; UPDATE span_state SET built_until = 0;',
  );
  db.close();
}

/**
 * Opens the cached year: fills it first when missing or from another version, then (once) times the build of its
 * day spans from nothing.
 */
function openYear(path: string, say: (s: string) => void): { store: Store; facts: FillFacts } {
  let filled: Filled | undefined;
  if (existsSync(path)) {
    const store = openSqliteStore({ path, seed, logger, synchronous: 'NORMAL' });
    const saved = store.getMeta('bench.query.fill');
    const facts = saved === undefined ? undefined : (JSON.parse(saved) as FillFacts);
    if (facts?.version === FILL_VERSION) return { store, facts };
    const f = store.getMeta('bench.query.filled');
    filled = f === undefined ? undefined : (JSON.parse(f) as Filled);
    store.close();
  }
  if (filled?.version !== FILL_VERSION) {
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    openSqliteStore({ path, seed, logger }).close(); // schema
    say('query bench: filling a simulated year (once; cached in the temp folder)');
    const t0 = process.hrtime.bigint();
    const { rows } = fillYear({ path, today: TODAY, now: NOW, log: say });
    filled = { version: FILL_VERSION, rows, fill_s: Math.round(Number(process.hrtime.bigint() - t0) / 1e9) };
    const s = openSqliteStore({ path, seed, logger });
    s.setMeta('bench.query.filled', JSON.stringify(filled));
    s.close();
  }
  dropSpans(path);
  const store = openSqliteStore({ path, seed, logger, synchronous: 'NORMAL' });
  let t0 = process.hrtime.bigint();
  store.topPorts('1d', WINDOW_END - 90 * DAY, WINDOW_END, 25);
  const top90_before_spans_ms = Number(process.hrtime.bigint() - t0) / 1e6;
  say('query bench: building day spans');
  let maxStep = 0;
  t0 = process.hrtime.bigint();
  for (let more = true; more;) {
    const s0 = process.hrtime.bigint();
    more = store.maintain(NOW, 1).more;
    maxStep = Math.max(maxStep, Number(process.hrtime.bigint() - s0) / 1e6);
  }
  const facts: FillFacts = {
    ...filled,
    spans_s: Math.round(Number(process.hrtime.bigint() - t0) / 1e8) / 10,
    spans_max_step_ms: Math.round(maxStep),
    top90_before_spans_ms: Math.round(top90_before_spans_ms),
  };
  store.setMeta('bench.query.fill', JSON.stringify(facts));
  return { store, facts };
}

export function benchQuery(say: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Figure[] {
  const dir = join(tmpdir(), 'stormwatch-bench');
  mkdirSync(dir, { recursive: true });
  const { store, facts } = openYear(join(dir, `${FILL_VERSION}.db`), say);
  try {
    const from90 = WINDOW_END - 90 * DAY;
    const keys = store.topPorts('1d', from90, WINDOW_END, 30);
    const series = timeRuns(60, 6, (i) => {
      const k = keys[i % keys.length];
      if (k)
        seriesView(
          store,
          { proto: k.proto, port: k.port, bucket: '1h', from: NOW - 90 * DAY, to: NOW },
          40_000,
        );
    });
    const top = timeRuns(40, 4, () => store.topPorts('1d', from90, WINDOW_END, 25));
    // Each run a window ending on another day: nothing of it is in the span-part cache yet.
    const cold = timeRuns(40, 0, (i) =>
      store.topPorts('1d', from90 - (i + 1) * DAY, WINDOW_END - (i + 1) * DAY, 25),
    );
    const view1h = timeRuns(10, 2, () => topPortsView(store, '1h', NOW, 25));
    const view24h = timeRuns(5, 1, () => topPortsView(store, '24h', NOW, 25));
    const usage = store.usage();
    const write = writeCost();
    const rows = Object.values(facts.rows).reduce((a, b) => a + b, 0);
    return [
      { name: 'query: simulated year, port rows', value: rows, unit: 'rows' },
      { name: 'query: simulated year, database', value: Math.round(usage.file_bytes / 1e6), unit: 'MB' },
      { name: 'query: fill time (first run only)', value: facts.fill_s, unit: 's' },
      { name: 'query: day spans build, whole year', value: facts.spans_s, unit: 's' },
      { name: 'query: day spans build, longest step', value: facts.spans_max_step_ms, unit: 'ms' },
      { name: 'query: 90-day series (1h), p50', value: series.p50, unit: 'ms' },
      { name: 'query: 90-day series (1h), p95', value: series.p95, unit: 'ms' },
      { name: 'query: top ports 90 days, p50', value: top.p50, unit: 'ms' },
      { name: 'query: top ports 90 days, p95', value: top.p95, unit: 'ms' },
      { name: 'query: top ports 90 days, new window each run, p50', value: cold.p50, unit: 'ms' },
      { name: 'query: top ports 90 days, new window each run, p95', value: cold.p95, unit: 'ms' },
      { name: 'query: top ports 90 days without spans', value: facts.top90_before_spans_ms, unit: 'ms' },
      { name: 'query: top ports view 1h, p95', value: view1h.p95, unit: 'ms' },
      { name: 'query: top ports view 24h, p95', value: view24h.p95, unit: 'ms' },
      { name: 'query: commit of 10k port rows, schema v4', value: write.v4, unit: 'ms' },
      {
        name: 'query: commit of 10k port rows, without the hourly series index',
        value: write.without,
        unit: 'ms',
      },
    ];
  } finally {
    store.close();
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const f of benchQuery()) process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
}
