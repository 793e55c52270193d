/** The messages between aggregator-thread.ts (main thread) and aggregator-worker.ts, and the worker's start data. */
import type { GeoOptions } from '../enrich/index.js';
import type { AggregatorOptions, AggregatorStats } from './aggregator.js';

export interface AggregatorThreadData {
  storePath: string;
  busPath: string;
  seed: Uint8Array;
  /** Geo files (null: no country and AS lookups). */
  geo: GeoOptions | null;
  logLevel: string;
  options: Pick<
    AggregatorOptions,
    | 'intervalMs'
    | 'maxBatches'
    | 'maxStepEvents'
    | 'flushIntervalMs'
    | 'flushMaxEvents'
    | 'archiveRaw'
    | 'probationMs'
    | 'maxPortRows'
    | 'maxSourceDays'
  >;
  /** SQLite page cache of the worker's store connection, MiB (undefined: the store's default). */
  storeCacheMb?: number;
  /** The worker's V8 old-generation limit, MiB (undefined: Node's default). */
  heapMb?: number;
}

export type ToWorker = { type: 'drain'; id: number } | { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'stats'; stats: AggregatorStats }
  | { type: 'drained'; id: number; error?: string }
  | { type: 'log'; level: number; obj: Record<string, unknown>; msg: string }
  | { type: 'stopped' }
  | { type: 'fatal'; error: string };
