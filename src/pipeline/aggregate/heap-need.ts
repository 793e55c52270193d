/**
 * How much V8 heap the aggregator thread needs for its row caps and one step's batches, so that a configured heap
 * limit can be checked at start (a limit below it would make the thread run out, restart and replay for ever).
 *
 * The per-item sizes are measured on this code (bench/aggregate and bench/ingest, a heap after a full collection)
 * and rounded up: a port row with one source about 2.1 kB (a busy one more, but busy rows are few), a source day
 * about 460 bytes, a decoded event about 300 bytes. The sum is taken a quarter larger: a heap whose live data
 * nears its limit spends its time collecting.
 */
export const PORT_ROW_BYTES = 2_560;
export const SOURCE_DAY_BYTES = 600;
export const DECODED_EVENT_BYTES = 300;
/** What the thread holds besides rows and batches: code, the geo tables' index, caches. */
export const BASE_HEAP_MB = 64;

export interface HeapNeedInput {
  maxPortRows: number;
  maxSourceDays: number;
  /** Batches read per step, and the most events a batch may hold. */
  maxBatches: number;
  maxEventsPerBatch: number;
}

/** @example heapNeedMb({ maxPortRows: 100_000, maxSourceDays: 300_000, maxBatches: 50, maxEventsPerBatch: 20_000 }) */
export function heapNeedMb(x: HeapNeedInput): number {
  const bytes =
    x.maxPortRows * PORT_ROW_BYTES +
    x.maxSourceDays * SOURCE_DAY_BYTES +
    x.maxBatches * x.maxEventsPerBatch * DECODED_EVENT_BYTES;
  return Math.ceil(BASE_HEAP_MB + (1.25 * bytes) / 1_048_576);
}
