import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import type { EventsJson } from '../spool/spool.js';
import { Batcher, MAX_PENDING_BATCHES } from './batcher.js';

const ev = (port: number): AttackEvent => ({ ts: 1, proto: 'tcp', port, src: '8.8.8.8' });

function fakeSpool() {
  const log: string[] = [];
  return {
    log,
    fail: false,
    droppedEvents: 0,
    appended: [] as Array<{ events: AttackEvent[]; stats?: Record<string, number> }>,
    append(batch: EventsJson, stats?: Record<string, number>): string {
      if (this.fail) throw new Error('ENOSPC');
      const events = JSON.parse(batch.json.toString('utf8')) as AttackEvent[];
      expect(events).toHaveLength(batch.count);
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
    // The newest are kept, in order, as several records, each followed by the position it reaches.
    const ports = spool.appended.flatMap((a) => a.events.map((e) => e.port));
    expect(ports).toEqual(Array.from({ length: ports.length }, (_, i) => n - ports.length + i));
    expect(ports.length + b.droppedEvents).toBe(n);
    expect(spool.appended.length).toBeGreaterThan(1);
    expect(spool.log.at(-1)).toBe(`position k ${n}`);
    const positions = spool.log.filter((l) => l.startsWith('position')).map((l) => Number(l.split(' ')[2]));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it('a failure after some records keeps the rest, and their counters go out once', () => {
    const spool = fakeSpool();
    let lines = 0;
    const b = new Batcher({
      spool,
      maxBatchEvents: 2,
      flushIntervalMs: 1000,
      logger: pino({ level: 'silent' }),
      counters: () => ({ lines }),
    });
    spool.fail = true;
    for (let i = 0; i < 6; i++) {
      lines++;
      b.add(ev(i));
    }
    expect(b.pendingEvents).toBe(6);
    let calls = 0;
    const append = spool.append.bind(spool);
    spool.fail = false;
    spool.append = (batch, stats) => {
      if (++calls === 2) throw new Error('EIO'); // the second of three records fails
      return append(batch, stats);
    };
    b.flush();
    expect(spool.appended.map((a) => a.events.map((e) => e.port))).toEqual([[0, 1]]);
    expect(b.pendingEvents).toBe(4);
    spool.append = append;
    b.flush();
    expect(spool.appended.map((a) => a.events.map((e) => e.port))).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(spool.appended.map((a) => a.stats?.lines ?? 0).reduce((x, y) => x + y, 0)).toBe(6);
    expect(b.pendingEvents).toBe(0);
  });
});
