/**
 * Operators through the admin API: tokens name an operator (created on the first use of a name, or chosen by
 * id), the admin lists of operators and sensors with internal and public ids, and the public list with public
 * ids only.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorBody, SensorHoursResponse, SensorsResponse } from '../protocol/api-types.js';
import {
  generateSensorKeyPair,
  loadPrivateKey,
  loadPublicKey,
  publicKeyFingerprint,
} from '../protocol/signing.js';
import type { AdminOperator, AdminSensor, EnrollmentTokenResponse } from './routes/admin.js';
import { makeTestEnv } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

const admin = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  env.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${env.adminToken}` },
    ...(payload ? { payload } : {}),
  });

async function enrollWith(body: Record<string, unknown>, name: string): Promise<string> {
  const { token } = (
    await admin('POST', '/api/v1/admin/enrollment-tokens', body)
  ).json<EnrollmentTokenResponse>();
  const keys = generateSensorKeyPair();
  const res = await env.app.inject({
    method: 'POST',
    url: '/api/v1/sensors/enroll',
    payload: { token, public_key: keys.publicKeyPem, name },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ sensor_id: string }>().sensor_id;
}

describe('operators', () => {
  it('are created on the first use of a name and chosen by id afterwards', async () => {
    env = await makeTestEnv();
    const first = await admin('POST', '/api/v1/admin/enrollment-tokens', { operator: 'Acme CERT' });
    expect(first.statusCode).toBe(200);
    const acme = first.json<EnrollmentTokenResponse>().operator;
    expect(acme).toEqual({
      id: expect.stringMatching(/^o_[0-9a-f]{16}$/) as string,
      name: 'Acme CERT',
      public_id: expect.stringMatching(/^po_[0-9a-f]{16}$/) as string,
    });
    const again = await admin('POST', '/api/v1/admin/enrollment-tokens', { operator: 'Acme CERT' });
    expect(again.json<EnrollmentTokenResponse>().operator).toEqual(acme);
    const byId = await admin('POST', '/api/v1/admin/enrollment-tokens', { operator_id: acme.id });
    expect(byId.json<EnrollmentTokenResponse>().operator).toEqual(acme);

    const unknown = await admin('POST', '/api/v1/admin/enrollment-tokens', {
      operator_id: 'o_0123456789abcdef',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorBody>().code).toBe('SW_NOT_FOUND');
    const both = await admin('POST', '/api/v1/admin/enrollment-tokens', {
      operator: 'x',
      operator_id: acme.id,
    });
    expect(both.statusCode).toBe(400);
    expect(both.json<ErrorBody>().message).toContain('operator_id');
  });

  it('are listed for the admin with their sensors, and only by public id in public', async () => {
    env = await makeTestEnv();
    const a1 = await enrollWith({ operator: 'acme' }, 'acme-fra-dmz');
    const a2 = await enrollWith({ operator: 'acme' }, 'acme-ber');
    const b1 = await enrollWith({ operator: 'beta' }, 'beta-lab');

    // Created in the same ms: the order among them is by (random) id, so look at them by name.
    const ops = (await admin('GET', '/api/v1/admin/operators'))
      .json<{ items: AdminOperator[] }>()
      .items.sort((x, y) => x.name.localeCompare(y.name));
    expect(ops.map((o) => [o.name, o.sensors])).toEqual([
      ['acme', 2],
      ['beta', 1],
    ]);
    const acme = ops[0];
    const sensors = (await admin('GET', '/api/v1/admin/sensors')).json<{ items: AdminSensor[] }>().items;
    expect(sensors.map((s) => s.id).sort()).toEqual([a1, a2, b1].sort());
    const first = sensors.find((s) => s.id === a1);
    expect(first).toMatchObject({
      id: a1,
      name: 'acme-fra-dmz',
      operator: { id: acme?.id, name: 'acme', public_id: acme?.public_id },
      revoked: false,
      key: { pending_fingerprint: null, previous_valid_until: null },
    });
    expect(first?.public_id).toMatch(/^ps_[0-9a-f]{16}$/);
    const pem = env.store.getSensor(a1)?.public_key_pem ?? '';
    expect(first?.key.fingerprint).toBe(publicKeyFingerprint(loadPublicKey(pem)));
    expect(JSON.stringify(sensors)).not.toContain('PUBLIC KEY');

    const pub = (await env.app.inject({ url: '/api/v1/sensors' })).json<SensorsResponse>().items;
    expect(pub.map((s) => s.id)).toEqual(sensors.map((s) => s.public_id));
    const operatorOf = new Map(sensors.map((s) => [s.public_id, s.operator?.public_id]));
    for (const p of pub) expect(p.operator).toBe(operatorOf.get(p.id));
    expect(pub.filter((p) => p.operator === acme?.public_id)).toHaveLength(2);
    const text = JSON.stringify(pub);
    for (const secret of [a1, a2, b1, 'acme', 'beta', acme?.id ?? 'o_', 'PUBLIC KEY'])
      expect(text).not.toContain(secret);

    // The admin lists need the admin token.
    for (const url of ['/api/v1/admin/operators', '/api/v1/admin/sensors']) {
      const res = await env.app.inject({ url });
      expect(res.statusCode).toBe(401);
      expect(res.json<ErrorBody>().code).toBe('SW_AUTH_ADMIN');
    }
  });

  it('show a pending key and a live previous key on the admin sensor list', async () => {
    env = await makeTestEnv({ config: { key_rotation_grace_ms: 60_000 } });
    const s = await env.enroll();
    const next = generateSensorKeyPair();
    env.store.setPendingSensorKey(s.id, next.publicKeyPem);
    const list = async () =>
      (await admin('GET', '/api/v1/admin/sensors')).json<{ items: AdminSensor[] }>().items[0]?.key;
    expect((await list())?.pending_fingerprint).toBe(publicKeyFingerprint(loadPublicKey(next.publicKeyPem)));
    const signed = await env.submit(
      s,
      { batch_id: 'batch-rotate-1', sensor_time: 0, events: [] },
      {
        key: loadPrivateKey(next.privateKeyPem),
      },
    );
    expect(signed.statusCode).toBe(200);
    expect(await list()).toEqual({
      fingerprint: publicKeyFingerprint(loadPublicKey(next.publicKeyPem)),
      pending_fingerprint: null,
      previous_valid_until: new Date(env.authClock.now() + 60_000).toISOString(),
    });
    env.authClock.advance(60_000);
    expect((await list())?.previous_valid_until).toBeNull();
  });

  it("show a sensor's hours to the admin: events, batches, lag and reported counters; 404 and 400 as they should", async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const now = env.eventClock.now();
    const res = await env.submit(s, {
      batch_id: 'batch-hours-1',
      sensor_time: now,
      events: [
        { ts: now - 4_000, proto: 'tcp', port: 22, src: '198.51.100.7' },
        { ts: now - 2_000, proto: 'tcp', port: 23, src: '198.51.100.7' },
      ],
      stats: { dropped_quota: 3 },
    });
    expect(res.statusCode).toBe(200);
    await env.drain();
    const hours = (
      await admin('GET', `/api/v1/admin/sensors/${s.id}/hours?hours=2`)
    ).json<SensorHoursResponse>();
    const hour = hours.items.find((h) => h.events > 0);
    expect(hour).toMatchObject({ events: 2, batches: 1, lag_ms_mean: 3_000, lag_ms_max: 4_000 });
    expect(hour?.reported).toEqual({ dropped_quota: 3 });
    expect((await admin('GET', '/api/v1/admin/sensors/nope/hours')).statusCode).toBe(404);
    expect((await admin('GET', `/api/v1/admin/sensors/${s.id}/hours?hours=0`)).statusCode).toBe(400);
    const anonymous = await env.app.inject({ method: 'GET', url: `/api/v1/admin/sensors/${s.id}/hours` });
    expect(anonymous.statusCode).toBe(401);
  });
});
