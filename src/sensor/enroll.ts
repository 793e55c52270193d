/**
 * Enrolment: makes the sensor's Ed25519 key pair locally, sends only the public key with a one-time token to
 * POST /api/v1/sensors/enroll, and saves the identity the server gave.
 *
 * Invariants: the private key is written with mode 0600 and never sent; it is kept only if the server accepted
 * it (written to a temporary name first, renamed after success); an existing identity is not replaced unless
 * `force` is set; a refusal shows the server's own {code, message}.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, makeError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import type { EnrollRequest, EnrollResponse, ErrorBody } from '../protocol/api-types.js';
import { generateSensorKeyPair } from '../protocol/signing.js';
import { IDENTITY_FILE, KEY_FILE, readIdentity } from './identity.js';
import type { SensorIdentity } from './identity.js';

export const ENROLL_PATH = '/api/v1/sensors/enroll';

export interface EnrollOptions {
  serverUrl: string;
  token: string;
  dataDir: string;
  /** A label for the operator's own overview (the server keeps it; it is not an identity). */
  name?: string;
  /** Enrol again even though data_dir already has an identity (the old key is replaced). */
  force?: boolean;
  fetch?: typeof fetch;
}

function refusal(status: number, body: unknown, url: string): Error {
  const b = body as Partial<ErrorBody> | undefined;
  const known = typeof b?.code === 'string' && b.code in ERROR_CODES;
  const code: ErrorCode = known
    ? (b.code as ErrorCode)
    : status === 401
      ? 'SW_ENROLL_TOKEN'
      : 'SW_BAD_REQUEST';
  const what = typeof b?.code === 'string' ? `${b.code}: ${b.message ?? ''}` : `HTTP ${status}`;
  return makeError(code, `enrolment refused by ${url}: ${what}`, { details: { status, body } });
}

/**
 * Enrols this sensor. @returns the sensor id the server assigned.
 * @example const { sensorId } = await enrollSensor({ serverUrl: 'https://sw.example.org', token, dataDir: '/var/lib/stormwatch-sensor' })
 */
export async function enrollSensor(opts: EnrollOptions): Promise<{ sensorId: string }> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const existing = readIdentity(opts.dataDir);
  if (existing !== null && opts.force !== true) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `${opts.dataDir} is already enrolled as ${existing.sensor_id} at ${existing.server_url}; use --force to enrol again`,
    );
  }
  const { privateKeyPem, publicKeyPem } = generateSensorKeyPair();
  const keyPath = join(opts.dataDir, KEY_FILE);
  const pendingKey = `${keyPath}.new`;
  rmSync(pendingKey, { force: true });
  writeFileSync(pendingKey, privateKeyPem, { mode: 0o600, flag: 'wx' });

  const url = new URL(ENROLL_PATH, opts.serverUrl).toString();
  const request: EnrollRequest = {
    token: opts.token,
    public_key: publicKeyPem,
    ...(opts.name ? { name: opts.name } : {}),
  };
  let status: number;
  let body: unknown;
  try {
    const res = await (opts.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    status = res.status;
    const text = await res.text();
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = text.slice(0, 500);
    }
  } catch (err) {
    rmSync(pendingKey, { force: true });
    throw makeError('SW_UNAVAILABLE', `cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  const sensorId = (body as Partial<EnrollResponse> | undefined)?.sensor_id;
  if (status !== 200 || typeof sensorId !== 'string' || sensorId === '') {
    rmSync(pendingKey, { force: true });
    throw status === 200
      ? makeError('SW_INTERNAL', `enrolment answer from ${url} has no sensor_id`)
      : refusal(status, body, url);
  }
  renameSync(pendingKey, keyPath);
  const identity: SensorIdentity = { sensor_id: sensorId, server_url: opts.serverUrl };
  const idPath = join(opts.dataDir, IDENTITY_FILE);
  writeFileSync(`${idPath}.tmp`, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o644 });
  renameSync(`${idPath}.tmp`, idPath);
  return { sensorId };
}

/** True when data_dir holds both an identity and a key. */
export function isEnrolled(dataDir: string): boolean {
  return existsSync(join(dataDir, IDENTITY_FILE)) && existsSync(join(dataDir, KEY_FILE));
}
