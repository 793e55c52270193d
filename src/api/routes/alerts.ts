/** GET /api/v1/alerts: newest first (by updated_at, the store's order), optionally one status, at most `limit` (default 100). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Alert, AlertEvidence, AlertsResponse } from '../../protocol/api-types.js';
import type { AlertRecord } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { intText, iso, parseParams } from '../query.js';

const alertsQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  limit: intText(1, 1000).default(100),
});

export function toAlert(a: AlertRecord): Alert {
  return {
    id: a.id,
    proto: a.proto,
    port: a.port,
    severity: a.severity,
    level: a.level,
    status: a.status,
    opened_at: iso(a.opened_at),
    updated_at: iso(a.updated_at),
    evidence: a.evidence as AlertEvidence,
  };
}

export function alertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/alerts', (request): Promise<AlertsResponse> => {
    const q = parseParams(alertsQuery, request.query);
    return Promise.resolve({ items: ctx.store.listAlerts(q.limit, q.status).map(toAlert) });
  });
}
