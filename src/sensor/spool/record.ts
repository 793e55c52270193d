/**
 * The spool's record framing. Each record, little-endian:
 *   magic u32 = 0x31525753 ("SWR1") · length u32 (payload bytes) · events u32 · crc u32 · payload
 * crc = CRC-32 over bytes 4..12 of the header (length, events) followed by the payload, so a torn length, a torn
 * payload or a flipped bit anywhere but the magic is caught. The payload is UTF-8 JSON of SpoolPayload.
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

export function encodeRecord(payload: SpoolPayload): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const rec = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  rec.writeUInt32LE(RECORD_MAGIC, 0);
  rec.writeUInt32LE(body.length, 4);
  rec.writeUInt32LE(payload.events.length, 8);
  body.copy(rec, HEADER_BYTES);
  rec.writeUInt32LE(crc32(body, crc32(rec.subarray(4, 12))), 12);
  return rec;
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

/**
 * Reads and checks the record at `offset` of an open segment whose data ends at `limit`.
 * @returns null when the record is not whole and intact, or its payload is not JSON.
 */
export function readRecordAt(
  fd: number,
  offset: number,
  limit: number,
): { payload: SpoolPayload; next: number; events: number } | null {
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  if (readSync(fd, head, 0, HEADER_BYTES, offset) !== HEADER_BYTES) return null;
  const len = head.readUInt32LE(4);
  if (len > MAX_RECORD_BYTES || offset + HEADER_BYTES + len > limit) return null;
  const buf = Buffer.allocUnsafe(HEADER_BYTES + len);
  head.copy(buf);
  if (readSync(fd, buf, HEADER_BYTES, len, offset + HEADER_BYTES) !== len) return null;
  const rec = checkRecord(buf, 0);
  if (rec === null) return null;
  try {
    return { payload: decodePayload(buf, rec), next: offset + rec.next, events: rec.events };
  } catch {
    return null;
  }
}
