/**
 * Key rotation through the real app: POST /api/v1/sensors/self/keys signed with the current key, the new key
 * pending until it signs, the old key valid for the grace period after that and refused after it, revocation
 * immediate for every key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../protocol/api-types.js';
import type { KeyRotationResponse } from '../protocol/client.js';
import {
  generateSensorKeyPair,
  loadPrivateKey,
  loadPublicKey,
  newNonce,
  publicKeyFingerprint,
  SENSOR_KEYS_PATH,
  signRequest,
} from '../protocol/signing.js';
import { batchOf, makeTestEnv, threeEvents } from './test-helpers.js';
import type { TestEnv, TestSensor } from './test-helpers.js';

const GRACE = 600_000;
let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

function register(
  s: TestSensor,
  publicKeyPem: string,
  o: { key?: TestSensor['key']; nonce?: string; body?: Buffer } = {},
) {
  const body = o.body ?? Buffer.from(JSON.stringify({ public_key: publicKeyPem }));
  const headers = signRequest(
    s.id,
    o.key ?? s.key,
    'POST',
    SENSOR_KEYS_PATH,
    body,
    env.authClock.now(),
    o.nonce ?? newNonce(),
  );
  return env.app.inject({
    method: 'POST',
    url: SENSOR_KEYS_PATH,
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

const status = async (s: TestSensor, key: TestSensor['key']): Promise<number> =>
  (await env.submit(s, batchOf(threeEvents()), { key })).statusCode;

describe('key rotation', () => {
  it('keeps the old key until the new one is used, then for the grace period only', async () => {
    env = await makeTestEnv({ config: { key_rotation_grace_ms: GRACE } });
    const s = await env.enroll();
    const other = await env.enroll('other');
    const next = generateSensorKeyPair();
    const nextKey = loadPrivateKey(next.privateKeyPem);

    const res = await register(s, next.publicKeyPem);
    expect(res.statusCode).toBe(200);
    expect(res.json<KeyRotationResponse>()).toEqual({
      sensor_id: s.id,
      status: 'pending',
      fingerprint: publicKeyFingerprint(loadPublicKey(next.publicKeyPem)),
    });
    // Pending: the old key stays current however long the sensor takes to switch.
    env.authClock.advance(5 * GRACE);
    expect(await status(s, s.key)).toBe(200);
    // The new key's first request makes it current; the old one now has GRACE left.
    expect(await status(s, nextKey)).toBe(200);
    expect(env.store.getSensor(s.id)).toMatchObject({
      public_key_pem: next.publicKeyPem,
      pending_public_key_pem: null,
      previous_key_valid_until: env.authClock.now() + GRACE,
    });
    env.authClock.advance(GRACE - 1_000);
    expect(await status(s, s.key)).toBe(200);
    env.authClock.advance(1_000);
    const late = await env.submit(s, batchOf(threeEvents()), { key: s.key });
    expect(late.statusCode).toBe(401);
    expect(late.json<ErrorBody>().code).toBe('SW_AUTH_BAD_SIGNATURE');
    expect(await status(s, nextKey)).toBe(200);
    // Another sensor's key never signs for this one.
    expect(await status(s, other.key)).toBe(401);
    await env.drain();
    expect(env.store.getSensor(s.id)?.events_total).toBe(4 * 3);
  });

  it('refuses a revoked sensor with any of its keys, at once', async () => {
    env = await makeTestEnv({ config: { key_rotation_grace_ms: GRACE } });
    const s = await env.enroll();
    const next = generateSensorKeyPair();
    const nextKey = loadPrivateKey(next.privateKeyPem);
    expect((await register(s, next.publicKeyPem)).statusCode).toBe(200);
    expect(await status(s, nextKey)).toBe(200);
    expect(await status(s, s.key)).toBe(200); // previous, within the grace period
    const revoke = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/sensors/${s.id}/revoke`,
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    expect(revoke.statusCode).toBe(200);
    for (const key of [s.key, nextKey]) {
      const res = await env.submit(s, batchOf(threeEvents()), { key });
      expect(res.statusCode).toBe(401);
      expect(res.json<ErrorBody>().code).toBe('SW_AUTH_UNKNOWN_SENSOR');
    }
    const third = generateSensorKeyPair();
    expect((await register(s, third.publicKeyPem, { key: nextKey })).json<ErrorBody>().code).toBe(
      'SW_AUTH_UNKNOWN_SENSOR',
    );
  });

  it('takes a new key only from the current key, never from the replaced one', async () => {
    env = await makeTestEnv({ config: { key_rotation_grace_ms: GRACE } });
    const s = await env.enroll();
    const next = generateSensorKeyPair();
    const nextKey = loadPrivateKey(next.privateKeyPem);
    await register(s, next.publicKeyPem);
    expect(await status(s, nextKey)).toBe(200);
    const intruder = generateSensorKeyPair();
    const res = await register(s, intruder.publicKeyPem, { key: s.key });
    expect(res.statusCode).toBe(401);
    expect(res.json<ErrorBody>().code).toBe('SW_AUTH_BAD_SIGNATURE');
    expect(env.store.getSensor(s.id)?.pending_public_key_pem).toBeNull();
    // A key nobody registered cannot register one either.
    const stranger = loadPrivateKey(generateSensorKeyPair().privateKeyPem);
    expect((await register(s, intruder.publicKeyPem, { key: stranger })).statusCode).toBe(401);
  });

  it('is idempotent, refuses replays and bad keys', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const next = generateSensorKeyPair();
    const nonce = newNonce();
    expect((await register(s, next.publicKeyPem, { nonce })).json<KeyRotationResponse>().status).toBe(
      'pending',
    );
    expect((await register(s, next.publicKeyPem, { nonce })).json<ErrorBody>().code).toBe('SW_AUTH_REPLAY');
    expect((await register(s, next.publicKeyPem)).json<KeyRotationResponse>().status).toBe('pending');
    expect(await status(s, loadPrivateKey(next.privateKeyPem))).toBe(200);
    // Registering the key in use again: nothing to do.
    expect(
      (
        await register(s, next.publicKeyPem, { key: loadPrivateKey(next.privateKeyPem) })
      ).json<KeyRotationResponse>().status,
    ).toBe('current');

    const signer = loadPrivateKey(next.privateKeyPem);
    for (const body of [
      Buffer.from(JSON.stringify({ public_key: 'not a key' })),
      Buffer.from(JSON.stringify({ public_key: next.publicKeyPem, admin: true })),
      Buffer.from('{'),
    ]) {
      const res = await register(s, '', { key: signer, body });
      expect(res.statusCode, body.toString()).toBe(400);
    }
    const huge = Buffer.from(JSON.stringify({ public_key: 'x'.repeat(20_000) }));
    expect((await register(s, '', { key: signer, body: huge })).json<ErrorBody>().code).toBe(
      'SW_DECOMPRESSED_TOO_LARGE',
    );
    expect(env.store.getSensor(s.id)?.pending_public_key_pem).toBeNull();
    expect(env.metrics.snapshot().refused_total.SW_BAD_REQUEST).toBe(2);
  });
});
