/**
 * The channels' public face and their admin:
 * GET /feeds/{name}.atom, GET /feeds/{name}.rss → a feed channel's document (the last published items)
 * GET /feeds/notes.atom, GET /feeds/notes.rss → the published analyst notes (unless a feed channel is named so)
 * GET /api/v1/admin/deliveries/dead?channel&limit (admin) → dead letters, newest first, with their last error
 * POST /api/v1/admin/deliveries/{id}/requeue (admin) → the dead letter is tried again from now
 *
 * Invariant: an unknown feed name is 404; feeds carry only what was published (advisories, notes, the incident
 * messages that routes send to them), never data an analyst has not released.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { makeError } from '../../core/errors.js';
import type { NoteView } from '../../protocol/advisory-types.js';
import { renderAtom, renderRss } from '../../publish/channels/feed/render.js';
import type { FeedEntry } from '../../publish/channels/feed/render.js';
import type { Publishing } from '../../publish/dispatcher/from-config.js';
import { requireAdmin } from '../admin-token.js';
import { intText, iso, parseParams } from '../query.js';

export interface PublishingRouteDeps {
  publishing: Publishing;
  adminToken: string;
  /** Base URL for the feeds' self links. */
  publicUrl: () => string;
  /** The published notes, newest first (NoteService.publishedFeed). */
  notes?: (limit: number) => NoteView[];
}

/** A published note as a feed entry: its rendered, sanitised body, a stable id per version. */
function noteEntry(n: NoteView, base: string): FeedEntry {
  // The summary is plain text: markup in the Markdown source is dropped (the content is the sanitised HTML).
  const plain = n.body_md
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return {
    id: `note:${n.id}:v${n.version}`,
    kind: 'note.published',
    title: n.title,
    summary: plain.length > 300 ? `${plain.slice(0, 299)}…` : plain,
    url: `${base}/api/v1/notes/${encodeURIComponent(n.id)}`,
    html: n.body_html,
    created_at: Date.parse(n.published_at ?? n.updated_at),
  };
}

const feedName = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a feed channel name'),
});
const deadQuery = z.strictObject({
  // An empty value means no filter.
  channel: z
    .string()
    .max(64)
    .optional()
    .transform((c) => (c === '' ? undefined : c)),
  limit: intText(1, 1000).optional(),
});
const requeueParams = z.strictObject({ id: intText(1, Number.MAX_SAFE_INTEGER) });

export function publishingRoutes(app: FastifyInstance, deps: PublishingRouteDeps): void {
  const feed = (format: 'atom' | 'rss') => (req: { params: unknown }, reply: { type(t: string): void }) => {
    const { name } = parseParams(feedName, req.params);
    const channel = deps.publishing.feeds.get(name);
    const self = `${deps.publicUrl()}/feeds/${name}.${format}`;
    let doc: string | null = null;
    if (channel) {
      doc = channel.render(format, self);
    } else if (name === 'notes' && deps.notes) {
      const base = deps.publicUrl();
      const entries = deps.notes(50).map((n) => noteEntry(n, base));
      const meta = { title: 'Stormwatch analyst notes', link: base, self_url: self };
      doc = format === 'atom' ? renderAtom(entries, meta) : renderRss(entries, meta);
    }
    if (doc === null) throw makeError('SW_NOT_FOUND', `no feed named ${name}`);
    reply.type(
      format === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8',
    );
    return doc;
  };
  app.get('/feeds/:name.atom', feed('atom'));
  app.get('/feeds/:name.rss', feed('rss'));

  const preHandler = requireAdmin(deps.adminToken);
  app.get('/api/v1/admin/deliveries/dead', { preHandler }, (req) => {
    const q = parseParams(deadQuery, req.query);
    const items = deps.publishing.dispatcher.listDead({
      ...(q.channel !== undefined ? { channel: q.channel } : {}),
      limit: q.limit ?? 100,
    });
    return {
      items: items.map((d) => ({
        ...d,
        next_attempt_at: iso(d.next_attempt_at),
        updated_at: iso(d.updated_at),
        delivered_at: d.delivered_at === null ? null : iso(d.delivered_at),
      })),
    };
  });
  app.post('/api/v1/admin/deliveries/:id/requeue', { preHandler }, (req) => {
    const { id } = parseParams(requeueParams, req.params);
    const n = deps.publishing.dispatcher.requeue({ id });
    if (n === 0) throw makeError('SW_NOT_FOUND', `no dead letter with id ${id}`);
    return { requeued: n };
  });
}
