/**
 * Advisories (docs/ADVISORIES.md):
 * GET  /api/v1/advisories?status&incident&limit → public: published (and updated) ones; admin: all, by status
 * GET  /api/v1/advisories/{id}?version=N → one advisory (public: published versions only; else 404)
 * GET  /api/v1/advisories/{id}/chart.svg|chart.png?version=N&scale=S → its chart (same visibility)
 * admin POST /api/v1/advisories {incident_id, actor, manual?} → 201 a new draft, 200 the incident's existing one
 * admin PUT  /api/v1/advisories/{id} {base_version, actor, change_note, title?, summary?, body_md?} → new version
 * admin POST /api/v1/advisories/{id}/transition {to, actor, note?, version?} → the advisory after it
 * admin GET  /api/v1/advisories/{id}/history → versions and audit log
 *
 * Invariants: a request with an Authorization header must carry the right admin token (else 401) and then sees
 * the admin view; without one it is public. Who acts is the body's `actor` until the dashboard brings users.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ADVISORY_STATUSES } from '../../protocol/advisory-types.js';
import type {
  AdvisoriesResponse,
  AdvisoryHistoryResponse,
  AdvisoryRecord,
  AdvisoryView,
} from '../../protocol/advisory-types.js';
import { chartSvg } from '../../pipeline/advise/draft/chart-svg.js';
import { svgToPng } from '../../pipeline/advise/draft/chart-png.js';
import { ADVISORY_ID, INCIDENT_ID } from '../../pipeline/advise/notes/links.js';
import type { AdvisoryWorkflow } from '../../pipeline/advise/workflow/advisory-workflow.js';
import { requireAdmin } from '../admin-token.js';
import { intText, parseParams } from '../query.js';

export interface AdvisoryRouteDeps {
  workflow: AdvisoryWorkflow;
  adminToken: string;
}

/** Bodies of advisory edits may carry a long Markdown body; everything else stays under the app's limit. */
export const ADVISORY_EDIT_BODY_BYTES = 256 * 1024;
export const MAX_ADVISORY_BODY_CHARS = 100_000;

/** Who acts: 1-64 printable characters (the dashboard will replace this by its users). */
export const actorSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');

/** A NUL character ends C strings in logs and other tools: refused in every text field. */
export const noNul = (s: string): boolean => !s.includes('\0');
const text = (max: number) => z.string().max(max).refine(noNul, 'no NUL characters');

/** True with the right admin token, false without an Authorization header; a wrong token is refused (401). */
export async function isAdmin(request: FastifyRequest, token: string): Promise<boolean> {
  if (request.headers.authorization === undefined) return false;
  await requireAdmin(token)(request);
  return true;
}

/** An optional filter where an empty value (`?status=`, as HTML forms send) means no filter. */
export const optionalFilter = <S extends z.ZodType>(s: S) =>
  z.preprocess((v) => (v === '' ? undefined : v), s.optional());

const idParams = z.strictObject({ id: z.string().regex(ADVISORY_ID, 'an advisory id (adv_ + 16 hex)') });
const statusList = z
  .string()
  .max(100)
  .transform((s) => s.split(','))
  .pipe(z.array(z.enum(ADVISORY_STATUSES)).min(1));
const listQuery = z.strictObject({
  status: optionalFilter(statusList),
  incident: optionalFilter(z.string().regex(INCIDENT_ID, 'an incident id (in_...)')),
  limit: intText(1, 200).default(50),
});
const versionQuery = z.strictObject({ version: intText(1, 1_000_000).optional() });
const pngQuery = z.strictObject({
  version: intText(1, 1_000_000).optional(),
  scale: intText(1, 3).default(1),
});
const createBody = z.strictObject({
  incident_id: z.string().regex(INCIDENT_ID, 'an incident id (in_...)'),
  actor: actorSchema,
  manual: z.boolean().default(false),
});
const editBody = z
  .strictObject({
    base_version: z.number().int().min(1),
    actor: actorSchema,
    change_note: text(1000).min(1),
    title: text(300).min(1).optional(),
    summary: text(5000).optional(),
    body_md: text(MAX_ADVISORY_BODY_CHARS).optional(),
  })
  .refine((b) => b.title !== undefined || b.summary !== undefined || b.body_md !== undefined, {
    message: 'nothing to change: give title, summary or body_md',
  });
const transitionBody = z.strictObject({
  to: z.enum(ADVISORY_STATUSES),
  actor: actorSchema,
  note: text(1000).default(''),
  version: z.number().int().min(1).optional(),
});

const admin = (token: string) => ({ preHandler: requireAdmin(token) });

export function advisoryRoutes(app: FastifyInstance, deps: AdvisoryRouteDeps): void {
  const { workflow: w, adminToken } = deps;
  const full = (a: AdvisoryRecord): AdvisoryView => w.get(a.id, true);

  app.get('/api/v1/advisories', async (request): Promise<AdvisoriesResponse> => {
    const q = parseParams(listQuery, request.query);
    const isAdm = await isAdmin(request, adminToken);
    const query = {
      limit: q.limit,
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.incident ? { incident_id: q.incident } : {}),
    };
    return { items: w.list(query, isAdm) };
  });

  app.get('/api/v1/advisories/:id', async (request): Promise<AdvisoryView> => {
    const { id } = parseParams(idParams, request.params);
    const q = parseParams(versionQuery, request.query);
    return w.get(id, await isAdmin(request, adminToken), q.version);
  });

  const chart = async (request: FastifyRequest, version: number | undefined): Promise<string> => {
    const { id } = parseParams(idParams, request.params);
    return chartSvg(w.get(id, await isAdmin(request, adminToken), version).fields.chart);
  };
  app.get('/api/v1/advisories/:id/chart.svg', async (request, reply) => {
    const svg = await chart(request, parseParams(versionQuery, request.query).version);
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(svg);
  });
  app.get('/api/v1/advisories/:id/chart.png', async (request, reply) => {
    const q = parseParams(pngQuery, request.query);
    return reply.type('image/png').send(svgToPng(await chart(request, q.version), q.scale));
  });

  app.post('/api/v1/advisories', admin(adminToken), async (request, reply) => {
    const b = parseParams(createBody, request.body);
    const r = w.draftForIncident(b.incident_id, b.actor, b.manual ? 'manual' : 'auto');
    return reply.status(r.created ? 201 : 200).send(full(r.advisory));
  });

  app.put(
    '/api/v1/advisories/:id',
    { ...admin(adminToken), bodyLimit: ADVISORY_EDIT_BODY_BYTES },
    (request): Promise<AdvisoryView> => {
      const { id } = parseParams(idParams, request.params);
      const b = parseParams(editBody, request.body);
      const edit = {
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.summary !== undefined ? { summary: b.summary } : {}),
        ...(b.body_md !== undefined ? { body_md: b.body_md } : {}),
      };
      return Promise.resolve(full(w.edit(id, b.base_version, edit, b.actor, b.change_note)));
    },
  );

  app.post('/api/v1/advisories/:id/transition', admin(adminToken), (request): Promise<AdvisoryView> => {
    const { id } = parseParams(idParams, request.params);
    const b = parseParams(transitionBody, request.body);
    return Promise.resolve(full(w.transition(id, b.to, b.actor, b.note, b.version)));
  });

  app.get(
    '/api/v1/advisories/:id/history',
    admin(adminToken),
    (request): Promise<AdvisoryHistoryResponse> => {
      const { id } = parseParams(idParams, request.params);
      return Promise.resolve(w.history(id));
    },
  );
}
