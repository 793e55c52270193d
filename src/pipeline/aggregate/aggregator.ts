/**
 * The aggregate stage: moves batches from the bus into the store's rollups, exactly once.
 *
 * Loop: fetch batches after the last one read (bus cursor) -> count them into a long-lived RollupEngine
 * (src/store/rollups: whole rows in memory) -> when a commit is due, store.commitRollups (rows + applied batch ids,
 * ONE transaction) -> bus.ack of every batch read since the previous commit.
 *
 * Invariants:
 * - A crash (or an error) anywhere is safe: what was not committed is still on the bus and comes back (the
 *   cursor restarts from the oldest unacked batch), and what was committed is skipped by its applied-batch id.
 *   After a failed commit the engine's memory is dropped (reset) and rebuilt from the store.
 * - A commit is due when `flushIntervalMs` passed since the oldest uncommitted batch was read, when
 *   `flushMaxEvents` events are waiting, when the engine holds as many rows as a cap allows (checked before each
 *   batch, so memory stays within the caps plus one batch: RollupEngine.overCaps), or when the bus is empty and
 *   either a drain() waits or a quarter of the interval passed since the last commit (so a trickle of batches
 *   does not rewrite the same rows at every step). Ingest acknowledged the sensors already (the bus is durable),
 *   so the interval costs freshness of the rollups, never acknowledgement latency.
 * - A step reads at most `maxStepEvents` events (plus the batch that reaches the bound) and `maxBatches` batches.
 * - One step at a time: a fetch never overlaps a commit or an ack. While work is waiting the loop runs back to
 *   back, with one turn of the event loop between steps (timers and messages are never starved by a backlog);
 *   when the bus is empty it sleeps intervalMs.
 * - A batch the engine refuses as invalid (SW_BATCH_INVALID: ingest validates, so a bug or corruption) would
 *   block the bus forever, so it is acked and dropped, counted in batches_rejected_total and logged; nothing of it
 *   is counted (the engine checks a whole batch before counting it).
 * - A failing step is logged and counted, and retried after a backoff (doubling up to 30 s); readiness reads
 *   last_step_failed.
 * - drain() resolves once a step found the bus empty with nothing uncommitted, after everything fetched before
 *   the call was committed and acked.
 */
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { Bus } from '../../bus/bus.js';
import { isStormwatchError, makeError } from '../../core/errors.js';
import type { Store } from '../../store/store.js';
import { RollupEngine } from '../../store/rollups/index.js';
import type { GeoInfo, RollupEngineStats } from '../../store/rollups/index.js';

export interface AggregatorOptions {
  bus: Bus;
  store: Store;
  logger: Logger;
  /** Sleep between polls of an empty bus. Default 200 ms. */
  intervalMs?: number;
  /** Batches per fetch (all decoded at once: keep it modest). Default 50. */
  maxBatches?: number;
  /**
   * A fetch stops after the batch that brings its events to this many (Bus.fetch maxEvents): what one step
   * decodes, holds and counts before it yields. Default DEFAULT_MAX_STEP_EVENTS.
   */
  maxStepEvents?: number;
  /** Longest time a read batch waits for its commit under load. Default 5000 ms. */
  flushIntervalMs?: number;
  /** Commit once this many events wait. Default 2,000,000. */
  flushMaxEvents?: number;
  /** Country and AS lookup for per-source rollups (src/pipeline/enrich); default none. */
  geo?: (ip: string) => GeoInfo;
  /** Keep the raw batches (store.raw_batches). Default true. */
  archiveRaw?: boolean;
  /** How long a new sensor carries no weight in detection (src/store/rollups/probation.ts). Default 14 days. */
  probationMs?: number;
  /** Rollup rows kept in memory past a commit (RollupEngineOptions.maxPortRows / maxSources). */
  maxPortRows?: number;
  maxSourceDays?: number;
}

export interface AggregatorStats {
  batches_applied_total: number;
  batches_skipped_total: number;
  /** Batches the engine refused as invalid, acked and dropped (see the module header). */
  batches_rejected_total: number;
  events_applied_total: number;
  steps_total: number;
  commits_total: number;
  errors_total: number;
  /** Duration of the last non-empty step (fetch + count, and commit + ack when one was due), ms. */
  last_step_ms: number;
  /** Duration of the last commit (store transaction + bus ack), ms. */
  last_commit_ms: number;
  /** Rows written by the last commit (port rows + source days + sensor hours). */
  last_commit_rows: number;
  /** At the last commit: how long its oldest batch had waited since it was read, ms. */
  flush_lag_ms: number;
  last_error: string | null;
  /** The most recent step threw (cleared by the next step that succeeds); readiness reads it. */
  last_step_failed: boolean;
  engine: RollupEngineStats;
  /**
   * The V8 heap of the thread the aggregator runs on (bytes): used, committed (what the heap holds from the
   * system, live or not), and the limit collection keeps it under.
   */
  heap: { used_bytes: number; committed_bytes: number; limit_bytes: number };
}

export interface Aggregator {
  stop(): Promise<void>;
  drain(): Promise<void>;
  stats(): AggregatorStats;
}

const MAX_BACKOFF_MS = 30_000;
/** Batches read per step unless configured. */
export const DEFAULT_MAX_BATCHES = 50;
/**
 * Events read per step unless configured: about 15 MB of decoded events and a step of one to three seconds
 * under load (50 batches of 20,000 events, unbounded, were 300 MB and steps of 10-25 s).
 */
export const DEFAULT_MAX_STEP_EVENTS = 50_000;

/** The counters of an aggregator that has done nothing yet. */
export function emptyStats(): Omit<AggregatorStats, 'engine' | 'heap'> {
  return {
    batches_applied_total: 0,
    batches_skipped_total: 0,
    batches_rejected_total: 0,
    events_applied_total: 0,
    steps_total: 0,
    commits_total: 0,
    errors_total: 0,
    last_step_ms: 0,
    last_commit_ms: 0,
    last_commit_rows: 0,
    flush_lag_ms: 0,
    last_error: null,
    last_step_failed: false,
  };
}

const WAITING = -1;

/**
 * Starts the aggregation loop.
 * @example const agg = startAggregator({ bus, store, logger: log.child({ c: 'aggregate' }) }); await agg.drain();
 */
export function startAggregator(opts: AggregatorOptions): Aggregator {
  const { bus, store } = opts;
  const log = opts.logger;
  const intervalMs = opts.intervalMs ?? 200;
  const maxBatches = opts.maxBatches ?? DEFAULT_MAX_BATCHES;
  const maxStepEvents = opts.maxStepEvents ?? DEFAULT_MAX_STEP_EVENTS;
  const flushIntervalMs = opts.flushIntervalMs ?? 5000;
  const flushMaxEvents = opts.flushMaxEvents ?? 2_000_000;
  const operators = new Map<string, string>();
  const operatorOf = (sensorId: string): string => {
    let op = operators.get(sensorId);
    if (op === undefined) {
      op = store.getSensor(sensorId)?.operator ?? `sensor:${sensorId}`;
      operators.set(sensorId, op);
    }
    return op;
  };
  const engine = new RollupEngine(
    store,
    {
      hasher: store.hasher,
      operatorOf,
      ...(opts.geo ? { geo: opts.geo } : {}),
      ...(opts.probationMs !== undefined ? { probationMs: opts.probationMs } : {}),
    },
    {
      archiveRaw: opts.archiveRaw ?? true,
      ...(opts.maxPortRows !== undefined ? { maxPortRows: opts.maxPortRows } : {}),
      ...(opts.maxSourceDays !== undefined ? { maxSources: opts.maxSourceDays } : {}),
    },
  );
  const stats: Omit<AggregatorStats, 'engine' | 'heap'> = emptyStats();

  let stopping = false;
  let wake: (() => void) | null = null;
  /** Drain callers, each with the number of the last step started before it asked. */
  let drainWaiters: Array<{ after: number; resolve(): void; reject(err: unknown): void }> = [];
  let stepsStarted = 0;

  // Read since the last commit: the bus cursor, the seqs to ack, the ids counted, when the oldest was read.
  let cursor = 0;
  let toAck: number[] = [];
  let counted = new Set<string>();
  let pendingEvents = 0;
  let pendingSince = 0;
  let pendingStats = { applied: 0, skipped: 0, rejected: 0 };
  let lastCommitAt = 0;

  const forgetPending = (): void => {
    engine.reset();
    cursor = 0;
    toAck = [];
    counted = new Set();
    pendingEvents = 0;
    pendingStats = { applied: 0, skipped: 0, rejected: 0 };
  };

  const commit = async (): Promise<void> => {
    const started = performance.now();
    const c = engine.takeCommit();
    store.commitRollups(c);
    engine.committed();
    stats.flush_lag_ms = Date.now() - pendingSince;
    const seqs = toAck;
    const committed = pendingStats;
    const events = pendingEvents;
    toAck = [];
    counted = new Set();
    pendingEvents = 0;
    pendingStats = { applied: 0, skipped: 0, rejected: 0 };
    stats.batches_applied_total += committed.applied;
    stats.batches_rejected_total += committed.rejected;
    stats.events_applied_total += events;
    stats.commits_total++;
    stats.last_commit_rows = c.ports.length + c.sources.length + c.sensorBuckets.length;
    // Skipped batches were counted before: their ack is all that is left to do.
    stats.batches_skipped_total += committed.skipped;
    await bus.ack(seqs);
    stats.last_commit_ms = performance.now() - started;
    log.debug(
      { ...committed, events, rows: stats.last_commit_rows, ms: Math.round(stats.last_commit_ms) },
      'committed',
    );
  };

  /**
   * One fetch (and a commit when due). Returns 1 when it read or committed something, 0 when the bus is empty and
   * nothing waits for a commit, WAITING when the bus is empty and a commit is not due yet.
   */
  const step = async (): Promise<number> => {
    const started = performance.now();
    const batches = await bus.fetch(maxBatches, cursor, maxStepEvents);
    if (batches.length === 0 && toAck.length === 0) return 0;
    if (toAck.length === 0 && batches.length > 0) pendingSince = Date.now();
    let full = false;
    for (const b of batches) {
      // At a row cap, commit (which evicts) before counting more: memory stays within the caps plus one batch.
      // The batches not counted are read again by the next step (the cursor stays before them).
      if (engine.overCaps()) {
        full = true;
        break;
      }
      cursor = Math.max(cursor, b.seq);
      toAck.push(b.seq);
      if (counted.has(b.batch_id) || store.isBatchApplied(b.batch_id)) {
        pendingStats.skipped++;
        continue;
      }
      try {
        engine.add(b);
      } catch (err) {
        if (!isInvalid(err)) throw err;
        pendingStats.rejected++;
        log.error({ err, batch_id: b.batch_id, sensor_id: b.sensor_id }, 'batch refused as invalid; dropped');
        continue;
      }
      counted.add(b.batch_id);
      pendingStats.applied++;
      pendingEvents += b.events.length;
    }
    const now = Date.now();
    const due =
      full ||
      engine.overCaps() ||
      pendingEvents >= flushMaxEvents ||
      now - pendingSince >= flushIntervalMs ||
      // Caught up: commit at once when someone waits for it, else at most every quarter interval, so that a
      // trickle of batches does not rewrite the same rows at every step.
      (batches.length === 0 && (drainWaiters.length > 0 || now - lastCommitAt >= flushIntervalMs / 4));
    if (due) {
      await commit();
      lastCommitAt = Date.now();
    }
    stats.last_step_ms = performance.now() - started;
    return batches.length > 0 || due ? 1 : WAITING;
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
        forgetPending();
        stats.errors_total++;
        stats.last_step_failed = true;
        stats.last_error = err instanceof Error ? err.message : String(err);
        log.error({ err }, 'aggregation step failed; will retry');
        rejectDrains(err);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (handled > 0) {
        // The bus and the store answer synchronously, so `await step()` alone never leaves the microtask queue:
        // a turn of the event loop lets timers and messages in (the worker thread's stats, drain and stop).
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (handled === WAITING) {
        await sleep(Math.min(intervalMs, flushIntervalMs / 4));
        continue;
      }
      resolveDrains(stepNo);
      if (!stopping && drainWaiters.length === 0) await sleep(intervalMs);
    }
  };

  log.info(
    {
      interval_ms: intervalMs,
      max_batches: maxBatches,
      max_step_events: maxStepEvents,
      flush_interval_ms: flushIntervalMs,
    },
    'aggregator started',
  );
  const running = loop();

  return {
    async stop(): Promise<void> {
      stopping = true;
      wake?.();
      await running;
      if (toAck.length > 0) {
        // Commit what was read, so that a clean stop leaves nothing to recount.
        await commit().catch((err: unknown) =>
          log.error({ err }, 'final commit failed; the bus keeps the batches'),
        );
      }
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
    stats: () => ({ ...stats, engine: engine.stats(), heap: heapOfThisThread() }),
  };
}

/** In a worker thread, the worker's own isolate. */
function heapOfThisThread(): AggregatorStats['heap'] {
  const h = getHeapStatistics();
  return { used_bytes: h.used_heap_size, committed_bytes: h.total_heap_size, limit_bytes: h.heap_size_limit };
}

function isInvalid(err: unknown): boolean {
  return isStormwatchError(err) && err.code === 'SW_BATCH_INVALID';
}
