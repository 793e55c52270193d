/**
 * What migration 4 costs the write path: the same rollup commits (store.commitRollups, the 5m, 1h and 1d
 * rows of thousands of keys, written then rewritten) into a store at schema v4 and into one without what v4 adds to
 * port_buckets (the hourly series index; the day-span bookkeeping of a commit is one query and is in both).
 * Variants alternate, median of the runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { DistinctCounter } from '../src/core/distinct/index.js';
import type { PortRowOut } from '../src/store/rollups/index.js';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { median } from './figures.js';

const T0 = Date.UTC(2025, 5, 30, 10);
const KEYS = 4000;
const logger = pino({ level: 'silent' });

function rows(round: number): PortRowOut[] {
  const out: PortRowOut[] = [];
  for (let k = 0; k < KEYS; k++) {
    const src = DistinctCounter.create();
    const n = Math.max(1, Math.round(2000 / (k + 1))) + round;
    for (let i = 0; i < n; i++) src.addHash(((k * 7919 + i * 104_729) % 2 ** 31) * 4096 + round);
    const sk = src.serialize();
    const small = DistinctCounter.create();
    small.addHash(k + 1);
    const one = small.serialize();
    for (const [g, bucket] of [
      ['5m', T0],
      ['1h', T0],
      ['1d', T0 - (T0 % 86_400_000)],
    ] as const) {
      out.push({
        proto: 'tcp',
        port: k,
        granularity: g,
        bucket,
        events: n * 2,
        sources: src.estimate(),
        sensors: 1,
        operators: 1,
        targets: 1,
        sources_handshake: 0,
        sources_no_handshake: 0,
        src_sketch: sk,
        sensor_sketch: one,
        operator_sketch: one,
        target_sketch: one,
        hs_sketch: null,
        nohs_sketch: null,
      });
    }
  }
  return out;
}

/** Milliseconds per 10,000 port rows committed (median), with v4 and without its hourly series index. */
export function writeCost(): { v4: number; without: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sw-write-cost-'));
  try {
    const make = (name: string, strip: boolean) => {
      const path = join(dir, name);
      openSqliteStore({ path, seed: new Uint8Array(16), logger }).close();
      if (strip) {
        const db = new Database(path);
        db.exec('DROP INDEX port_buckets_hourly');
        db.close();
      }
      return openSqliteStore({ path, seed: new Uint8Array(16), logger, synchronous: 'NORMAL' });
    };
    const stores = { v4: make('v4.db', false), without: make('without.db', true) };
    const times: Record<'v4' | 'without', number[]> = { v4: [], without: [] };
    for (let round = 0; round < 6; round++) {
      const batch = rows(round);
      for (const variant of round % 2 === 0 ? (['v4', 'without'] as const) : (['without', 'v4'] as const)) {
        const t0 = process.hrtime.bigint();
        stores[variant].commitRollups({
          batches: [],
          ports: batch,
          sources: [],
          sensorBuckets: [],
          sensors: [],
        });
        times[variant].push((Number(process.hrtime.bigint() - t0) / 1e6) * (10_000 / batch.length));
      }
    }
    stores.v4.close();
    stores.without.close();
    const r = (xs: number[]): number => Math.round(median(xs.slice(1)) * 10) / 10;
    return { v4: r(times.v4), without: r(times.without) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
