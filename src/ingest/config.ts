/**
 * The ingest part of the server configuration: limits and authentication windows of the submission endpoint.
 *
 * Invariants: option names carry their unit; every field has a default, so `{}` is a complete configuration;
 * the server's config (src/api/config.ts) embeds this shape and validates it once at start. String fields of
 * events are bounded by the protocol itself (src/protocol/batch.ts; checked in check-event.ts), not here.
 */
import { z } from 'zod';

const posInt = () => z.number().int().positive();

/** Field schemas with defaults; src/api/config.ts spreads them into the server schema. */
export const ingestConfigShape = {
  /** Raw (possibly gzip) request body limit; larger → 413 SW_BODY_TOO_LARGE. */
  max_body_bytes: posInt().default(1_048_576),
  /** Hard cap on the decompressed body; crossing it aborts decompression → 413 SW_DECOMPRESSED_TOO_LARGE. */
  max_decompressed_bytes: posInt().default(16_777_216),
  /** Events per batch; more → 413 SW_TOO_MANY_EVENTS. */
  max_events_per_batch: posInt().default(20_000),
  /** Allowed |real server time - x-sw-time|; also how long a nonce is remembered. */
  signature_window_ms: posInt().default(300_000),
  /** Events later than the event clock's now plus this are refused (no clock correction is applied). */
  max_future_skew_ms: z.number().int().nonnegative().default(600_000),
  /**
   * Events older than the event clock's now minus this are refused; null: no limit (bulk import of history).
   * Default 400 days, the default life of the hourly rollups: a sensor reading an old log (or year-less syslog
   * stamps, placed in the last year) is not refused, while nothing far older than any kept rollup gets in.
   */
  max_past_age_ms: posInt()
    .nullable()
    .default(400 * 86_400_000),
  /** Counters a batch's `stats` may carry; more → 400 SW_BATCH_INVALID (field `stats`). */
  max_stats_entries: posInt().default(64),
  /** Bound of the replay cache; when full of live nonces, submissions are refused 503 (fail closed). */
  nonce_cache_max_entries: posInt().default(100_000),
  /** Per-sensor token bucket on submission requests: capacity (a backfill burst) ... */
  rate_limit_burst: posInt().default(300),
  /** ... and sustained refill rate in requests per second. */
  rate_limit_refill_per_sec: z.number().positive().default(10),
  /**
   * Per-sensor token bucket on EVENTS (accepted, not duplicate): capacity, e.g. a backlog after an outage (a
   * batch larger than the burst needs a full bucket) ...
   */
  event_rate_limit_burst: posInt().default(1_000_000),
  /** ... and sustained refill rate in events per second; beyond → 429 SW_RATE_LIMITED with Retry-After. */
  event_rate_limit_refill_per_sec: z.number().positive().default(50_000),
  /**
   * After a key rotation, how long (real time) the replaced key stays valid once the new key has signed its
   * first request (requests in flight, other processes still holding the old key).
   */
  key_rotation_grace_ms: posInt().default(3_600_000),
} as const;

export const ingestConfigSchema = z.strictObject(ingestConfigShape);

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** All defaults, e.g. for tests: `{ ...INGEST_DEFAULTS, max_body_bytes: 1024 }`. */
export const INGEST_DEFAULTS: Readonly<IngestConfig> = Object.freeze(ingestConfigSchema.parse({}));
