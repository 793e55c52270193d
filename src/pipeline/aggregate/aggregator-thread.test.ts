import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openSqliteBus } from '../../bus/sqlite/index.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { startAggregatorThread } from './aggregator-thread.js';

const seed = new Uint8Array(16).fill(5);
const dir = mkdtempSync(join(tmpdir(), 'sw-agg-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.parse('2007-04-12T10:00:00Z');

describe('aggregator on a worker thread', () => {
  it('runs under the heap limit and the row caps it is given, and reports its heap', async () => {
    const storePath = join(dir, 'store-limits.db');
    const busPath = join(dir, 'bus-limits.db');
    const quiet = pino({ level: 'silent' });
    const store = openSqliteStore({ path: storePath, seed, logger: quiet });
    const bus = openSqliteBus({ path: busPath, logger: quiet });
    store.addSensor({ id: 's1', name: 's1', operator: 'op-1', public_key_pem: 'k', created_at: T0 });
    const agg = await startAggregatorThread(
      {
        storePath,
        busPath,
        seed,
        geo: null,
        logLevel: 'silent',
        options: { intervalMs: 5, maxPortRows: 1000, maxSourceDays: 1000 },
        heapMb: 192,
      },
      quiet,
    );
    try {
      // 1,600 ports in one hour: 4,800 port rows (5m, 1h, 1d) and 1,600 source days, past both caps.
      for (let b = 0; b < 2; b++) {
        await bus.publish({
          batch_id: `s1/wide${b}`,
          sensor_id: 's1',
          received_at: T0,
          clock_offset_ms: 0,
          events: Array.from({ length: 800 }, (_, i) => ({
            ts: T0 + i,
            proto: 'tcp' as const,
            port: 1 + b * 800 + i,
            src: `1.2.${b}.${i % 250}`,
          })),
        });
      }
      await agg.drain();
      const st = agg.stats();
      expect(st.events_applied_total).toBe(1600);
      expect(st.engine.port_rows).toBeLessThanOrEqual(1000);
      expect(st.engine.source_states).toBeLessThanOrEqual(1000);
      // The limit is the old generation asked for plus the young generation V8 adds to it.
      expect(st.heap.limit_bytes).toBeGreaterThanOrEqual(192 * 1048576);
      expect(st.heap.limit_bytes).toBeLessThan(320 * 1048576);
      expect(st.heap.used_bytes).toBeGreaterThan(0);
      expect(st.heap.used_bytes).toBeLessThan(st.heap.limit_bytes);
      expect(st.heap.committed_bytes).toBeGreaterThanOrEqual(st.heap.used_bytes);
      expect(st.heap.committed_bytes).toBeLessThanOrEqual(st.heap.limit_bytes);
      // Nothing evicted is lost: every port's rows are in the store.
      expect(store.bucketRows('1h', T0 - (T0 % 3_600_000)).length).toBe(1600);
    } finally {
      await agg.stop();
      await bus.close();
      store.close();
    }
  });

  it('counts what the main thread publishes, once, with geo, and reports through drain and stats', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: 'info' },
      { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) },
    );
    const storePath = join(dir, 'store.db');
    const busPath = join(dir, 'bus.db');
    const store = openSqliteStore({ path: storePath, seed, logger: pino({ level: 'silent' }) });
    const bus = openSqliteBus({ path: busPath, logger: pino({ level: 'silent' }) });
    store.addSensor({ id: 's1', name: 's1', operator: 'op-1', public_key_pem: 'k', created_at: T0 });
    const agg = await startAggregatorThread(
      { storePath, busPath, seed, geo: {}, logLevel: 'info', options: { intervalMs: 5 } },
      logger,
    );
    try {
      for (let i = 0; i < 5; i++) {
        await bus.publish({
          batch_id: `s1/b${i}`,
          sensor_id: 's1',
          received_at: T0,
          clock_offset_ms: 0,
          events: [
            { ts: T0 + i, proto: 'tcp', port: 1025, src: '8.8.8.8' },
            { ts: T0 + i, proto: 'tcp', port: 1025, src: `1.1.1.${i}` },
          ],
        });
      }
      await bus.publish({
        batch_id: 's1/b0',
        sensor_id: 's1',
        received_at: T0,
        clock_offset_ms: 0,
        events: [{ ts: T0, proto: 'tcp', port: 1025, src: '9.9.9.9' }],
      });
      await agg.drain();
      expect(store.bucketRows('5m', T0)[0]).toMatchObject({ events: 10, sources: 6 });
      expect(store.loadSourceDay(T0 - (T0 % 86_400_000), '8.8.8.8')).toMatchObject({
        events: 5,
        country: 'US',
        asn: 15169,
      });
      expect(agg.stats()).toMatchObject({ batches_applied_total: 5, events_applied_total: 10 });
      expect(await bus.backlog()).toBe(0);
      expect(lines.some((l) => l.msg === 'aggregator started')).toBe(true);
    } finally {
      await agg.stop();
      await bus.close();
      store.close();
    }
    await expect(agg.drain()).rejects.toThrow(/stopped/);
  });

  it('a worker that dies is replaced; what the bus holds is applied once, and drains meanwhile are refused', async () => {
    const sub = join(dir, 'restart');
    mkdirSync(sub);
    const storePath = join(sub, 'store.db');
    const busPath = join(sub, 'bus.db');
    const store = openSqliteStore({ path: storePath, seed, logger: pino({ level: 'silent' }) });
    const bus = openSqliteBus({ path: busPath, logger: pino({ level: 'silent' }) });
    store.addSensor({ id: 's1', name: 's1', operator: 'op-1', public_key_pem: 'k', created_at: T0 });
    const workers: Worker[] = [];
    const agg = await startAggregatorThread(
      { storePath, busPath, seed, geo: null, logLevel: 'silent', options: { intervalMs: 5 } },
      pino({ level: 'silent' }),
      (w) => workers.push(w),
    );
    const publish = (i: number): Promise<unknown> =>
      bus.publish({
        batch_id: `s1/r${i}`,
        sensor_id: 's1',
        received_at: T0,
        clock_offset_ms: 0,
        events: [{ ts: T0 + i, proto: 'udp', port: 53, src: `2.2.2.${i}` }],
      });
    try {
      for (let i = 0; i < 20; i++) await publish(i);
      await agg.drain();
      for (let i = 20; i < 60; i++) await publish(i); // some may be applied, some not, when the worker dies
      await workers[0]!.terminate();
      expect(agg.stats()).toMatchObject({ last_step_failed: true });
      await expect(agg.drain()).rejects.toThrow(/restarting/);
      const deadline = Date.now() + 20_000;
      while (workers.length < 2 || agg.stats().last_step_failed) {
        if (Date.now() > deadline) throw new Error('no new worker');
        await new Promise((r) => setTimeout(r, 50));
      }
      for (let i = 60; i < 70; i++) await publish(i);
      await agg.drain();
      expect(store.bucketRows('5m', T0)[0]).toMatchObject({ events: 70, sources: 70 });
      expect(await bus.backlog()).toBe(0);
    } finally {
      await agg.stop();
      await bus.close();
      store.close();
    }
  });

  it('refuses to start, with the reason, when the store cannot be opened', async () => {
    await expect(
      startAggregatorThread(
        {
          storePath: join(dir, 'missing', 'deeper', 'store.db'),
          busPath: join(dir, 'bus2.db'),
          seed,
          geo: null,
          logLevel: 'silent',
          options: {},
        },
        pino({ level: 'silent' }),
      ),
    ).rejects.toThrow(/aggregator thread/);
  });
});
