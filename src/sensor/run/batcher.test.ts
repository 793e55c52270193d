import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import { Batcher, MAX_PENDING_BATCHES } from './batcher.js';

const ev = (port: number): AttackEvent => ({ ts: 1, proto: 'tcp', port, src: '8.8.8.8' });

function fakeSpool() {
  const log: string[] = [];
  return {
    log,
    fail: false,
    droppedEvents: 0,
    appended: [] as Array<{ events: AttackEvent[]; stats?: Record<string, number> }>,
    append(events: AttackEvent[], stats?: Record<string, number>): string {
      if (this.fail) throw new Error('ENOSPC');
      this.appended.push({ events, ...(stats ? { stats } : {}) });
      log.push(`append ${events.length}`);
      return 'id';
    },
    setPosition(key: string, pos: FollowPosition): void {
      log.push(`position ${key} ${pos.offset}`);
    },
  };
}

describe('Batcher', () => {
  it('appends full batches, then positions; sends counter deltas', () => {
    const spool = fakeSpool();
    let lines = 0;
    let offset = 0;
    const b = new Batcher({
      spool,
      maxBatchEvents: 3,
      flushIntervalMs: 1000,
      logger: pino({ level: 'silent' }),
      counters: () => ({ lines, malformed: 0 }),
    });
    b.track('k', () => ({ path: '/x', inode: '1', offset }));
    for (let i = 1; i <= 4; i++) {
      lines++;
      offset += 10;
      b.add(ev(i));
    }
    b.flush();
    expect(spool.log).toEqual(['append 3', 'position k 30', 'append 1', 'position k 40']);
    expect(spool.appended.map((a) => a.stats)).toEqual([{ lines: 3 }, { lines: 1 }]);
    b.flush(); // nothing new: no batch, positions only
    expect(spool.log.at(-1)).toBe('position k 40');
    expect(spool.appended).toHaveLength(2);
  });

  it('keeps events (and does not move positions) while appends fail, bounded, counting drops', () => {
    const spool = fakeSpool();
    spool.fail = true;
    let offset = 0;
    const b = new Batcher({
      spool,
      maxBatchEvents: 2,
      flushIntervalMs: 1000,
      logger: pino({ level: 'silent' }),
      counters: () => ({}),
    });
    b.track('k', () => ({ path: '/x', inode: '1', offset }));
    const n = 2 * MAX_PENDING_BATCHES + 7;
    for (let i = 0; i < n; i++) {
      offset++;
      b.add(ev(i));
    }
    expect(spool.log).toEqual([]);
    expect(b.pendingEvents + b.droppedEvents).toBe(n);
    expect(b.pendingEvents).toBeLessThanOrEqual(2 * MAX_PENDING_BATCHES + 2);
    spool.fail = false;
    b.flush();
    expect(spool.appended[0]?.events.at(-1)?.port).toBe(n - 1); // the newest are kept
    expect(spool.log.at(-1)).toBe(`position k ${n}`);
  });
});
