/** The dispatcher's settings (config: `dispatch`, src/publish/config.ts) and their defaults. */
export interface DispatchSettings {
  max_attempts: number;
  backoff_base_ms: number;
  backoff_max_ms: number;
  /** How often the background worker looks for due deliveries (enqueue and requeue also wake it). */
  poll_interval_ms: number;
  /** Rows read per lane step. */
  batch_size: number;
  /** Upper bound of one attempt, on top of each channel's own timeout. */
  delivery_timeout_ms: number;
  /** Largest message (as stored JSON) enqueue accepts. */
  max_message_bytes: number;
}

export const DEFAULT_DISPATCH: DispatchSettings = {
  max_attempts: 10,
  backoff_base_ms: 30_000,
  backoff_max_ms: 3_600_000,
  poll_interval_ms: 5_000,
  batch_size: 20,
  delivery_timeout_ms: 60_000,
  max_message_bytes: 1_048_576,
};
