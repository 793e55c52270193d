import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ManualClock } from '../../core/clock.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { busBatch, runBusContract } from '../bus.contract.js';
import { openSqliteBus } from './index.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'sw-bus-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runBusContract('sqlite (own file)', () => {
  const path = join(dir, `bus-${n++}.db`);
  return { open: () => Promise.resolve(openSqliteBus({ path, logger })) };
});

runBusContract('sqlite (sharing the store file)', () => {
  const path = join(dir, `shared-${n++}.db`);
  openSqliteStore({ path, seed: new Uint8Array(16), logger }).close();
  return { open: () => Promise.resolve(openSqliteBus({ path, logger })) };
});

describe('sqlite bus specifics', () => {
  it('forgets acked batch ids after the retention period', async () => {
    const clock = new ManualClock(Date.parse('2024-01-01T00:00:00Z'));
    const bus = openSqliteBus({ path: join(dir, 'prune.db'), logger, clock, ackedRetentionMs: 86_400_000 });
    await bus.publish(busBatch('batch-old'));
    await bus.ack((await bus.fetch(1)).map((b) => b.seq));
    clock.advance(2 * 86_400_000);
    await bus.publish(busBatch('batch-new'));
    expect(await bus.publish(busBatch('batch-old'))).toBe('duplicate');
    await bus.ack((await bus.fetch(1)).map((b) => b.seq)); // acks batch-new, prunes batch-old
    expect(await bus.publish(busBatch('batch-old'))).toBe('accepted');
    await bus.close();
  });

  it('shares one file with an open store without interfering', async () => {
    const path = join(dir, 'together.db');
    const store = openSqliteStore({ path, seed: new Uint8Array(16), logger });
    const bus = openSqliteBus({ path, logger });
    await bus.publish(busBatch('batch-together', 4));
    const fetched = await bus.fetch(10);
    expect(store.applyBatches(fetched)).toMatchObject({ applied: 1, events: 4 });
    await bus.ack(fetched.map((b) => b.seq));
    expect(await bus.backlog()).toBe(0);
    expect(store.bucketRows('5m', Math.floor(fetched[0]!.events[0]!.ts / 300_000) * 300_000)).toHaveLength(1);
    await bus.close();
    store.close();
  });

  it('commits many concurrent publishes in one group and answers each', async () => {
    const bus = openSqliteBus({ path: join(dir, 'group.db'), logger });
    const ids = Array.from({ length: 200 }, (_, i) => `batch-g${i % 150}`);
    const results = await Promise.all(ids.map((id) => bus.publish(busBatch(id, 1))));
    expect(results.filter((r) => r === 'accepted')).toHaveLength(150);
    expect(await bus.backlog()).toBe(150);
    await bus.close();
  });
});
