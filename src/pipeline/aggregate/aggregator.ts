/**
 * The aggregate stage: moves batches from the bus into the store's rollups.
 *
 * Loop: fetch up to maxBatches from the bus -> store.applyBatches (one transaction) -> bus.ack. A crash (or
 * an error) between apply and ack is safe: the batches come back from the bus and applyBatches skips the
 * ids it has already applied, so nothing is counted twice and nothing acked is lost.
 *
 * Invariants:
 * - One step at a time: a fetch never overlaps an apply or an ack (the SQLite bus has one consumer).
 * - While work is waiting the loop runs back to back; when the bus is empty it sleeps intervalMs.
 * - A failing step is logged and counted, and retried after a backoff (doubling up to 30 s); it never
 *   acks what it did not apply, with one exception: a batch the store refuses as invalid (SW_BATCH_INVALID;
 *   ingest validates, so this means a bug or corruption) would block the bus forever, so the step applies
 *   that fetch batch by batch, and acks and drops only the refused ones, counted in batches_rejected_total
 *   and logged with their ids.
 * - drain() resolves once a step found the bus empty after everything fetched before was applied and acked.
 */
import type { Logger } from 'pino';
import type { Bus } from '../../bus/bus.js';
import { isStormwatchError, makeError } from '../../core/errors.js';
import type { BusBatch } from '../../bus/bus.js';
import type { Store } from '../../store/store.js';

export interface AggregatorOptions {
  bus: Bus;
  store: Store;
  logger: Logger;
  /** Sleep between polls of an empty bus. Default 200 ms. */
  intervalMs?: number;
  /** Batches per fetch and per store transaction. Default 200. */
  maxBatches?: number;
}

export interface AggregatorStats {
  batches_applied_total: number;
  batches_skipped_total: number;
  /** Batches the store refused as invalid, acked and dropped (see the module header). */
  batches_rejected_total: number;
  events_applied_total: number;
  steps_total: number;
  errors_total: number;
  /** Duration of the last non-empty step (fetch + apply + ack), ms. */
  last_step_ms: number;
  last_error: string | null;
  /** The most recent step threw (cleared by the next step that succeeds); readiness reads it. */
  last_step_failed: boolean;
}

export interface Aggregator {
  stop(): Promise<void>;
  drain(): Promise<void>;
  stats(): AggregatorStats;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Starts the aggregation loop.
 * @example const agg = startAggregator({ bus, store, logger: log.child({ c: 'aggregate' }) }); await agg.drain();
 */
export function startAggregator(opts: AggregatorOptions): Aggregator {
  const { bus, store } = opts;
  const log = opts.logger;
  const intervalMs = opts.intervalMs ?? 200;
  const maxBatches = opts.maxBatches ?? 200;
  const stats: AggregatorStats = {
    batches_applied_total: 0,
    batches_skipped_total: 0,
    batches_rejected_total: 0,
    events_applied_total: 0,
    steps_total: 0,
    errors_total: 0,
    last_step_ms: 0,
    last_error: null,
    last_step_failed: false,
  };
  let stopping = false;
  let wake: (() => void) | null = null;
  /** Drain callers, each with the number of the last step started before it asked. */
  let drainWaiters: Array<{ after: number; resolve(): void; reject(err: unknown): void }> = [];
  let stepsStarted = 0;

  /** applyBatches, falling back to one batch at a time to isolate batches the store refuses as invalid. */
  const apply = (batches: BusBatch[]): ReturnType<Store['applyBatches']> => {
    try {
      return store.applyBatches(batches);
    } catch (err) {
      if (!isInvalid(err)) throw err;
    }
    const total = { applied: 0, skipped: 0, events: 0 };
    for (const batch of batches) {
      try {
        const r = store.applyBatches([batch]);
        total.applied += r.applied;
        total.skipped += r.skipped;
        total.events += r.events;
      } catch (err) {
        if (!isInvalid(err)) throw err;
        stats.batches_rejected_total++;
        log.error(
          { err, batch_id: batch.batch_id, sensor_id: batch.sensor_id },
          'store refused batch; dropped',
        );
      }
    }
    return total;
  };

  /** One fetch-apply-ack; returns how many batches it handled (0 = bus empty). */
  const step = async (): Promise<number> => {
    const started = performance.now();
    const batches = await bus.fetch(maxBatches);
    if (batches.length === 0) return 0;
    const result = apply(batches);
    stats.batches_applied_total += result.applied;
    stats.batches_skipped_total += result.skipped;
    stats.events_applied_total += result.events;
    await bus.ack(batches.map((b) => b.seq));
    stats.last_step_ms = performance.now() - started;
    log.debug({ ...result, ms: Math.round(stats.last_step_ms) }, 'aggregated');
    return batches.length;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  /** An empty step settles only the drains asked before it started (it may have missed later publishes). */
  const resolveDrains = (emptyStep: number): void => {
    const ready = drainWaiters.filter((w) => w.after < emptyStep);
    drainWaiters = drainWaiters.filter((w) => w.after >= emptyStep);
    for (const w of ready) w.resolve();
  };

  const rejectDrains = (err: unknown): void => {
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const w of waiters) w.reject(err);
  };

  const loop = async (): Promise<void> => {
    let backoff = intervalMs;
    while (!stopping) {
      let handled: number;
      const stepNo = ++stepsStarted;
      try {
        stats.steps_total++;
        handled = await step();
        stats.last_step_failed = false;
        backoff = intervalMs;
      } catch (err) {
        stats.errors_total++;
        stats.last_step_failed = true;
        stats.last_error = err instanceof Error ? err.message : String(err);
        log.error({ err }, 'aggregation step failed; will retry');
        rejectDrains(err);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (handled > 0) continue;
      resolveDrains(stepNo);
      if (!stopping && drainWaiters.length === 0) await sleep(intervalMs);
    }
  };

  log.info({ interval_ms: intervalMs, max_batches: maxBatches }, 'aggregator started');
  const running = loop();

  return {
    async stop(): Promise<void> {
      stopping = true;
      wake?.();
      await running;
      rejectDrains(makeError('SW_UNAVAILABLE', 'aggregator stopped'));
      log.info(stats, 'aggregator stopped');
    },
    drain(): Promise<void> {
      if (stopping) return Promise.reject(makeError('SW_UNAVAILABLE', 'aggregator stopped'));
      const done = new Promise<void>((resolve, reject) =>
        drainWaiters.push({ after: stepsStarted, resolve, reject }),
      );
      wake?.();
      return done;
    },
    stats: () => ({ ...stats }),
  };
}

function isInvalid(err: unknown): boolean {
  return isStormwatchError(err) && err.code === 'SW_BATCH_INVALID';
}
