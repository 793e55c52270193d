/**
 * TAXII 2.1 read-only server (OASIS TAXII 2.1, sections 4-5) under /taxii2/:
 * GET /taxii2/ (discovery) · /taxii2/api/ (API root) · /taxii2/api/collections/ · /taxii2/api/collections/{id}/
 * · /taxii2/api/collections/{id}/objects/ · /taxii2/api/collections/{id}/manifest/
 * Collections: `blocklist` and `advisories` (src/publish/stix/taxii/collections.ts). Objects and manifest take
 * `added_after`, `limit`, `next`, `match[id]`, `match[type]`, `match[version]`, `match[spec_version]`.
 *
 * Invariants:
 * - Every answer, errors included, is `application/taxii+json;version=2.1`; errors are TAXII error messages
 *   `{title, description, http_status}` (not the API's `{code, message}`), with the status of the error's code.
 * - An Accept header that allows no TAXII 2.1 answer gets 406 before any work (media.ts).
 * - Unknown query parameters are refused (400), as everywhere in the API; a limit above the page size is cut
 *   to it (TAXII lets the server answer fewer).
 * - A collection's objects are computed at most once per `cache_ms` (default 60 s) of `clock` time.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { ERROR_CODES, makeError } from '../../core/errors.js';
import { COLLECTIONS, collectionItems } from '../../publish/stix/taxii/collections.js';
import type { CollectionSources } from '../../publish/stix/taxii/collections.js';
import { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, acceptsTaxii } from '../../publish/stix/taxii/media.js';
import { page } from '../../publish/stix/taxii/paging.js';
import type { CollectionItem, CollectionQuery } from '../../publish/stix/taxii/paging.js';
import { toStormwatchError } from '../errors.js';
import { intText, isoTime, parseParams } from '../query.js';

export interface TaxiiRouteDeps extends CollectionSources {
  logger: Logger;
  /** Public base URL (e.g. `https://stormwatch.example.org`) for discovery; default from the request. */
  publicUrl?: string;
  /** Largest page (default 1000). */
  max_page?: number;
  cache_ms?: number;
  clock?: Clock;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const list = z.union([z.string().max(4096), z.array(z.string().max(4096)).max(20)]).transform((v) =>
  [v]
    .flat()
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

const objectsQuery = z.strictObject({
  added_after: isoTime.optional(),
  limit: intText(1, 1_000_000).optional(),
  next: z.string().max(512).optional(),
  'match[id]': list.optional(),
  'match[type]': list.optional(),
  'match[version]': list.optional(),
  'match[spec_version]': list.optional(),
});

function versions(v: string[]): CollectionQuery['versions'] {
  return v.map((s) => {
    if (s === 'last' || s === 'first' || s === 'all') return s;
    const t = Date.parse(s);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(s) || !Number.isFinite(t))
      throw makeError(
        'SW_BAD_REQUEST',
        `match[version]: ${JSON.stringify(s.slice(0, 40))} is not last, first, all or a timestamp`,
      );
    return t;
  });
}

/** A TAXII error message (section 3.6.1). */
function taxiiError(reply: FastifyReply, status: number, title: string, description?: string, code?: string) {
  const body = {
    title,
    http_status: String(status),
    ...(description ? { description } : {}),
    ...(code ? { error_code: code } : {}),
  };
  return reply
    .code(status)
    .header('content-type', TAXII_MEDIA_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

export function taxiiRoutes(app: FastifyInstance, deps: TaxiiRouteDeps): void {
  const maxPage = deps.max_page ?? 1000;
  const clock = deps.clock ?? systemClock;
  const cache = new Map<string, { at: number; items: CollectionItem[] }>();
  const items = (alias: string): CollectionItem[] => {
    const hit = cache.get(alias);
    const now = clock.now();
    if (hit && now - hit.at < (deps.cache_ms ?? 60_000)) return hit.items;
    const fresh = collectionItems(alias, deps, (id, err) =>
      deps.logger.warn({ advisory: id, err }, 'advisory left out of the TAXII collection'),
    );
    cache.set(alias, { at: now, items: fresh });
    return fresh;
  };
  const findCollection = (request: FastifyRequest) => {
    const { id } = parseParams(z.object({ id: z.string().max(64) }), request.params);
    const c = COLLECTIONS.find((x) => x.id === id);
    if (!c) throw makeError('SW_NOT_FOUND', `no collection ${id}`);
    return c;
  };
  const query = (request: FastifyRequest): CollectionQuery => {
    const q = parseParams(objectsQuery, request.query);
    return {
      limit: Math.min(q.limit ?? maxPage, maxPage),
      ...(q.added_after !== undefined ? { added_after: q.added_after } : {}),
      ...(q.next !== undefined ? { next: q.next } : {}),
      ...(q['match[id]'] ? { ids: q['match[id]'] } : {}),
      ...(q['match[type]'] ? { types: q['match[type]'] } : {}),
      ...(q['match[version]'] ? { versions: versions(q['match[version]']) } : {}),
      ...(q['match[spec_version]'] ? { spec_versions: q['match[spec_version]'] } : {}),
    };
  };
  const send = (reply: FastifyReply, body: unknown): FastifyReply =>
    reply.header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(body)));

  void app.register(
    (scope, _opts, done) => {
      scope.setErrorHandler((err, request, reply) => {
        const sw = toStormwatchError(err);
        if (sw.code === 'SW_INTERNAL') deps.logger.error({ err, url: request.url }, 'TAXII request failed');
        const def = ERROR_CODES[sw.code];
        void taxiiError(
          reply,
          def.status,
          def.message,
          sw.code === 'SW_INTERNAL' ? undefined : sw.message,
          sw.code,
        );
      });
      const notFound = (request: FastifyRequest, reply: FastifyReply) => {
        const path = (request.url.split('?')[0] ?? '').slice(0, 200);
        return taxiiError(reply, 404, 'not found', `no TAXII resource ${path}`, 'SW_NOT_FOUND');
      };
      scope.setNotFoundHandler(notFound);
      // Beats the dashboard's catch-all GET route, which would answer unknown paths with its page.
      scope.get('/*', notFound);
      scope.addHook('onRequest', (request, reply, next) => {
        if (acceptsTaxii(request.headers.accept)) return next();
        void taxiiError(reply, 406, 'not acceptable', `this server answers ${TAXII_MEDIA_TYPE} only`);
      });
      scope.get('/', (request, reply) => {
        const base = (deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
        return send(reply, {
          title: 'Stormwatch TAXII server',
          description: 'Blocklist indicators and advisories of the Stormwatch sensor network (read-only).',
          default: `${base}/taxii2/api/`,
          api_roots: [`${base}/taxii2/api/`],
        });
      });
      scope.get('/api/', (_request, reply) =>
        send(reply, {
          title: 'Stormwatch',
          description: 'Read-only collections: blocklist, advisories.',
          versions: [TAXII_MEDIA_TYPE],
          max_content_length: 0,
        }),
      );
      scope.get('/api/collections/', (_request, reply) => send(reply, { collections: COLLECTIONS }));
      scope.get('/api/collections/:id/', (request, reply) => send(reply, findCollection(request)));
      scope.get('/api/collections/:id/objects/', (request, reply) => {
        const c = findCollection(request);
        const p = page(items(c.alias), query(request));
        const first = p.items[0];
        const last = p.items.at(-1);
        if (first && last)
          void reply
            .header('x-taxii-date-added-first', iso(first.date_added))
            .header('x-taxii-date-added-last', iso(last.date_added));
        return send(reply, {
          more: p.more,
          ...(p.next ? { next: p.next } : {}),
          ...(p.items.length > 0 ? { objects: p.items.map((i) => i.object) } : {}),
        });
      });
      scope.get('/api/collections/:id/manifest/', (request, reply) => {
        const c = findCollection(request);
        const p = page(items(c.alias), query(request));
        const records = p.items.map((i) => ({
          id: i.object.id,
          date_added: iso(i.date_added),
          version: i.object.modified,
          media_type: STIX_MEDIA_TYPE,
        }));
        return send(reply, {
          more: p.more,
          ...(p.next ? { next: p.next } : {}),
          ...(records.length > 0 ? { objects: records } : {}),
        });
      });
      done();
    },
    { prefix: '/taxii2' },
  );
}
