/**
 * The sensor's optional Prometheus endpoint (config `metrics.listen`, e.g. 127.0.0.1:9465): GET /metrics answers
 * the text exposition of the sensor's counters; anything else is 404. Off unless configured; meant for a local
 * or private address.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { makeError } from '../core/errors.js';
import { exposition, PROMETHEUS_CONTENT_TYPE } from '../core/prometheus.js';
import type { MetricFamily } from '../core/prometheus.js';
import type { SensorStats } from './agent.js';

function byReason(
  input: string,
  m: Record<string, number>,
): Array<{ labels: Record<string, string>; value: number }> {
  return Object.entries(m).map(([reason, value]) => ({ labels: { input, reason }, value }));
}

/** The sensor's metric families from one stats snapshot. */
export function sensorFamilies(s: SensorStats): MetricFamily[] {
  const c = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: 'counter',
    samples: [{ value }],
  });
  return [
    {
      name: 'stormwatch_sensor_lines_total',
      help: 'Lines (or packets, or listener attempts) read, per input.',
      type: 'counter',
      samples: s.inputs.map((i) => ({ labels: { input: i.key }, value: i.lines })),
    },
    {
      name: 'stormwatch_sensor_events_total',
      help: 'Connection attempts parsed, per input (before the privacy policy).',
      type: 'counter',
      samples: s.inputs.map((i) => ({ labels: { input: i.key }, value: i.events })),
    },
    {
      name: 'stormwatch_sensor_skipped_total',
      help: 'Lines that hold no attempt, per input and reason.',
      type: 'counter',
      samples: s.inputs.flatMap((i) => byReason(i.key, i.skipped)),
    },
    {
      name: 'stormwatch_sensor_malformed_total',
      help: 'Lines refused as malformed, per input and reason.',
      type: 'counter',
      samples: s.inputs.flatMap((i) => byReason(i.key, i.malformed)),
    },
    {
      name: 'stormwatch_sensor_excluded_total',
      help: 'Events the privacy policy kept back, per reason.',
      type: 'counter',
      samples: Object.entries(s.excluded).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    c('stormwatch_sensor_spooled_events_total', 'Events written to the spool.', s.spooled_events),
    c(
      'stormwatch_sensor_acked_events_total',
      'Events the server acknowledged (or dead-lettered).',
      s.acked_events,
    ),
    c(
      'stormwatch_sensor_uploaded_events_total',
      'Events the server accepted the first time.',
      s.uploaded_events,
    ),
    c('stormwatch_sensor_duplicate_events_total', 'Events the server had already.', s.duplicate_events),
    c(
      'stormwatch_sensor_dead_lettered_events_total',
      'Events of batches the server refused.',
      s.dead_lettered_events,
    ),
    c('stormwatch_sensor_dropped_events_total', 'Events lost to the spool quota.', s.dropped_events),
    {
      name: 'stormwatch_sensor_backlog_events',
      help: 'Events read but not yet acknowledged.',
      type: 'gauge',
      samples: [{ value: s.backlog_events }],
    },
    {
      name: 'stormwatch_sensor_upload_failures_total',
      help: 'Failed upload attempts, per reason.',
      type: 'counter',
      samples: Object.entries(s.upload_failures).map(([reason, value]) => ({ labels: { reason }, value })),
    },
  ];
}

/** Starts the endpoint. @throws SW_CONFIG_INVALID when the address cannot be bound. */
export async function startMetricsServer(listen: string, stats: () => SensorStats): Promise<Server> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(at + 1));
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      res.end(exposition(sensorFamilies(stats())));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: the sensor serves GET /metrics only\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(makeError('SW_CONFIG_INVALID', `metrics.listen ${listen}: ${err.message}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}
