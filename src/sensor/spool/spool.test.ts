/**
 * The spool: round trip, restart at the cursor, crash damage (torn tails at every offset, flipped bytes), quota,
 * positions durable only after the records before them, and a model-based run of random operations.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../core/event.js';
import { seededRandom } from '../../core/random.js';
import { BATCH_ID_PATTERN } from '../../protocol/batch.js';
import { listSegments, segmentName } from './recovery.js';
import { Spool } from './spool.js';
import type { SpoolOptions } from './spool.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-spool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = (o: Partial<SpoolOptions> = {}): SpoolOptions => ({
  dir,
  maxSizeBytes: 1 << 20,
  segmentSizeBytes: 64 << 10,
  fsyncIntervalMs: 60_000,
  ...o,
});
const events = (n: number, tag: number): AttackEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: 1_700_000_000_000 + i,
    proto: 'tcp',
    port: tag % 65536,
    src: `198.51.100.${i % 250}`,
    sport: 1000 + i,
  }));

/** Acknowledges everything durable; returns the ids in order. */
function drainAll(spool: Spool): string[] {
  const ids: string[] = [];
  for (let b = spool.peek(); b !== null; b = spool.peek()) {
    ids.push(b.id);
    spool.ack(b.ref);
  }
  return ids;
}

describe('Spool', () => {
  it('after a crash, resumes reading at the positions of the last intact record, not the older saved ones', async () => {
    const a = await Spool.open(opts());
    const pos = (offset: number) => ({ 'iptables:/log': { path: '/log', inode: '7', offset } });
    a.append(events(3, 1), undefined, pos(100));
    await a.sync(); // state.json now says offset 100
    a.append(events(3, 2), undefined, pos(200));
    a.append(events(3, 3), undefined, pos(300)); // in the file (page cache), never fsynced: the crash comes now
    const b = await Spool.open(opts()); // a is never closed: as after kill -9
    expect(b.savedPositions()['iptables:/log']?.offset).toBe(300);
    expect(drainAll(b)).toHaveLength(3);
    await b.close();

    // A torn last record: its events are gone, and so are its positions; reading resumes before its lines.
    const c = await Spool.open(opts());
    c.append(events(2, 4), undefined, pos(400));
    c.append(events(2, 5), undefined, pos(500));
    const seg = join(dir, segmentName(Math.max(...listSegments(dir))));
    const size = statSync(seg).size;
    writeFileSync(seg, readFileSync(seg).subarray(0, size - 5));
    const d = await Spool.open(opts());
    expect(d.savedPositions()['iptables:/log']?.offset).toBe(400);
    expect(d.recovery.tornBytes).toBeGreaterThan(0);
    await d.close();
    await c.close().catch(() => undefined);
  });

  it('positions set after the last record (lines that gave no event) win over the record', async () => {
    const a = await Spool.open(opts());
    a.append(events(1, 1), undefined, { k: { path: '/log', inode: '7', offset: 50 } });
    a.setPosition('k', { path: '/log', inode: '7', offset: 80 });
    await a.sync();
    const b = await Spool.open(opts());
    expect(b.savedPositions().k?.offset).toBe(80);
    await b.close();
  });

  it('round-trips batches in order once durable, with stats and valid, unique ids', async () => {
    const spool = await Spool.open(opts());
    const ids = [spool.append(events(3, 1), { malformed: 2 }), spool.append(events(1, 2))];
    expect(spool.peek()).toBeNull(); // not durable yet
    await spool.sync();
    const first = spool.peek();
    expect(first).toMatchObject({ id: ids[0], events: events(3, 1), stats: { malformed: 2 } });
    expect(spool.peek()?.id).toBe(ids[0]); // peek does not consume
    spool.ack(first!.ref);
    expect(spool.peek()).toMatchObject({ id: ids[1], events: events(1, 2) });
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(BATCH_ID_PATTERN);
    expect(spool.stats()).toMatchObject({ backlogEvents: 1, appendedEvents: 4, ackedEvents: 3 });
    await spool.close();
  });

  it('resumes at the ack cursor after a restart, with the same batch ids', async () => {
    const a = await Spool.open(opts());
    const ids = Array.from({ length: 5 }, (_, i) => a.append(events(2, i)));
    await a.sync();
    for (let i = 0; i < 2; i++) a.ack(a.peek()!.ref);
    await a.close();
    const b = await Spool.open(opts());
    expect(drainAll(b)).toEqual(ids.slice(2));
    expect(b.stats().backlogEvents).toBe(0);
    await b.close();
    const c = await Spool.open(opts());
    expect(c.peek()).toBeNull();
    const next = c.append(events(1, 9));
    expect(ids).not.toContain(next); // never reuses an id
    await c.close();
  });

  it('saves the ack cursor with the next sync: a crash before it only resends, with the same ids', async () => {
    const a = await Spool.open(opts());
    const ids = [a.append(events(1, 1)), a.append(events(1, 2))];
    await a.sync();
    a.ack(a.peek()!.ref);
    // "Crash": open the directory again without closing (the cursor was not synced yet).
    const b = await Spool.open(opts());
    expect(drainAll(b)).toEqual(ids);
    await b.close();
    a.ack(a.peek()!.ref);
    await a.sync();
    const c = await Spool.open(opts());
    expect(c.peek()).toBeNull();
    await c.close();
    await a.close();
  });

  it('peekAfter walks the durable batches after one in flight, across segments, and stops at what is not durable', async () => {
    const spool = await Spool.open(opts({ segmentSizeBytes: 4096 }));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(spool.append(events(20, i)) ?? '');
    await spool.sync();
    spool.append(events(20, 99)); // not durable yet
    expect(new Set(ids.map((id) => id.split('-')[1])).size).toBeGreaterThan(2); // several segments
    const seen: string[] = [];
    for (let b = spool.peek(); b !== null; b = spool.peekAfter(b.ref)) seen.push(b.id);
    expect(seen).toEqual(ids);
    // Acknowledged in that order, the cursor passes them all; the window's refs are the cursor's, one by one.
    for (let b = spool.peek(), n = 0; b !== null; b = spool.peek(), n++) {
      expect(b.id).toBe(ids[n]);
      spool.ack(b.ref);
    }
    await spool.sync();
    expect(spool.peek()?.id).not.toBe(undefined);
    await spool.close();
  });

  it('deletes fully acknowledged segments and keeps going across many segments', async () => {
    const spool = await Spool.open(opts({ segmentSizeBytes: 2048 }));
    const ids = Array.from({ length: 40 }, (_, i) => spool.append(events(5, i)));
    await spool.sync();
    expect(listSegments(dir).length).toBeGreaterThan(5);
    expect(drainAll(spool)).toEqual(ids);
    await spool.sync();
    expect(listSegments(dir).length).toBe(1); // only the active one
    await spool.close();
  });

  it('recovers every whole record after a torn write at any byte offset', async () => {
    const spool = await Spool.open(opts());
    const ids = Array.from({ length: 12 }, (_, i) => spool.append(events(1 + (i % 4), i)));
    await spool.close();
    const [seq] = listSegments(dir);
    const seg = join(dir, segmentName(seq!));
    const original = readFileSync(seg);
    // Record ends, computed from the lengths in the headers (independently of the scanner).
    const ends: number[] = [];
    for (let p = 0; p < original.length; p += 16 + original.readUInt32LE(p + 4))
      ends.push(p + 16 + original.readUInt32LE(p + 4));
    expect(ends).toHaveLength(12);
    const rnd = seededRandom(11);
    const cuts = [
      0,
      1,
      15,
      16,
      17,
      ...ends,
      ...ends.map((e) => e - 1),
      ...Array.from({ length: 30 }, () => rnd.int(original.length)),
    ];
    for (const cut of cuts) {
      writeFileSync(seg, original.subarray(0, cut));
      const s = await Spool.open(opts());
      const whole = ends.filter((e) => e <= cut).length;
      expect(drainAll(s), `cut at ${cut}`).toEqual(ids.slice(0, whole));
      expect(s.recovery.tornBytes).toBe(cut - (ends.filter((e) => e <= cut).at(-1) ?? 0));
      await s.close();
      // Reset the cursor for the next cut: restore the file and forget the state.
      rmSync(join(dir, 'state.json'));
      for (const f of listSegments(dir)) if (f !== seq) rmSync(join(dir, segmentName(f)));
    }
  });

  it('keeps every intact record when bytes are flipped inside one (the damaged one alone is lost)', async () => {
    const spool = await Spool.open(opts());
    const ids = Array.from({ length: 10 }, (_, i) => spool.append(events(3, i)));
    await spool.close();
    const seg = join(dir, segmentName(listSegments(dir)[0]!));
    const original = readFileSync(seg);
    const starts: number[] = [];
    for (let p = 0; p < original.length; p += 16 + original.readUInt32LE(p + 4)) starts.push(p);
    const rnd = seededRandom(5);
    for (let trial = 0; trial < 25; trial++) {
      const k = rnd.int(10);
      const recStart = starts[k]!;
      const recEnd = starts[k + 1] ?? original.length;
      const damaged = Buffer.from(original);
      const at = recStart + rnd.int(recEnd - recStart);
      damaged[at] = (damaged[at]! ^ (1 + rnd.int(255))) & 0xff;
      writeFileSync(seg, damaged);
      rmSync(join(dir, 'state.json'), { force: true });
      const s = await Spool.open(opts());
      expect(drainAll(s), `flip in record ${k} at ${at}`).toEqual(ids.filter((_, i) => i !== k));
      const r = s.recovery;
      expect(r.corruptRanges + (r.tornBytes > 0 ? 1 : 0)).toBe(1);
      await s.close();
    }
  });

  it('maps the ack cursor through a rewrite of a damaged segment', async () => {
    const a = await Spool.open(opts());
    const ids = Array.from({ length: 6 }, (_, i) => a.append(events(2, i)));
    await a.sync();
    for (let i = 0; i < 3; i++) a.ack(a.peek()!.ref);
    await a.close();
    const seg = join(dir, segmentName(listSegments(dir)[0]!));
    const buf = readFileSync(seg);
    buf[20] = buf[20]! ^ 0xff; // inside record 0, already acknowledged
    writeFileSync(seg, buf);
    const b = await Spool.open(opts());
    expect(b.recovery.rewrittenSegments).toBe(1);
    expect(drainAll(b)).toEqual(ids.slice(3));
    await b.close();
  });

  it('drops the oldest segment when the quota is full, and counts the lost events', async () => {
    const spool = await Spool.open(opts({ segmentSizeBytes: 4096, maxSizeBytes: 16384 }));
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(spool.append(events(4, i))!);
    await spool.sync();
    const st = spool.stats();
    expect(st.bytes).toBeLessThanOrEqual(16384);
    expect(st.droppedEvents).toBeGreaterThan(0);
    expect(st.droppedEvents + st.backlogEvents).toBe(60 * 4);
    const kept = drainAll(spool);
    expect(kept).toEqual(ids.slice(ids.length - kept.length)); // the newest survive, in order
    expect(kept.length * 4).toBe(st.backlogEvents);
    await spool.close();
  });

  it('drops (and counts) a single batch bigger than the whole quota', async () => {
    const spool = await Spool.open(opts({ segmentSizeBytes: 1024, maxSizeBytes: 2048 }));
    expect(spool.append(events(200, 1))).toBeNull();
    expect(spool.stats()).toMatchObject({ droppedEvents: 200, droppedRecords: 1 });
    await spool.close();
  });

  it('saves input positions only once the records before them are durable', async () => {
    const a = await Spool.open(opts());
    a.append(events(1, 1));
    a.setPosition('kern', { path: '/var/log/kern.log', inode: '42', offset: 100 });
    // A copy of the directory now is what a power cut would leave: no position saved yet.
    const before = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { inputs: object };
    expect(before.inputs).toEqual({});
    await a.sync();
    const after = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { inputs: object };
    expect(after.inputs).toEqual({ kern: { path: '/var/log/kern.log', inode: '42', offset: 100 } });
    await a.close();
    const b = await Spool.open(opts());
    expect(b.savedPositions()).toEqual({ kern: { path: '/var/log/kern.log', inode: '42', offset: 100 } });
    await b.close();
  });

  it('fsyncs on its timer, and after every append with fsync_interval_ms 0', async () => {
    const timed = await Spool.open(opts({ fsyncIntervalMs: 20 }));
    timed.append(events(1, 1));
    await timed.waitForData(2000);
    expect(timed.peek()).not.toBeNull();
    await timed.close();
    rmSync(dir, { recursive: true });
    const eager = await Spool.open(opts({ fsyncIntervalMs: 0 }));
    eager.append(events(1, 1));
    await eager.waitForData(2000);
    expect(eager.peek()).not.toBeNull();
    await eager.close();
  });

  it('does not touch the disk while idle', async () => {
    const spool = await Spool.open(opts({ fsyncIntervalMs: 10 }));
    spool.append(events(1, 1));
    spool.setPosition('k', { path: '/x', inode: '1', offset: 5 });
    await spool.sync();
    const before = statSync(join(dir, 'state.json'));
    spool.setPosition('k', { path: '/x', inode: '1', offset: 5 }); // unchanged
    await new Promise((r) => setTimeout(r, 80));
    const after = statSync(join(dir, 'state.json'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    await spool.close();
  });

  it('survives a random run of appends, syncs, acks and restarts (model-based)', async () => {
    const rnd = seededRandom(99);
    let spool = await Spool.open(opts({ segmentSizeBytes: 3000, maxSizeBytes: 1 << 24 }));
    const model = { pending: [] as string[], durable: [] as string[] };
    for (let step = 0; step < 400; step++) {
      const op = rnd.int(10);
      if (op < 5) {
        model.pending.push(spool.append(events(1 + rnd.int(6), step))!);
      } else if (op < 7) {
        await spool.sync();
        model.durable.push(...model.pending.splice(0));
      } else if (op < 9) {
        const b = spool.peek();
        expect(b?.id ?? null).toBe(model.durable[0] ?? null);
        if (b !== null) {
          spool.ack(b.ref);
          model.durable.shift();
        }
      } else {
        await spool.close(); // close makes pending records durable
        model.durable.push(...model.pending.splice(0));
        spool = await Spool.open(opts({ segmentSizeBytes: 3000, maxSizeBytes: 1 << 24 }));
      }
    }
    await spool.sync();
    model.durable.push(...model.pending.splice(0));
    expect(drainAll(spool)).toEqual(model.durable);
    await spool.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'state.json'))).toBe(true);
  });
});
