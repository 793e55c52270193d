/**
 * The limits added with operators and key rotation, through the real app: events too far in the past (400, or
 * none with `max_past_age_ms: null`), too many `stats` counters (400), non-canonical addresses (400), and the
 * per-sensor event rate (429 with Retry-After, nothing stored, duplicates free).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { INGEST_DEFAULTS } from '../ingest/config.js';
import type { ErrorBody, SubmissionAck } from '../protocol/api-types.js';
import { batchOf, ev, expectRefused, makeTestEnv, T_EVENT, threeEvents, topItems } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

const DAY = 86_400_000;
let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

describe('events too far in the past', () => {
  it('refuses an event older than max_past_age_ms (default 400 days) and names it', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const LIMIT = 400 * DAY;
    expect(INGEST_DEFAULTS.max_past_age_ms).toBe(LIMIT);
    const events = [ev(445, '192.0.2.1', T_EVENT - LIMIT), ev(445, '192.0.2.2', T_EVENT - LIMIT - 1)];
    const body = await expectRefused(env, await env.submit(s, batchOf(events)), 400, 'SW_BATCH_INVALID');
    expect(body.details).toEqual([
      { index: 1, field: 'ts', reason: `${LIMIT + 1} ms in the past (limit ${LIMIT})` },
    ]);
    expect((await env.submit(s, batchOf(events.slice(0, 1)))).statusCode).toBe(200);
  });

  it('takes any age with max_past_age_ms: null (bulk import of history)', async () => {
    env = await makeTestEnv({ config: { max_past_age_ms: null } });
    const s = await env.enroll();
    const res = await env.submit(s, batchOf([ev(1025, '192.0.2.1', Date.parse('2007-04-12T10:00:00Z'))]));
    expect(res.statusCode).toBe(200);
  });
});

describe('field sizes and forms', () => {
  it('refuses more stats counters than max_stats_entries', async () => {
    env = await makeTestEnv({ config: { max_stats_entries: 3 } });
    const s = await env.enroll();
    const stats = { a: 1, b: 2, c: 3, d: 4 };
    const body = await expectRefused(
      env,
      await env.submit(s, { ...batchOf(threeEvents()), stats }),
      400,
      'SW_BATCH_INVALID',
    );
    expect(body.details).toEqual([{ index: null, field: 'stats', reason: 'more than 3 counters' }]);
    const ok = await env.submit(s, { ...batchOf(threeEvents()), stats: { a: 1, b: 2, c: 3 } });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses addresses that are not in canonical form (one text per address keeps counts exact)', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const body = await expectRefused(
      env,
      await env.submit(
        s,
        batchOf([ev(22, '2001:DB8::1'), ev(22, '192.0.2.1', undefined, { dst: '203.0.113.000' })]),
      ),
      400,
      'SW_BATCH_INVALID',
    );
    expect(body.details).toEqual([
      { index: 0, field: 'src', reason: 'not canonical IP text (canonical: 2001:db8::1)' },
      { index: 1, field: 'dst', reason: 'not canonical IP text (canonical: 203.0.113.0)' },
    ]);
  });
});

describe('event rate limit', () => {
  it('answers 429 with Retry-After when a sensor is over its event rate, stores nothing, and recovers', async () => {
    env = await makeTestEnv({
      config: { event_rate_limit_burst: 10, event_rate_limit_refill_per_sec: 2 },
    });
    const s = await env.enroll();
    const other = await env.enroll('other');
    const nine = Array.from({ length: 9 }, (_, i) => ev(445, `192.0.2.${i + 1}`));
    const first = batchOf(nine);
    expect((await env.submit(s, first)).statusCode).toBe(200);
    await env.drain();
    // A retry of an applied batch is a duplicate: acknowledged, and it costs no events.
    const again = await env.submit(s, first);
    expect(again.json<SubmissionAck>().status).toBe('duplicate');
    expect((await env.submit(s, batchOf([ev(22, '198.51.100.1')]))).statusCode).toBe(200);
    await env.drain();
    const before = await topItems(env);

    const limited = await env.submit(s, batchOf(threeEvents()));
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>()).toMatchObject({
      code: 'SW_RATE_LIMITED',
      details: { retry_after_s: 2, limit: 'events' },
    });
    expect(limited.headers['retry-after']).toBe('2');
    expect(await topItems(env)).toEqual(before);
    expect(await env.bus.backlog()).toBe(0);
    // Per sensor.
    expect((await env.submit(other, batchOf(threeEvents()))).statusCode).toBe(200);
    env.authClock.advance(1_500); // 3 tokens
    expect((await env.submit(s, batchOf(threeEvents()))).statusCode).toBe(200);
    // A batch larger than the burst waits for a full bucket instead of never passing.
    const big = Array.from({ length: 25 }, (_, i) => ev(80, `192.0.2.${i + 1}`));
    expect((await env.submit(s, batchOf(big))).headers['retry-after']).toBe('5');
    env.authClock.advance(5_000);
    expect((await env.submit(s, batchOf(big))).statusCode).toBe(200);
  });

  it('gives the events back when the bus already holds the batch (a retry before it was applied)', async () => {
    env = await makeTestEnv({
      config: { event_rate_limit_burst: 10, event_rate_limit_refill_per_sec: 0.001 },
    });
    await env.aggregator.stop(); // keep the batch on the bus
    const s = await env.enroll();
    const five = (port: number) => Array.from({ length: 5 }, (_, i) => ev(port, `192.0.2.${i + 1}`));
    const a = batchOf(five(22));
    expect((await env.submit(s, a)).json<SubmissionAck>().status).toBe('accepted');
    expect((await env.submit(s, a)).json<SubmissionAck>().status).toBe('duplicate');
    expect((await env.submit(s, batchOf(five(23)))).statusCode).toBe(200);
    expect((await env.submit(s, batchOf(five(24)))).statusCode).toBe(429);
  });
});
