/**
 * The aggregator's worker thread (started by aggregator-thread.ts): opens its own connections to the store and the
 * bus files, loads the geo tables, and runs startAggregator, so that counting and commits use the second core and
 * never stall the thread that acknowledges sensors.
 *
 * Messages in: {type: 'drain', id}, {type: 'stop'}. Out: {type: 'ready'}, {type: 'stats', stats} (every
 * STATS_EVERY_MS and after each drain), {type: 'drained', id, error?}, {type: 'log', level, obj, msg},
 * {type: 'stopped'}, {type: 'fatal', error}.
 * Invariant: nothing is acknowledged on the bus that the store has not committed (startAggregator's rules); if this
 * thread dies, the bus keeps every uncommitted batch for the next start.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { openSqliteBus } from '../../bus/sqlite/index.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { loadGeoOnce } from '../enrich/index.js';
import { startAggregator } from './aggregator.js';
import type { AggregatorThreadData, FromWorker, ToWorker } from './aggregator-thread-messages.js';

const STATS_EVERY_MS = 500;

const port = parentPort;
if (!port) throw new Error('aggregator-worker must run as a worker thread');
const data = workerData as AggregatorThreadData;
const post = (m: FromWorker): void => port.postMessage(m);

// Logs go to the main thread's logger (its destination and format), as plain records.
const logger = pino(
  { level: data.logLevel, base: undefined, timestamp: false },
  {
    write(line: string): void {
      const rec = JSON.parse(line) as Record<string, unknown> & { level: number; msg?: string };
      const { level, msg, ...obj } = rec;
      post({ type: 'log', level, obj, msg: msg ?? '' });
    },
  },
);

try {
  const store = openSqliteStore({
    path: data.storePath,
    seed: data.seed,
    logger: logger.child({ component: 'store' }),
    ...(data.options.probationMs !== undefined ? { probationMs: data.options.probationMs } : {}),
    ...(data.storeCacheMb !== undefined ? { cacheMb: data.storeCacheMb } : {}),
  });
  const bus = openSqliteBus({ path: data.busPath, logger: logger.child({ component: 'bus' }) });
  const geo = data.geo === null ? null : loadGeoOnce(data.geo, logger.child({ component: 'geo' }));
  const agg = startAggregator({
    bus,
    store,
    logger: logger.child({ component: 'aggregate' }),
    ...data.options,
    ...(geo ? { geo: (ip: string) => geo.lookup(ip) } : {}),
  });
  const timer = setInterval(() => post({ type: 'stats', stats: agg.stats() }), STATS_EVERY_MS);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'drain') {
      agg.drain().then(
        () => {
          post({ type: 'stats', stats: agg.stats() });
          post({ type: 'drained', id: m.id });
        },
        (err: unknown) =>
          post({ type: 'drained', id: m.id, error: err instanceof Error ? err.message : String(err) }),
      );
    } else if (m.type === 'stop') {
      clearInterval(timer);
      void agg
        .stop()
        .then(async () => {
          post({ type: 'stats', stats: agg.stats() });
          await bus.close();
          store.close();
        })
        .finally(() => {
          post({ type: 'stopped' });
          port.close();
        });
    }
  });
  post({ type: 'stats', stats: agg.stats() });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'fatal', error: err instanceof Error ? `${err.message}` : String(err) });
}
