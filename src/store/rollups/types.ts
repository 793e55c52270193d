/**
 * What the rollup engine (engine.ts) reads from a store and hands back to it: whole rows, never deltas.
 *
 * Rules:
 * - The engine loads a row the first time it touches it (RollupLoader) and from then on holds the row's whole
 *   state in memory; a commit carries the whole new state of every row touched since the last commit, and the
 *   store writes it as is (upsert), together with the applied batch ids, in ONE transaction.
 * - Sketch columns hold DistinctCounter.serialize() bytes; a null sketch is an empty counter.
 * - `by_operator` holds OperatorShares.encode() bytes (operator-shares.ts): internal operator ids, not public ones.
 * - `state` of a source day is the engine's own merge blob (source-day.ts); stores keep it opaque.
 */
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';

export interface PortRowSketches {
  events: number;
  src_sketch: Buffer;
  sensor_sketch: Buffer;
  operator_sketch: Buffer | null;
  target_sketch: Buffer;
  hs_sketch: Buffer | null;
  nohs_sketch: Buffer | null;
  /** Events with each (source, batch) pair's contribution capped (port-row.ts); null or absent in rows from
   * before migration 5 (and from writers that do not know it), read as `events`. The engine always sets it. */
  events_capped?: number | null;
  /** The per-operator breakdown (operator-shares.ts encoding); null or absent when empty or written before
   * migration 5. The engine always sets it. */
  by_operator?: Buffer | null;
  /** A sample of the row's sources (source-sample.ts encoding); null or absent when empty or written before
   * migration 10. The engine always sets it. */
  src_sample?: string | null;
}

export interface PortRowOut extends PortRowSketches {
  proto: Protocol;
  port: number;
  granularity: Granularity;
  bucket: number;
  sources: number;
  sensors: number;
  operators: number;
  targets: number;
  sources_handshake: number;
  sources_no_handshake: number;
}

export interface SourceDayOut {
  /** Start of the UTC day (ms). */
  day: number;
  src: string;
  events: number;
  first_seen: number;
  last_seen: number;
  /** Distinct (proto, port) keys the source hit that day (exact to 32, then estimated). */
  ports: number;
  sensors: number;
  operators: number;
  country: string | null;
  asn: number | null;
  as_name: string | null;
  /** JSON `[["tcp/1025", 812], ...]`, most hit first. */
  top_ports: string;
  state: Buffer;
}

export type StoredSourceDay = SourceDayOut;

export interface SensorBucketOut {
  sensor_id: string;
  /** Start of the hour (event time, ms). */
  bucket: number;
  events: number;
  batches: number;
  lag_ms_sum: number;
  lag_ms_max: number;
  /** JSON object: the sensor's reported counters (batch `stats`), summed. */
  stats: string;
}

export type StoredSensorBucket = SensorBucketOut;

/** One batch taken into this commit. */
export interface AppliedBatch {
  batch_id: string;
  sensor_id: string;
  received_at: number;
  events: number;
  min_ts: number;
  max_ts: number;
  /** Bytes to archive as the raw batch (gzip of the submission body), or null to archive nothing. */
  raw: Buffer | null;
}

export interface SensorTouch {
  id: string;
  last_seen: number;
  events: number;
  /** Addresses the sensor declared in its latest batch that said (undefined: unchanged). */
  watched_addresses?: number;
}

export interface RollupCommit {
  batches: AppliedBatch[];
  ports: PortRowOut[];
  sources: SourceDayOut[];
  sensorBuckets: SensorBucketOut[];
  sensors: SensorTouch[];
}

export interface RollupLoader {
  /** Whether the store has any port row of this granularity and bucket (lets the engine skip point reads). */
  hasPortRows(g: Granularity, bucket: number): boolean;
  /** Whether the store has any source row of this day. */
  hasSourceDays(day: number): boolean;
  loadPortRow(proto: Protocol, port: number, g: Granularity, bucket: number): PortRowSketches | undefined;
  loadSourceDay(day: number, src: string): StoredSourceDay | undefined;
  loadSensorBucket(sensorId: string, bucket: number): StoredSensorBucket | undefined;
  /** When the sensor enrolled (ms, event time), or undefined for a sensor without a record (probation). */
  sensorCreatedAt(sensorId: string): number | undefined;
}

/** Country and AS of a source address; nulls when unknown. */
export interface GeoInfo {
  country: string | null;
  asn: number | null;
  as_name: string | null;
}
