/**
 * One per-(protocol, port, granularity, bucket) rollup row held in memory: events and six distinct counters.
 *
 * Invariants:
 * - A row is made from the stored row the first time the engine touches it (or empty), so its state is the
 *   whole row, never a delta; toRow() is what the store writes back.
 * - sources_handshake / sources_no_handshake count the sources of events whose input told (handshake true or
 *   false); sources whose events said nothing are in neither, so the two need not add up to `sources`.
 */
import type { Granularity } from '../../core/buckets.js';
import { DistinctCounter } from '../../core/distinct/index.js';
import type { Protocol } from '../../core/event.js';
import type { PortRowOut, PortRowSketches } from './types.js';

const EMPTY = DistinctCounter.create();

export class PortRow {
  events = 0;
  src = DistinctCounter.create();
  sensors = DistinctCounter.create();
  operators = DistinctCounter.create();
  /** Made on first use: many rows never see a target or a handshake verdict (memory: a million rows). */
  targets: DistinctCounter | null = null;
  hs: DistinctCounter | null = null;
  nohs: DistinctCounter | null = null;
  dirty = false;
  tick = 0;

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

  toRow(): PortRowOut {
    const hs = this.hs?.estimate() ?? 0;
    const nohs = this.nohs?.estimate() ?? 0;
    return {
      proto: this.proto,
      port: this.port,
      granularity: this.g,
      bucket: this.bucket,
      events: this.events,
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
