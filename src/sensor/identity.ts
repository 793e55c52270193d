/**
 * The sensor's identity on disk, in its data_dir: `sensor.key` (Ed25519 private key, PKCS#8 PEM, mode 0600; it never
 * leaves the machine) and `identity.json` ({sensor_id, server_url}, written by enrolment).
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import { loadPrivateKey } from '../protocol/signing.js';

export const KEY_FILE = 'sensor.key';
export const IDENTITY_FILE = 'identity.json';

const identitySchema = z.object({ sensor_id: z.string().min(1), server_url: z.string() });
export type SensorIdentity = z.infer<typeof identitySchema>;

/** The saved identity, or null before enrolment. Throws SW_CONFIG_INVALID when the file is damaged. */
export function readIdentity(dataDir: string): SensorIdentity | null {
  const path = join(dataDir, IDENTITY_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const r = identitySchema.safeParse(JSON.parse(text) as unknown);
  if (!r.success)
    throw makeError(
      'SW_CONFIG_INVALID',
      `${path}: not a sensor identity (${r.error.issues[0]?.message ?? ''})`,
    );
  return r.data;
}

/** The sensor's private key. Throws SW_CONFIG_INVALID, saying to enrol, when there is none. */
export function readSensorKey(dataDir: string): KeyObject {
  const path = join(dataDir, KEY_FILE);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw makeError(
        'SW_CONFIG_INVALID',
        `no sensor key at ${path}: run \`stormwatch sensor enroll\` first`,
      );
    }
    throw err;
  }
  try {
    return loadPrivateKey(pem);
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${path}: not a private key`, { cause: err });
  }
}
