/** POST /api/v1/submissions authentication refusals: 401 with the right code, and nothing stored. */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../protocol/api-types.js';
import { generateSensorKeyPair, loadPrivateKey, signRequest } from '../protocol/signing.js';
import { batchOf, ev, expectRefused, makeTestEnv, threeEvents, topItems } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

describe('authentication refusals (401, nothing stored)', () => {
  it('refuses a request without signature headers', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { headers: { 'x-sw-signature': null } }),
      401,
      'SW_AUTH_MISSING',
    );
  });

  it('refuses a bad signature', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const bad = Buffer.alloc(64, 7).toString('base64');
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { headers: { 'x-sw-signature': bad } }),
      401,
      'SW_AUTH_BAD_SIGNATURE',
    );
  });

  it('refuses a body changed after signing', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const body = gzipSync(JSON.stringify(batchOf(threeEvents())));
    const other = gzipSync(JSON.stringify(batchOf([ev(80, '192.0.2.9')])));
    const signedFor = signRequest(s.id, s.key, 'POST', '/api/v1/submissions', body, env.authClock.now());
    await expectRefused(
      env,
      await env.submit(s, other, { headers: { ...signedFor } }),
      401,
      'SW_AUTH_BAD_SIGNATURE',
    );
  });

  it('refuses a batch signed with another key', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const key = loadPrivateKey(generateSensorKeyPair().privateKeyPem);
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { key }),
      401,
      'SW_AUTH_BAD_SIGNATURE',
    );
  });

  it('refuses an unknown sensor', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    await expectRefused(
      env,
      await env.submit({ ...s, id: 's_aaaaaaaaaaaa' }, batchOf(threeEvents())),
      401,
      'SW_AUTH_UNKNOWN_SENSOR',
    );
  });

  it('refuses an unknown sensor before reading its body (401, not 413)', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const res = await env.submit({ ...s, id: 's_aaaaaaaaaaaa' }, randomBytes(2 * 1_048_576));
    await expectRefused(env, res, 401, 'SW_AUTH_UNKNOWN_SENSOR');
    expect(env.metrics.snapshot().refused_total).toEqual({ SW_AUTH_UNKNOWN_SENSOR: 1 });
  });

  it('refuses a revoked sensor', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const rev = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/sensors/${s.id}/revoke`,
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    expect(rev.statusCode).toBe(200);
    await expectRefused(env, await env.submit(s, batchOf(threeEvents())), 401, 'SW_AUTH_UNKNOWN_SENSOR');
  });

  it('refuses a stale or future request time (real clock, not the event clock)', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const now = env.authClock.now();
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { time: now - 300_001 }),
      401,
      'SW_AUTH_CLOCK_SKEW',
    );
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { time: now + 300_001 }),
      401,
      'SW_AUTH_CLOCK_SKEW',
    );
    // Signing with the (virtual) event clock's time is refused as well.
    await expectRefused(
      env,
      await env.submit(s, batchOf(threeEvents()), { time: env.eventClock.now() }),
      401,
      'SW_AUTH_CLOCK_SKEW',
    );
    // Inside the window it passes.
    expect((await env.submit(s, batchOf(threeEvents()), { time: now - 299_000 })).statusCode).toBe(200);
  });

  it('refuses a replayed nonce, even with a different batch, until the window has passed', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const nonce = 'nonce-0123456789abcdef';
    const batch = batchOf(threeEvents());
    expect((await env.submit(s, batch, { nonce })).statusCode).toBe(200);
    await env.drain();
    const before = await topItems(env);
    const replay = await env.submit(s, batch, { nonce });
    expect(replay.statusCode).toBe(401);
    expect(replay.json<ErrorBody>().code).toBe('SW_AUTH_REPLAY');
    expect((await env.submit(s, batchOf([ev(80, '192.0.2.7')]), { nonce })).json<ErrorBody>().code).toBe(
      'SW_AUTH_REPLAY',
    );
    expect(await topItems(env)).toEqual(before);
    expect(env.metrics.snapshot().refused_total.SW_AUTH_REPLAY).toBe(2);
  });
});
