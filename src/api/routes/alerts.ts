/**
 * GET /api/v1/alerts: the detector's incidents past their candidate stage, in the dashboard's short form, most
 * recently updated first; `status=open` (open, escalated, cooling) or `resolved` (resolved, accepted); at most
 * `limit` (default 100). Candidates and their details are under /api/v1/incidents.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Alert, AlertsResponse } from '../../protocol/api-types.js';
import type { Incident } from '../../protocol/incident-types.js';
import type { StoredIncident } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { intText, iso, parseParams } from '../query.js';

const alertsQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  limit: intText(1, 1000).default(100),
});

function reasonOf(i: Incident): string {
  const e = i.evidence;
  const what = e.test === 'cusum' ? 'sustained rise (CUSUM)' : e.test === 'new_port' ? 'new port' : 'spike';
  return (
    `${what} over ${e.window}×${e.granularity}: ${e.observed} sources vs ${e.expected.toFixed(1)} expected ` +
    `(×${e.fold.toFixed(1)}), ${e.operators} operators, ${e.sensors} sensors`
  );
}

export function toAlert(stored: StoredIncident): Alert {
  const i = stored.body as Incident;
  const e = i.evidence;
  return {
    id: i.id,
    proto: i.proto,
    port: i.port,
    severity: i.severity,
    level: i.level,
    status: i.status === 'resolved' || i.status === 'accepted' ? 'resolved' : 'open',
    incident_status: i.status === 'candidate' ? 'open' : i.status,
    opened_at: iso(i.opened_at),
    updated_at: iso(i.updated_at),
    evidence: {
      bucket: iso(e.bucket),
      granularity: e.granularity,
      test: e.test,
      window: e.window,
      sources: { observed: e.observed, expected: e.expected },
      events: e.events,
      sensors: { observed: e.sensors, expected: e.expected_sensors },
      operators: e.operators,
      p_value: e.p_value,
      fold: e.fold,
      reason: reasonOf(i),
    },
  };
}

export function alertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/alerts', (request): Promise<AlertsResponse> => {
    const q = parseParams(alertsQuery, request.query);
    const status = q.status === 'open' ? 'active' : q.status === 'resolved' ? 'resolved' : 'all';
    // Candidates are not alerts: read a little more than asked and drop them.
    const items = ctx.store
      .listIncidents({ status, limit: Math.min(5000, q.limit * 4) })
      .filter((s) => s.status !== 'candidate')
      .slice(0, q.limit);
    return Promise.resolve({ items: items.map(toAlert) });
  });
}
