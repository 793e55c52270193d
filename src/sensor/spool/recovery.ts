/**
 * Segment files on disk and their recovery at open.
 *
 * Recovery of one segment keeps every intact record: a torn tail (a write cut by a crash) is truncated away; damage
 * between intact records (flipped bytes) makes the segment be rewritten with its intact records only, through a
 * temporary file and a rename, so a crash during recovery loses nothing either. Record ids live inside the
 * payloads, so moving records does not change any batch id. An offset into the old file (the ack cursor) is mapped
 * to the first intact record at or after it.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodePayload, scanSegment } from './record.js';
import type { SpoolPayload } from './record.js';
import { fsyncDir } from './state-file.js';

const SEGMENT_RE = /^seg-(\d{10})\.swl$/;

export function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(10, '0')}.swl`;
}

/** Sequence numbers of the segment files in `dir`, ascending. */
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((f) => SEGMENT_RE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface RecoveredSegment {
  seq: number;
  size: number;
  records: number;
  events: number;
  /** Record boundaries after recovery: [offset, events] of each record, ascending. */
  boundaries: Array<[number, number]>;
  tornBytes: number;
  corruptRanges: number;
  corruptBytes: number;
  rewritten: boolean;
  /** `mapOffset` result for the offset asked (the ack cursor), when one was given. */
  mappedOffset: number;
  /** The read positions stored in the last intact record, if it has any. */
  lastPositions?: SpoolPayload['pos'];
}

/** Recovers one segment in place; `keepOffset` is an old offset to map into the recovered file. */
export function recoverSegment(dir: string, seq: number, keepOffset = 0): RecoveredSegment {
  const path = join(dir, segmentName(seq));
  const buf = readFileSync(path);
  const scan = scanSegment(buf);
  const lastRecord = scan.records[scan.records.length - 1];
  let lastPositions: SpoolPayload['pos'];
  if (lastRecord !== undefined) {
    try {
      lastPositions = decodePayload(buf, lastRecord).pos;
    } catch {
      lastPositions = undefined; // intact framing, undecodable JSON: the reader will report it
    }
  }
  const corruptBytes = scan.corruptRanges.reduce((t, [a, b]) => t + b - a, 0);
  const firstAtOrAfter = scan.records.find((r) => r.offset >= keepOffset);
  let mappedOffset = firstAtOrAfter?.offset ?? scan.validEnd;
  let boundaries: Array<[number, number]> = scan.records.map((r) => [r.offset, r.events]);
  let size = scan.validEnd;
  let rewritten = false;

  if (scan.corruptRanges.length > 0) {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    let at = 0;
    boundaries = [];
    try {
      for (const r of scan.records) {
        if (r === firstAtOrAfter) mappedOffset = at;
        writeSync(fd, buf, r.offset, r.next - r.offset, at);
        boundaries.push([at, r.events]);
        at += r.next - r.offset;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (firstAtOrAfter === undefined) mappedOffset = at;
    renameSync(tmp, path);
    fsyncDir(dir);
    size = at;
    rewritten = true;
  } else if (scan.tornBytes > 0) {
    truncateSync(path, scan.validEnd);
    const fd = openSync(path, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return {
    seq,
    size,
    records: scan.records.length,
    events: scan.records.reduce((t, r) => t + r.events, 0),
    boundaries,
    tornBytes: scan.tornBytes,
    corruptRanges: scan.corruptRanges.length,
    corruptBytes,
    rewritten,
    mappedOffset,
    ...(lastPositions ? { lastPositions } : {}),
  };
}

export interface RecoveryReport {
  segments: number;
  records: number;
  events: number;
  tornBytes: number;
  corruptRanges: number;
  corruptBytes: number;
  rewrittenSegments: number;
  removedAckedSegments: number;
}

export interface RecoveredSpool {
  recovery: RecoveryReport;
  /** The ack cursor, moved onto a record boundary of a segment that exists (or the next one to be made). */
  cursor: { segment: number; offset: number };
  /** Events of the cursor's segment before the cursor (already acknowledged). */
  cursorAckedEvents: number;
  found: Array<{ seq: number; size: number; events: number }>;
  /** Positions stored in the newest intact record of the spool (see SpoolPayload.pos). */
  lastPositions?: SpoolPayload['pos'];
}

/** Recovers every segment of the spool; deletes those wholly before the saved cursor (acknowledged). */
export function recoverAll(
  dir: string,
  saved: { segment: number; offset: number } | undefined,
): RecoveredSpool {
  const recovery: RecoveryReport = {
    segments: 0,
    records: 0,
    events: 0,
    tornBytes: 0,
    corruptRanges: 0,
    corruptBytes: 0,
    rewrittenSegments: 0,
    removedAckedSegments: 0,
  };
  const seqs = listSegments(dir);
  let cursor = saved ?? { segment: seqs[0] ?? 1, offset: 0 };
  let cursorAckedEvents = 0;
  const found: RecoveredSpool['found'] = [];
  let lastPositions: SpoolPayload['pos'];
  for (const seq of seqs) {
    if (seq < cursor.segment) {
      unlinkSync(join(dir, segmentName(seq))); // acknowledged; the crash came before its deletion
      recovery.removedAckedSegments++;
      continue;
    }
    const r = recoverSegment(dir, seq, seq === cursor.segment ? cursor.offset : 0);
    if (seq === cursor.segment) {
      cursor = { segment: seq, offset: r.mappedOffset };
      cursorAckedEvents = r.boundaries
        .filter(([off]) => off < r.mappedOffset)
        .reduce((t, [, ev]) => t + ev, 0);
    }
    found.push({ seq, size: r.size, events: r.events });
    if (r.lastPositions !== undefined) lastPositions = r.lastPositions;
    recovery.segments++;
    recovery.records += r.records;
    recovery.events += r.events;
    recovery.tornBytes += r.tornBytes;
    recovery.corruptRanges += r.corruptRanges;
    recovery.corruptBytes += r.corruptBytes;
    if (r.rewritten) recovery.rewrittenSegments++;
  }
  if (!found.some((f) => f.seq === cursor.segment)) {
    // The cursor's segment is gone (dropped by the quota before the state was saved): start at the next one.
    cursor = { segment: found.find((f) => f.seq > cursor.segment)?.seq ?? cursor.segment, offset: 0 };
    cursorAckedEvents = 0;
  }
  return { recovery, cursor, cursorAckedEvents, found, ...(lastPositions ? { lastPositions } : {}) };
}
