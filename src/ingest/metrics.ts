/**
 * Counters of the submission endpoint, kept in memory for /metrics (Prometheus names with units, `_total`).
 *
 * Invariant: every refused submission is counted exactly once, under its error code as the reason; an
 * accepted or duplicate batch is counted once with its events.
 */
import type { ErrorCode } from '../core/errors.js';
import { isStormwatchError } from '../core/errors.js';

export interface IngestMetricsSnapshot {
  /** `stormwatch_ingest_batches_total{status}`: accepted | duplicate. */
  batches_total: { accepted: number; duplicate: number };
  /** `stormwatch_ingest_events_total`: events in accepted (not duplicate) batches. */
  events_total: number;
  /** `stormwatch_ingest_refused_total{reason}`: refusals by error code. */
  refused_total: Partial<Record<ErrorCode, number>>;
}

export class IngestMetrics {
  private accepted = 0;
  private duplicate = 0;
  private events = 0;
  private readonly refused = new Map<ErrorCode, number>();

  batch(status: 'accepted' | 'duplicate', events: number): void {
    if (status === 'accepted') {
      this.accepted++;
      this.events += events;
    } else {
      this.duplicate++;
    }
  }

  /** Counts a refusal; errors that are not StormwatchErrors are counted as SW_INTERNAL. */
  refusal(err: unknown): void {
    const code: ErrorCode = isStormwatchError(err) ? err.code : 'SW_INTERNAL';
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }

  snapshot(): IngestMetricsSnapshot {
    return {
      batches_total: { accepted: this.accepted, duplicate: this.duplicate },
      events_total: this.events,
      refused_total: Object.fromEntries(this.refused),
    };
  }

  /**
   * Prometheus text exposition (version 0.0.4) of the counters.
   * @example reply.type('text/plain; version=0.0.4').send(metrics.prometheus())
   */
  prometheus(): string {
    const lines = [
      '# HELP stormwatch_ingest_batches_total Submitted batches by outcome.',
      '# TYPE stormwatch_ingest_batches_total counter',
      `stormwatch_ingest_batches_total{status="accepted"} ${this.accepted}`,
      `stormwatch_ingest_batches_total{status="duplicate"} ${this.duplicate}`,
      '# HELP stormwatch_ingest_events_total Events in accepted batches.',
      '# TYPE stormwatch_ingest_events_total counter',
      `stormwatch_ingest_events_total ${this.events}`,
      '# HELP stormwatch_ingest_refused_total Refused submissions by reason (error code).',
      '# TYPE stormwatch_ingest_refused_total counter',
      ...[...this.refused].map(([code, n]) => `stormwatch_ingest_refused_total{reason="${code}"} ${n}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
