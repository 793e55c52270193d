/**
 * Prometheus families of the publishing side: the dispatcher's per-channel counts (DispatcherStats) and the
 * Publisher's drafts and messages. Names carry their unit; counters end in `_total` and count since start; the
 * pending and dead gauges are rows in the outbox now.
 */
import type { MetricFamily } from '../core/prometheus.js';
import type { DispatcherStats } from './dispatcher/stats.js';
import type { PublisherStats } from './publisher.js';

export function publishFamilies(d: DispatcherStats, p: PublisherStats): MetricFamily[] {
  const per = (pick: (c: DispatcherStats['channels'][string]) => number) =>
    Object.entries(d.channels).map(([channel, c]) => ({ labels: { channel }, value: pick(c) }));
  return [
    {
      name: 'stormwatch_publish_delivered_total',
      help: 'Messages delivered, by channel.',
      type: 'counter',
      samples: per((c) => c.delivered_total),
    },
    {
      name: 'stormwatch_publish_failed_attempts_total',
      help: 'Delivery attempts that failed (retried with backoff until max_attempts), by channel.',
      type: 'counter',
      samples: per((c) => c.failed_attempts_total),
    },
    {
      name: 'stormwatch_publish_dead_letters_total',
      help: 'Deliveries that became dead letters (after their last attempt or a permanent refusal), by channel.',
      type: 'counter',
      samples: per((c) => c.dead_letters_total),
    },
    {
      name: 'stormwatch_publish_pending',
      help: 'Deliveries waiting in the outbox, by channel.',
      type: 'gauge',
      samples: per((c) => c.pending),
    },
    {
      name: 'stormwatch_publish_dead_letters',
      help: 'Dead letters kept in the outbox now, by channel.',
      type: 'gauge',
      samples: per((c) => c.dead),
    },
    {
      name: 'stormwatch_advise_drafts_created_total',
      help: 'Advisory drafts made automatically from incidents.',
      type: 'counter',
      samples: [{ value: p.drafts_created }],
    },
    {
      name: 'stormwatch_publish_messages_enqueued_total',
      help: 'Messages handed to the dispatcher (incidents and advisories).',
      type: 'counter',
      samples: [{ value: p.messages_enqueued }],
    },
    {
      name: 'stormwatch_publish_failures_total',
      help: 'Drafts or messages that could not be made (logged; the detector and the workflow went on).',
      type: 'counter',
      samples: [{ value: p.failures }],
    },
  ];
}
