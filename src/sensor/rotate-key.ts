/**
 * Key rotation on the sensor: a new Ed25519 pair made here, its public key registered with a request signed by
 * the current key (POST /api/v1/sensors/self/keys), then `sensor.key` replaced by the new private key.
 *
 * Invariants (a crash at any point leaves a sensor that can upload):
 * - The new private key is written to `sensor.key.next` (0600, fsynced) BEFORE it is registered, and renamed
 *   over `sensor.key` (one atomic rename, directory fsynced) only AFTER the server accepted it; `sensor.key` is
 *   therefore always a whole key the server accepts.
 * - The server keeps a registered key PENDING and the current key valid until the new key signs its first
 *   request: a crash between registering and renaming leaves the old key in use and still valid; after the
 *   rename the new key is valid. A sensor process running during the rotation keeps the old key in memory
 *   and uploads with it until restarted; the old key then stays valid for the server's grace period
 *   (`key_rotation_grace_ms`) after the new key's first request.
 * - One rotation at a time per data_dir: `rotate.lock` (created exclusively; a lock left by a dead process is
 *   taken over). A leftover `sensor.key.next` from an interrupted run is discarded (never registered with
 *   certainty), and the server's pending key is simply replaced by the next registration.
 * - The private key never leaves the machine; a refusal shows the server's own {code, message}.
 */
import { createPublicKey } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, makeError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { ApiError, registerSensorKey } from '../protocol/client.js';
import { generateSensorKeyPair, publicKeyFingerprint } from '../protocol/signing.js';
import { KEY_FILE, readIdentity, readSensorKey } from './identity.js';

export const NEXT_KEY_FILE = `${KEY_FILE}.next`;
export const ROTATE_LOCK_FILE = 'rotate.lock';

/** Points where a test may stop the rotation, as a crash would. */
export type RotationStep = 'next-written' | 'registered' | 'swapped';

export interface RotateKeyOptions {
  dataDir: string;
  /** Default: the server_url of identity.json. */
  serverUrl?: string;
  /** Real time for the signature. */
  now?: () => number;
  fetch?: typeof fetch;
  /** Test hook, called after each step; throwing from it stops the rotation there, like a crash. */
  afterStep?: (step: RotationStep) => void;
}

export interface RotateKeyResult {
  sensorId: string;
  /** SHA-256 of the SPKI of the key in use before and after. */
  previousFingerprint: string;
  fingerprint: string;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data_dir's rotation lock; returns its release. */
function lock(dataDir: string): () => void {
  const path = join(dataDir, ROTATE_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw makeError('SW_CONFIG_INVALID', `another key rotation is running on ${dataDir} (pid ${pid})`);
      }
      rmSync(path, { force: true }); // left by a process that died
    }
  }
  throw makeError('SW_CONFIG_INVALID', `cannot take ${path}`);
}

function refusal(err: unknown, url: string): Error {
  if (!(err instanceof ApiError)) {
    return makeError('SW_UNAVAILABLE', `cannot reach ${url}: ${(err as Error).message}`, { cause: err });
  }
  const code = err.body?.code;
  const known: ErrorCode =
    typeof code === 'string' && code in ERROR_CODES ? (code as ErrorCode) : 'SW_UPLOAD_REFUSED';
  return makeError(known, `key registration refused by ${url}: ${err.message}`, {
    details: { status: err.status, body: err.body },
  });
}

/**
 * Rotates the sensor's key in `dataDir` (see the module header for the crash guarantees).
 * @example const { fingerprint } = await rotateSensorKey({ dataDir: '/var/lib/stormwatch-sensor' })
 */
export async function rotateSensorKey(opts: RotateKeyOptions): Promise<RotateKeyResult> {
  const identity = readIdentity(opts.dataDir);
  if (identity === null) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `${opts.dataDir} has no identity.json: run \`stormwatch sensor enroll\` first`,
    );
  }
  const current = readSensorKey(opts.dataDir);
  const serverUrl = opts.serverUrl ?? identity.server_url;
  const keyPath = join(opts.dataDir, KEY_FILE);
  const nextPath = join(opts.dataDir, NEXT_KEY_FILE);
  const unlock = lock(opts.dataDir);
  try {
    rmSync(nextPath, { force: true });
    const { privateKeyPem, publicKeyPem } = generateSensorKeyPair();
    writeFileSync(nextPath, privateKeyPem, { mode: 0o600, flag: 'wx' });
    fsyncPath(nextPath);
    opts.afterStep?.('next-written');

    try {
      await registerSensorKey(
        serverUrl,
        identity.sensor_id,
        current,
        publicKeyPem,
        (opts.now ?? Date.now)(),
        opts.fetch,
      );
    } catch (err) {
      rmSync(nextPath, { force: true });
      throw refusal(err, serverUrl);
    }
    opts.afterStep?.('registered');

    renameSync(nextPath, keyPath);
    fsyncPath(opts.dataDir);
    opts.afterStep?.('swapped');
    return {
      sensorId: identity.sensor_id,
      previousFingerprint: publicKeyFingerprint(createPublicKey(current)),
      fingerprint: publicKeyFingerprint(createPublicKey(privateKeyPem)),
    };
  } finally {
    unlock();
  }
}
