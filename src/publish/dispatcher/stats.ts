/**
 * The dispatcher's numbers for /metrics, as a plain object. Suggested Prometheus names (the API's metrics
 * module renders them): stormwatch_publish_delivered_total{channel}, stormwatch_publish_failed_attempts_total
 * {channel}, stormwatch_publish_dead_letters_total{channel} (counters since the process started), and the
 * gauges stormwatch_publish_pending{channel}, stormwatch_publish_dead_letters{channel} (rows in the outbox now).
 */
export interface ChannelStats {
  delivered_total: number;
  failed_attempts_total: number;
  dead_letters_total: number;
  /** Rows waiting (due now or later) in the outbox. */
  pending: number;
  /** Dead letters in the outbox now (requeue takes them out). */
  dead: number;
}

export interface DispatcherStats {
  channels: Record<string, ChannelStats>;
}

export function emptyChannelStats(): ChannelStats {
  return { delivered_total: 0, failed_attempts_total: 0, dead_letters_total: 0, pending: 0, dead: 0 };
}
