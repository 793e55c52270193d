/**
 * The bus contract: one test suite that every Bus implementation must pass (sqlite now, NATS later).
 * An implementation's *.test.ts calls runBusContract with a factory for a harness: a fresh, EMPTY bus that
 * can be opened again on the same durable state (to test redelivery after a restart).
 *
 * @example runBusContract('sqlite', () => { const path = tmpFile(); return { open: async () => openSqliteBus({ path, logger }) }; });
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusBatch } from './bus.js';

export interface BusHarness {
  /** Opens the bus on this harness's state; called again after close() to simulate a restart. */
  open(): Promise<Bus>;
}

const T0 = Date.parse('2007-04-12T10:00:00Z');

export function busBatch(batch_id: string, n = 2, extra: Partial<BusBatch> = {}): BusBatch {
  return {
    batch_id,
    sensor_id: 'sensor-1',
    received_at: T0,
    clock_offset_ms: -250,
    events: Array.from({ length: n }, (_, i) => ({
      ts: T0 + i,
      proto: 'tcp',
      port: 1025,
      src: `10.0.0.${i}`,
    })),
    ...extra,
  };
}

export function runBusContract(name: string, makeHarness: () => BusHarness | Promise<BusHarness>): void {
  describe(`Bus contract: ${name}`, () => {
    const opened: Bus[] = [];
    const open = async (h: BusHarness): Promise<Bus> => {
      const bus = await h.open();
      opened.push(bus);
      return bus;
    };
    afterEach(async () => {
      for (const b of opened.splice(0)) await b.close();
    });

    it('hands a published batch out whole, with a seq', async () => {
      const bus = await open(await makeHarness());
      const batch = busBatch('batch-001', 3, { stats: { dropped_total: 4 }, watched_addresses: 256 });
      expect(await bus.publish(batch)).toBe('accepted');
      const [got, ...rest] = await bus.fetch(10);
      expect(rest).toEqual([]);
      expect(got).toEqual({ ...batch, seq: got?.seq });
      expect(typeof got?.seq).toBe('number');
      const plain = busBatch('batch-002', 1);
      await bus.publish(plain);
      expect((await bus.fetch(10))[1]).not.toHaveProperty('stats');
      expect((await bus.fetch(10))[1]).not.toHaveProperty('watched_addresses');
    });

    it('answers duplicate for a batch id already on the bus or already acked', async () => {
      const bus = await open(await makeHarness());
      expect(await bus.publish(busBatch('batch-dup', 2))).toBe('accepted');
      expect(await bus.publish(busBatch('batch-dup', 5))).toBe('duplicate');
      const [a, b] = await Promise.all([
        bus.publish(busBatch('batch-race')),
        bus.publish(busBatch('batch-race')),
      ]);
      expect([a, b].sort()).toEqual(['accepted', 'duplicate']);
      const fetched = await bus.fetch(10);
      expect(fetched.map((x) => x.batch_id)).toEqual(['batch-dup', 'batch-race']);
      expect(fetched[0]?.events).toHaveLength(2);
      await bus.ack(fetched.map((x) => x.seq));
      expect(await bus.publish(busBatch('batch-dup'))).toBe('duplicate');
      expect(await bus.backlog()).toBe(0);
    });

    it('hands batches out in publish order, up to max, until acked', async () => {
      const bus = await open(await makeHarness());
      const ids = ['batch-e', 'batch-c', 'batch-a', 'batch-d', 'batch-b'];
      for (const id of ids) await bus.publish(busBatch(id));
      const first = await bus.fetch(3);
      expect(first.map((x) => x.batch_id)).toEqual(ids.slice(0, 3));
      const seqs = first.map((x) => x.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      expect((await bus.fetch(10)).map((x) => x.batch_id)).toEqual(ids);
      expect(await bus.fetch(0)).toEqual([]);
    });

    it('removes acked batches and counts the backlog', async () => {
      const bus = await open(await makeHarness());
      expect(await bus.backlog()).toBe(0);
      expect(await bus.fetch(5)).toEqual([]);
      for (const id of ['batch-1', 'batch-2', 'batch-3']) await bus.publish(busBatch(id));
      expect(await bus.backlog()).toBe(3);
      const [one, two] = await bus.fetch(2);
      await bus.ack([one?.seq ?? -1]);
      expect(await bus.backlog()).toBe(2);
      expect((await bus.fetch(10)).map((x) => x.batch_id)).toEqual(['batch-2', 'batch-3']);
      await bus.ack([two?.seq ?? -1, two?.seq ?? -1, 987654]);
      await bus.ack([]);
      expect(await bus.backlog()).toBe(1);
    });

    it('hands unacked batches out again after a restart, and not acked ones', async () => {
      const harness = await makeHarness();
      const bus = await open(harness);
      for (const id of ['batch-r1', 'batch-r2', 'batch-r3']) await bus.publish(busBatch(id));
      const got = await bus.fetch(2);
      await bus.ack([got[0]?.seq ?? -1]);
      await bus.close();
      const again = await open(harness);
      expect((await again.fetch(10)).map((x) => x.batch_id)).toEqual(['batch-r2', 'batch-r3']);
      expect(await again.backlog()).toBe(2);
      expect(await again.publish(busBatch('batch-r1'))).toBe('duplicate');
      expect(await again.publish(busBatch('batch-r4'))).toBe('accepted');
      const seqs = (await again.fetch(10)).map((x) => x.seq);
      expect(seqs[2]).toBeGreaterThan(seqs[1] ?? Infinity);
    });

    it('reads ahead of acks with a cursor, and hands the un-acked ones out again without it', async () => {
      const bus = await open(await makeHarness());
      for (const id of ['batch-c1', 'batch-c2', 'batch-c3', 'batch-c4']) await bus.publish(busBatch(id));
      const first = await bus.fetch(2);
      const last = first.at(-1)?.seq ?? -1;
      expect((await bus.fetch(10, last)).map((x) => x.batch_id)).toEqual(['batch-c3', 'batch-c4']);
      expect(await bus.fetch(10, Number.MAX_SAFE_INTEGER)).toEqual([]);
      await bus.ack(first.map((x) => x.seq));
      expect((await bus.fetch(10)).map((x) => x.batch_id)).toEqual(['batch-c3', 'batch-c4']);
    });

    it('stops a fetch after the batch that reaches maxEvents, and always hands out one batch', async () => {
      const bus = await open(await makeHarness());
      await bus.publish(busBatch('batch-e1', 3));
      await bus.publish(busBatch('batch-e2', 4));
      await bus.publish(busBatch('batch-e3', 2));
      await bus.publish(busBatch('batch-e4', 1));
      const ids = async (after: number, maxEvents: number): Promise<string[]> =>
        (await bus.fetch(10, after, maxEvents)).map((x) => x.batch_id);
      expect(await ids(0, 7)).toEqual(['batch-e1', 'batch-e2']); // 3 + 4 reaches 7
      expect(await ids(0, 8)).toEqual(['batch-e1', 'batch-e2', 'batch-e3']); // 7 < 8: one more
      expect(await ids(0, 1)).toEqual(['batch-e1']); // one batch past the bound
      expect(await ids(0, 0)).toEqual(['batch-e1']);
      const [first] = await bus.fetch(1);
      expect(await ids(first?.seq ?? 0, 6)).toEqual(['batch-e2', 'batch-e3']);
      expect(await ids(0, Infinity)).toEqual(['batch-e1', 'batch-e2', 'batch-e3', 'batch-e4']);
    });

    it('keeps the raw body of a batch and decodes its events from it after a restart', async () => {
      const harness = await makeHarness();
      const bus = await open(harness);
      const events = busBatch('x', 3).events;
      const body = {
        batch_id: 'raw-1',
        sensor_time: T0,
        events,
        stats: { malformed: 2 },
        watched_addresses: 16,
      };
      const raw = gzipSync(Buffer.from(JSON.stringify(body)));
      const plain = Buffer.from(JSON.stringify({ ...body, batch_id: 'raw-2', stats: undefined }));
      await bus.publish(busBatch('scoped/raw-1', 3, { raw, stats: { malformed: 2 }, watched_addresses: 16 }));
      await bus.publish(busBatch('scoped/raw-2', 3, { raw: plain }));
      await bus.close();
      const again = await open(harness);
      const [one, two] = await again.fetch(10);
      expect(one?.events).toEqual(events);
      expect(one?.stats).toEqual({ malformed: 2 });
      expect(one?.watched_addresses).toBe(16);
      expect(one?.raw?.equals(raw)).toBe(true);
      expect(two?.events).toEqual(events);
      expect(two?.raw?.equals(plain)).toBe(true);
    });

    it('refuses work after close', async () => {
      const bus = await (await makeHarness()).open();
      await bus.close();
      await expect(bus.publish(busBatch('batch-late'))).rejects.toThrow();
      await expect(bus.fetch(1)).rejects.toThrow();
      await bus.close();
    });
  });
}
