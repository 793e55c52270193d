/** Shapes of the spool's API (spool.ts). */
import type { Logger } from 'pino';
import type { AttackEvent } from '../../core/event.js';

export interface SpoolOptions {
  dir: string;
  maxSizeBytes: number;
  segmentSizeBytes: number;
  fsyncIntervalMs: number;
  logger?: Logger;
}

/** Events already written as a JSON array (EventJsonWriter.take()), `count` of them. */
export interface EventsJson {
  json: Buffer;
  count: number;
}

export interface RecordRef {
  segment: number;
  offset: number;
  next: number;
  events: number;
}

export interface SpooledBatch {
  id: string;
  /**
   * The events, parsed from `eventsJson` on first access (then kept). The upload path sends `eventsJson` as it is
   * and must not touch this; `ref.events` is their count.
   */
  readonly events: AttackEvent[];
  /** The events array's JSON, exactly the bytes stored in the spool record. */
  eventsJson: Buffer;
  stats?: Record<string, number>;
  ref: RecordRef;
}

/** A SpooledBatch whose `events` is parsed from `eventsJson` only when first read (or given, when already parsed). */
export function makeSpooledBatch(init: {
  id: string;
  eventsJson: Buffer;
  stats?: Record<string, number> | undefined;
  ref: RecordRef;
  events?: AttackEvent[] | undefined;
}): SpooledBatch {
  const batch = { id: init.id } as { -readonly [K in keyof SpooledBatch]: SpooledBatch[K] };
  if (init.events !== undefined) batch.events = init.events;
  else
    Object.defineProperty(batch, 'events', {
      enumerable: true,
      configurable: true,
      get(this: SpooledBatch): AttackEvent[] {
        const events = JSON.parse(this.eventsJson.toString('utf8')) as AttackEvent[];
        Object.defineProperty(this, 'events', {
          value: events,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return events;
      },
    });
  batch.eventsJson = init.eventsJson;
  if (init.stats !== undefined) batch.stats = init.stats;
  batch.ref = init.ref;
  return batch;
}

export interface SpoolStats {
  segments: number;
  bytes: number;
  backlogEvents: number;
  appendedEvents: number;
  ackedEvents: number;
  droppedEvents: number;
  droppedRecords: number;
  droppedSegments: number;
  corruptRecords: number;
}
