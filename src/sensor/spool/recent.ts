/**
 * The last appended batches, kept in memory so the uploader usually gets a fresh batch without reading it back from
 * disk. Their events are kept as JSON bytes only (`eventsJson`, never parsed here), so the cache costs about the
 * bytes of its records. Bounded by the bytes of their records (oldest evicted first); purely a cache: the
 * disk stays the truth, and a miss reads the record from its segment.
 */
import type { SpooledBatch } from './types.js';

/** Bytes of records kept (as bytes: the events are not parsed, see SpooledBatch.eventsJson). */
export const RECENT_MAX_BYTES = 2 << 20;

export class RecentBatches {
  private readonly map = new Map<string, { batch: SpooledBatch; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = RECENT_MAX_BYTES) {}

  add(batch: SpooledBatch, recordBytes: number): void {
    this.map.set(`${batch.ref.segment}:${batch.ref.offset}`, { batch, bytes: recordBytes });
    this.bytes += recordBytes;
    for (const [key, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(key);
      this.bytes -= v.bytes;
    }
  }

  get(segment: number, offset: number): SpooledBatch | undefined {
    return this.map.get(`${segment}:${offset}`)?.batch;
  }

  delete(segment: number, offset: number): void {
    const key = `${segment}:${offset}`;
    const v = this.map.get(key);
    if (v === undefined) return;
    this.map.delete(key);
    this.bytes -= v.bytes;
  }

  deleteSegment(segment: number): void {
    for (const [key, v] of this.map) {
      if (v.batch.ref.segment !== segment) continue;
      this.map.delete(key);
      this.bytes -= v.bytes;
    }
  }
}
