/**
 * POST /api/v1/sensors/self/keys: a sensor registers its next public key (key rotation), in the submissions
 * plugin so that it shares the raw-body parser, the signature verifier (and its replay cache) and the rate limit.
 *
 * Invariants:
 * - The request is signed like a submission, with the sensor's CURRENT key (or its pending key, which that
 *   request makes current); the previous key, still valid for uploads during its grace period, cannot register
 *   keys (SW_AUTH_BAD_SIGNATURE): a leaked retired key must not be able to take the identity over.
 * - The new key is Ed25519 (SPKI PEM) and is stored PENDING: the current key stays valid until the new one signs
 *   its first request, so a sensor that crashed before switching its key file can still upload.
 * - Registering the same key again is harmless (idempotent retry): 'pending' again, or 'current' once used.
 * - Revocation wins: a revoked sensor is refused before and cannot register anything.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import type { KeyRotationResponse } from '../protocol/client.js';
import { loadPublicKey, publicKeyFingerprint, SENSOR_KEYS_PATH } from '../protocol/signing.js';
import type { Store } from '../store/store.js';
import { decodeBody } from './limits.js';
import type { IngestMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import { parseJsonBody } from './validate.js';
import type { SignatureVerifier } from './verify-signature.js';

/** A rotation body is one PEM: far below the submission limits. */
export const MAX_KEY_BODY_BYTES = 16_384;

const keyRequestSchema = z.strictObject({ public_key: z.string().min(1).max(4096) });

export interface SensorKeysRouteOptions {
  store: Pick<Store, 'getSensor' | 'setPendingSensorKey'>;
  verifier: SignatureVerifier;
  limiter: RateLimiter;
  metrics: IngestMetrics;
  logger: Logger;
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** @example registerSensorKeysRoute(app, { store, verifier, limiter, metrics, logger }) // inside the plugin */
export function registerSensorKeysRoute(app: FastifyInstance, opts: SensorKeysRouteOptions): void {
  const { store, verifier, limiter, metrics } = opts;
  const log = opts.logger.child({ component: 'key-rotation' });

  app.post(SENSOR_KEYS_PATH, async (request): Promise<KeyRotationResponse> => {
    try {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const who = verifier.verify({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: raw,
      });
      if (who.keyRole === 'previous') {
        throw makeError(
          'SW_AUTH_BAD_SIGNATURE',
          "a new key must be registered with the sensor's current key, not a replaced one",
        );
      }
      limiter.check(who.sensorId);
      verifier.commit(who);

      const decoded = await decodeBody(
        raw,
        headerText(request.headers['content-encoding']),
        MAX_KEY_BODY_BYTES,
      );
      const body = keyRequestSchema.safeParse(parseJsonBody(decoded));
      if (!body.success) {
        const issue = body.error.issues[0];
        throw makeError(
          'SW_BAD_REQUEST',
          `key request: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        );
      }
      let key;
      try {
        key = loadPublicKey(body.data.public_key);
      } catch (err) {
        throw makeError('SW_BAD_REQUEST', `public_key: ${(err as Error).message}`, { cause: err });
      }
      const pem = key.export({ type: 'spki', format: 'pem' }).toString();
      const fingerprint = publicKeyFingerprint(key);

      const sensor = store.getSensor(who.sensorId);
      if (!sensor || sensor.revoked) throw makeError('SW_AUTH_UNKNOWN_SENSOR');
      if (sensor.public_key_pem === pem) {
        return { sensor_id: who.sensorId, status: 'current', fingerprint };
      }
      if (!store.setPendingSensorKey(who.sensorId, pem)) throw makeError('SW_AUTH_UNKNOWN_SENSOR');
      log.info({ sensor: who.sensorId, fingerprint }, 'sensor key registered (pending until first use)');
      return { sensor_id: who.sensorId, status: 'pending', fingerprint };
    } catch (err) {
      metrics.refusal(err);
      throw err;
    }
  });
}
