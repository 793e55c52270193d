/**
 * Composes and runs the embedded server: seed, admin token, SQLite store and bus, aggregator, the analyst's side
 * (knowledge, advisories, channels: analyst-side.ts), detector, app.
 *
 * Invariants:
 * - Configuration is validated before any file is opened (a bad config changes nothing on disk).
 * - Health answers 503 until everything is composed and listening.
 * - close() is idempotent and ordered: stop taking requests (in-flight ones finish), drain the bus into the
 *   store, stop the loops, then close the bus and the database. A failure while starting closes what was opened.
 * - SIGTERM handling is the CLI's job (src/cli/lifecycle.ts); this module installs no process handlers.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import { openSqliteBus } from '../bus/sqlite/index.js';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { IngestMetrics } from '../ingest/metrics.js';
import { policyOf, startRetention } from '../pipeline/retention/index.js';
import { startAggregatorThread } from '../pipeline/aggregate/aggregator-thread.js';
import { startDetector } from '../pipeline/detect/index.js';
import type { Detector } from '../pipeline/detect/index.js';
import { loadOrCreateSeed } from '../store/seed.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/store.js';
import { loadOrCreateAdminToken } from './admin-token.js';
import { checkPublishSecrets, startAnalystSide } from './analyst-side.js';
import { buildApp } from './app.js';
import { lockDataDir } from './data-dir-lock.js';
import { resolveServerConfig } from './config.js';
import type { ServerConfig } from './config.js';
import { BUS_FILE, STORE_FILE } from './data-files.js';

export { STORE_FILE, BUS_FILE } from './data-files.js';
/** How long close() waits for the aggregator to empty the bus before stopping it anyway. */
export const CLOSE_DRAIN_TIMEOUT_MS = 10_000;

export interface StartServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  dataDir: string;
  logger: Logger;
  /** Event time (virtual in the demo); default the system clock. */
  eventClock?: Clock;
  /** Real time for signatures and tokens; default the system clock. */
  authClock?: Clock;
  config?: Partial<ServerConfig>;
  /** Built dashboard folder; default web/dist of the package; null serves none. */
  webRoot?: string | null;
}

export interface ServerHandle {
  /** http://host:port with the real (ephemeral) port. */
  url: string;
  app: FastifyInstance;
  store: Store;
  bus: Bus;
  metrics: IngestMetrics;
  adminToken: string;
  /** Everything published so far is aggregated, then the detector runs once. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * @example const server = await startServer({ port: 0, dataDir: '/tmp/sw', logger }); await server.close();
 */
export async function startServer(opts: StartServerOptions): Promise<ServerHandle> {
  const config = resolveServerConfig(opts.config ?? {});
  const log = opts.logger.child({ component: 'server' });
  const eventClock = opts.eventClock ?? systemClock;
  const host = opts.host ?? '127.0.0.1';
  const undo: Array<() => Promise<void> | void> = [];
  const unwind = async (): Promise<void> => {
    for (const fn of undo.reverse()) await fn();
  };

  try {
    checkPublishSecrets(config);
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    // One process per data folder: a second server or an import beside a running one would corrupt the rollups
    // (the aggregator holds whole rows in memory). Released last, after the stores closed.
    const lock = lockDataDir(opts.dataDir, 'stormwatch server', [STORE_FILE, BUS_FILE]);
    undo.push(() => lock.release());
    const seed = loadOrCreateSeed(opts.dataDir);
    const adminToken = loadOrCreateAdminToken(opts.dataDir, log);
    const probationMs = config.sensor_probation_days * 86_400_000;
    const store = openSqliteStore({
      path: join(opts.dataDir, STORE_FILE),
      seed,
      logger: opts.logger.child({ component: 'store' }),
      probationMs,
      cacheMb: config.store_cache_mb,
    });
    undo.push(() => store.close());
    const bus = openSqliteBus({
      path: join(opts.dataDir, BUS_FILE),
      logger: opts.logger.child({ component: 'bus' }),
    });
    undo.push(() => bus.close());
    // Counting and commits run on a worker thread with its own connections (src/pipeline/aggregate), so that
    // acknowledging sensors never waits behind a commit; it also loads the geo tables, off this thread.
    const aggregator = await startAggregatorThread(
      {
        storePath: join(opts.dataDir, STORE_FILE),
        busPath: join(opts.dataDir, BUS_FILE),
        seed,
        geo: config.geo ?? {},
        logLevel: opts.logger.level,
        options: {
          ...(config.aggregate_interval_ms !== undefined ? { intervalMs: config.aggregate_interval_ms } : {}),
          ...(config.aggregate_max_batches !== undefined ? { maxBatches: config.aggregate_max_batches } : {}),
          ...(config.aggregate_max_step_events !== undefined
            ? { maxStepEvents: config.aggregate_max_step_events }
            : {}),
          ...(config.aggregate_flush_interval_ms !== undefined
            ? { flushIntervalMs: config.aggregate_flush_interval_ms }
            : {}),
          ...(config.aggregate_flush_max_events !== undefined
            ? { flushMaxEvents: config.aggregate_flush_max_events }
            : {}),
          ...(config.archive_raw_batches !== undefined ? { archiveRaw: config.archive_raw_batches } : {}),
          maxPortRows: config.aggregate_max_port_rows,
          maxSourceDays: config.aggregate_max_source_days,
          probationMs,
        },
        heapMb: config.aggregate_worker_heap_mb,
        storeCacheMb: config.store_cache_mb,
      },
      opts.logger.child({ component: 'aggregate' }),
    );
    undo.push(async () => {
      // Bounded: a failing store must not hang shutdown; whatever is left stays durable on the bus.
      const drained = await Promise.race([
        aggregator.drain().then(
          () => true,
          () => false,
        ),
        new Promise<false>((resolve) => setTimeout(resolve, CLOSE_DRAIN_TIMEOUT_MS, false).unref()),
      ]);
      if (!drained) log.warn('bus not fully drained at close; the rest is applied at next start');
      await aggregator.stop();
    });
    // The analyst's side (knowledge, advisories, channels) hears the detector's notifications; the detector is
    // made right after it, so its threat level is read through a reference.
    let detectorRef: Detector | null = null;
    let publicUrl = config.public_url ?? urlOf(host, opts.port);
    const analyst = startAnalystSide({
      store,
      config,
      eventClock,
      authClock: opts.authClock ?? systemClock,
      logger: opts.logger,
      suggestion: () =>
        detectorRef?.threatLevel() ?? { level: 'normal', reason: 'the detector is starting', incidents: [] },
      publicUrl: () => publicUrl,
    });
    undo.push(() => analyst.close());
    const detector = startDetector({
      store,
      clock: eventClock,
      logger: opts.logger.child({ component: 'detect' }),
      onNotification: analyst.publisher.onNotification,
      ...(config.detector !== undefined ? { config: config.detector } : {}),
      ...(config.detect_interval_ms !== undefined ? { intervalMs: config.detect_interval_ms } : {}),
    });
    undo.push(() => detector.stop());
    detectorRef = detector;
    // Pruning by age and size, and the store's upkeep (day spans for long-window reads); on the event clock.
    const retention = startRetention({
      store,
      clock: eventClock,
      logger: opts.logger.child({ component: 'retention' }),
      policy: policyOf(config.retention),
      intervalMs: config.retention.interval_ms,
    });
    undo.push(() => retention.stop());

    let ready = false;
    const metrics = new IngestMetrics();
    const app = await buildApp({
      store,
      bus,
      logger: opts.logger,
      adminToken,
      config,
      eventClock,
      authClock: opts.authClock ?? systemClock,
      metrics,
      ready: () => ready,
      pipeline: {
        aggregator,
        detector,
        retention,
        publish: {
          dispatcherStats: () => analyst.publishing.dispatcher.stats(),
          publisherStats: () => analyst.publisher.stats,
        },
      },
      analyst,
      publicUrl: () => publicUrl,
      dataDir: opts.dataDir,
      ...(opts.webRoot !== undefined ? { webRoot: opts.webRoot } : {}),
    });
    undo.push(() => app.close());
    await app.listen({ port: opts.port, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    ready = true;
    const url = urlOf(host, port);
    publicUrl = config.public_url ?? url;
    log.info({ url, data_dir: opts.dataDir }, 'server listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      store,
      bus,
      metrics,
      adminToken,
      drain: async () => {
        await aggregator.drain();
        detector.runOnce();
      },
      close: () => {
        closing ??= unwind().then(() => log.info('server closed'));
        return closing;
      },
    };
  } catch (err) {
    await unwind().catch((e: unknown) => log.error({ err: e }, 'error while undoing a failed start'));
    throw err;
  }
}
