/**
 * The simulated sensor fleet: N sensors in one process, each with its own Ed25519 key, enrolled through the
 * real enrolment endpoint and uploading signed gzip batches through the real submission endpoint, on the
 * server's (virtual) event clock.
 *
 * Lifecycle: start() enrols every sensor, backfills history from `backfillFrom` up to the clock's now in
 * chunks, then ticks: every `tickMs` of real time each sensor uploads what it saw since its last upload.
 * Batch ids are unique per (sensor, interval), so a retried upload is deduplicated by the server.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { generateSensorKeyPair, loadPrivateKey } from '../protocol/signing.js';
import { createEnrollmentTokenViaApi, enrollViaApi, submitBatch } from '../protocol/client.js';
import { buildFleet, generateEvents } from './generator.js';
import type { Fleet, ScheduledProfile } from './generator.js';

export interface FleetOptions {
  serverUrl: string;
  adminToken: string;
  sensors: number;
  operators: number;
  seed: number;
  profiles: ScheduledProfile[];
  /** The server's event clock (virtual in the demo). */
  clock: Clock;
  logger: Logger;
  tickMs?: number;
  /** Virtual time from which to backfill history before going live; no backfill when absent. */
  backfillFrom?: number;
  backfillChunkMs?: number;
  concurrency?: number;
}

interface SimSensor {
  index: number;
  id: string;
  key: KeyObject;
  uploadedTo: number;
}

export interface FleetHandle {
  sensorIds: string[];
  stats(): { batches: number; events: number; errors: number };
  stop(): Promise<void>;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export async function startFleet(opts: FleetOptions): Promise<FleetHandle> {
  const log = opts.logger.child({ component: 'sim-fleet' });
  const fleet: Fleet = buildFleet(opts.seed, opts.sensors, opts.profiles);
  const sensors: SimSensor[] = [];
  const counters = { batches: 0, events: 0, errors: 0 };
  const concurrency = opts.concurrency ?? 8;

  for (let i = 0; i < opts.sensors; i++) {
    const operator = `sim-operator-${(i % opts.operators) + 1}`;
    const { token } = await createEnrollmentTokenViaApi(opts.serverUrl, opts.adminToken, operator);
    const keys = generateSensorKeyPair();
    const { sensor_id } = await enrollViaApi(opts.serverUrl, token, keys.publicKeyPem, `sim-${i + 1}`);
    sensors.push({
      index: i,
      id: sensor_id,
      key: loadPrivateKey(keys.privateKeyPem),
      uploadedTo: opts.backfillFrom ?? opts.clock.now(),
    });
  }
  log.info({ sensors: sensors.length, operators: opts.operators }, 'fleet enrolled');

  const upload = async (s: SimSensor, to: number): Promise<void> => {
    const from = s.uploadedTo;
    if (to <= from) return;
    const events = generateEvents(fleet, opts.seed, s.index, from, to);
    const batch = { batch_id: `sim-${s.index}-${from}-${to}`, sensor_time: opts.clock.now(), events };
    try {
      await submitBatch(opts.serverUrl, s.id, s.key, batch);
      s.uploadedTo = to;
      counters.batches++;
      counters.events += events.length;
    } catch (err) {
      counters.errors++;
      log.warn({ err, sensor: s.id }, 'upload failed; the interval is retried on the next tick');
    }
  };

  if (opts.backfillFrom !== undefined) {
    const chunk = opts.backfillChunkMs ?? 3_600_000;
    const end = opts.clock.now();
    for (let t = opts.backfillFrom; t < end; t += chunk) {
      const to = Math.min(t + chunk, end);
      await pool(sensors, concurrency, (s) => upload(s, to));
    }
    log.info({ events: counters.events, batches: counters.batches }, 'history backfilled');
  }

  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    const now = opts.clock.now();
    running = pool(sensors, concurrency, (s) => upload(s, now)).finally(() => {
      if (!stopped) timer = setTimeout(tick, opts.tickMs ?? 1000);
    });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, opts.tickMs ?? 1000);

  return {
    sensorIds: sensors.map((s) => s.id),
    stats: () => ({ ...counters }),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
