/**
 * POST /api/v1/submissions through the real app, store and bus: acceptance, duplicates and validation.
 * A refused batch must change nothing (checked via the API). Auth: submissions-auth.test.ts; limits and
 * rate limit: submissions-limits.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesResponse, SubmissionAck } from '../protocol/api-types.js';
import { batchOf, ev, expectRefused, makeTestEnv, T_EVENT, threeEvents, topItems } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

describe('accepting a batch', () => {
  it('accepts a signed gzip batch, acks after publish and counts it', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const batch = batchOf(threeEvents());
    const res = await env.submit(s, batch);
    expect(res.statusCode).toBe(200);
    expect(res.json<SubmissionAck>()).toEqual({ batch_id: batch.batch_id, status: 'accepted', events: 3 });
    expect(await env.bus.backlog()).toBe(1);

    const items = await topItems(env);
    expect(items.map((i) => [i.proto, i.port, i.events, i.sources, i.sensors])).toEqual([
      ['tcp', 445, 2, 2, 1],
      ['tcp', 23, 1, 1, 1],
    ]);
    expect(items[0]?.services).toEqual(['smb']);
    const series = (
      await env.app.inject({ url: '/api/v1/ports/tcp/445/series?bucket=1h' })
    ).json<SeriesResponse>();
    expect(series.items.reduce((n, p) => n + p.events, 0)).toBe(2);
    expect(env.metrics.snapshot()).toMatchObject({
      batches_total: { accepted: 1, duplicate: 0 },
      events_total: 3,
    });
  });

  it('carries the addresses the sensor watches to the bus, where the aggregator takes them', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const res = await env.submit(s, { ...batchOf(threeEvents()), watched_addresses: 256 });
    expect(res.statusCode).toBe(200);
    const [onBus] = await env.bus.fetch(1);
    expect(onBus?.watched_addresses).toBe(256);
  });

  it('accepts an uncompressed JSON body too (the signature covers the bytes as sent)', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const res = await env.submit(s, batchOf(threeEvents()), { identity: true });
    expect(res.statusCode).toBe(200);
    expect((await topItems(env)).length).toBe(2);
  });

  it('acknowledges the same batch id twice as duplicate and counts it once', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const batch = batchOf(threeEvents());
    expect((await env.submit(s, batch)).json<SubmissionAck>().status).toBe('accepted');
    const again = await env.submit(s, batch);
    expect(again.statusCode).toBe(200);
    expect(again.json<SubmissionAck>()).toEqual({ batch_id: batch.batch_id, status: 'duplicate', events: 3 });
    const before = await topItems(env);
    // Also after it has been applied and left the bus.
    expect((await env.submit(s, batch)).json<SubmissionAck>().status).toBe('duplicate');
    expect(await topItems(env)).toEqual(before);
    expect(before.find((i) => i.port === 445)?.events).toBe(2);
    expect(env.metrics.snapshot().batches_total).toEqual({ accepted: 1, duplicate: 2 });
  });
});

describe('batch ids are scoped by sensor', () => {
  it("counts another sensor's batch with the same id: a sensor cannot suppress others by guessing ids", async () => {
    env = await makeTestEnv();
    const a = await env.enroll();
    const b = await env.enroll();
    const batch = batchOf(threeEvents());
    expect((await env.submit(a, batch)).json<SubmissionAck>().status).toBe('accepted');
    expect((await env.submit(b, batch)).json<SubmissionAck>().status).toBe('accepted');
    const items = await topItems(env);
    expect(items.find((i) => i.port === 445)).toMatchObject({ events: 4, sensors: 2 });
    // The same sensor repeating its own id is still a duplicate.
    expect((await env.submit(a, batch)).json<SubmissionAck>().status).toBe('duplicate');
  });
});

describe('validation (400, nothing stored)', () => {
  it('refuses a batch with one malformed event among valid ones, naming index and field', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const events: unknown[] = [
      ...threeEvents(),
      { ts: T_EVENT, proto: 'tcp', port: 70_000, src: '192.0.2.1' },
      ev(22, '192.0.2.3'),
    ];
    const body = await expectRefused(
      env,
      await env.submit(s, { ...batchOf([]), events } as never),
      400,
      'SW_BATCH_INVALID',
    );
    expect(body.details).toEqual([{ index: 3, field: 'port', reason: expect.any(String) as string }]);
  });

  it('names several problems, at most ten', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const events: unknown[] = Array.from({ length: 30 }, (_, i) => ({
      ts: T_EVENT,
      proto: 'sctp',
      port: i,
      src: 'x',
    }));
    const body = await expectRefused(
      env,
      await env.submit(s, { ...batchOf([]), events } as never),
      400,
      'SW_BATCH_INVALID',
    );
    const details = body.details as Array<{ index: number; field: string }>;
    expect(details).toHaveLength(10);
    expect(details.slice(0, 2)).toEqual([
      { index: 0, field: 'proto', reason: expect.any(String) as string },
      { index: 0, field: 'src', reason: expect.any(String) as string },
    ]);
  });

  it('refuses unknown fields in an event and in the envelope', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const events: unknown[] = [{ ...ev(22, '192.0.2.3'), user: 'root' }];
    const body = await expectRefused(
      env,
      await env.submit(s, { ...batchOf([]), events } as never),
      400,
      'SW_BATCH_INVALID',
    );
    expect(body.details).toEqual([{ index: 0, field: 'user', reason: expect.any(String) as string }]);
    const env2 = await expectRefused(
      env,
      await env.submit(s, { ...batchOf(threeEvents()), extra: 1 } as never),
      400,
      'SW_BATCH_INVALID',
    );
    expect(env2.details).toEqual([{ index: null, field: 'extra', reason: expect.any(String) as string }]);
  });

  it('refuses events from the future beyond max_future_skew_ms of the event clock', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const events = [ev(22, '192.0.2.3'), ev(22, '192.0.2.4', T_EVENT + 600_001)];
    const body = await expectRefused(env, await env.submit(s, batchOf(events)), 400, 'SW_BATCH_INVALID');
    expect(body.details).toEqual([
      { index: 1, field: 'ts', reason: expect.stringContaining('future') as string },
    ]);
    expect((await env.submit(s, batchOf([ev(22, '192.0.2.4', T_EVENT + 599_000)]))).statusCode).toBe(200);
  });

  it('refuses a body that is not gzip, not JSON, or in another encoding', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    await expectRefused(env, await env.submit(s, Buffer.from('not gzip at all')), 400, 'SW_BAD_ENCODING');
    await expectRefused(env, await env.submit(s, gzipSync('{"batch_id":')), 400, 'SW_BAD_ENCODING');
    await expectRefused(
      env,
      await env.submit(s, gzipSync('{}'), { headers: { 'content-encoding': 'br' } }),
      400,
      'SW_BAD_ENCODING',
    );
  });
});
