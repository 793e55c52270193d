/** The blocklist routes on a bare Fastify app with the project's error handling and real SQLite databases. */
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { ManualClock } from '../../core/clock.js';
import { DelistLimiter } from '../../publish/blocklists/delist.js';
import { BlocklistService } from '../../publish/blocklists/service.js';
import { NOW, openTestData } from '../../publish/blocklists/test-helpers.js';
import type { TestData } from '../../publish/blocklists/test-helpers.js';
import { installErrorHandling } from '../errors.js';
import { blocklistRoutes } from './blocklists.js';

export const TOKEN = 'swa_test-admin-token-0123456789';

export interface BlocklistApp {
  app: FastifyInstance;
  data: TestData;
  eventClock: ManualClock;
  authClock: ManualClock;
  close(): Promise<void>;
}

export async function startBlocklistApp(): Promise<BlocklistApp> {
  const logger = pino({ level: 'silent' });
  const eventClock = new ManualClock(NOW);
  const authClock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));
  const data = openTestData();
  const { store: sources, lists } = data;
  const service = new BlocklistService({ sources, lists, eventClock, authClock });
  const httpLogger: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance: httpLogger });
  installErrorHandling(app, logger);
  blocklistRoutes(app, {
    service,
    lists,
    authClock,
    adminToken: TOKEN,
    maxDays: 7,
    limiter: new DelistLimiter({ per_client: 3, window_ms: 3_600_000, max_pending: 4, max_clients: 100 }),
  });
  await app.ready();
  return {
    app,
    data,
    eventClock,
    authClock,
    close: async () => {
      await app.close();
      data.close();
    },
  };
}
