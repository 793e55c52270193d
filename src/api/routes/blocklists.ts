/**
 * Blocklists, delisting and the allowlist (docs/BLOCKLISTS.md):
 * GET  /api/v1/blocklists/networks (or /sources) as JSON with the reasons, and /api/v1/blocklists/<list>.<format>
 *      with format txt | ipset | nft | pf | csv | stix.json; ?days=1..max&limit=1..10000. Public, cached for
 *      the minute, ETag / If-None-Match (304).
 * POST /api/v1/blocklists/delist {network, contact, reason} → 202 {id, status, network, created}. Public,
 *      rate-limited per client address, at most `max_pending` requests waiting.
 * Admin (Authorization: Bearer <admin token>):
 * GET  /api/v1/admin/delist-requests?status=&limit= → {items}
 * POST /api/v1/admin/delist-requests/{id} {decision, actor, note?, expires_days?} → {request, allowlist_entry}
 * GET  /api/v1/admin/allowlist → {items};  POST {cidr, reason, actor, expires_days?} → 201 entry;
 * DELETE /api/v1/admin/allowlist/{id} → {id, removed: true}
 *
 * Invariants: every body and parameter is validated before any work (400 naming the field); the contact of a
 * delisting request is shown to admins only; an allowlist change empties the blocklist cache at once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { makeError } from '../../core/errors.js';
import {
  DelistLimiter,
  allowlistBody,
  delistDecisionBody,
  delistRequestBody,
} from '../../publish/blocklists/delist.js';
import { FORMAT_NAMES } from '../../publish/blocklists/formats/index.js';
import type { BlocklistService } from '../../publish/blocklists/service.js';
import { BLOCKLIST_KINDS } from '../../publish/blocklists/types.js';
import { adminDelistView, allowlistView } from '../../publish/blocklists/views.js';
import type {
  AllowlistEntryView,
  DelistAccepted,
  DelistRequestView,
} from '../../publish/blocklists/views.js';
import type { BlocklistStore } from '../../store/blocklist-store.js';
import { requireAdmin } from '../admin-token.js';
import { intText, parseParams } from '../query.js';

const DAY = 86_400_000;

export interface BlocklistRouteDeps {
  service: BlocklistService;
  lists: BlocklistStore;
  /** Real time: request and allowlist times, rate limits. */
  authClock: Clock;
  adminToken: string;
  /** Longest window in days (at most 30; retention.source_days when shorter). */
  maxDays: number;
  limiter?: DelistLimiter;
  /** Approvals without expires_days: the allowlist entry expires after this many days. Default 90. */
  approveDays?: number;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

export function blocklistRoutes(app: FastifyInstance, deps: BlocklistRouteDeps): void {
  const maxDays = Math.max(1, Math.min(30, deps.maxDays));
  const limiter = deps.limiter ?? new DelistLimiter();
  const admin = { preHandler: requireAdmin(deps.adminToken) };
  const listQuery = z.strictObject({
    days: intText(1, maxDays).default(1),
    limit: intText(1, 10_000).default(1000),
  });
  const body = <S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> =>
    parseParams(schema, request.body ?? {});

  // One static route per list and format (not a `{file}` parameter), so that each is documented on its own.
  for (const kind of BLOCKLIST_KINDS) {
    for (const format of ['json', ...FORMAT_NAMES] as const) {
      const url = `/api/v1/blocklists/${kind}${format === 'json' ? '' : `.${format}`}`;
      app.get(url, (request, reply: FastifyReply) => {
        const q = parseParams(listQuery, request.query);
        const r = deps.service.render(kind, format, q.days, q.limit);
        void reply
          .header('etag', r.etag)
          .header('cache-control', 'public, max-age=60')
          .header('last-modified', new Date(r.generated_at).toUTCString());
        if (matches(request.headers['if-none-match'], r.etag)) return reply.code(304).send();
        // A Buffer, so that Fastify neither quotes the media type's parameters nor appends a charset.
        return reply.header('content-type', r.contentType).send(Buffer.from(r.body));
      });
    }
  }

  app.post('/api/v1/blocklists/delist', (request, reply: FastifyReply) => {
    const b = body(delistRequestBody, request);
    const now = deps.authClock.now();
    const wait = limiter.take(request.ip, now);
    if (wait > 0) {
      void reply.header('retry-after', String(wait));
      throw makeError(
        'SW_RATE_LIMITED',
        `too many delisting requests from this address; retry in ${wait} s`,
        {
          details: { retry_after_s: wait },
        },
      );
    }
    if (deps.lists.countDelistRequests('pending') >= limiter.maxPending)
      throw makeError(
        'SW_RATE_LIMITED',
        'too many delisting requests are waiting for review; try again later',
      );
    const { request: r, created } = deps.lists.addDelistRequest({ ...b, created_at: now });
    const answer: DelistAccepted = { id: r.id, status: 'pending', network: r.network, created };
    return reply.code(202).send(answer);
  });

  app.get('/api/v1/admin/delist-requests', admin, (request): Promise<{ items: DelistRequestView[] }> => {
    const q = parseParams(
      z.strictObject({
        status: z.enum(['pending', 'approved', 'rejected', 'all']).default('pending'),
        limit: intText(1, 1000).default(100),
      }),
      request.query,
    );
    const items = deps.lists.listDelistRequests({
      ...(q.status === 'all' ? {} : { status: q.status }),
      limit: q.limit,
    });
    return Promise.resolve({ items: items.map(adminDelistView) });
  });

  app.post('/api/v1/admin/delist-requests/:id', admin, (request) => {
    const { id } = parseParams(z.strictObject({ id: z.string().max(64) }), request.params);
    const d = body(delistDecisionBody, request);
    const now = deps.authClock.now();
    const days = d.expires_days === undefined ? (deps.approveDays ?? 90) : d.expires_days;
    const decided = deps.lists.decideDelistRequest(id, {
      decision: d.decision,
      actor: d.actor,
      note: d.note ?? null,
      at: now,
      allowlist_expires_at: days === null ? null : now + days * DAY,
    });
    const entry = deps.lists.listAllowlist().find((e) => e.id === decided.allowlist_id);
    if (entry) deps.service.invalidate();
    return Promise.resolve({
      request: adminDelistView(decided),
      allowlist_entry: entry ? allowlistView(entry, now) : null,
    });
  });

  app.get('/api/v1/admin/allowlist', admin, (): Promise<{ items: AllowlistEntryView[] }> => {
    const now = deps.authClock.now();
    return Promise.resolve({ items: deps.lists.listAllowlist().map((e) => allowlistView(e, now)) });
  });

  app.post('/api/v1/admin/allowlist', admin, (request, reply: FastifyReply) => {
    const b = body(allowlistBody, request);
    const now = deps.authClock.now();
    const entry = deps.lists.addAllowlistEntry({
      cidr: b.cidr,
      reason: b.reason,
      created_by: b.actor,
      created_at: now,
      expires_at: b.expires_days == null ? null : now + b.expires_days * DAY,
      delist_request_id: null,
    });
    deps.service.invalidate();
    return reply.code(201).send(allowlistView(entry, now));
  });

  app.delete('/api/v1/admin/allowlist/:id', admin, (request) => {
    const { id } = parseParams(z.strictObject({ id: z.string().max(64) }), request.params);
    if (!deps.lists.removeAllowlistEntry(id)) throw makeError('SW_NOT_FOUND', `no allowlist entry ${id}`);
    deps.service.invalidate();
    return Promise.resolve({ id, removed: true as const });
  });
}
