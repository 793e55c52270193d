/**
 * The sensor agent: wires input(s) → parse → privacy → batches → durable spool → signed uploads.
 *
 * Invariants:
 * - Nothing is counted as taken before it is in the spool; positions advance only behind the spool (batcher.ts).
 * - Logs go to the pino logger passed in, one child per component; time comes from the injected clock.
 * - `close()` stops reading, spools what was read, stops uploading (the rest stays spooled for the next run) and
 *   makes the spool durable. `drain()` waits until every line read so far has been acknowledged by the server.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import type { SensorConfig } from './config.js';
import type { MalformedSample } from './inputs/line-stats.js';
import { readIdentity, readSensorKey } from './identity.js';
import { PrivacyFilter } from './privacy.js';
import { Batcher } from './run/batcher.js';
import { startMetricsServer } from './metrics-server.js';
import { makeRunner } from './run/make-runner.js';
import { StatusWriter } from './status.js';
import type { Server } from 'node:http';
import type { RunningInput } from './run/running-input.js';
import { Spool } from './spool/spool.js';
import { Uploader } from './uploader/uploader.js';

export interface StartSensorOptions {
  config: SensorConfig;
  logger: Logger;
  clock: Clock;
  /** Read the inputs only when drain() asks (used by `--once`); default false: poll them continuously. */
  once?: boolean;
}

export interface InputStats {
  key: string;
  lines: number;
  events: number;
  skipped: Record<string, number>;
  malformed: Record<string, number>;
  malformed_samples: MalformedSample[];
  /** Counters of the input's kind: rotations and truncations of a file, restarts of a command ... */
  counters: Record<string, number>;
}

export interface SensorStats {
  sensor_id: string;
  lines_read: number;
  /** Events the parsers produced (before the privacy policy). */
  events_parsed: number;
  malformed: Record<string, number>;
  skipped: Record<string, number>;
  /** Events the privacy policy kept back, by reason. */
  excluded: Record<string, number>;
  spooled_events: number;
  /** Events the server accepted (first time) and saw again (duplicate batch ids). */
  uploaded_events: number;
  duplicate_events: number;
  /** Events that left the spool: accepted, duplicate or dead-lettered. */
  acked_events: number;
  dead_lettered_events: number;
  /** Events lost to the spool quota (or to a spool that kept refusing appends). */
  dropped_events: number;
  /** Events in the spool not yet acknowledged, plus those still being batched. */
  backlog_events: number;
  upload_failures: Record<string, number>;
  last_upload_error: string | null;
  inputs: InputStats[];
}

export interface SensorHandle {
  readonly sensorId: string;
  /** The Prometheus endpoint's URL when `metrics.listen` is set (the real port when it was 0), else null. */
  metricsUrl(): string | null;
  stats(): SensorStats;
  /** Reads the inputs to their current end and waits until all of it is acknowledged. True when it was in time. */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

function sum(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/**
 * Starts the sensor. @example const sensor = await startSensor({ config, logger: pino(), clock: systemClock })
 * @throws SW_CONFIG_INVALID when the sensor is not enrolled (no identity or key in data_dir).
 */
export async function startSensor(opts: StartSensorOptions): Promise<SensorHandle> {
  const { config, clock } = opts;
  const log = opts.logger.child({ component: 'sensor' });
  const sensorId = config.sensor_id ?? readIdentity(config.data_dir)?.sensor_id;
  if (sensorId === undefined) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `no sensor id: ${config.data_dir} has no identity.json; run \`stormwatch sensor enroll\` first`,
    );
  }
  const id: string = sensorId;
  const key = readSensorKey(config.data_dir);
  const spool = await Spool.open({
    dir: join(config.data_dir, 'spool'),
    maxSizeBytes: config.spool.max_size_bytes,
    segmentSizeBytes: config.spool.segment_size_bytes,
    fsyncIntervalMs: config.spool.fsync_interval_ms,
    logger: opts.logger.child({ component: 'spool' }),
  });
  const privacy = new PrivacyFilter(config.privacy);
  const runners: RunningInput[] = [];
  const counters = (): Record<string, number> => {
    const c: Record<string, number> = {
      lines: 0,
      malformed: 0,
      skipped: 0,
      excluded: privacy.excludedTotal,
      dropped: spool.droppedEvents + batcher.droppedEvents,
    };
    for (const r of runners) {
      c.lines = (c.lines ?? 0) + r.stats.lines;
      c.malformed = (c.malformed ?? 0) + r.stats.malformedTotal;
      c.skipped = (c.skipped ?? 0) + r.stats.skippedTotal;
    }
    return c;
  };
  const batcher = new Batcher({
    spool,
    maxBatchEvents: config.upload.max_batch_events,
    flushIntervalMs: config.upload.flush_interval_ms,
    logger: opts.logger.child({ component: 'batcher' }),
    counters,
  });
  const saved = spool.savedPositions();
  for (const input of config.inputs) {
    const runner = makeRunner(input, { privacy, batcher, clock, logger: opts.logger, saved });
    const position = runner.position;
    if (position !== undefined) batcher.track(runner.key, position);
    runners.push(runner);
  }
  const uploader = new Uploader({
    serverUrl: config.server_url,
    sensorId,
    key,
    source: spool,
    clock,
    logger: opts.logger,
    deadLetterDir: join(config.data_dir, 'dead-letter'),
    backoffBaseMs: config.upload.backoff_base_ms,
    backoffMaxMs: config.upload.backoff_max_ms,
    timeoutMs: config.upload.timeout_ms,
    maxInFlight: config.upload.max_in_flight,
    watchedAddresses: config.watched_addresses,
  });

  batcher.start();
  uploader.start();
  const status = new StatusWriter({
    dataDir: config.data_dir,
    serverUrl: config.server_url,
    intervalMs: config.status_interval_ms,
    clock,
    logger: log,
    stats: () => stats(),
    lastAckAt: () => uploader.stats.lastAckAt,
  });
  let metricsServer: Server | null = null;
  if (opts.once !== true) {
    try {
      for (const r of runners) await r.start();
      if (config.metrics.listen !== undefined)
        metricsServer = await startMetricsServer(config.metrics.listen, () => stats());
      status.start();
    } catch (err) {
      metricsServer?.close();
      await Promise.all(runners.map((r) => r.stop()));
      batcher.stop();
      await uploader.stop();
      await spool.close();
      throw err;
    }
  }
  log.info(
    {
      sensor_id: sensorId,
      server: config.server_url,
      inputs: runners.map((r) => r.key),
      recovery: spool.recovery,
    },
    'sensor started',
  );

  let closed = false;
  function stats(): SensorStats {
    const s = spool.stats();
    const u = uploader.stats;
    const inputs: InputStats[] = runners.map((r) => ({
      key: r.key,
      ...r.stats.snapshot(),
      counters: r.counters(),
    }));
    return {
      sensor_id: id,
      lines_read: inputs.reduce((t, i) => t + i.lines, 0),
      events_parsed: inputs.reduce((t, i) => t + i.events, 0),
      malformed: inputs.reduce((m, i) => sum(m, i.malformed), {}),
      skipped: inputs.reduce((m, i) => sum(m, i.skipped), {}),
      excluded: Object.fromEntries(privacy.excluded),
      spooled_events: s.appendedEvents,
      uploaded_events: u.acceptedEvents,
      duplicate_events: u.duplicateEvents,
      acked_events: s.ackedEvents,
      dead_lettered_events: u.deadLetteredEvents,
      dropped_events: s.droppedEvents + batcher.droppedEvents,
      backlog_events: s.backlogEvents + batcher.pendingEvents,
      upload_failures: { ...u.failures },
      last_upload_error: u.lastError,
      inputs,
    };
  }

  return {
    sensorId,
    metricsUrl(): string | null {
      const a = metricsServer?.address();
      if (a === null || a === undefined || typeof a === 'string') return null;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `http://${host}:${a.port}/metrics`;
    },
    stats,
    async drain(timeoutMs: number): Promise<boolean> {
      // A wait, not event time: measured on the monotonic clock, whatever the injected one does.
      const deadline = performance.now() + timeoutMs;
      for (const r of runners) await r.readToEnd();
      batcher.flush();
      await spool.sync();
      while (spool.stats().backlogEvents > 0) {
        const left = deadline - performance.now();
        if (left <= 0) return false;
        await spool.waitForData(Math.min(left, 50));
      }
      return true;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(runners.map((r) => r.stop()));
      batcher.stop();
      batcher.flush();
      await uploader.stop();
      await spool.close();
      if (opts.once !== true) status.stop();
      if (metricsServer !== null) await new Promise((res) => metricsServer.close(res));
      log.info({ stats: { ...stats(), inputs: undefined } }, 'sensor stopped');
    },
  };
}

/**
 * `stormwatch sensor run --once`: reads the inputs to their end, uploads everything, stops.
 * @returns the final stats and whether everything was acknowledged within `timeoutMs`.
 */
export async function runSensorOnce(
  opts: Omit<StartSensorOptions, 'once'> & { timeoutMs: number },
): Promise<{ drained: boolean; stats: SensorStats }> {
  const sensor = await startSensor({ ...opts, once: true });
  try {
    const drained = await sensor.drain(opts.timeoutMs);
    return { drained, stats: sensor.stats() };
  } finally {
    await sensor.close();
  }
}
