/**
 * Test support for src/api and src/ingest tests (not shipped behaviour): a real SQLite store and bus in a temp
 * dir, manual clocks, an app built with buildApp, and helpers to enrol sensors and send signed batches.
 *
 * Invariant: the components are the real ones (no mocks where the real component runs); `drain` runs the
 * real aggregator until the bus is empty.
 */
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import { openSqliteBus } from '../bus/sqlite/index.js';
import { ManualClock } from '../core/clock.js';
import type { AttackEvent } from '../core/event.js';
import { IngestMetrics } from '../ingest/metrics.js';
import { startAggregator } from '../pipeline/aggregate/index.js';
import type { Aggregator } from '../pipeline/aggregate/index.js';
import { startDetector } from '../pipeline/detect/index.js';
import type { Detector } from '../pipeline/detect/index.js';
import type { ErrorBody, TopPortsResponse } from '../protocol/api-types.js';
import type { SubmissionBatch } from '../protocol/batch.js';
import { SUBMISSIONS_PATH } from '../protocol/batch.js';
import { generateSensorKeyPair, loadPrivateKey, newNonce, signRequest } from '../protocol/signing.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';

/** Event-clock now in tests: 12:02 UTC, so the current 1-hour window is [11:05, 12:05). */
export const T_EVENT = Date.parse('2024-05-01T12:02:00Z');
/** Auth-clock (real time) now in tests: deliberately far from the event clock. */
export const T_AUTH = Date.parse('2030-01-01T00:00:00Z');

export const silentLogger = (): Logger => pino({ level: 'silent' });

export interface TestSensor {
  id: string;
  key: KeyObject;
}

export interface SubmitOptions {
  /** x-sw-time; default the auth clock's now. */
  time?: number;
  nonce?: string;
  /** Key to sign with; default the sensor's own. */
  key?: KeyObject;
  /** Header overrides (a value of null removes the header). */
  headers?: Record<string, string | null>;
  /** Send JSON without gzip. */
  identity?: boolean;
}

export interface TestEnv {
  dir: string;
  app: FastifyInstance;
  store: SqliteStore;
  bus: Bus;
  eventClock: ManualClock;
  authClock: ManualClock;
  adminToken: string;
  metrics: IngestMetrics;
  aggregator: Aggregator;
  /** Never runs by itself (interval 0): call runOnce. */
  detector: Detector;
  enroll(name?: string): Promise<TestSensor>;
  /** Sends a signed submission; `body` may be a batch (JSON, gzipped unless identity) or raw bytes. */
  submit(
    sensor: TestSensor,
    body: SubmissionBatch | Buffer,
    opts?: SubmitOptions,
  ): Promise<LightMyRequestResponse>;
  /** Waits until the real aggregator has applied everything on the bus to the store. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function ev(
  port: number,
  src: string,
  ts: number = T_EVENT - 60_000,
  extra: Partial<AttackEvent> = {},
): AttackEvent {
  return { ts, proto: 'tcp', port, src, ...extra };
}

export function batchOf(
  events: AttackEvent[],
  batch_id = `b-${randomBytes(6).toString('hex')}`,
): SubmissionBatch {
  return { batch_id, sensor_time: T_EVENT, events };
}

export async function makeTestEnv(
  opts: { config?: Partial<ServerConfig>; webRoot?: string | null; ready?: () => boolean } = {},
): Promise<TestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-api-'));
  const logger = silentLogger();
  const store = openSqliteStore({ path: join(dir, 'stormwatch.db'), seed: randomBytes(16), logger });
  const bus: Bus = openSqliteBus({ path: join(dir, 'bus.db'), logger });
  const aggregator = startAggregator({ bus, store, logger, intervalMs: 20 });
  const eventClock = new ManualClock(T_EVENT);
  const authClock = new ManualClock(T_AUTH);
  const adminToken = `swa_${randomBytes(24).toString('base64url')}`;
  const metrics = new IngestMetrics();
  const detector = startDetector({ store, clock: eventClock, logger, intervalMs: 0 });
  const app = await buildApp({
    store,
    bus,
    logger,
    adminToken,
    eventClock,
    authClock,
    metrics,
    pipeline: { aggregator, detector },
    dataDir: dir,
    webRoot: opts.webRoot ?? null,
    ...(opts.config ? { config: opts.config } : {}),
    ...(opts.ready ? { ready: opts.ready } : {}),
  });

  const env: TestEnv = {
    dir,
    app,
    store,
    bus,
    eventClock,
    authClock,
    adminToken,
    metrics,
    aggregator,
    detector,
    async enroll(name = 'test-sensor') {
      const tok = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/enrollment-tokens',
        headers: { authorization: `Bearer ${adminToken}` },
        payload: { operator: 'test-op' },
      });
      const { token } = tok.json<{ token: string }>();
      const keys = generateSensorKeyPair();
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/sensors/enroll',
        payload: { token, public_key: keys.publicKeyPem, name },
      });
      if (res.statusCode !== 200) throw new Error(`enrol failed: ${res.body}`);
      return { id: res.json<{ sensor_id: string }>().sensor_id, key: loadPrivateKey(keys.privateKeyPem) };
    },
    submit(sensor, body, o = {}) {
      const bytes = Buffer.isBuffer(body)
        ? body
        : o.identity
          ? Buffer.from(JSON.stringify(body))
          : gzipSync(Buffer.from(JSON.stringify(body)));
      const signed = signRequest(
        sensor.id,
        o.key ?? sensor.key,
        'POST',
        SUBMISSIONS_PATH,
        bytes,
        o.time ?? authClock.now(),
        o.nonce ?? newNonce(),
      );
      const headers: Record<string, string> = { 'content-type': 'application/json', ...signed };
      if (!o.identity) headers['content-encoding'] = 'gzip';
      for (const [k, v] of Object.entries(o.headers ?? {})) {
        if (v === null) delete headers[k];
        else headers[k] = v;
      }
      return app.inject({ method: 'POST', url: SUBMISSIONS_PATH, headers, payload: bytes });
    },
    drain: () => aggregator.drain(),
    async close() {
      await app.close();
      await aggregator.stop();
      await detector.stop();
      await bus.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Three valid events in the current hour: two on tcp/445, one SYN on tcp/23. */
export const threeEvents = (): AttackEvent[] => [
  ev(445, '192.0.2.1'),
  ev(445, '192.0.2.2'),
  ev(23, '192.0.2.1', T_EVENT - 120_000, { flags: 'S' }),
];

/** The 1-hour top-ports items after draining the bus (what a client would see). */
export async function topItems(e: TestEnv): Promise<TopPortsResponse['items']> {
  await e.drain();
  const res = await e.app.inject({ url: '/api/v1/ports/top?window=1h' });
  expect(res.statusCode).toBe(200);
  return res.json<TopPortsResponse>().items;
}

/** Asserts a refusal with its status and code, and that nothing reached the bus or the store. */
export async function expectRefused(
  e: TestEnv,
  res: { statusCode: number; json: <T>() => T },
  status: number,
  code: string,
): Promise<ErrorBody> {
  expect(res.statusCode).toBe(status);
  const body = res.json<ErrorBody>();
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(await topItems(e)).toEqual([]);
  expect(await e.bus.backlog()).toBe(0);
  return body;
}
