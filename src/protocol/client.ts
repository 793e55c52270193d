/**
 * A small typed client for the public API and the signed submission endpoint, used by the simulated fleet, the
 * CLI and tests. The sensor's own uploader adds the spool, retries and dead letters on top of the same protocol.
 */
import type { KeyObject } from 'node:crypto';
import { encodeBatch, SUBMISSIONS_PATH } from './batch.js';
import type { SubmissionBatch } from './batch.js';
import { SENSOR_KEYS_PATH, signRequest } from './signing.js';
import type { EnrollResponse, ErrorBody, SubmissionAck } from './api-types.js';

/** POST /api/v1/sensors/self/keys: the key registered, and whether it is still pending or already current. */
export interface KeyRotationResponse {
  sensor_id: string;
  /** 'pending': registered, becomes current with the first request it signs; 'current': already in use. */
  status: 'pending' | 'current';
  /** SHA-256 hex of the key's SPKI DER (publicKeyFingerprint). */
  fingerprint: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function parse<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const body = json as ErrorBody | undefined;
    throw new ApiError(
      res.status,
      body,
      `${what}: HTTP ${res.status} ${body?.code ?? ''} ${body?.message ?? text.slice(0, 200)}`,
    );
  }
  return json as T;
}

/** Uploads one batch, signed with the sensor's key at real time `now`. */
export async function submitBatch(
  serverUrl: string,
  sensorId: string,
  key: KeyObject,
  batch: SubmissionBatch,
  now: number = Date.now(),
): Promise<SubmissionAck> {
  const body = encodeBatch(batch);
  const headers = signRequest(sensorId, key, 'POST', SUBMISSIONS_PATH, body, now);
  const res = await fetch(new URL(SUBMISSIONS_PATH, serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...headers },
    body,
  });
  return parse<SubmissionAck>(res, 'submit');
}

/**
 * Registers `newPublicKeyPem` as the sensor's next key, signed with its current `key` at real time `now`.
 * @example await registerSensorKey(url, sensorId, currentKey, generateSensorKeyPair().publicKeyPem)
 */
export async function registerSensorKey(
  serverUrl: string,
  sensorId: string,
  key: KeyObject,
  newPublicKeyPem: string,
  now: number = Date.now(),
  fetchFn: typeof fetch = fetch,
): Promise<KeyRotationResponse> {
  const body = Buffer.from(JSON.stringify({ public_key: newPublicKeyPem }));
  const headers = signRequest(sensorId, key, 'POST', SENSOR_KEYS_PATH, body, now);
  const res = await fetchFn(new URL(SENSOR_KEYS_PATH, serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return parse<KeyRotationResponse>(res, 'register key');
}

export async function createEnrollmentTokenViaApi(
  serverUrl: string,
  adminToken: string,
  operator: string,
): Promise<{ token: string; expires_at: string }> {
  const res = await fetch(new URL('/api/v1/admin/enrollment-tokens', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ operator }),
  });
  return parse(res, 'create enrolment token');
}

export async function enrollViaApi(
  serverUrl: string,
  token: string,
  publicKeyPem: string,
  name: string,
): Promise<EnrollResponse> {
  const res = await fetch(new URL('/api/v1/sensors/enroll', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, public_key: publicKeyPem, name }),
  });
  return parse<EnrollResponse>(res, 'enroll');
}

export async function getJson<T>(serverUrl: string, path: string): Promise<T> {
  const res = await fetch(new URL(path, serverUrl));
  return parse<T>(res, `GET ${path}`);
}
