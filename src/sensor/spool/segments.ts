/**
 * The spool's open segment files, oldest first; the last one is the active one (appended to).
 * Invariants: a new segment's directory entry is fsynced before it is used; an fd is never closed while an
 * asynchronous fdatasync on any segment is in flight (it is closed when the last one finishes), so an fd number is
 * never reused under a running fsync.
 */
import { closeSync, fdatasync, fsyncSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { segmentName } from './recovery.js';
import { fsyncDir } from './state-file.js';

const fdatasyncAsync = promisify(fdatasync);

export interface Segment {
  seq: number;
  size: number;
  events: number;
  fd: number;
}

export class SegmentFiles {
  readonly list: Segment[] = [];
  private fsyncsInFlight = 0;
  private readonly toClose: number[] = [];

  constructor(private readonly dir: string) {}

  /** Opens segments found by recovery. */
  adopt(found: ReadonlyArray<{ seq: number; size: number; events: number }>): void {
    for (const f of found) this.list.push({ ...f, fd: openSync(join(this.dir, segmentName(f.seq)), 'r+') });
  }

  create(seq: number): Segment {
    const fd = openSync(join(this.dir, segmentName(seq)), 'w+', 0o600);
    fsyncDir(this.dir);
    const seg: Segment = { seq, size: 0, events: 0, fd };
    this.list.push(seg);
    return seg;
  }

  last(): Segment | undefined {
    return this.list[this.list.length - 1];
  }

  indexOf(seq: number): number {
    return this.list.findIndex((s) => s.seq === seq);
  }

  bytes(): number {
    return this.list.reduce((t, s) => t + s.size, 0);
  }

  events(): number {
    return this.list.reduce((t, s) => t + s.events, 0);
  }

  fsyncNow(seg: Segment): void {
    fsyncSync(seg.fd);
  }

  async fdatasync(seg: Segment): Promise<void> {
    this.fsyncsInFlight++;
    try {
      await fdatasyncAsync(seg.fd);
    } finally {
      this.fsyncsInFlight--;
      if (this.fsyncsInFlight === 0) for (const fd of this.toClose.splice(0)) closeSync(fd);
    }
  }

  /** Takes `seg` out of the list (if still there), closes it and deletes its file. */
  release(seg: Segment): void {
    const i = this.list.indexOf(seg);
    if (i >= 0) this.list.splice(i, 1);
    if (this.fsyncsInFlight > 0) this.toClose.push(seg.fd);
    else closeSync(seg.fd);
    try {
      unlinkSync(join(this.dir, segmentName(seg.seq)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  closeAll(): void {
    for (const s of this.list) closeSync(s.fd);
  }
}
