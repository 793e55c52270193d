/**
 * Composes the analyst's side of the embedded server: the knowledge base (src/intel), the advise stage (drafts,
 * workflow, notes, threat-level decisions), the channel dispatcher and the Publisher that connects them to the
 * detector.
 *
 * Invariants:
 * - Channel secrets are read from the environment here, at start; a missing one is a SW_CONFIG_INVALID naming its
 *   path, before anything runs.
 * - The shipped curated knowledge is written into the store at every start (idempotent upserts).
 * - At start, active incidents at the draft level get their automatic draft if a crash lost it (idempotent).
 * - Delivered outbox rows older than DELIVERED_KEEP_MS are purged at start and hourly (dead letters stay).
 * - close() stops the dispatcher (an attempt in flight is aborted and retried at the next start) before the store
 *   closes.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import { correlate } from '../intel/correlate/correlate.js';
import { openKnowledgeBase } from '../intel/kb.js';
import { createAdvise } from '../pipeline/advise/index.js';
import type { Advise } from '../pipeline/advise/index.js';
import type { Protocol } from '../core/event.js';
import type { Incident, ThreatAssessment } from '../protocol/incident-types.js';
import type { Correlation } from '../protocol/intel-types.js';
import { resolvePublishSecrets } from '../publish/config.js';
import { createPublishing } from '../publish/dispatcher/from-config.js';
import type { Publishing } from '../publish/dispatcher/from-config.js';
import { Publisher } from '../publish/publisher.js';
import type { Store } from '../store/store.js';
import type { ServerConfig } from './config.js';
import { VERSION } from './package-info.js';

/** Delivered outbox rows are kept this long (for the record of what went out), then purged hourly. */
export const DELIVERED_KEEP_MS = 30 * 86_400_000;
const PURGE_EVERY_MS = 3_600_000;

/**
 * The channel secrets the configuration names must be in the environment: checked before the server opens any
 * file, each missing one named by its path (SW_CONFIG_INVALID).
 */
export function checkPublishSecrets(
  config: Readonly<ServerConfig>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ReturnType<typeof resolvePublishSecrets>['channels'] {
  const secrets = resolvePublishSecrets(config.publish.channels, env);
  if (secrets.problems.length > 0) {
    const problems = secrets.problems.map((p) => `publish.${p}`);
    throw makeError('SW_CONFIG_INVALID', `server configuration: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  return secrets.channels;
}

export interface AnalystSide {
  advise: Advise;
  /** What the knowledge base links to a port at a time. */
  correlate: (proto: Protocol, port: number, at: number) => Correlation;
  publishing: Publishing;
  publisher: Publisher;
  close(): Promise<void>;
}

export interface AnalystSideOptions {
  store: Store;
  config: Readonly<ServerConfig>;
  eventClock: Clock;
  authClock: Clock;
  logger: Logger;
  /** The detector's suggested threat level (read when asked). */
  suggestion: () => ThreatAssessment;
  publicUrl: () => string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** @example const side = startAnalystSide({ store, config, eventClock, authClock, logger, suggestion, publicUrl }) */
export function startAnalystSide(o: AnalystSideOptions): AnalystSide {
  const channels = checkPublishSecrets(o.config, o.env ?? process.env);
  const { kb } = openKnowledgeBase(o.store.intel);
  const correlateAt = (proto: Protocol, port: number, at: number): Correlation =>
    correlate({ proto, port, at }, kb);
  const publishing = createPublishing(
    { ...o.config.publish, channels },
    {
      logger: o.logger.child({ component: 'publish' }),
      clock: o.authClock,
      version: VERSION,
      deliveries: o.store.deliveries,
    },
  );
  let publisher: Publisher | null = null;
  const advise = createAdvise({
    store: o.store,
    advisories: o.store.advisories,
    correlate: correlateAt,
    eventClock: o.eventClock,
    authClock: o.authClock,
    logger: o.logger,
    suggestion: o.suggestion,
    onPublished: (view) => publisher?.onAdvisory(view),
    onNotePublished: (note) => publisher?.onNote(note),
    onThreatDecision: (decision, current) => publisher?.onThreatDecision(decision, current),
    decisionExpiryMs: o.config.advise.decision_expiry_ms,
  });
  publisher = new Publisher({
    dispatcher: publishing.dispatcher,
    advisories: o.store.advisories,
    draftForIncident: (id) => advise.workflow.draftForIncident(id),
    logger: o.logger.child({ component: 'publish' }),
    clock: o.authClock,
    publicUrl: o.publicUrl,
    draftMinLevel: o.config.advise.draft_min_level,
  });
  const missed = publisher.catchUp(
    o.store.listIncidents({ status: 'active', limit: 1000 }).map((x) => x.body as Incident),
  );
  if (missed > 0)
    o.logger.info({ drafts: missed }, 'automatic drafts made for incidents opened before a restart');
  publishing.dispatcher.start();
  const purge = (): void => {
    try {
      o.store.deliveries.purgeDelivered(o.authClock.now() - DELIVERED_KEEP_MS);
    } catch (err) {
      o.logger.warn({ err }, 'purging delivered outbox rows failed; tried again in an hour');
    }
  };
  purge();
  const purger = setInterval(purge, PURGE_EVERY_MS);
  purger.unref();
  return {
    advise,
    correlate: correlateAt,
    publishing,
    publisher,
    close: () => {
      clearInterval(purger);
      return publishing.dispatcher.close();
    },
  };
}
