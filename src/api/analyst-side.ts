/**
 * Composes the analyst's side of the embedded server: the knowledge base (src/intel), the advise stage (drafts,
 * workflow, notes, threat-level decisions), the channel dispatcher and the Publisher that connects them to the
 * detector.
 *
 * Invariants:
 * - Channel secrets are read from the environment here, at start; a missing one is a SW_CONFIG_INVALID naming its
 *   path, before anything runs.
 * - The shipped curated knowledge is written into the store at every start (idempotent upserts).
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
import type { ThreatAssessment } from '../protocol/incident-types.js';
import type { Correlation } from '../protocol/intel-types.js';
import { resolvePublishSecrets } from '../publish/config.js';
import { createPublishing } from '../publish/dispatcher/from-config.js';
import type { Publishing } from '../publish/dispatcher/from-config.js';
import { Publisher } from '../publish/publisher.js';
import type { Store } from '../store/store.js';
import type { ServerConfig } from './config.js';
import { VERSION } from './package-info.js';

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
  const secrets = resolvePublishSecrets(o.config.publish.channels, o.env ?? process.env);
  if (secrets.problems.length > 0) {
    const problems = secrets.problems.map((p) => `publish.${p}`);
    throw makeError('SW_CONFIG_INVALID', `server configuration: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  const { kb } = openKnowledgeBase(o.store.intel);
  const correlateAt = (proto: Protocol, port: number, at: number): Correlation =>
    correlate({ proto, port, at }, kb);
  const publishing = createPublishing(
    { ...o.config.publish, channels: secrets.channels },
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
  publishing.dispatcher.start();
  return {
    advise,
    correlate: correlateAt,
    publishing,
    publisher,
    close: () => publishing.dispatcher.close(),
  };
}
