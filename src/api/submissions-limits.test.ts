/** POST /api/v1/submissions limits (413: body, gzip bomb, events) and the per-sensor rate limit (429). */
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../protocol/api-types.js';
import { batchOf, ev, expectRefused, makeTestEnv, threeEvents } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

describe('limits (413)', () => {
  it('refuses a raw body over max_body_bytes', async () => {
    env = await makeTestEnv({ config: { max_body_bytes: 4096 } });
    const s = await env.enroll();
    await expectRefused(env, await env.submit(s, randomBytes(4097)), 413, 'SW_BODY_TOO_LARGE');
    expect(env.metrics.snapshot().refused_total.SW_BODY_TOO_LARGE).toBe(1);
  });

  it('refuses a body over the default 1 MiB', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    await expectRefused(env, await env.submit(s, randomBytes(1_048_577)), 413, 'SW_BODY_TOO_LARGE');
  });

  it('refuses more than max_events_per_batch events (default 20000)', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const events = Array.from({ length: 20_001 }, (_, i) => ev(445, `192.0.2.${i % 250}`));
    await expectRefused(env, await env.submit(s, batchOf(events)), 413, 'SW_TOO_MANY_EVENTS');
  });

  describe('gzip bomb', () => {
    let bomb: Buffer;
    beforeAll(async () => {
      // 1 GiB of zeros, deflated as a stream (never held in memory): about 1.04 MB, under the 1 MiB body limit.
      const gz = createGzip({ level: 9 });
      const out: Buffer[] = [];
      gz.on('data', (c: Buffer) => out.push(c));
      const zero = Buffer.alloc(1 << 20);
      for (let i = 0; i < 1024; i++) if (!gz.write(zero)) await once(gz, 'drain');
      gz.end();
      await once(gz, 'end');
      bomb = Buffer.concat(out);
    }, 60_000);

    it('is refused once 16 MiB are inflated, with bounded memory', async () => {
      env = await makeTestEnv();
      const s = await env.enroll();
      expect(bomb.length).toBeLessThan(1_048_576);
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 2);
      const res = await env.submit(s, bomb);
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      await expectRefused(env, res, 413, 'SW_DECOMPRESSED_TOO_LARGE');
      // Inflating it all would take 1 GiB; the cap keeps growth to the 16 MiB cap plus buffers.
      expect(peak - base).toBeLessThan(96 * 1024 * 1024);
    });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a sensor has used its burst, and recovers', async () => {
    env = await makeTestEnv({ config: { rate_limit_burst: 3, rate_limit_refill_per_sec: 0.5 } });
    const s = await env.enroll();
    const other = await env.enroll('other');
    for (let i = 0; i < 3; i++) expect((await env.submit(s, batchOf(threeEvents()))).statusCode).toBe(200);
    const limited = await env.submit(s, batchOf(threeEvents()));
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>().code).toBe('SW_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('2');
    // Per sensor: another sensor is not affected.
    expect((await env.submit(other, batchOf(threeEvents()))).statusCode).toBe(200);
    env.authClock.advance(2_000);
    expect((await env.submit(s, batchOf(threeEvents()))).statusCode).toBe(200);
  });
});
