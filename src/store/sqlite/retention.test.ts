/**
 * SQLite retention with real sizes: the cap frees space by deleting the oldest raw batches first and stops under
 * CAP_LOW_WATER of the cap, with a warning naming what went; applied batch ids expire by the store's own clock;
 * deleting daily rows drops the day spans that held them and topPorts stays exact.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { ev, makeBatch } from '../store.contract.js';
import type { PruneResult, RetentionPolicy, Store } from '../store.js';
import { openSqliteStore } from './index.js';
import { CAP_LOW_WATER } from './retention.js';
import { DAY, bruteTopPorts, randomCells, writeCells } from './test-helpers.js';

const seed = new Uint8Array(16).fill(9);
const dir = mkdtempSync(join(tmpdir(), 'sw-retention-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keepAll: RetentionPolicy = {
  five_minute_days: 10_000,
  hourly_days: 10_000,
  daily_days: null,
  source_days: 10_000,
  sensor_days: 10_000,
  raw_batch_days: 10_000,
  applied_batch_days: 10_000,
  max_db_bytes: null,
};

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'warn' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { logger, lines };
}

function pruneAll(s: Store, policy: RetentionPolicy, now: number): PruneResult[] {
  const out: PruneResult[] = [];
  for (let i = 0; i < 1000; i++) {
    const r = s.prune(policy, now);
    out.push(r);
    if (!r.more) return out;
  }
  throw new Error('prune never finished');
}

describe('sqlite retention', () => {
  it('frees space for the cap with the oldest raw batches first, stops under the low water mark, and warns', () => {
    const path = join(dir, `cap${n++}.db`);
    const { logger, lines } = capture();
    const s = openSqliteStore({ path, seed, logger });
    const t0 = Date.UTC(2024, 2, 1);
    for (let i = 0; i < 60; i++) {
      const b = makeBatch(`batch-raw-${i}`, 's1', [ev(t0 + i * 60_000, 22, `10.0.0.${i}`)], t0 + i * 60_000);
      s.applyBatches([{ ...b, raw: randomBytes(64 * 1024) }]);
    }
    const before = s.usage().used_bytes;
    const cap = before - 1024 * 1024;
    const runs = pruneAll(s, { ...keepAll, max_db_bytes: cap }, t0 + DAY);
    const forced = runs.flatMap((r) => r.forced);
    expect(forced.map((f) => f.table)).toEqual(['raw_batches']);
    const gone = forced[0]?.rows ?? 0;
    expect(gone).toBeGreaterThanOrEqual(16); // at least the 1 MiB over plus the 5 % margin
    expect(gone).toBeLessThanOrEqual(20); // not much more than needed
    expect(forced[0]).toMatchObject({ oldest: t0, newest: t0 + (gone - 1) * 60_000 });
    expect(runs.at(-1)?.usage.used_bytes).toBeLessThanOrEqual(cap * CAP_LOW_WATER);
    expect(runs.at(-1)?.over_cap).toBe(false);
    expect(s.topSources(t0 - DAY, t0 + DAY, 100)).toHaveLength(60); // nothing else went
    const warnings = lines.filter((l) => l.table === 'raw_batches');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, rows: gone, max_db_bytes: cap });
    s.close();
    const db = new Database(path, { readonly: true });
    const left = db.prepare('SELECT count(*) AS n, min(received_at) AS t FROM raw_batches').get() as {
      n: number;
      t: number;
    };
    db.close();
    expect(left).toEqual({ n: 60 - gone, t: t0 + gone * 60_000 });
  });

  it('expires applied batch ids by the store clock that wrote them', () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const s = openSqliteStore({
      path: join(dir, `applied${n++}.db`),
      seed,
      logger: pino({ level: 'silent' }),
      clock,
    });
    s.applyBatches([makeBatch('batch-applied', 's1', [ev(Date.UTC(2024, 0, 1), 22, '1.1.1.1')])]);
    const policy = { ...keepAll, applied_batch_days: 30 };
    clock.advance(29 * DAY);
    expect(pruneAll(s, policy, 0)[0]?.deleted.applied_batches).toBe(0);
    clock.advance(2 * DAY);
    expect(pruneAll(s, policy, 0)[0]?.deleted.applied_batches).toBe(1);
    expect(s.isBatchApplied('batch-applied')).toBe(false);
    s.close();
  });

  it('drops the day spans of pruned daily rows and keeps topPorts exact', () => {
    const s = openSqliteStore({ path: join(dir, `spans${n++}.db`), seed, logger: pino({ level: 'silent' }) });
    const d0 = Date.UTC(2024, 0, 1);
    const cells = randomCells(21, '1d', d0, DAY, 40);
    writeCells(s, cells);
    const now = d0 + 41 * DAY;
    for (let more = true; more;) more = s.maintain(now, 10).more;
    const runs = pruneAll(s, { ...keepAll, daily_days: 25 }, now);
    expect(runs.reduce((x, r) => x + r.deleted.port_buckets_1d, 0)).toBe(
      cells.filter((c) => c.bucket < d0 + 16 * DAY).length,
    );
    const left = cells.filter((c) => c.bucket >= d0 + 16 * DAY); // day 15 ended 25 days before now
    const check = (): void => {
      for (const [from, to, limit] of [
        [d0, now, 5],
        [d0, d0 + 32 * DAY, 3],
        [d0 + 16 * DAY, d0 + 40 * DAY, 10],
      ] as const) {
        expect(s.topPorts('1d', from, to, limit)).toEqual(bruteTopPorts(left, '1d', from, to, limit));
      }
    };
    check();
    let steps = 0;
    for (let more = true; more;) {
      const r = s.maintain(now, 10);
      steps += r.steps;
      more = r.more;
    }
    expect(steps).toBeGreaterThan(0);
    check();
    s.close();
  });
});
