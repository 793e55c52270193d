/**
 * The spool's record framing. Each record, little-endian:
 *   magic u32 = 0x31525753 ("SWR1") · length u32 (payload bytes) · events u32 · crc u32 · payload
 * crc = CRC-32 over bytes 4..12 of the header (length, events) followed by the payload, so a torn length, a torn
 * payload or a flipped bit anywhere but the magic is caught. The payload is UTF-8 JSON of SpoolPayload with `events`
 * as its last member (records written before that layout put `events` second; readers still accept them).
 * The magic lets recovery find the next whole record after a damaged one.
 */
import { readSync } from 'node:fs';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import { crc32 } from './crc32.js';

export const RECORD_MAGIC = 0x31525753;
export const HEADER_BYTES = 16;
/** Sanity bound on one record: a length above it is damage, not data. */
export const MAX_RECORD_BYTES = 64 << 20;

export interface SpoolPayload {
  /** The batch id: chosen at append time, stored, never recomputed, so retries and restarts reuse it. */
  id: string;
  events: AttackEvent[];
  stats?: Record<string, number>;
  /**
   * The inputs' read positions right after the events of this record were read, numbered (`seq` grows with every
   * change of positions). After a crash the last intact record may be newer than the saved state: its positions
   * are where reading resumes, so lines whose events survived in the spool are not read (and sent) twice.
   */
  pos?: { seq: number; inputs: Record<string, FollowPosition> };
}

/** An encoded record and where, inside it, the bytes of the events array are. */
export interface EncodedRecord {
  rec: Buffer;
  /** Offset of the events array's `[` in `rec`. */
  eventsStart: number;
  /** Offset just after the events array's `]` in `rec`. */
  eventsEnd: number;
}

/**
 * Encodes a record with `events` as the LAST member of the payload (`{"id":…,"stats":…,"pos":…,"events":[…]}`), so
 * a reader can take the events array's bytes as they are (readRecordAt) and the uploader can send them unparsed.
 */
export function encodeRecordParts(payload: SpoolPayload): EncodedRecord {
  const { events: list, ...rest } = payload;
  const events = Buffer.from(JSON.stringify(list), 'utf8');
  const { head, tail, length } = recordFrame(rest, events, list.length);
  const rec = Buffer.allocUnsafeSlow(length);
  head.copy(rec, 0);
  events.copy(rec, head.length);
  tail.copy(rec, head.length + events.length);
  return { rec, eventsStart: head.length, eventsEnd: head.length + events.length };
}

/**
 * A record around events already written as a JSON array (`eventsJson`, `count` events: EventJsonWriter): the
 * record is `head` + `eventsJson` + `tail`, written as they are (writev), so the events are never copied into a
 * record buffer. The CRC in `head` covers all three.
 */
export function recordFrame(
  payload: Omit<SpoolPayload, 'events'>,
  eventsJson: Uint8Array,
  count: number,
): { head: Buffer; tail: Buffer; length: number } {
  let json = `{"id":${JSON.stringify(payload.id)}`;
  if (payload.stats !== undefined) json += `,"stats":${JSON.stringify(payload.stats)}`;
  if (payload.pos !== undefined) json += `,"pos":${JSON.stringify(payload.pos)}`;
  json += ',"events":';
  const headBytes = Buffer.byteLength(json, 'utf8');
  const len = headBytes + eventsJson.length + 1;
  const head = Buffer.allocUnsafe(HEADER_BYTES + headBytes);
  head.writeUInt32LE(RECORD_MAGIC, 0);
  head.writeUInt32LE(len, 4);
  head.writeUInt32LE(count, 8);
  head.write(json, HEADER_BYTES, 'utf8');
  const crc = crc32(
    RECORD_TAIL,
    crc32(eventsJson, crc32(head.subarray(HEADER_BYTES), crc32(head.subarray(4, 12)))),
  );
  head.writeUInt32LE(crc, 12);
  return { head, tail: RECORD_TAIL, length: HEADER_BYTES + len };
}

const RECORD_TAIL = Buffer.from('}');

export function encodeRecord(payload: SpoolPayload): Buffer {
  return encodeRecordParts(payload).rec;
}

/** A whole record found in a buffer. */
export interface ScannedRecord {
  offset: number;
  /** Offset just after the record. */
  next: number;
  events: number;
}

/** Checks the record at `pos`; returns it when whole and intact, else null. */
export function checkRecord(buf: Buffer, pos: number): ScannedRecord | null {
  if (pos + HEADER_BYTES > buf.length || buf.readUInt32LE(pos) !== RECORD_MAGIC) return null;
  const len = buf.readUInt32LE(pos + 4);
  if (len > MAX_RECORD_BYTES || pos + HEADER_BYTES + len > buf.length) return null;
  const crc = crc32(
    buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + len),
    crc32(buf.subarray(pos + 4, pos + 12)),
  );
  if (crc !== buf.readUInt32LE(pos + 12)) return null;
  return { offset: pos, next: pos + HEADER_BYTES + len, events: buf.readUInt32LE(pos + 8) };
}

const MAGIC_BYTES = Buffer.from([0x53, 0x57, 0x52, 0x31]);

/** The next intact record at or after `from`, searching by magic; null when none. */
export function resync(buf: Buffer, from: number): ScannedRecord | null {
  for (let p = buf.indexOf(MAGIC_BYTES, from); p >= 0; p = buf.indexOf(MAGIC_BYTES, p + 1)) {
    const r = checkRecord(buf, p);
    if (r !== null) return r;
  }
  return null;
}

export interface SegmentScan {
  records: ScannedRecord[];
  /** Where intact data ends if the damage is only a torn tail; records after damage are still listed. */
  validEnd: number;
  /** Damaged byte ranges between intact records (not counting a torn tail). */
  corruptRanges: Array<[number, number]>;
  /** Bytes of torn tail after the last intact record. */
  tornBytes: number;
}

/** Walks a whole segment: every intact record, damaged ranges in between, the torn tail. */
export function scanSegment(buf: Buffer): SegmentScan {
  const records: ScannedRecord[] = [];
  const corruptRanges: Array<[number, number]> = [];
  let pos = 0;
  while (pos < buf.length) {
    const r = checkRecord(buf, pos) ?? resync(buf, pos + 1);
    if (r === null) break;
    if (r.offset > pos) corruptRanges.push([pos, r.offset]);
    records.push(r);
    pos = r.next;
  }
  return { records, validEnd: pos, corruptRanges, tornBytes: buf.length - pos };
}

export function decodePayload(buf: Buffer, rec: ScannedRecord): SpoolPayload {
  return JSON.parse(buf.toString('utf8', rec.offset + HEADER_BYTES, rec.next)) as SpoolPayload;
}

/** A payload read back: the small head parsed, the events array kept as its JSON bytes. */
export interface RecordBody {
  id: string;
  stats?: Record<string, number>;
  pos?: SpoolPayload['pos'];
  /** The events array's JSON: a view of the buffer the record was decoded from (it pins that buffer). */
  eventsJson: Buffer;
  /** Set only when the record had to be parsed whole (the older layout, events not last). */
  events?: AttackEvent[];
}

const EVENTS_KEY = Buffer.from(',"events":[', 'latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Where the top-level `,"events":[` of the payload in `buf[start, end)` begins, or -1. Scans only the head
 * (strings and nesting tracked), so bytes inside `id`, `stats` or `pos` cannot be mistaken for it.
 */
function findEventsMember(buf: Buffer, start: number, end: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (
      c === 0x2c &&
      depth === 1 &&
      buf.compare(EVENTS_KEY, 0, EVENTS_KEY.length, i, i + EVENTS_KEY.length) === 0
    )
      return i;
  }
  return -1;
}

/**
 * Decodes a record's payload without parsing its events: the head is parsed, the events array kept as a view of
 * `buf` (no copy: the uploader reads batches back at hundreds a second, and each copy was another megabyte of
 * garbage; readRecordAt gives each record a buffer of its own, so the view pins only its record).
 * Records of the older layout (events not the last member) are parsed whole instead. Throws when not JSON.
 */
export function decodeRecordBody(buf: Buffer, rec: ScannedRecord): RecordBody {
  const start = rec.offset + HEADER_BYTES;
  const end = rec.next;
  const eventsLast = end - start >= 2 && buf[end - 1] === 0x7d && buf[end - 2] === 0x5d; // ends with `]}`
  const at = eventsLast ? findEventsMember(buf, start, end) : -1;
  if (at < 0) {
    const p = decodePayload(buf, rec);
    if (!Array.isArray(p.events)) throw new Error('spool record without an events array');
    return {
      id: p.id,
      ...(p.stats ? { stats: p.stats } : {}),
      ...(p.pos ? { pos: p.pos } : {}),
      eventsJson: Buffer.from(JSON.stringify(p.events), 'utf8'),
      events: p.events,
    };
  }
  const head = JSON.parse(`${buf.toString('utf8', start, at)}}`) as Omit<SpoolPayload, 'events'>;
  const eventsJson = buf.subarray(at + EVENTS_KEY.length - 1, end - 1);
  return {
    id: head.id,
    ...(head.stats ? { stats: head.stats } : {}),
    ...(head.pos ? { pos: head.pos } : {}),
    eventsJson,
  };
}

/**
 * Reads and checks the record at `offset` of an open segment whose data ends at `limit`, into a buffer from
 * `bufferFor` (default: a new one).
 * @returns null when the record is not whole and intact, or its payload is not JSON.
 */
export function readRecordAt(
  fd: number,
  offset: number,
  limit: number,
  bufferFor: (bytes: number) => Buffer = (n) => Buffer.allocUnsafeSlow(n),
): { payload: RecordBody; next: number; events: number } | null {
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  if (readSync(fd, head, 0, HEADER_BYTES, offset) !== HEADER_BYTES) return null;
  const len = head.readUInt32LE(4);
  if (len > MAX_RECORD_BYTES || offset + HEADER_BYTES + len > limit) return null;
  // Never a pool slice: the batch keeps a view of it. It may be longer than the record: only its start is used.
  const buf = bufferFor(HEADER_BYTES + len).subarray(0, HEADER_BYTES + len);
  head.copy(buf);
  if (readSync(fd, buf, HEADER_BYTES, len, offset + HEADER_BYTES) !== len) return null;
  const rec = checkRecord(buf, 0);
  if (rec === null) return null;
  try {
    return { payload: decodeRecordBody(buf, rec), next: offset + rec.next, events: rec.events };
  } catch {
    return null;
  }
}
