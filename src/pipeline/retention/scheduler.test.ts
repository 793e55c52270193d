/**
 * The retention stage on a real SQLite store: what a run deletes and counts, forced deletions in the counters,
 * one run at a time, the timer, failures. (The `retention` configuration: src/api/retention-config.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { ev, makeBatch } from '../../store/store.contract.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { RetentionPolicy, Store } from '../../store/store.js';
import { exposition } from '../../core/prometheus.js';
import { DEFAULT_RETENTION, policyOf } from './config.js';
import { retentionFamilies } from './metrics.js';
import { startRetention } from './scheduler.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2024, 5, 1, 12);
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'sw-retention-stage-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store with one batch 40 days old and one from the last hour, both with their raw bytes. */
function filledStore(): Store {
  const store = openSqliteStore({ path: join(dir, `s${n++}.db`), seed: new Uint8Array(16), logger });
  for (const [id, t] of [
    ['batch-old', NOW - 40 * DAY],
    ['batch-new', NOW - 3_600_000],
  ] as const) {
    store.applyBatches([
      { ...makeBatch(id, 's1', [ev(t, 22, '1.1.1.1'), ev(t, 23, '1.1.1.2')], t), raw: Buffer.from(id) },
    ]);
  }
  return store;
}

const policy: RetentionPolicy = policyOf(DEFAULT_RETENTION);

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe('retention stage', () => {
  it('prunes by the policy on the event clock and counts what it deleted', async () => {
    const store = filledStore();
    const wall = new ManualClock(Date.UTC(2030, 0, 1));
    const r = startRetention({
      store,
      clock: new ManualClock(NOW),
      logger,
      policy,
      intervalMs: 0,
      wallClock: wall,
    });
    expect(r.stats().last_run_at).toBeNull();
    const report = await r.runOnce();
    expect(report.deleted).toMatchObject({
      port_buckets_5m: 2,
      port_buckets_1h: 0,
      source_days: 0,
      raw_batches: 1,
      applied_batches: 0,
    });
    expect(report.forced).toEqual([]);
    const s = r.stats();
    expect(s).toMatchObject({ runs_total: 1, errors_total: 0, last_run_at: wall.now(), over_cap: false });
    expect(s.rows_pruned_total.port_buckets_5m).toBe(2);
    expect(s.db_used_bytes).toBeGreaterThan(0);
    expect(s.db_file_bytes).toBeGreaterThanOrEqual(s.db_used_bytes);
    expect((await r.runOnce()).deleted.port_buckets_5m).toBe(0);
    expect(r.stats().rows_pruned_total.port_buckets_5m).toBe(2);
    await r.stop();
    store.close();
  });

  it('counts forced deletions by table when the cap bites', async () => {
    const store = filledStore();
    const r = startRetention({
      store,
      clock: new ManualClock(NOW),
      logger,
      policy: { ...policy, max_db_bytes: 1 },
      intervalMs: 0,
      rowsPerStep: 1,
    });
    const report = await r.runOnce();
    // The old batch's raw bytes and 5m rows went by age first; the cap takes the rest, one row per step.
    expect(report.forced.map((f) => f.table)).toEqual([
      'raw_batches',
      ...Array<string>(4).fill('source_days'),
      ...Array<string>(2).fill('port_buckets_5m'),
    ]);
    const s = r.stats();
    expect(s.forced_rows_total).toEqual({ raw_batches: 1, source_days: 4, port_buckets_5m: 2 });
    expect(s.forced_deletions_total).toBe(7);
    expect(s.over_cap).toBe(true);
    const text = exposition(retentionFamilies(s));
    expect(text).toContain('stormwatch_retention_forced_rows_total{table="source_days"} 4\n');
    expect(text).toContain('stormwatch_retention_forced_deletions_total 7\n');
    expect(text).toContain('stormwatch_retention_over_cap 1\n');
    expect(text).toContain('stormwatch_retention_rows_deleted_total{table="raw_batches"} 1\n');
    expect(text).toMatch(/stormwatch_retention_last_run_timestamp_seconds \d/);
    await r.stop();
    store.close();
  });

  it('runs one run at a time, and by itself on its timer until stopped', async () => {
    const store = filledStore();
    const once = startRetention({ store, clock: new ManualClock(NOW), logger, policy, intervalMs: 0 });
    const [a, b] = [once.runOnce(), once.runOnce()];
    expect(a).toBe(b);
    await a;
    expect(once.stats().runs_total).toBe(1);
    await once.stop();

    const timed = startRetention({ store, clock: new ManualClock(NOW), logger, policy, intervalMs: 20 });
    await until(() => timed.stats().runs_total >= 2);
    await timed.stop();
    const runs = timed.stats().runs_total;
    await new Promise((r) => setTimeout(r, 60));
    expect(timed.stats().runs_total).toBe(runs);
    store.close();
  });

  it('counts and logs a failing run, and keeps going', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (s: string) => lines.push(s) });
    let fail = true;
    const store = filledStore();
    const flaky: Pick<Store, 'prune' | 'maintain' | 'usage'> = {
      prune: (p, now, rows) => {
        if (fail) throw new Error('disk on fire');
        return store.prune(p, now, rows);
      },
      maintain: (now, steps) => store.maintain(now, steps),
      usage: () => store.usage(),
    };
    const r = startRetention({
      store: flaky,
      clock: new ManualClock(NOW),
      logger: log,
      policy,
      intervalMs: 0,
    });
    await expect(r.runOnce()).rejects.toThrow('disk on fire');
    expect(r.stats()).toMatchObject({ errors_total: 1, runs_total: 0 });
    expect(lines.join('')).toMatch(/retention run failed/);
    fail = false;
    await r.runOnce();
    expect(r.stats()).toMatchObject({ errors_total: 1, runs_total: 1 });
    await r.stop();
    store.close();
  });
});
