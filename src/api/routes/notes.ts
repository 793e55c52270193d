/**
 * Analyst notes (docs/ADVISORIES.md "Notes"):
 * GET  /api/v1/notes?link&status&limit → public: published notes; admin: all (status filter); `link` filters by a
 *      port ('tcp/1025'), incident id, advisory id or IP
 * GET  /api/v1/notes/{id} → one note (public: published only, else 404)
 * admin POST /api/v1/notes {title, body_md, links?, actor} → 201 a draft
 * admin PUT  /api/v1/notes/{id} {base_version, actor, title?, body_md?, links?} → the note after the edit
 * admin POST /api/v1/notes/{id}/publish | /unpublish {actor} → the note after it
 *
 * Invariant: bodies are stored as Markdown and always answered with `body_html` from the sanitiser.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { NoteView, NotesResponse } from '../../protocol/advisory-types.js';
import type { NoteService } from '../../pipeline/advise/notes/note-service.js';
import { requireAdmin } from '../admin-token.js';
import { intText, parseParams } from '../query.js';
import { actorSchema, isAdmin, noNul, optionalFilter } from './advisories.js';

export interface NoteRouteDeps {
  notes: NoteService;
  adminToken: string;
}

export const NOTE_BODY_BYTES = 128 * 1024;
export const MAX_NOTE_CHARS = 50_000;

const idParams = z.strictObject({
  id: z.string().regex(/^note_[0-9a-f]{16}$/, 'a note id (note_ + 16 hex)'),
});
const listQuery = z.strictObject({
  link: optionalFilter(z.string().max(100)),
  status: z.enum(['draft', 'published']).optional(),
  limit: intText(1, 200).default(50),
});
const linkList = z.array(z.string().max(100)).max(50);
const links = z.strictObject({
  ports: linkList.optional(),
  incidents: linkList.optional(),
  advisories: linkList.optional(),
  ips: linkList.optional(),
});
const title = z.string().trim().min(1).max(200).refine(noNul, 'no NUL characters');
const body = z.string().min(1).max(MAX_NOTE_CHARS).refine(noNul, 'no NUL characters');
const createBody = z.strictObject({ title, body_md: body, links: links.optional(), actor: actorSchema });
const editBody = z
  .strictObject({
    base_version: z.number().int().min(1),
    actor: actorSchema,
    title: title.optional(),
    body_md: body.optional(),
    links: links.optional(),
  })
  .refine((b) => b.title !== undefined || b.body_md !== undefined || b.links !== undefined, {
    message: 'nothing to change: give title, body_md or links',
  });
const actorBody = z.strictObject({ actor: actorSchema });

export function noteRoutes(app: FastifyInstance, deps: NoteRouteDeps): void {
  const { notes, adminToken } = deps;
  const adminOnly = { preHandler: requireAdmin(adminToken), bodyLimit: NOTE_BODY_BYTES };

  app.get('/api/v1/notes', async (request): Promise<NotesResponse> => {
    const q = parseParams(listQuery, request.query);
    const admin = await isAdmin(request, adminToken);
    return {
      items: notes.list(
        { limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.link ? { link: q.link } : {}) },
        admin,
      ),
    };
  });

  app.get('/api/v1/notes/:id', async (request): Promise<NoteView> => {
    const { id } = parseParams(idParams, request.params);
    return notes.get(id, await isAdmin(request, adminToken));
  });

  app.post('/api/v1/notes', adminOnly, async (request, reply) => {
    const b = parseParams(createBody, request.body);
    const n = notes.create(
      { title: b.title, body_md: b.body_md, ...(b.links ? { links: b.links } : {}) },
      b.actor,
    );
    return reply.status(201).send(notes.get(n.id, true));
  });

  app.put('/api/v1/notes/:id', adminOnly, (request): Promise<NoteView> => {
    const { id } = parseParams(idParams, request.params);
    const b = parseParams(editBody, request.body);
    const change = {
      ...(b.title !== undefined ? { title: b.title } : {}),
      ...(b.body_md !== undefined ? { body_md: b.body_md } : {}),
      ...(b.links !== undefined ? { links: b.links } : {}),
    };
    const n = notes.update(id, b.base_version, change, b.actor);
    return Promise.resolve(notes.get(n.id, true));
  });

  for (const [path, to] of [
    ['publish', 'published'],
    ['unpublish', 'draft'],
  ] as const)
    app.post(`/api/v1/notes/:id/${path}`, adminOnly, (request): Promise<NoteView> => {
      const { id } = parseParams(idParams, request.params);
      const b = parseParams(actorBody, request.body);
      return Promise.resolve(notes.get(notes.setStatus(id, to, b.actor).id, true));
    });
}
