/**
 * Threat-level decisions (docs/ADVISORIES.md "Threat level"):
 * GET  /api/v1/threat-level/history?limit → the level in force (analyst or detector, and why) and the decisions,
 *      newest first (actor names for admin requests only)
 * admin POST /api/v1/threat-level {level, reason, actor} → 201 the decision and the level in force after it
 *
 * GET /api/v1/threat-level (the detector's suggestion) stays in incidents.ts.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type {
  ThreatDecision,
  ThreatDecisionView,
  ThreatLevelHistoryResponse,
  ThreatLevelInForce,
  ThreatLevelInForceView,
} from '../../protocol/advisory-types.js';
import { THREAT_LEVELS } from '../../pipeline/advise/threat/threat-level.js';
import type { ThreatDesk } from '../../pipeline/advise/threat/threat-level.js';
import type { ThreatLevel } from '../../protocol/incident-types.js';
import { requireAdmin } from '../admin-token.js';
import { intText, iso, parseParams } from '../query.js';
import { actorSchema, isAdmin, noNul } from './advisories.js';

export interface ThreatDecisionRouteDeps {
  desk: ThreatDesk;
  adminToken: string;
}

const historyQuery = z.strictObject({ limit: intText(1, 500).default(50) });
const decideBody = z.strictObject({
  level: z.enum(THREAT_LEVELS as [ThreatLevel, ...ThreatLevel[]]),
  reason: z.string().trim().min(1).max(2000).refine(noNul, 'no NUL characters'),
  actor: actorSchema,
});

export function decisionView(d: ThreatDecision, admin: boolean): ThreatDecisionView {
  const { actor, at, ...rest } = d;
  return { ...rest, at: iso(at), ...(admin ? { actor } : {}) };
}

export function inForceView(c: ThreatLevelInForce, admin: boolean): ThreatLevelInForceView {
  return { ...c, decision: c.decision ? decisionView(c.decision, admin) : null };
}

export function threatDecisionRoutes(app: FastifyInstance, deps: ThreatDecisionRouteDeps): void {
  const { desk, adminToken } = deps;

  app.get('/api/v1/threat-level/history', async (request): Promise<ThreatLevelHistoryResponse> => {
    const q = parseParams(historyQuery, request.query);
    const admin = await isAdmin(request, adminToken);
    return {
      current: inForceView(desk.current(), admin),
      items: desk.history(q.limit).map((d) => decisionView(d, admin)),
    };
  });

  app.post('/api/v1/threat-level', { preHandler: requireAdmin(adminToken) }, async (request, reply) => {
    const b = parseParams(decideBody, request.body);
    const r = desk.decide(b);
    return reply
      .status(201)
      .send({ decision: decisionView(r.decision, true), current: inForceView(r.current, true) });
  });
}
