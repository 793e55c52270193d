/**
 * The detector's findings:
 * GET /api/v1/incidents?status=active|resolved|all&proto&port&limit → incidents, most recently updated first
 * GET /api/v1/incidents/{id} → one incident with its evidence and history; 404 when unknown
 * GET /api/v1/anomalies?proto&port&limit → local anomalies (firings that failed a breadth gate), newest first
 * GET /api/v1/threat-level → the detector's suggested threat level, with the reason
 * GET /api/v1/admin/flagged-sensors (admin) → sensors that local anomalies keep naming (public ids)
 * GET /api/v1/admin/flagged-operators (admin) → operators whose sensors keep producing local anomalies
 *
 * Invariant: times are ISO 8601 text; operators appear only under their public ids (po_...).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROTOCOLS } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import { assessThreat } from '../../pipeline/detect/model/threat.js';
import type {
  AnomaliesResponse,
  AnomalyView,
  FiringEvidence,
  Incident,
  IncidentView,
  IncidentsResponse,
  LocalAnomaly,
  ThreatLevelResponse,
} from '../../protocol/incident-types.js';
import type { AnomalyRecord, StoredIncident } from '../../store/store.js';
import { requireAdmin } from '../admin-token.js';
import type { ApiContext } from '../context.js';
import { intText, iso, parseParams } from '../query.js';

const keyFilter = {
  proto: z.enum(PROTOCOLS).optional(),
  port: intText(0, 65_535).optional(),
  limit: intText(1, 1000).default(100),
};
const incidentsQuery = z.strictObject({
  status: z.enum(['active', 'resolved', 'all']).default('all'),
  ...keyFilter,
});
const anomaliesQuery = z.strictObject(keyFilter);
const idParams = z.strictObject({
  id: z.string().regex(/^in_[a-z0-9]+_\d+_\d+$/, 'an incident id (in_...)'),
});

export const evidenceView = (e: FiringEvidence): IncidentView['evidence'] => ({
  ...e,
  bucket: iso(e.bucket),
});

export function incidentView(stored: StoredIncident): IncidentView {
  const i = stored.body as Incident;
  return {
    ...i,
    first_seen: iso(i.first_seen),
    opened_at: iso(i.opened_at),
    updated_at: iso(i.updated_at),
    resolved_at: i.resolved_at === null ? null : iso(i.resolved_at),
    history: i.history.map((h) => ({ ...h, at: iso(h.at) })),
    evidence: evidenceView(i.evidence),
  };
}

function anomalyView(r: AnomalyRecord): AnomalyView {
  const a = r.body as LocalAnomaly;
  return {
    ...a,
    id: r.id,
    bucket: iso(a.bucket),
    recorded_at: iso(r.created_at),
    evidence: evidenceView(a.evidence),
  };
}

export function incidentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/incidents', (request): Promise<IncidentsResponse> => {
    const q = parseParams(incidentsQuery, request.query);
    const items = ctx.store.listIncidents({
      status: q.status,
      limit: q.limit,
      ...(q.proto !== undefined ? { proto: q.proto } : {}),
      ...(q.port !== undefined ? { port: q.port } : {}),
    });
    return Promise.resolve({ items: items.map(incidentView) });
  });

  app.get('/api/v1/incidents/:id', (request): Promise<IncidentView> => {
    const { id } = parseParams(idParams, request.params);
    const found = ctx.store.getIncident(id);
    if (!found) throw makeError('SW_NOT_FOUND', `no incident ${id}`);
    return Promise.resolve(incidentView(found));
  });

  app.get('/api/v1/anomalies', (request): Promise<AnomaliesResponse> => {
    const q = parseParams(anomaliesQuery, request.query);
    const items = ctx.store.listAnomalies({
      limit: q.limit,
      ...(q.proto !== undefined ? { proto: q.proto } : {}),
      ...(q.port !== undefined ? { port: q.port } : {}),
    });
    return Promise.resolve({ items: items.map(anomalyView) });
  });

  app.get('/api/v1/threat-level', (): Promise<ThreatLevelResponse> => {
    const det = ctx.pipeline.detector;
    if (det) return Promise.resolve({ ...det.threatLevel(), live: true });
    const active = ctx.store.listIncidents({ status: 'active', limit: 1000 }).map((s) => s.body as Incident);
    return Promise.resolve({ ...assessThreat(active), live: false });
  });

  // Operators and sensors flagged for review (admin): the detector's lists with ISO times.
  const flagged = <T extends { since: number }>(url: string, list: () => T[] | undefined): void => {
    app.get(url, { preHandler: requireAdmin(ctx.adminToken) }, () =>
      Promise.resolve({ items: (list() ?? []).map((f) => ({ ...f, since: iso(f.since) })) }),
    );
  };
  flagged('/api/v1/admin/flagged-operators', () => ctx.pipeline.detector?.flaggedOperators());
  flagged('/api/v1/admin/flagged-sensors', () => ctx.pipeline.detector?.flaggedSensors());
}
