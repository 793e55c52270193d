/** Admin and enrolment routes through app.inject(): bearer auth, token lifetime, single use, revocation. */
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnrollResponse, ErrorBody } from '../protocol/api-types.js';
import { generateSensorKeyPair } from '../protocol/signing.js';
import { loadOrCreateAdminToken } from './admin-token.js';
import { makeTestEnv, silentLogger, T_AUTH } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

const newToken = (body: unknown = {}, auth: string | null = env.adminToken) =>
  env.app.inject({
    method: 'POST',
    url: '/api/v1/admin/enrollment-tokens',
    headers: auth === null ? {} : { authorization: `Bearer ${auth}` },
    payload: body as Record<string, unknown>,
  });
const enroll = (token: string, public_key = generateSensorKeyPair().publicKeyPem) =>
  env.app.inject({
    method: 'POST',
    url: '/api/v1/sensors/enroll',
    payload: { token, public_key, name: 'n1' },
  });

describe('admin auth', () => {
  it('refuses admin routes without the right bearer token', async () => {
    env = await makeTestEnv();
    for (const auth of [null, 'wrong-token-wrong-token', `${env.adminToken}x`]) {
      const res = await newToken({}, auth);
      expect(res.statusCode).toBe(401);
      expect(res.json<ErrorBody>().code).toBe('SW_AUTH_ADMIN');
    }
    const rev = await env.app.inject({ method: 'POST', url: '/api/v1/admin/sensors/s_x/revoke' });
    expect(rev.json<ErrorBody>().code).toBe('SW_AUTH_ADMIN');
  });
});

describe('enrolment tokens', () => {
  it('creates a token with an expiry on the real clock', async () => {
    env = await makeTestEnv();
    const res = await newToken({ operator: 'acme', ttl_ms: 60_000 });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ token: string; expires_at: string }>();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(body.expires_at).toBe(new Date(T_AUTH + 60_000).toISOString());
    const defaults = (await newToken()).json<{ expires_at: string }>();
    expect(defaults.expires_at).toBe(new Date(T_AUTH + 86_400_000).toISOString());
  });

  it('validates the body', async () => {
    env = await makeTestEnv();
    for (const body of [{ ttl_ms: 0 }, { ttl_ms: 31 * 86_400_000 }, { operator: '' }, { role: 'admin' }]) {
      const res = await newToken(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json<ErrorBody>().code).toBe('SW_BAD_REQUEST');
    }
  });

  it('is single use', async () => {
    env = await makeTestEnv();
    const { token } = (await newToken({ operator: 'acme' })).json<{ token: string }>();
    const first = await enroll(token);
    expect(first.statusCode).toBe(200);
    expect(first.json<EnrollResponse>().sensor_id).toMatch(/^s_[a-z2-7]{12}$/);
    const second = await enroll(token);
    expect(second.statusCode).toBe(401);
    expect(second.json<ErrorBody>().code).toBe('SW_ENROLL_TOKEN');
  });

  it('expires on the real clock and refuses unknown tokens', async () => {
    env = await makeTestEnv();
    const { token } = (await newToken({ ttl_ms: 1000 })).json<{ token: string }>();
    env.authClock.advance(1001);
    expect((await enroll(token)).json<ErrorBody>().code).toBe('SW_ENROLL_TOKEN');
    expect((await enroll('swe_never-issued-token-000')).json<ErrorBody>().code).toBe('SW_ENROLL_TOKEN');
  });

  it('refuses a bad key without burning the token', async () => {
    env = await makeTestEnv();
    const { token } = (await newToken()).json<{ token: string }>();
    const bad = await enroll(token, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().code).toBe('SW_BAD_REQUEST');
    expect((await enroll(token)).statusCode).toBe(200);
  });

  it('refuses a JSON body over max_json_body_bytes', async () => {
    env = await makeTestEnv({ config: { max_json_body_bytes: 1024 } });
    const res = await enroll('x'.repeat(2000));
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorBody>().code).toBe('SW_BODY_TOO_LARGE');
  });
});

describe('revocation', () => {
  it('revokes a known sensor and 404s an unknown one', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    const headers = { authorization: `Bearer ${env.adminToken}` };
    const ok = await env.app.inject({ method: 'POST', url: `/api/v1/admin/sensors/${s.id}/revoke`, headers });
    expect(ok.json()).toEqual({ sensor_id: s.id, revoked: true });
    expect(env.store.getSensor(s.id)?.revoked).toBe(true);
    const missing = await env.app.inject({
      method: 'POST',
      url: '/api/v1/admin/sensors/s_zzzzzzzzzzzz/revoke',
      headers,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorBody>().code).toBe('SW_NOT_FOUND');
  });
});

describe('admin token file', () => {
  it('is created 0600 once and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-admin-'));
    try {
      const a = loadOrCreateAdminToken(dir, silentLogger());
      expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
      expect(loadOrCreateAdminToken(dir, silentLogger())).toBe(a);
      chmodSync(join(dir, 'admin-token'), 0o644);
      expect(loadOrCreateAdminToken(dir, silentLogger())).toBe(a);
      expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
      writeFileSync(join(dir, 'admin-token'), '\n');
      expect(() => loadOrCreateAdminToken(dir, silentLogger())).toThrow(
        expect.objectContaining({ code: 'SW_CONFIG_INVALID' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
