/**
 * The bus seam: ingest publishes accepted batches; the aggregator consumes them.
 *
 * Rules every implementation keeps (docs/ARCHITECTURE.md, "Delivery semantics"):
 * - `publish` resolves only once the batch is durable (SQLite commit; JetStream publish ack). Ingest
 *   acknowledges the sensor only after that.
 * - A batch id published twice is stored once: the second publish resolves 'duplicate' (nothing new to count).
 * - `fetch` hands out batches in publish order; a batch stays on the bus until `ack`ed, and is handed out again
 *   after a restart if it was never acked (at-least-once; the store's applied-batch record makes it exactly-once).
 *   With `after`, only batches with a larger seq are handed out, so a consumer can read ahead of its acks.
 *   With `maxEvents`, a fetch stops after the batch that brings its events to `maxEvents` or more (it always
 *   hands out at least one batch when one waits), so what one fetch decodes is bounded by events, not only by
 *   batches.
 * - A batch published with `raw` comes back from fetch with the same `raw` bytes (also after a restart).
 */
import type { AttackEvent } from '../core/event.js';

export interface BusBatch {
  batch_id: string;
  sensor_id: string;
  /** Server time when ingest accepted it (ms). */
  received_at: number;
  /** Sensor clock minus server clock at receipt (ms), as reported with the batch. */
  clock_offset_ms: number;
  events: AttackEvent[];
  stats?: Record<string, number>;
  /** Addresses the sensor declared it listens on (protocol/batch.ts), when the batch said. */
  watched_addresses?: number;
  /**
   * The submission body as the sensor sent it (gzip or plain JSON of {batch_id, sensor_time, events, stats?}),
   * already validated by ingest. When present the bus stores these bytes instead of re-encoding the events, and
   * the store archives them as the raw batch.
   */
  raw?: Buffer;
}

export interface Bus {
  publish(batch: BusBatch): Promise<'accepted' | 'duplicate'>;
  /**
   * Up to `max` unacked batches in publish order with seq > `after` (default: all), and no more once they hold
   * `maxEvents` events (default: no bound); may return fewer, or none.
   */
  fetch(max: number, after?: number, maxEvents?: number): Promise<Array<BusBatch & { seq: number }>>;
  /** Marks batches consumed; they are not handed out again. */
  ack(seqs: number[]): Promise<void>;
  /** Unacked batches waiting. */
  backlog(): Promise<number>;
  close(): Promise<void>;
}
