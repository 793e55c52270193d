/**
 * Record layout: events last, the events array read back as its bytes (never parsed), the older layout (events
 * not last) still read, by a full parse.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../core/event.js';
import { crc32 } from './crc32.js';
import {
  checkRecord,
  decodePayload,
  decodeRecordBody,
  encodeRecordParts,
  HEADER_BYTES,
  RECORD_MAGIC,
} from './record.js';
import type { SpoolPayload } from './record.js';
import { segmentName } from './recovery.js';
import { Spool } from './spool.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-record-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const events = (n: number, tag: number): AttackEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: 1_700_000_000_000 + i,
    proto: 'tcp',
    port: tag % 65536,
    src: `198.51.100.${i % 250}`,
    sport: 1000 + i,
  }));

/** A record as the previous layout wrote it: JSON.stringify of the payload, `events` second. */
function oldRecord(payload: SpoolPayload): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const rec = Buffer.alloc(HEADER_BYTES + body.length);
  rec.writeUInt32LE(RECORD_MAGIC, 0);
  rec.writeUInt32LE(body.length, 4);
  rec.writeUInt32LE(payload.events.length, 8);
  body.copy(rec, HEADER_BYTES);
  rec.writeUInt32LE(crc32(body, crc32(rec.subarray(4, 12))), 12);
  return rec;
}

/** True when `events` is still the lazy getter (never parsed). */
const unparsed = (o: object): boolean => Object.getOwnPropertyDescriptor(o, 'events')?.get !== undefined;

describe('spool record', () => {
  it('writes events last, and their bytes are exactly JSON.stringify(events)', () => {
    const ev = events(3, 7);
    const payload: SpoolPayload = {
      id: 'abc_defgh-1-0',
      events: ev,
      stats: { malformed: 2 },
      pos: { seq: 4, inputs: { k: { path: '/var/log/x', inode: '9', offset: 10 } } },
    };
    const { rec, eventsStart, eventsEnd } = encodeRecordParts(payload);
    const body = rec.toString('utf8', HEADER_BYTES);
    expect(body.startsWith('{"id":"abc_defgh-1-0","stats":{"malformed":2},"pos":')).toBe(true);
    expect(body.endsWith(`"events":${JSON.stringify(ev)}}`)).toBe(true);
    expect(rec.toString('utf8', eventsStart, eventsEnd)).toBe(JSON.stringify(ev));
    const scanned = checkRecord(rec, 0)!;
    expect(scanned.events).toBe(3);
    expect(decodePayload(rec, scanned)).toEqual(payload);
    const read = decodeRecordBody(rec, scanned);
    expect(read.events).toBeUndefined(); // not parsed
    expect(read.eventsJson.equals(Buffer.from(JSON.stringify(ev)))).toBe(true);
    expect(read.eventsJson.buffer).toBe(rec.buffer); // a view, not a copy
    expect(read).toMatchObject({ id: payload.id, stats: payload.stats, pos: payload.pos });
  });

  it('is not fooled by `,"events":[` inside the head’s strings or nested members', () => {
    const tricky = ',"events":[1],"x":{"events":[';
    const payload: SpoolPayload = {
      id: `i${tricky}\\"`,
      events: events(2, 1),
      stats: { [tricky]: 1, 'a\\': 2 },
      pos: { seq: 1, inputs: { [tricky]: { path: `/p${tricky}`, inode: '1', offset: 0, cursor: ']}' } } },
    };
    const { rec } = encodeRecordParts(payload);
    const read = decodeRecordBody(rec, checkRecord(rec, 0)!);
    expect(read.events).toBeUndefined();
    expect(JSON.parse(read.eventsJson.toString())).toEqual(payload.events);
    expect(read).toMatchObject({ id: payload.id, stats: payload.stats, pos: payload.pos });
  });

  it('reads a record of the older layout (events not last) by a full parse', () => {
    const payload: SpoolPayload = { id: 'old_record-0-0', events: events(2, 3), stats: { dropped: 1 } };
    const rec = oldRecord(payload);
    expect(rec.toString('utf8', HEADER_BYTES)).toMatch(/^\{"id":"old_record-0-0","events":\[/);
    const read = decodeRecordBody(rec, checkRecord(rec, 0)!);
    expect(read.events).toEqual(payload.events);
    expect(JSON.parse(read.eventsJson.toString())).toEqual(payload.events);
    expect(read.stats).toEqual({ dropped: 1 });
  });

  it('an existing spool of old-layout records still uploads after an upgrade', async () => {
    const old: SpoolPayload[] = [
      { id: 'old_spool-0-0', events: events(2, 1), stats: { malformed: 1 } },
      {
        id: 'old_spool-0-1',
        events: events(3, 2),
        pos: { seq: 1, inputs: { k: { path: '/log', inode: '1', offset: 5 } } },
      },
      { id: 'old_spool-0-2', events: events(1, 3) },
    ];
    writeFileSync(join(dir, segmentName(0)), Buffer.concat(old.map(oldRecord)));
    const spool = await Spool.open({
      dir,
      maxSizeBytes: 1 << 20,
      segmentSizeBytes: 1 << 16,
      fsyncIntervalMs: 0,
    });
    for (const p of old) {
      const b = spool.peek()!;
      expect(b).toMatchObject({ id: p.id, events: p.events, ...(p.stats ? { stats: p.stats } : {}) });
      expect(JSON.parse(b.eventsJson.toString())).toEqual(p.events);
      expect(b.ref.events).toBe(p.events.length);
      spool.ack(b.ref);
    }
    const id = spool.append(events(4, 4), { x: 1 });
    await spool.sync();
    const b = spool.peek()!;
    expect(b.id).toBe(id);
    expect(unparsed(b)).toBe(true);
    expect(b.events).toEqual(events(4, 4)); // parsed on first access, then kept
    expect(unparsed(b)).toBe(false);
    await spool.close();
  });

  it('keeps batches unparsed, before and after a restart', async () => {
    const a = await Spool.open({
      dir,
      maxSizeBytes: 1 << 20,
      segmentSizeBytes: 1 << 16,
      fsyncIntervalMs: 60_000,
    });
    a.append(events(5, 1), { malformed: 3 });
    a.append(events(2, 2));
    await a.sync();
    const cached = a.peek()!;
    expect(unparsed(cached)).toBe(true);
    expect(cached.eventsJson.toString()).toBe(JSON.stringify(events(5, 1)));
    expect(cached.ref.events).toBe(5);
    await a.close();
    const b = await Spool.open({
      dir,
      maxSizeBytes: 1 << 20,
      segmentSizeBytes: 1 << 16,
      fsyncIntervalMs: 60_000,
    });
    const fromDisk = b.peek()!;
    expect(unparsed(fromDisk)).toBe(true);
    expect(fromDisk.eventsJson.toString()).toBe(JSON.stringify(events(5, 1)));
    expect(fromDisk).toMatchObject({ id: cached.id, stats: { malformed: 3 }, events: events(5, 1) });
    b.ack(fromDisk.ref);
    expect(b.peek()).toMatchObject({ events: events(2, 2) });
    await b.close();
  });

  it('reads batches back into lent buffers, reused only once their batch is acknowledged', async () => {
    const spool = await Spool.open({
      dir,
      maxSizeBytes: 1 << 20,
      segmentSizeBytes: 1 << 16,
      fsyncIntervalMs: 60_000,
    });
    for (let i = 1; i <= 3; i++) spool.append(events(50, i));
    await spool.sync();
    const b1 = spool.peek()!;
    const b2 = spool.peekAfter(b1.ref)!;
    expect(b2.eventsJson.buffer).not.toBe(b1.eventsJson.buffer);
    const again = spool.peek()!; // the same record peeked again: a buffer of its own
    expect(again.eventsJson.buffer).not.toBe(b1.eventsJson.buffer);
    spool.ack(again.ref);
    const b3 = spool.peekAfter(b2.ref)!;
    expect(b3.eventsJson.buffer).toBe(again.eventsJson.buffer); // given back by the ack, lent again
    expect(b3.eventsJson.buffer).not.toBe(b1.eventsJson.buffer); // the first read of record 1 is never reused
    expect(JSON.parse(b2.eventsJson.toString())).toEqual(events(50, 2)); // untouched by the reuse
    expect(JSON.parse(b3.eventsJson.toString())).toEqual(events(50, 3));
    await spool.close();
  });
});
