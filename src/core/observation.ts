/**
 * What one closed bucket looks like to the detector: the observations the store builds from its rollups (and
 * `stormwatch eval` builds exactly from an events file). Shared by the store (producer) and the detection engine
 * (consumer) through src/core, so that neither layer imports the other.
 *
 * Rules:
 * - A bucket lists only keys with at least one source; a key absent from a bucket had a zero count in it.
 * - `exposure` is the fleet's weight in the bucket (active, non-probation sensors, each weighted by the addresses
 *   it watches: exposure.ts; 1 for one address). It scales every
 *   expectation, so a fleet that doubles does not look like a spike and an outage does not teach the
 *   baseline that ports went quiet.
 * - Operators are opaque ids; sensors on probation (their first 14 days) are reported under their operator
 *   with `probation: true` and carry no weight.
 * - `backfill` marks a bucket evaluated long after it closed (late data, a catch-up after downtime, an
 *   import): it updates baselines and may record incidents, marked as backfilled, but never notifies.
 */
import type { Protocol } from './event.js';

export type DetectGranularity = '5m' | '1h' | '1d';

/** One operator's part of a key in one bucket. */
export interface OperatorShare {
  operator: string;
  /** Distinct sources this operator's sensors saw on the key in the bucket. */
  sources: number;
  /** Distinct sensors of this operator that saw the key. */
  sensors: number;
  /** True when every sensor behind this share is on probation (no weight). */
  probation?: boolean;
  /**
   * The sensors behind this share (opaque ids), when they are few (at most SENSOR_IDS_MAX) and known exactly:
   * what lets a local anomaly name sensors, not only operators. Absent otherwise.
   */
  sensor_ids?: string[];
}

/** A share names its sensors only up to this many: past it, no single sensor is to blame. */
export const SENSOR_IDS_MAX = 4;

export interface KeyObservation {
  proto: Protocol;
  port: number;
  /** Distinct sources (all operators, probation included). */
  sources: number;
  /** Distinct sensors and operators reporting the key. */
  sensors: number;
  operators: number;
  /** Distinct targets (masked destinations), when known. */
  targets?: number;
  /** Events, each (source, sensor) pair's contribution capped (20 by default). */
  events_capped: number;
  /** Events uncapped (evidence only). */
  events: number;
  /** Sources that completed a TCP handshake, where inputs tell; undefined when unknown. */
  handshake_sources?: number;
  /** Per operator: sorted by sources, descending. May be truncated to the largest shares (then `operators`
   * is still the full count). */
  by_operator: OperatorShare[];
  /** A sample of source addresses (at most 64), for campaigns and the evidence's top networks. */
  sample_sources?: string[];
  /** Top source countries and networks (/24 or /48) with their source counts, when known (evidence). */
  top_countries?: Array<{ country: string; sources: number }>;
  top_networks?: Array<{ network: string; sources: number }>;
}

export interface BucketInput {
  granularity: DetectGranularity;
  /** Bucket start, ms since epoch (UTC). */
  bucket: number;
  /** Fleet weight in this bucket (> 0 when any sensor was active). */
  exposure: number;
  /** Active sensors and operators in the fleet in this bucket (for breadth relative to the fleet). */
  fleet_sensors: number;
  fleet_operators: number;
  keys: KeyObservation[];
  backfill?: boolean;
}
