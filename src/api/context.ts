/** What every route plugin receives: the composed components, never globals. */
import type { RetentionStats } from '../pipeline/retention/index.js';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../core/clock.js';
import type { IngestMetrics } from '../ingest/metrics.js';
import type { AggregatorStats } from '../pipeline/aggregate/index.js';
import type { Detector } from '../pipeline/detect/index.js';
import type { DispatcherStats } from '../publish/dispatcher/stats.js';
import type { PublisherStats } from '../publish/publisher.js';
import type { Store } from '../store/store.js';
import type { ServerConfig } from './config.js';

export interface ApiContext {
  store: Store;
  bus: Bus;
  logger: Logger;
  /** Event time (virtual in the demo): what "now" means for data. */
  eventClock: Clock;
  /** Real time: signatures, nonces, rate limits, token expiry. */
  authClock: Clock;
  config: Readonly<ServerConfig>;
  metrics: IngestMetrics;
  adminToken: string;
  /** False until the server is fully composed; health answers 503 meanwhile. */
  ready: () => boolean;
  version: string;
  /** The running pipeline stages, for /metrics and readiness; absent ones are left out of both. */
  pipeline: PipelineHandles;
  /** Folder of the SQLite files (sizes in /metrics); null reports none. */
  dataDir: string | null;
}

export interface PipelineHandles {
  aggregator?: { stats(): AggregatorStats };
  detector?: Pick<Detector, 'stats' | 'threatLevel' | 'flaggedOperators' | 'flaggedSensors' | 'position'>;
  retention?: { stats(): RetentionStats };
  /** The channel dispatcher and the Publisher (analyst-side.ts). */
  publish?: { dispatcherStats(): DispatcherStats; publisherStats(): PublisherStats };
}
