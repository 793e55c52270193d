/**
 * Builds the Fastify app (no listen: tests use app.inject(), server.ts listens).
 *
 * Invariants:
 * - Every error leaves as `{ code, message, details? }` with the status of its code (errors.ts), 404s included.
 * - The submission route is an encapsulated plugin with its own raw-body parser; JSON routes share a small
 *   body limit (`max_json_body_bytes`).
 * - Every registered route is recorded (registeredRoutes) so that a test can hold docs/openapi.yaml to it.
 * - Components arrive as options; nothing here is global. The logger is a child per component.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { IngestMetrics } from '../ingest/metrics.js';
import { submissionsPlugin } from '../ingest/submissions.js';
import type { Store } from '../store/store.js';
import { resolveServerConfig } from './config.js';
import type { ServerConfig } from './config.js';
import type { ApiContext, PipelineHandles } from './context.js';
import { installErrorHandling } from './errors.js';
import { VERSION } from './package-info.js';
import { BlocklistService } from '../publish/blocklists/service.js';
import { publishedAdvisories } from '../publish/stix/from-advisory.js';
import { createAdvise } from '../pipeline/advise/index.js';
import { assessThreat } from '../pipeline/detect/model/threat.js';
import type { Incident } from '../protocol/incident-types.js';
import { createPublishing } from '../publish/dispatcher/from-config.js';
import { correlate } from '../intel/correlate/correlate.js';
import { openKnowledgeBase } from '../intel/kb.js';
import type { KnowledgeBase } from '../intel/kb.js';
import type { AnalystSide } from './analyst-side.js';
import { adminRoutes } from './routes/admin.js';
import { advisoryRoutes } from './routes/advisories.js';
import { intelRoutes } from './routes/intel.js';
import { noteRoutes } from './routes/notes.js';
import { publishingRoutes } from './routes/publishing.js';
import { threatDecisionRoutes } from './routes/threat-decisions.js';
import { blocklistRoutes } from './routes/blocklists.js';
import { taxiiRoutes } from './routes/taxii.js';
import { alertRoutes } from './routes/alerts.js';
import { incidentRoutes } from './routes/incidents.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { portRoutes } from './routes/ports.js';
import { sensorRoutes } from './routes/sensors.js';
import { sourceRoutes } from './routes/sources.js';
import { DEFAULT_WEB_ROOT, webRoutes } from './routes/web.js';

export interface AppOptions {
  store: Store;
  bus: Bus;
  logger: Logger;
  adminToken: string;
  /** Validated here when not already (defaults fill the gaps). */
  config?: Partial<ServerConfig>;
  /** Event time; default the system clock. */
  eventClock?: Clock;
  /** Real time for authentication; default the system clock. */
  authClock?: Clock;
  metrics?: IngestMetrics;
  ready?: () => boolean;
  /** Aggregator and detector, for /metrics and readiness. Default none. */
  pipeline?: PipelineHandles;
  /** Data folder whose SQLite file sizes /metrics reports. Default none. */
  dataDir?: string;
  /** Folder of the built dashboard; null serves none. Default web/dist of the package. */
  webRoot?: string | null;
  /** Knowledge, advisories and channels (analyst-side.ts). Default: the advise stage without a knowledge base
   * and no channels (what route tests need). */
  analyst?: Pick<AnalystSide, 'advise' | 'publishing' | 'correlate'>;
  /** Base URL in feed links; default the request-independent http://127.0.0.1. */
  publicUrl?: () => string;
}

/** The knowledge base opened on first use (apps built without the analyst's side, e.g. in tests). */
function lazyCorrelate(store: Store): AnalystSide['correlate'] {
  let kb: KnowledgeBase | null = null;
  return (proto, port, at) => {
    kb ??= openKnowledgeBase(store.intel).kb;
    return correlate({ proto, port, at }, kb);
  };
}

export interface RouteEntry {
  method: string;
  url: string;
}

const routeLists = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route registered on an app built by buildApp (HEAD twins excluded). */
export function registeredRoutes(app: FastifyInstance): RouteEntry[] {
  return [...(routeLists.get(app) ?? [])];
}

/**
 * @example const app = await buildApp({ store, bus, logger, adminToken }); const res = await app.inject({ url: '/api/v1/health' })
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const config = resolveServerConfig(opts.config ?? {});
  const ctx: ApiContext = {
    store: opts.store,
    bus: opts.bus,
    logger: opts.logger,
    eventClock: opts.eventClock ?? systemClock,
    authClock: opts.authClock ?? systemClock,
    config,
    metrics: opts.metrics ?? new IngestMetrics(),
    adminToken: opts.adminToken,
    ready: opts.ready ?? (() => true),
    version: VERSION,
    pipeline: opts.pipeline ?? {},
    dataDir: opts.dataDir ?? null,
  };

  const httpLogger: FastifyBaseLogger = opts.logger.child({ component: 'http' });
  const app: FastifyInstance = Fastify({
    loggerInstance: httpLogger,
    // Per-request lines would be one per sensor upload; refusals are counted in IngestMetrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.max_json_body_bytes,
  });
  const routes: RouteEntry[] = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    done(null, payload);
  });
  installErrorHandling(app, opts.logger.child({ component: 'api' }));

  await app.register(submissionsPlugin, {
    store: ctx.store,
    bus: ctx.bus,
    eventClock: ctx.eventClock,
    authClock: ctx.authClock,
    config,
    metrics: ctx.metrics,
    logger: opts.logger,
  });
  healthRoutes(app, ctx);
  metricsRoutes(app, ctx);
  portRoutes(app, ctx);
  alertRoutes(app, ctx);
  incidentRoutes(app, ctx);
  sensorRoutes(app, ctx);
  sourceRoutes(app, ctx);
  adminRoutes(app, ctx);
  const blocklists = new BlocklistService({
    sources: ctx.store,
    lists: ctx.store.blocklists,
    eventClock: ctx.eventClock,
    authClock: ctx.authClock,
  });
  blocklistRoutes(app, {
    service: blocklists,
    lists: ctx.store.blocklists,
    authClock: ctx.authClock,
    adminToken: ctx.adminToken,
    maxDays: config.retention.source_days,
  });
  const analyst = opts.analyst ?? {
    advise: createAdvise({
      store: ctx.store,
      advisories: ctx.store.advisories,
      correlate: () => null,
      eventClock: ctx.eventClock,
      authClock: ctx.authClock,
      logger: opts.logger,
      suggestion: () =>
        ctx.pipeline.detector?.threatLevel() ??
        assessThreat(
          ctx.store.listIncidents({ status: 'active', limit: 1000 }).map((x) => x.body as Incident),
        ),
    }),
    correlate: lazyCorrelate(ctx.store),
    publishing: createPublishing(
      { channels: [], routes: [], dispatch: config.publish.dispatch },
      { logger: opts.logger, clock: ctx.authClock, version: VERSION, deliveries: ctx.store.deliveries },
    ),
  };
  advisoryRoutes(app, { workflow: analyst.advise.workflow, adminToken: ctx.adminToken });
  intelRoutes(app, { correlate: analyst.correlate, eventClock: ctx.eventClock });
  noteRoutes(app, { notes: analyst.advise.notes, adminToken: ctx.adminToken });
  threatDecisionRoutes(app, { desk: analyst.advise.desk, adminToken: ctx.adminToken });
  publishingRoutes(app, {
    publishing: analyst.publishing,
    adminToken: ctx.adminToken,
    publicUrl: opts.publicUrl ?? (() => 'http://127.0.0.1'),
    notes: (limit) => analyst.advise.notes.publishedFeed(limit),
  });
  taxiiRoutes(app, {
    logger: opts.logger.child({ component: 'taxii' }),
    ...(config.public_url !== undefined ? { publicUrl: config.public_url } : {}),
    blocklist: () => blocklists.build('networks', Math.min(7, config.retention.source_days), 1000),
    advisories: () => publishedAdvisories(ctx.store.advisories),
  });
  await webRoutes(app, opts.webRoot === undefined ? DEFAULT_WEB_ROOT : opts.webRoot);
  return app;
}
