/**
 * The aggregator on a worker thread (aggregator-worker.ts), behind the same Aggregator interface as
 * startAggregator: the server's main thread keeps taking submissions while the worker counts and commits.
 *
 * Invariants:
 * - The worker has its own store and bus connections (SQLite WAL: the main thread's reads and publishes go on
 *   beside it); the delivery rules are startAggregator's, unchanged.
 * - stats() is the worker's latest report (at most STATS_EVERY_MS old, fresh after every drain).
 * - If the worker dies, readiness sees last_step_failed, pending drains are rejected (and so are drains asked
 *   before the new worker is ready), and a new worker starts after RESTART_MS; the bus still holds everything it
 *   had not committed, which the new worker applies once.
 * - stop() lets the worker finish its step and commit, then waits for it to exit (terminated after STOP_TIMEOUT_MS).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { makeError } from '../../core/errors.js';
import { emptyStats } from './aggregator.js';
import type { Aggregator, AggregatorStats } from './aggregator.js';
import type { AggregatorThreadData, FromWorker, ToWorker } from './aggregator-thread-messages.js';

export type { AggregatorThreadData } from './aggregator-thread-messages.js';

const RESTART_MS = 1000;
const STOP_TIMEOUT_MS = 30_000;
const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const EMPTY_STATS: AggregatorStats = {
  ...emptyStats(),
  engine: { port_rows: 0, source_states: 0, sensor_rows: 0, pending_batches: 0, pending_events: 0 },
  heap: { used_bytes: 0, committed_bytes: 0, limit_bytes: 0 },
};

/** The worker's code: built JavaScript runs as is; TypeScript sources (tests, tsx) are loaded through tsx. */
function spawn(data: AggregatorThreadData): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const target = new URL('./aggregator-worker.ts', here).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
    return new Worker(boot, { eval: true, workerData: data, ...limits(data) });
  }
  return new Worker(new URL('./aggregator-worker.js', here), { workerData: data, ...limits(data) });
}

function limits(data: AggregatorThreadData): { resourceLimits?: { maxOldGenerationSizeMb: number } } {
  return data.heapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: data.heapMb } };
}

/**
 * Starts the worker and resolves once it has opened the store and the bus (rejects with its error otherwise).
 * @example const agg = await startAggregatorThread(data, log.child({ component: 'aggregate' })); await agg.drain();
 */
export async function startAggregatorThread(
  data: AggregatorThreadData,
  logger: Logger,
  /** Told of every worker started (tests kill one). */
  onWorker?: (w: Worker) => void,
): Promise<Aggregator> {
  let stats: AggregatorStats = EMPTY_STATS;
  let stopping = false;
  let running = false;
  let nextId = 0;
  const drains = new Map<number, { resolve(): void; reject(err: Error): void }>();
  let stopped: (() => void) | null = null;
  let worker: Worker;

  const failDrains = (why: string): void => {
    for (const d of drains.values()) d.reject(makeError('SW_UNAVAILABLE', why));
    drains.clear();
  };

  const start = (onReady?: (err?: Error) => void): void => {
    worker = spawn(data);
    onWorker?.(worker);
    let ready = false;
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          ready = true;
          running = true;
          onReady?.();
          break;
        case 'stats':
          stats = m.stats;
          break;
        case 'drained': {
          const d = drains.get(m.id);
          drains.delete(m.id);
          if (m.error === undefined) d?.resolve();
          else d?.reject(new Error(m.error));
          break;
        }
        case 'log':
          logger[LEVELS[m.level] ?? 'info'](m.obj, m.msg);
          break;
        case 'stopped':
          stopped?.();
          break;
        case 'fatal':
          logger.error({ error: m.error }, 'aggregator thread could not start');
          if (!ready) onReady?.(makeError('SW_UNAVAILABLE', `aggregator thread: ${m.error}`));
          break;
      }
    });
    worker.on('error', (err) => logger.error({ err }, 'aggregator thread failed'));
    worker.on('exit', (code) => {
      running = false;
      stopped?.();
      if (stopping) return;
      stats = { ...stats, last_step_failed: true, last_error: `aggregator thread exited (${code})` };
      failDrains('aggregator thread exited');
      logger.error({ code }, 'aggregator thread exited; restarting');
      setTimeout(() => {
        if (!stopping) start();
      }, RESTART_MS).unref();
    });
  };

  await new Promise<void>((resolve, reject) => start((err) => (err ? reject(err) : resolve())));

  return {
    stats: () => stats,
    drain(): Promise<void> {
      if (stopping) return Promise.reject(makeError('SW_UNAVAILABLE', 'aggregator stopped'));
      if (!running) return Promise.reject(makeError('SW_UNAVAILABLE', 'aggregator thread restarting'));
      const id = ++nextId;
      return new Promise<void>((resolve, reject) => {
        drains.set(id, { resolve, reject });
        worker.postMessage({ type: 'drain', id } satisfies ToWorker);
      });
    },
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
      failDrains('aggregator stopped');
    },
  };
}
