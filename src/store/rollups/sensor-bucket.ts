/**
 * Per (sensor, hour of event time): events, batches, arrival lag (received_at minus event time; sum and max, so
 * that the mean and the worst are both known) and the counters the sensor reported with its batches, summed.
 *
 * Invariants: a batch counts once in `batches` and its `stats` once, in the hour of its first event; lag is never
 * negative (an event stamped after its arrival counts as lag 0).
 */
import type { SensorBucketOut } from './types.js';

export class SensorBucketState {
  events = 0;
  batches = 0;
  lagSum = 0;
  lagMax = 0;
  stats: Record<string, number> = {};
  dirty = false;
  tick = 0;

  constructor(
    readonly sensorId: string,
    readonly bucket: number,
  ) {}

  addStats(stats: Record<string, number> | undefined): void {
    this.batches++;
    if (!stats) return;
    for (const [k, v] of Object.entries(stats)) this.stats[k] = (this.stats[k] ?? 0) + v;
  }

  toRow(): SensorBucketOut {
    return {
      sensor_id: this.sensorId,
      bucket: this.bucket,
      events: this.events,
      batches: this.batches,
      lag_ms_sum: this.lagSum,
      lag_ms_max: this.lagMax,
      stats: JSON.stringify(this.stats),
    };
  }

  static fromRow(row: SensorBucketOut): SensorBucketState {
    const s = new SensorBucketState(row.sensor_id, row.bucket);
    s.events = row.events;
    s.batches = row.batches;
    s.lagSum = row.lag_ms_sum;
    s.lagMax = row.lag_ms_max;
    const parsed = JSON.parse(row.stats) as unknown;
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'number') s.stats[k] = v;
    }
    return s;
  }
}
