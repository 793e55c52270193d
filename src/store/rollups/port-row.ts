/**
 * One per-(protocol, port, granularity, bucket) rollup row held in memory: events, capped events, six distinct
 * counters, the per-operator breakdown (operator-shares.ts) and a sample of the sources (source-sample.ts).
 *
 * Invariants:
 * - A row is made from the stored row the first time the engine touches it (or empty), so its state is the
 *   whole row, never a delta; toRow() is what the store writes back.
 * - sources_handshake / sources_no_handshake count the sources of events whose input told (handshake true or
 *   false); sources whose events said nothing are in neither, so the two need not add up to `sources`.
 * - Capped events: each (source, batch) pair counts at most EVENTS_CAP_PER_PAIR events in the row. A batch comes
 *   from one sensor, so this is an UPPER BOUND of the detector's exact rule (per (source, sensor) pair): a pair
 *   whose events arrive in several batches may count up to the cap per batch. Exact capping would need a count
 *   per pair and row (a million pairs in a busy day row); per batch needs only a map of the sources of the
 *   batch's current rows. A row loaded from before migration 5 starts from its uncapped `events`.
 */
import type { Granularity } from '../../core/buckets.js';
import { DistinctCounter } from '../../core/distinct/index.js';
import type { Protocol } from '../../core/event.js';
import { OperatorShares } from './operator-shares.js';
import { SourceSample } from './source-sample.js';
import type { PortRowOut, PortRowSketches } from './types.js';

const EMPTY = DistinctCounter.create();
/** Events one (source, sensor) pair may contribute to a row's capped count (docs DETECTION.md). */
export const EVENTS_CAP_PER_PAIR = 20;

export class PortRow {
  events = 0;
  src = DistinctCounter.create();
  sensors = DistinctCounter.create();
  operators = DistinctCounter.create();
  /** Made on first use: many rows never see a target or a handshake verdict (memory: a million rows). */
  targets: DistinctCounter | null = null;
  hs: DistinctCounter | null = null;
  nohs: DistinctCounter | null = null;
  eventsCapped = 0;
  shares = new OperatorShares();
  /** The sources with the smallest keyed hashes (source-sample.ts). */
  sample = new SourceSample();
  dirty = false;
  tick = 0;
  /**
   * The batch the per-source counts below belong to; the first CAP sources are a list, then a map. Both null
   * between commits (a clean row holds no per-batch state).
   */
  private capBatch = 0;
  private capFirst: number[] | null = null;
  private capMap: Map<number, number> | null = null;

  constructor(
    readonly proto: Protocol,
    readonly port: number,
    readonly g: Granularity,
    readonly bucket: number,
  ) {}

  static fromStored(
    proto: Protocol,
    port: number,
    g: Granularity,
    bucket: number,
    s: PortRowSketches,
  ): PortRow {
    const r = new PortRow(proto, port, g, bucket);
    r.events = s.events;
    r.eventsCapped = s.events_capped ?? s.events;
    r.shares = OperatorShares.decode(s.by_operator ?? null);
    r.sample = SourceSample.decode(s.src_sample);
    r.src = DistinctCounter.deserialize(s.src_sketch);
    r.sensors = DistinctCounter.deserialize(s.sensor_sketch);
    r.targets = DistinctCounter.deserialize(s.target_sketch);
    if (s.operator_sketch) r.operators = DistinctCounter.deserialize(s.operator_sketch);
    if (s.hs_sketch) r.hs = DistinctCounter.deserialize(s.hs_sketch);
    if (s.nohs_sketch) r.nohs = DistinctCounter.deserialize(s.nohs_sketch);
    return r;
  }

  addTarget(h: number): void {
    (this.targets ??= DistinctCounter.create()).addHash(h);
  }

  addHandshake(srcHash: number, completed: boolean): void {
    if (completed) (this.hs ??= DistinctCounter.create()).addHash(srcHash);
    else (this.nohs ??= DistinctCounter.create()).addHash(srcHash);
  }

  /**
   * After a commit: drops the per-batch source counts (the batches are done) and trims the arrays that grew by
   * push() to their length (V8 leaves room for 16 more: about 130 bytes an array, on a quarter of a million
   * rows).
   */
  clearCap(): void {
    this.capBatch = 0;
    this.capFirst = null;
    this.capMap = null;
    this.shares.compact();
    this.sample.compact();
  }

  /** Counts one event of `srcHash` from batch number `batch` into the capped events. */
  countCapped(srcHash: number, batch: number): void {
    if (batch !== this.capBatch || this.capFirst === null) {
      this.capBatch = batch;
      this.capFirst = [];
      this.capMap = null;
    }
    // While the batch has put at most CAP events in the row, no source can be over the cap: no map needed.
    if (this.capMap === null) {
      if (this.capFirst.length < EVENTS_CAP_PER_PAIR) {
        this.capFirst.push(srcHash);
        this.eventsCapped++;
        return;
      }
      this.capMap = new Map();
      for (const h of this.capFirst) this.capMap.set(h, (this.capMap.get(h) ?? 0) + 1);
    }
    const n = this.capMap.get(srcHash) ?? 0;
    if (n >= EVENTS_CAP_PER_PAIR) return;
    this.capMap.set(srcHash, n + 1);
    this.eventsCapped++;
  }

  toRow(): PortRowOut {
    const hs = this.hs?.estimate() ?? 0;
    const nohs = this.nohs?.estimate() ?? 0;
    return {
      proto: this.proto,
      port: this.port,
      granularity: this.g,
      bucket: this.bucket,
      events: this.events,
      events_capped: this.eventsCapped,
      by_operator: this.shares.encode(),
      src_sample: this.sample.encode(),
      sources: this.src.estimate(),
      sensors: this.sensors.estimate(),
      operators: this.operators.estimate(),
      targets: this.targets?.estimate() ?? 0,
      sources_handshake: hs,
      sources_no_handshake: nohs,
      src_sketch: this.src.serialize(),
      sensor_sketch: this.sensors.serialize(),
      operator_sketch: this.operators.serialize(),
      target_sketch: (this.targets ?? EMPTY).serialize(),
      hs_sketch: this.hs === null || hs === 0 ? null : this.hs.serialize(),
      nohs_sketch: this.nohs === null || nohs === 0 ? null : this.nohs.serialize(),
    };
  }
}
