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

export interface RecordRef {
  segment: number;
  offset: number;
  next: number;
  events: number;
}

export interface SpooledBatch {
  id: string;
  events: AttackEvent[];
  stats?: Record<string, number>;
  ref: RecordRef;
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
