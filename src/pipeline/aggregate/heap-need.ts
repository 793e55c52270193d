/**
 * How much V8 heap the aggregator thread needs for its row caps and one step's batches, so that a configured heap
 * limit can be checked at start (a limit below it would make the thread run out, restart and replay for ever).
 *
 * The per-item sizes are measured on this code (bench/aggregate and bench/ingest, a heap after a full collection)
 * and rounded up: a port row with one source about 2.0 kB (a busy one more, but busy rows are few), a source day
 * about 460 bytes, a decoded event about 300 bytes. The aggregator commits (and evicts) as soon as a cap is
 * reached, checked before each batch, so the rows in memory are at most the caps plus what one batch adds: three
 * port rows and one source day an event, at worst. A step holds at most its event bound plus one batch (the fetch
 * stops after the batch that reaches the bound), and never more than its batch bound. The sum is taken a quarter
 * larger: a heap whose live data nears its limit spends its time collecting.
 */
export const PORT_ROW_BYTES = 2_048;
export const SOURCE_DAY_BYTES = 600;
export const DECODED_EVENT_BYTES = 300;
/** What the thread holds besides rows and batches: code, the geo tables' index, caches. */
export const BASE_HEAP_MB = 64;

export interface HeapNeedInput {
  maxPortRows: number;
  maxSourceDays: number;
  /** Batches and events read per step, and the most events a batch may hold. */
  maxBatches: number;
  maxStepEvents: number;
  maxEventsPerBatch: number;
}

/**
 * @example heapNeedMb({ maxPortRows: 60_000, maxSourceDays: 150_000, maxBatches: 50, maxStepEvents: 50_000,
 *   maxEventsPerBatch: 20_000 })
 */
export function heapNeedMb(x: HeapNeedInput): number {
  const stepEvents = Math.min(x.maxBatches * x.maxEventsPerBatch, x.maxStepEvents + x.maxEventsPerBatch);
  const bytes =
    (x.maxPortRows + 3 * x.maxEventsPerBatch) * PORT_ROW_BYTES +
    (x.maxSourceDays + x.maxEventsPerBatch) * SOURCE_DAY_BYTES +
    stepEvents * DECODED_EVENT_BYTES;
  return Math.ceil(BASE_HEAP_MB + (1.25 * bytes) / 1_048_576);
}
