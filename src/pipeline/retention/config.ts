/**
 * The `retention` section of the server configuration (docs/CONFIG.md): how long each kind of data is kept, the
 * database size cap, and how often the retention scheduler runs.
 *
 * Invariants: `{}` is complete (every key has a default); option names carry their unit; applied batch ids are
 * kept at least as long as the bus remembers acked ids (BUS_ACKED_DAYS), otherwise a retry arriving in between
 * would be neither a bus duplicate nor a store duplicate, and would count twice.
 */
import { z } from 'zod';
import type { RetentionPolicy } from '../../store/store.js';

/** How long the embedded bus answers 'duplicate' for an acked batch id (src/bus/sqlite: ackedRetentionMs). */
export const BUS_ACKED_DAYS = 7;
/** Smallest size cap accepted: below it the cap would delete everything forcible at every run. */
export const MIN_DB_BYTES = 16 * 1024 * 1024;

const days = (d: number) => z.number().int().positive().default(d);

export const retentionConfigSchema = z.strictObject({
  /** 5-minute port rows. */
  five_minute_days: days(14),
  /** Hourly port rows. */
  hourly_days: days(400),
  /** Daily port rows; null keeps them forever. */
  daily_days: z.number().int().positive().nullable().default(null),
  /** Per-(day, source) rows. */
  source_days: days(90),
  /** Per-sensor hourly rows. */
  sensor_days: days(400),
  /** Raw batches as received (re-aggregation, export). */
  raw_batch_days: days(7),
  /** Applied batch ids (exactly-once record). */
  applied_batch_days: z
    .number()
    .int()
    .min(
      BUS_ACKED_DAYS,
      `must be at least ${BUS_ACKED_DAYS} (the bus remembers acked batch ids that long; a shorter record could count a late retry twice)`,
    )
    .default(30),
  /** Cap on the used size of the store's database; null: no cap. */
  max_db_bytes: z
    .number()
    .int()
    .min(MIN_DB_BYTES, `must be at least ${MIN_DB_BYTES} (16 MiB)`)
    .nullable()
    .default(null),
  /** How often the scheduler prunes and maintains (real time). */
  interval_ms: z.number().int().positive().default(600_000),
});

export type RetentionConfig = z.infer<typeof retentionConfigSchema>;

/** The defaults, e.g. for tests: `{ ...DEFAULT_RETENTION, five_minute_days: 2 }`. */
export const DEFAULT_RETENTION: Readonly<RetentionConfig> = Object.freeze(retentionConfigSchema.parse({}));

/** The store's view of the section (everything but the scheduler's period). */
export function policyOf(c: RetentionConfig): RetentionPolicy {
  return {
    five_minute_days: c.five_minute_days,
    hourly_days: c.hourly_days,
    daily_days: c.daily_days,
    source_days: c.source_days,
    sensor_days: c.sensor_days,
    raw_batch_days: c.raw_batch_days,
    applied_batch_days: c.applied_batch_days,
    max_db_bytes: c.max_db_bytes,
  };
}
