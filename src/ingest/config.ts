/**
 * The ingest part of the server configuration: limits and authentication windows of the submission endpoint.
 *
 * Invariants: option names carry their unit; every field has a default, so `{}` is a complete configuration;
 * the server's config (src/api/config.ts) embeds this shape and validates it once at start.
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
  /** Bound of the replay cache; when full of live nonces, submissions are refused 503 (fail closed). */
  nonce_cache_max_entries: posInt().default(100_000),
  /** Per-sensor token bucket on submission requests: capacity (a backfill burst) ... */
  rate_limit_burst: posInt().default(300),
  /** ... and sustained refill rate in requests per second. */
  rate_limit_refill_per_sec: z.number().positive().default(10),
} as const;

export const ingestConfigSchema = z.strictObject(ingestConfigShape);

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** All defaults, e.g. for tests: `{ ...INGEST_DEFAULTS, max_body_bytes: 1024 }`. */
export const INGEST_DEFAULTS: Readonly<IngestConfig> = Object.freeze(ingestConfigSchema.parse({}));
