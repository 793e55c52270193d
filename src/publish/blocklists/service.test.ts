/**
 * BlocklistService over a real SQLite store: one build per minute and request shape, invalidation, a bounded
 * cache, and the window (the last N UTC days by the event clock).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/store.js';
import { BlocklistService } from './service.js';
import { DAY, NOW, seedStore } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-blocklist-service-'));
let store: Store;
let reads: Array<[number, number, number]>;
const clock = new ManualClock(NOW);
const service = (cache_entries = 64) =>
  new BlocklistService({
    sources: {
      topSources: (from, to, limit) => {
        reads.push([from, to, limit]);
        return store.topSources(from, to, limit);
      },
    },
    lists: { listAllowlist: () => [] },
    eventClock: clock,
    authClock: clock,
    cache_entries,
  });

beforeAll(() => {
  store = openSqliteStore({
    path: join(dir, 's.db'),
    seed: new Uint8Array(16).fill(1),
    logger: pino({ level: 'silent' }),
  });
  seedStore(store);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('BlocklistService', () => {
  it('reads the last N UTC days, today included, and builds once per minute and request', () => {
    reads = [];
    const s = service();
    const a = s.render('networks', 'txt', 3, 100);
    expect(s.render('networks', 'txt', 3, 100)).toBe(a);
    const today = Math.floor(NOW / DAY) * DAY;
    expect(reads).toEqual([[today - 2 * DAY, today + DAY, 20_000]]);
    s.render('networks', 'csv', 3, 100);
    clock.advance(60_000);
    s.render('networks', 'txt', 3, 100);
    expect(reads).toHaveLength(3);
    s.invalidate();
    s.render('networks', 'txt', 3, 100);
    expect(reads).toHaveLength(4);
  });

  it('keeps at most cache_entries renderings', () => {
    reads = [];
    const s = service(2);
    for (const f of ['txt', 'csv', 'pf'] as const) s.render('sources', f, 1, 10);
    s.render('sources', 'txt', 1, 10); // evicted first, so built again
    s.render('sources', 'pf', 1, 10); // still cached
    expect(reads).toHaveLength(4);
  });
});
