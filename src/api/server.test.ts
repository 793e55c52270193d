/**
 * startServer end to end on a real port: the typed protocol client enrols a sensor and uploads a signed gzip
 * batch; drain() makes it visible; close() and a restart keep data and the admin token.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { HealthResponse, TopPortsResponse } from '../protocol/api-types.js';
import { createEnrollmentTokenViaApi, enrollViaApi, getJson, submitBatch } from '../protocol/client.js';
import { generateSensorKeyPair, loadPrivateKey } from '../protocol/signing.js';
import { startServer } from './server.js';
import { batchOf, ev, silentLogger, T_EVENT } from './test-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'sw-server-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('startServer', () => {
  it('serves, ingests, drains, closes and restarts on the same data', async () => {
    const dataDir = join(root, 'data');
    const eventClock = new ManualClock(T_EVENT);
    const opts = {
      port: 0,
      dataDir,
      logger: silentLogger(),
      eventClock,
      webRoot: null,
      config: { detect_interval_ms: 0 },
    };
    const server = await startServer(opts);
    let token: string;
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await getJson<HealthResponse>(server.url, '/api/v1/health')).now).toBe(
        new Date(T_EVENT).toISOString(),
      );
      expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
      token = server.adminToken;

      const { token: enrolment } = await createEnrollmentTokenViaApi(server.url, server.adminToken, 'op-1');
      const keys = generateSensorKeyPair();
      const { sensor_id } = await enrollViaApi(server.url, enrolment, keys.publicKeyPem, 'edge');
      const ack = await submitBatch(
        server.url,
        sensor_id,
        loadPrivateKey(keys.privateKeyPem),
        batchOf([ev(1025, '203.0.113.5')]),
      );
      expect(ack.status).toBe('accepted');
      await server.drain();
      const top = await getJson<TopPortsResponse>(server.url, '/api/v1/ports/top?window=1h');
      expect(top.items.map((i) => [i.port, i.events])).toEqual([[1025, 1]]);
      expect(server.metrics.snapshot().events_total).toBe(1);

      // /metrics and readiness see the composed aggregator, detector and data folder.
      expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
      const scrape = await fetch(`${server.url}/metrics`);
      expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await scrape.text();
      expect(text).toContain('\nstormwatch_ingest_events_total 1\n');
      expect(text).toContain('\nstormwatch_aggregate_events_applied_total 1\n');
      expect(text).toContain('\nstormwatch_detect_buckets_evaluated_total{granularity="5m"} ');
      expect(text).toMatch(/\nstormwatch_store_size_bytes\{file="stormwatch\.db"\} [1-9]\d*\n/);
    } finally {
      await Promise.all([server.close(), server.close()]);
    }
    await expect(fetch(`${server.url}/api/v1/health`)).rejects.toThrow();

    const again = await startServer(opts);
    try {
      expect(again.adminToken).toBe(token);
      const top = await getJson<TopPortsResponse>(again.url, '/api/v1/ports/top?window=1h');
      expect(top.items.map((i) => [i.port, i.events])).toEqual([[1025, 1]]);
    } finally {
      await again.close();
    }
  });

  it('refuses a bad configuration before touching the data folder', async () => {
    const dataDir = join(root, 'never');
    await expect(
      startServer({ port: 0, dataDir, logger: silentLogger(), config: { max_body_bytes: 0 } }),
    ).rejects.toMatchObject({
      code: 'SW_CONFIG_INVALID',
      message: expect.stringContaining('max_body_bytes') as string,
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a channel whose secret is missing from the environment before touching the data folder', async () => {
    const dataDir = join(root, 'never-secret');
    const config = {
      publish: {
        channels: [
          {
            name: 'soc',
            type: 'webhook' as const,
            url: 'https://soc.example.org/hook',
            secret_env: 'STORMWATCH_TEST_SECRET_THAT_IS_NOT_SET',
          },
        ],
      },
    };
    await expect(
      startServer({ port: 0, dataDir, logger: silentLogger(), config: config as never }),
    ).rejects.toMatchObject({
      code: 'SW_CONFIG_INVALID',
      message: expect.stringContaining('publish.channels.0.secret_env') as string,
    });
    expect(existsSync(dataDir)).toBe(false);
  });
});
