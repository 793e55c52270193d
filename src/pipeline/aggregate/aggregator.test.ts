import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Bus, BusBatch } from '../../bus/bus.js';
import { openSqliteBus } from '../../bus/sqlite/index.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/store.js';
import { startAggregator } from './aggregator.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(3);
const dir = mkdtempSync(join(tmpdir(), 'sw-agg-'));
const T0 = Date.parse('2007-04-12T10:00:00Z');
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function batch(i: number, events = 10): BusBatch {
  return {
    batch_id: `batch-${String(i).padStart(4, '0')}`,
    sensor_id: `sensor-${i % 3}`,
    received_at: T0,
    clock_offset_ms: 0,
    events: Array.from({ length: events }, (_, k) => ({
      ts: T0 + k,
      proto: 'tcp',
      port: 445,
      src: `10.0.${i}.${k}`,
    })),
  };
}

const eventsIn = (store: Store): number => store.bucketRows('5m', T0)[0]?.events ?? 0;

describe('aggregator', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const setup = (): { bus: Bus; store: Store; busPath: string } => {
    const busPath = join(dir, `bus-${n}.db`);
    const bus = openSqliteBus({ path: busPath, logger });
    const store = openSqliteStore({ path: join(dir, `store-${n++}.db`), seed, logger });
    cleanup.push(
      () => store.close(),
      () => bus.close(),
    );
    return { bus, store, busPath };
  };

  it('lets timers and messages run between steps while a backlog is worked off', async () => {
    const { bus, store } = setup();
    for (let i = 0; i < 60; i++) await bus.publish(batch(i));
    // One batch a step, each step fetches and counts synchronously: without a turn of the event loop between
    // steps, the worker thread's stats timer and its drain/stop messages wait for the whole backlog.
    const agg = startAggregator({
      bus,
      store,
      logger,
      maxBatches: 1,
      intervalMs: 5,
      flushIntervalMs: 60_000,
    });
    cleanup.push(() => agg.stop());
    let ticks = 0;
    let appliedAtFirstTick = -1;
    const timer = setInterval(() => {
      if (ticks++ === 0) appliedAtFirstTick = agg.stats().steps_total;
    }, 0);
    await agg.drain();
    clearInterval(timer);
    expect(eventsIn(store)).toBe(600);
    // The first tick came while most of the backlog was still waiting, not after it.
    expect(appliedAtFirstTick).toBeGreaterThanOrEqual(0);
    expect(appliedAtFirstTick).toBeLessThan(30);
  });

  it('moves every published batch into the store exactly once; drain waits for it', async () => {
    const { bus, store } = setup();
    const agg = startAggregator({ bus, store, logger, maxBatches: 7, intervalMs: 5 });
    cleanup.push(() => agg.stop());
    for (let i = 0; i < 50; i++) await bus.publish(batch(i));
    await agg.drain();
    expect(await bus.backlog()).toBe(0);
    expect(eventsIn(store)).toBe(500);
    expect(agg.stats()).toMatchObject({
      batches_applied_total: 50,
      events_applied_total: 500,
      errors_total: 0,
    });
    await bus.publish(batch(50));
    await agg.drain();
    expect(eventsIn(store)).toBe(510);
  });

  it('counts nothing twice when it dies between apply and ack', async () => {
    const { bus, store, busPath } = setup();
    for (let i = 0; i < 5; i++) await bus.publish(batch(i));
    store.applyBatches(await bus.fetch(3)); // applied, never acked: the "crash"
    await bus.close();
    const reopened = openSqliteBus({ path: busPath, logger });
    cleanup.push(() => reopened.close());
    const agg = startAggregator({ bus: reopened, store, logger, intervalMs: 5 });
    cleanup.push(() => agg.stop());
    await agg.drain();
    expect(eventsIn(store)).toBe(50);
    expect(agg.stats()).toMatchObject({ batches_applied_total: 2, batches_skipped_total: 3 });
  });

  it('retries a failed ack without double counting, and reports the error to drain', async () => {
    const { bus, store } = setup();
    let failures = 1;
    const flaky: Bus = {
      ...bus,
      publish: (b) => bus.publish(b),
      fetch: (max, after, maxEvents) => bus.fetch(max, after, maxEvents),
      backlog: () => bus.backlog(),
      close: () => bus.close(),
      ack: (seqs) => (failures-- > 0 ? Promise.reject(new Error('disk hiccup')) : bus.ack(seqs)),
    };
    for (let i = 0; i < 4; i++) await bus.publish(batch(i));
    const agg = startAggregator({ bus: flaky, store, logger, intervalMs: 5 });
    cleanup.push(() => agg.stop());
    await expect(agg.drain()).rejects.toThrow('disk hiccup');
    expect(agg.stats().last_step_failed).toBe(true);
    await agg.drain();
    expect(eventsIn(store)).toBe(40);
    expect(agg.stats()).toMatchObject({
      last_step_failed: false,
      errors_total: 1,
      batches_applied_total: 4,
      batches_skipped_total: 4,
    });
    expect(agg.stats().last_error).toBe('disk hiccup');
  });

  it('stops cleanly and refuses to drain afterwards', async () => {
    const { bus, store } = setup();
    const agg = startAggregator({ bus, store, logger, intervalMs: 10_000 });
    await agg.stop();
    await expect(agg.drain()).rejects.toThrow('stopped');
    await bus.publish(batch(1));
    expect(await bus.backlog()).toBe(1);
  });

  it('does not resolve a drain early when a batch lands while a step is running', async () => {
    const { bus, store } = setup();
    const agg = startAggregator({ bus, store, logger, intervalMs: 1, maxBatches: 1 });
    cleanup.push(() => agg.stop());
    for (let round = 0; round < 20; round++) {
      await bus.publish(batch(100 + round, 1));
      await agg.drain();
      expect(await bus.backlog()).toBe(0);
    }
    expect(eventsIn(store)).toBe(20);
  });

  it('reads at most maxStepEvents (plus one batch) per step', async () => {
    const { bus, store } = setup();
    const fetched: number[] = [];
    const counting: Bus = {
      ...bus,
      publish: (b) => bus.publish(b),
      fetch: async (max, after, maxEvents) => {
        const got = await bus.fetch(max, after, maxEvents);
        if (got.length > 0) fetched.push(got.reduce((n, b) => n + b.events.length, 0));
        return got;
      },
      backlog: () => bus.backlog(),
      close: () => bus.close(),
      ack: (seqs) => bus.ack(seqs),
    };
    for (let i = 0; i < 30; i++) await bus.publish(batch(i, 100));
    const agg = startAggregator({ bus: counting, store, logger, intervalMs: 5, maxStepEvents: 250 });
    cleanup.push(() => agg.stop());
    await agg.drain();
    expect(eventsIn(store)).toBe(3000);
    // 250 is reached by the third batch of 100: every step reads 300 events (the last, what is left).
    expect(fetched.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 300));
  });

  it('commits and evicts as soon as a row cap is reached, so memory stays within the cap plus one batch', async () => {
    const { bus, store } = setup();
    const rowsAtCommit: number[] = [];
    // Every batch reaches 60 new ports: 180 port rows (5m, 1h and 1d).
    const wide = (i: number): BusBatch => ({
      ...batch(i, 60),
      events: Array.from({ length: 60 }, (_, k) => ({
        ts: T0 + k,
        proto: 'tcp',
        port: 1 + i * 60 + k,
        src: '10.9.9.9',
      })),
    });
    let agg: ReturnType<typeof startAggregator> | null = null;
    const watched: Store = Object.create(store) as Store;
    watched.commitRollups = (c) => {
      rowsAtCommit.push(agg?.stats().engine.port_rows ?? -1);
      store.commitRollups(c);
    };
    for (let i = 0; i < 40; i++) await bus.publish(wide(i));
    agg = startAggregator({
      bus,
      store: watched,
      logger,
      intervalMs: 5,
      flushIntervalMs: 600_000,
      maxPortRows: 1000,
      maxSourceDays: 1000,
    });
    cleanup.push(() => agg?.stop());
    await agg.drain();
    // 40 batches × 180 rows = 7,200 rows against a cap of 1,000: several commits forced by the cap, each with at
    // most the cap plus one batch's 180 rows in memory; and every event counted once.
    expect(rowsAtCommit.length).toBeGreaterThanOrEqual(7);
    for (const rows of rowsAtCommit) expect(rows).toBeLessThan(1000 + 180);
    expect(Math.max(...rowsAtCommit)).toBeGreaterThanOrEqual(1000);
    expect(store.bucketRows('1d', T0 - (T0 % 86_400_000)).reduce((n, r) => n + r.events, 0)).toBe(2400);
    expect(agg.stats()).toMatchObject({ batches_applied_total: 40, events_applied_total: 2400 });
  });

  it('drops only a batch the store refuses as invalid, and keeps going', async () => {
    const { bus, store } = setup();
    const bad = batch(2);
    bad.events[3] = { ...bad.events[3]!, port: 70_000 };
    for (const b of [batch(1), bad, batch(3)]) await bus.publish(b);
    const agg = startAggregator({ bus, store, logger, intervalMs: 5 });
    cleanup.push(() => agg.stop());
    await agg.drain();
    expect(eventsIn(store)).toBe(20);
    expect(store.isBatchApplied(bad.batch_id)).toBe(false);
    expect(await bus.backlog()).toBe(0);
    expect(agg.stats()).toMatchObject({
      batches_applied_total: 2,
      batches_rejected_total: 1,
      errors_total: 0,
    });
  });
});
