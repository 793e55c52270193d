/**
 * Buffers the spool reads records back into, lent with each batch and given back when that batch is
 * acknowledged, so a busy sensor does not allocate (and leave to the collector) a megabyte for every batch it
 * uploads. Large short-lived buffers are what made the sensor's resident memory climb: glibc keeps freed large
 * blocks for reuse rather than returning them.
 *
 * Invariants:
 * - A buffer is lent for one record (by key) at a time and reused only after `giveBack(key)`; the batch's
 *   `eventsJson` is valid until then (the uploader gives it back by acknowledging the batch).
 * - A record lent twice (peeked again) gets a fresh buffer; the first one is left to the collector, never reused,
 *   since its batch may still be in use. So are the buffers of segments dropped or finished (`forgetSegment`).
 * - At most `keep` free buffers are kept.
 */

/** Buffers are sized in steps of this, so records of slightly different sizes share them. */
const STEP = 64 << 10;

export class ReadBuffers {
  private readonly free: Buffer[] = [];
  private readonly lent = new Map<string, Buffer>();

  constructor(private readonly keep = 8) {}

  /** A buffer of at least `bytes`, lent for the record at (segment, offset). */
  lend(segment: number, offset: number, bytes: number): Buffer {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i] as Buffer;
      if (b.length >= bytes && (best < 0 || b.length < (this.free[best] as Buffer).length)) best = i;
    }
    const buf =
      best >= 0
        ? (this.free.splice(best, 1)[0] as Buffer)
        : Buffer.allocUnsafeSlow(Math.ceil(bytes / STEP) * STEP);
    this.lent.set(key(segment, offset), buf);
    return buf;
  }

  /** The record's batch is acknowledged: its buffer may be lent again. */
  giveBack(segment: number, offset: number): void {
    const k = key(segment, offset);
    const buf = this.lent.get(k);
    if (buf === undefined) return;
    this.lent.delete(k);
    this.free.push(buf);
    if (this.free.length > this.keep) this.free.sort((a, b) => b.length - a.length).pop();
  }

  /** The segment is gone: its lent buffers are not given back (their batches may still be in use). */
  forgetSegment(segment: number): void {
    const prefix = `${segment}:`;
    for (const k of this.lent.keys()) if (k.startsWith(prefix)) this.lent.delete(k);
  }

  /** Buffers lent and free (for tests). */
  get counts(): { lent: number; free: number } {
    return { lent: this.lent.size, free: this.free.length };
  }
}

function key(segment: number, offset: number): string {
  return `${segment}:${offset}`;
}
