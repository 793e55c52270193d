/**
 * The sensor's durable spool: an append-only log of batches on disk between the parsers and the uploader.
 *
 * Design constraints (after Vector's disk buffer essay):
 * 1. An event counts as taken only once it is in the spool; the spool deletes nothing the server has not
 *    acknowledged, except when its disk quota is full: then it drops the OLDEST segment and counts the events lost
 *    (`droppedEvents`). A sensor that cannot reach its server keeps the newest data, not the oldest.
 * 2. Crashes and power loss may tear the last write or damage bytes. Every record carries a CRC-32 and a magic;
 *    opening the spool keeps every intact record, cuts a torn tail, rewrites a damaged segment without its bad
 *    ranges, and reports all of it (`recovery`). Nothing in recovery throws on bad data.
 * 3. Durability costs an fsync; it is paid on a timer (`fsyncIntervalMs`, 0 = after every append), not per event.
 *    The uploader sees only records that are durable, so a batch the server acknowledged can never vanish from
 *    the disk and be replaced by a different batch under the same id.
 * 4. Batch ids are made at append time from a random spool id, the segment number and the record offset, and are
 *    stored in the record: they are unique, and stable across retries and restarts, so the server can dedupe.
 * 5. One small state file holds the ack cursor (first unacknowledged record) and the inputs' read positions. A
 *    position is written only after an fsync that covers every record appended before it was set, so a restart
 *    never skips lines whose events were not yet durable (it may re-read a few, never lose them). The state file
 *    is replaced atomically (state-file.ts); a fully acknowledged segment is deleted only after the cursor past it
 *    is durable. The cursor itself is saved with the next sync, not on every ack: after a crash at most one fsync
 *    interval of acknowledged batches is sent again, and the server drops them as duplicates by id.
 * 6. Order: records are sent in append order, several at a time (peekAfter), and acknowledged in that order; an
 *    ack for anything but the record at the cursor is stale (its segment was dropped by the quota) and ignored.
 * Records are written with synchronous positional writes (page cache, microseconds) straight from the batcher's
 * bytes (writev of the record's head, the events' JSON and its tail: no record buffer); fsync runs
 * asynchronously. The uploader's batches are read back from the file (the page cache) into buffers lent per
 * batch and given back when it is acknowledged (read-buffers.ts). Batches carry their events as the JSON bytes
 * stored in the record (`eventsJson`, valid until the batch is acknowledged); they are parsed only if something
 * reads `events`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writevSync } from 'node:fs';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import { CoalescedTask, Notifier } from './coalesce.js';
import { ReadBuffers } from './read-buffers.js';
import { readRecordAt, recordFrame } from './record.js';
import { recoverAll } from './recovery.js';
import { SegmentFiles } from './segments.js';
import type { Segment } from './segments.js';
import type { RecoveryReport } from './recovery.js';
import { makeSpooledBatch } from './types.js';
import type { EventsJson, SpooledBatch, SpoolOptions, SpoolStats, RecordRef } from './types.js';

export type { EventsJson, SpooledBatch, SpoolOptions, SpoolStats, RecordRef } from './types.js';
export type { RecoveryReport } from './recovery.js';
import { readState, StateWriter } from './state-file.js';

/** True when position a lies after b. */
function after(a: { segment: number; offset: number }, b: { segment: number; offset: number }): boolean {
  return a.segment > b.segment || (a.segment === b.segment && a.offset > b.offset);
}

export class Spool {
  readonly recovery: RecoveryReport;
  appendedEvents = 0;
  ackedEvents = 0;
  droppedEvents = 0;
  /** Single batches larger than the whole quota. */
  droppedRecords = 0;
  /** Segments removed by the quota while they still held unacknowledged events. */
  droppedSegments = 0;
  corruptRecords = 0;
  private readonly files: SegmentFiles;
  private readonly segments: Segment[];
  private cursor: { segment: number; offset: number };
  private cursorAckedEvents: number;
  private durable: { segment: number; offset: number };
  private pendingPositions: Record<string, FollowPosition>;
  private durablePositions: Record<string, FollowPosition>;
  /** Number of the latest change of positions (SpoolPayload.pos.seq), of the pending and of the durable ones. */
  private posSeq: number;
  private durablePosSeq: number;
  private readonly writer: StateWriter;
  private readonly spoolId: string;
  private readonly syncTask = new CoalescedTask(() => this.syncOnce());
  /** Counts changes worth a sync (appends, new positions, acks, drops); an idle spool does not fsync. */
  private changes = 0;
  private syncedChanges = 0;
  private readonly news = new Notifier();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly buffers = new ReadBuffers();

  private constructor(
    private readonly opts: SpoolOptions,
    init: {
      spoolId: string;
      cursor: { segment: number; offset: number };
      cursorAckedEvents: number;
      inputs: Record<string, FollowPosition>;
      inputsSeq: number;
      recovery: RecoveryReport;
    },
  ) {
    this.posSeq = init.inputsSeq;
    this.durablePosSeq = init.inputsSeq;
    this.spoolId = init.spoolId;
    this.cursor = init.cursor;
    this.cursorAckedEvents = init.cursorAckedEvents;
    this.durable = { ...init.cursor };
    this.pendingPositions = { ...init.inputs };
    this.durablePositions = { ...init.inputs };
    this.recovery = init.recovery;
    this.writer = new StateWriter(opts.dir);
    this.files = new SegmentFiles(opts.dir);
    this.segments = this.files.list;
  }

  /** Opens (creating, recovering) the spool in `opts.dir`. @example const spool = await Spool.open({ dir, maxSizeBytes: 256 << 20, segmentSizeBytes: 8 << 20, fsyncIntervalMs: 1000 }) */
  static async open(opts: SpoolOptions): Promise<Spool> {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const state = readState(opts.dir);
    const { recovery, cursor, cursorAckedEvents, found, lastPositions } = recoverAll(opts.dir, state?.ack);
    // Records that reached the file after the last saved state (a crash before the next fsync: the page cache
    // kept them) carry newer read positions: resume there, or their lines would be read and sent again.
    let inputs = state?.inputs ?? {};
    let inputsSeq = state?.inputs_seq ?? 0;
    if (lastPositions !== undefined && lastPositions.seq > inputsSeq) {
      inputs = { ...inputs, ...lastPositions.inputs };
      inputsSeq = lastPositions.seq;
    }
    const spool = new Spool(opts, {
      spoolId: state?.spool_id ?? randomBytes(9).toString('base64url').replace(/-/g, '_'),
      cursor,
      cursorAckedEvents,
      inputs,
      inputsSeq,
      recovery,
    });
    spool.adopt(found);
    if (recovery.tornBytes > 0 || recovery.corruptRanges > 0) {
      opts.logger?.warn(
        { recovery },
        'spool recovered from a torn or damaged tail; every intact record was kept',
      );
    }
    await spool.saveState(); // the spool id must be durable before any batch id uses it
    if (opts.fsyncIntervalMs > 0) {
      spool.timer = setInterval(
        () => void spool.sync().catch((err: unknown) => opts.logger?.error({ err }, 'spool fsync failed')),
        opts.fsyncIntervalMs,
      );
      spool.timer.unref();
    }
    return spool;
  }

  /** Read positions saved by the last run (durable ones), by input key. */
  savedPositions(): Record<string, FollowPosition> {
    return { ...this.durablePositions };
  }

  /**
   * Appends a batch (events, or events already written as JSON by EventJsonWriter); returns its id, or null when
   * it alone exceeds the quota (dropped and counted). Not yet durable: it becomes visible to `peek` after the next
   * sync.
   */
  append(
    batch: AttackEvent[] | EventsJson,
    stats?: Record<string, number>,
    positions?: Record<string, FollowPosition>,
  ): string | null {
    if (this.closed) throw new Error('spool is closed');
    const events = Array.isArray(batch)
      ? { json: Buffer.from(JSON.stringify(batch), 'utf8'), count: batch.length }
      : batch;
    const pos = positions === undefined ? undefined : { seq: this.posSeq + 1, inputs: positions };
    const extra = { ...(stats ? { stats } : {}), ...(pos ? { pos } : {}) };
    let active = this.active();
    let id = this.idAt(active.seq, active.size);
    let frame = recordFrame({ id, ...extra }, events.json, events.count);
    if (active.size > 0 && active.size + frame.length > this.opts.segmentSizeBytes) {
      active = this.roll();
      id = this.idAt(active.seq, 0);
      frame = recordFrame({ id, ...extra }, events.json, events.count);
    }
    const length = frame.length;
    while (this.files.bytes() + length > this.opts.maxSizeBytes && this.segments.length > 1)
      this.dropOldest();
    if (this.files.bytes() + length > this.opts.maxSizeBytes) {
      this.droppedEvents += events.count;
      this.droppedRecords++;
      this.opts.logger?.warn(
        { events: events.count, bytes: length },
        'batch larger than the spool quota dropped',
      );
      return null;
    }
    const written = writevSync(active.fd, [frame.head, events.json, frame.tail], active.size);
    // A short write leaves a torn tail that the next append overwrites (the size does not move).
    if (written !== length) throw new Error(`spool: short write (${written} of ${length} bytes)`);
    active.size += length;
    active.events += events.count;
    this.appendedEvents += events.count;
    this.changes++;
    if (pos !== undefined) {
      this.posSeq = pos.seq;
      Object.assign(this.pendingPositions, positions);
    }
    if (this.opts.fsyncIntervalMs === 0)
      void this.sync().catch((err: unknown) => this.opts.logger?.error({ err }, 'spool fsync failed'));
    return id;
  }

  /** Records that an input has read up to `pos`; call it only after appending the events read before `pos`. */
  setPosition(key: string, pos: FollowPosition): void {
    const old = this.pendingPositions[key];
    if (
      old !== undefined &&
      old.path === pos.path &&
      old.inode === pos.inode &&
      old.offset === pos.offset &&
      old.cursor === pos.cursor
    )
      return;
    this.pendingPositions[key] = pos;
    this.posSeq++;
    this.changes++;
  }

  /** Makes everything appended so far durable, then the positions set before this call. */
  async sync(): Promise<void> {
    if (this.closed || (this.changes === this.syncedChanges && !this.syncTask.busy)) return;
    await this.syncTask.request();
  }

  /** The first unacknowledged durable batch, or null when there is none yet. */
  peek(): SpooledBatch | null {
    for (;;) {
      const i = this.segments.findIndex((s) => s.seq === this.cursor.segment);
      const seg = this.segments[i];
      if (seg === undefined) return null;
      if (this.cursor.offset >= seg.size) {
        if (i === this.segments.length - 1) return null; // the active segment: wait for more
        this.finishSegment(seg);
        continue;
      }
      if (!this.isDurable(seg.seq, this.cursor.offset)) return null;
      const batch = this.readAt(seg, this.cursor.offset);
      if (batch !== null) return batch;
      // Damaged after open (the disk changed under us): skip the rest of this segment, counted as dropped.
      this.corruptRecords++;
      this.droppedEvents += seg.events - this.cursorAckedEvents;
      this.opts.logger?.error(
        { segment: seg.seq, offset: this.cursor.offset },
        'spool record damaged on read; rest of segment skipped',
      );
      if (i === this.segments.length - 1) this.roll();
      this.finishSegment(seg);
    }
  }

  /**
   * The durable batch right after `ref` (the uploader sends it while `ref` is still in flight), or null when there
   * is none yet, or when `ref`'s segment is gone (the quota dropped it) or the next record cannot be read (peek
   * deals with damage once the cursor reaches it).
   */
  peekAfter(ref: RecordRef): SpooledBatch | null {
    const i = this.segments.findIndex((s) => s.seq === ref.segment);
    let seg = this.segments[i];
    let offset = ref.next;
    if (seg === undefined) return null;
    if (offset >= seg.size) {
      seg = this.segments[i + 1];
      offset = 0;
      if (seg === undefined || seg.size === 0) return null;
    }
    if (!this.isDurable(seg.seq, offset)) return null;
    return this.readAt(seg, offset);
  }

  /** Whether the record at (segment, offset) is covered by the last fsync. */
  private isDurable(segment: number, offset: number): boolean {
    const d = this.durable;
    return segment < d.segment || (segment === d.segment && offset < d.offset);
  }

  /**
   * Marks the batch acknowledged (or dead-lettered); the cursor is saved with the next sync (a finished segment is
   * deleted once it is). Stale refs are ignored.
   */
  ack(ref: RecordRef): void {
    if (ref.segment !== this.cursor.segment || ref.offset !== this.cursor.offset) return;
    this.buffers.giveBack(ref.segment, ref.offset);
    this.cursor = { segment: ref.segment, offset: ref.next };
    this.cursorAckedEvents += ref.events;
    this.ackedEvents += ref.events;
    this.changes++;
    const i = this.segments.findIndex((s) => s.seq === ref.segment);
    const seg = this.segments[i];
    if (seg !== undefined && i < this.segments.length - 1 && ref.next >= seg.size) this.finishSegment(seg);
  }

  /** Resolves when new durable data may be there (after a sync), or after `timeoutMs`. */
  waitForData(timeoutMs: number): Promise<void> {
    return this.news.wait(timeoutMs);
  }

  stats(): SpoolStats {
    const events = this.files.events();
    return {
      segments: this.segments.length,
      bytes: this.files.bytes(),
      backlogEvents:
        events - (this.segments.some((s) => s.seq === this.cursor.segment) ? this.cursorAckedEvents : 0),
      appendedEvents: this.appendedEvents,
      ackedEvents: this.ackedEvents,
      droppedEvents: this.droppedEvents,
      droppedRecords: this.droppedRecords,
      droppedSegments: this.droppedSegments,
      corruptRecords: this.corruptRecords,
    };
  }

  /** Makes everything durable and releases the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.sync();
    await this.saveState();
    this.closed = true;
    this.files.closeAll();
    this.news.notify();
  }

  private idAt(seq: number, offset: number): string {
    return `${this.spoolId}-${seq.toString(36)}-${offset.toString(36)}`;
  }

  private active(): Segment {
    const last = this.segments[this.segments.length - 1];
    return last ?? this.files.create(this.cursor.segment);
  }

  /** Opens the recovered segments; the last one stays the active one when it has room. */
  private adopt(found: Array<{ seq: number; size: number; events: number }>): void {
    this.files.adopt(found);
    const last = this.files.last();
    if (last === undefined || last.size >= this.opts.segmentSizeBytes)
      this.files.create(Math.max((last?.seq ?? 0) + 1, this.cursor.segment));
    const active = this.active();
    this.files.fsyncNow(active); // what a crashed run left in the page cache is on disk before anyone relies on it
    this.durable = { segment: active.seq, offset: active.size };
  }

  /** Seals the active segment (durable now) and starts the next. */
  private roll(): Segment {
    const old = this.active();
    this.files.fsyncNow(old);
    const end = { segment: old.seq, offset: old.size };
    if (after(end, this.durable)) this.durable = end;
    return this.files.create(old.seq + 1);
  }

  /** Quota: removes the oldest segment, counting its unacknowledged events as dropped. */
  private dropOldest(): void {
    const seg = this.segments[0];
    if (seg === undefined) return;
    const unacked =
      seg.seq === this.cursor.segment
        ? seg.events - this.cursorAckedEvents
        : seg.seq > this.cursor.segment
          ? seg.events
          : 0;
    this.droppedEvents += unacked;
    if (unacked > 0) this.droppedSegments++;
    this.changes++;
    if (this.cursor.segment <= seg.seq) {
      this.cursor = { segment: seg.seq + 1, offset: 0 };
      this.cursorAckedEvents = 0;
    }
    this.buffers.forgetSegment(seg.seq);
    this.files.release(seg);
    this.opts.logger?.warn(
      { segment: seg.seq, droppedEvents: unacked },
      'spool quota full: oldest segment dropped',
    );
    void this.saveState().catch((err: unknown) =>
      this.opts.logger?.error({ err }, 'spool state write failed'),
    );
  }

  /** Every record of `seg` is acknowledged: move the cursor on; delete it once that is durable. */
  private finishSegment(seg: Segment): void {
    const i = this.segments.indexOf(seg);
    if (i < 0) return;
    const next = this.segments[i + 1];
    this.segments.splice(i, 1); // out of the list now; the file goes once the cursor past it is durable
    this.buffers.forgetSegment(seg.seq);
    this.cursor = { segment: next?.seq ?? seg.seq + 1, offset: 0 };
    this.cursorAckedEvents = 0;
    this.changes++;
    void this.saveState()
      .then(() => this.files.release(seg))
      .catch((err: unknown) => this.opts.logger?.error({ err }, 'spool state write failed'));
  }

  private readAt(seg: Segment, offset: number): SpooledBatch | null {
    const r = readRecordAt(seg.fd, offset, seg.size, (n) => this.buffers.lend(seg.seq, offset, n));
    if (r === null) return null;
    const { payload: p, next, events } = r;
    return makeSpooledBatch({
      id: p.id,
      eventsJson: p.eventsJson,
      events: p.events,
      stats: p.stats,
      ref: { segment: seg.seq, offset, next, events },
    });
  }

  /** One fsync round: covers every append and position set before it started. */
  private async syncOnce(): Promise<void> {
    const changes = this.changes;
    const active = this.active();
    const mark = { segment: active.seq, offset: active.size };
    const positions = { ...this.pendingPositions };
    const posSeq = this.posSeq;
    await this.files.fdatasync(active);
    if (after(mark, this.durable)) this.durable = mark;
    this.durablePositions = positions;
    this.durablePosSeq = posSeq;
    await this.saveState();
    this.syncedChanges = Math.max(this.syncedChanges, changes);
    this.news.notify();
  }

  private saveState(): Promise<void> {
    return this.writer.save({
      version: 1,
      spool_id: this.spoolId,
      ack: { ...this.cursor },
      inputs: this.durablePositions,
      inputs_seq: this.durablePosSeq,
    });
  }
}
