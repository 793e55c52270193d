/**
 * Liveness and readiness on a real SQLite store and bus: ready while everything answers; 503 SW_UNAVAILABLE
 * naming the component when the server is starting, the store is closed underneath the running aggregator
 * (which then fails its step), or the bus is closed; liveness answers 200 throughout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../protocol/api-types.js';
import { ev, makeTestEnv } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function expectNotReady(e: TestEnv, ...names: string[]): Promise<ErrorBody> {
  const res = await e.app.inject({ url: '/api/v1/health/ready' });
  expect(res.statusCode).toBe(503);
  const body = res.json<ErrorBody>();
  expect(body.code).toBe('SW_UNAVAILABLE');
  for (const n of names) expect(body.message).toContain(`${n}: `);
  expect((await e.app.inject({ url: '/api/v1/health/live' })).statusCode).toBe(200);
  return body;
}

describe('health', () => {
  it('is live and ready when the store, the bus and the aggregator are fine', async () => {
    env = await makeTestEnv();
    const live = await env.app.inject({ url: '/api/v1/health/live' });
    expect([live.statusCode, live.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await env.app.inject({ url: '/api/v1/health/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('is live but not ready while the server is starting', async () => {
    env = await makeTestEnv({ ready: () => false });
    const body = await expectNotReady(env, 'server');
    expect(body.details).toEqual({ not_ready: ['server'] });
  });

  it('is not ready when the store is closed and the aggregator fails on it', async () => {
    const e = (env = await makeTestEnv());
    e.store.close();
    await e.bus.publish({
      batch_id: 's/b-1',
      sensor_id: 's',
      received_at: Date.now(),
      clock_offset_ms: 0,
      events: [ev(22, '192.0.2.1')],
    });
    await until(() => e.aggregator.stats().last_step_failed);
    const body = await expectNotReady(e, 'store', 'aggregator');
    expect(body.message).toContain('aggregator: last step failed');
    expect(body.details).toEqual({ not_ready: ['store', 'aggregator'] });
    // /metrics still answers, without the store's samples, and shows the failing aggregator.
    const metrics = await e.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('\nstormwatch_aggregate_last_step_failed 1\n');
    expect(metrics.body).toContain('\nstormwatch_bus_backlog_batches 1\n');
    expect(metrics.body).not.toMatch(/^stormwatch_sensors\{/m);
  });

  it('is not ready when the bus is closed', async () => {
    env = await makeTestEnv();
    await env.bus.close();
    await expectNotReady(env, 'bus');
  });
});
