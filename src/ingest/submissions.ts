/**
 * POST /api/v1/submissions as an encapsulated Fastify plugin: the only way events enter the server.
 *
 * Invariants, in the order the request meets them:
 * 0. Headers, time window and sensor are checked before the body is read (no buffering for strangers).
 * 1. The body is taken raw (own content-type parser, scoped to this plugin): the signature covers the exact
 *    bytes, so nothing decodes or re-encodes it first. Raw size is capped while reading.
 * 2. Signature, time window (real clock), sensor, replay (verify-signature.ts), then the per-sensor request rate
 *    limit; the nonce is recorded only for a request that goes on to be processed.
 * 3. gzip is inflated with a hard cap, JSON parsed, the batch validated all or nothing (nothing stored on refusal):
 *    fields, sizes, events too far in the future or the past.
 * 4. A batch not seen before takes its events from the per-sensor event bucket (429 when short, nothing taken;
 *    given back if the bus already had the batch or could not take it), then is published to the bus; the sensor gets 200 only after `publish` resolved (durable).
 *    A batch id already applied or already on the bus is acknowledged 'duplicate' and counted nowhere.
 * The plugin also serves key rotation (sensor-keys.ts) with the same verifier, replay cache and request limit.
 * Every refusal is counted by reason in IngestMetrics and surfaces as a StormwatchError for the app's handler;
 * a 429 carries Retry-After.
 */
import type { FastifyInstance, FastifyRequest, RawRequestDefaultExpression } from 'fastify';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../core/clock.js';
import { isStormwatchError, makeError } from '../core/errors.js';
import type { SubmissionAck } from '../protocol/api-types.js';
import { SUBMISSIONS_PATH } from '../protocol/batch.js';
import type { Store } from '../store/store.js';
import type { IngestConfig } from './config.js';
import { decodeBody, readRawBody } from './limits.js';
import type { IngestMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { registerSensorKeysRoute } from './sensor-keys.js';
import { parseJsonBody, validateBatch } from './validate.js';
import { SignatureVerifier } from './verify-signature.js';

export interface SubmissionsPluginOptions {
  store: Pick<Store, 'getSensor' | 'isBatchApplied' | 'promoteSensorKey' | 'setPendingSensorKey'>;
  bus: Pick<Bus, 'publish'>;
  /** Event time (virtual in the demo): future-skew check and `received_at`. */
  eventClock: Clock;
  /** Real time: signature window, nonce expiry, rate limit. */
  authClock: Clock;
  config: IngestConfig;
  metrics: IngestMetrics;
  logger: Logger;
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Registers the submission route. Register it WITHOUT fastify-plugin so its raw-body parser stays scoped.
 * @example await app.register(submissionsPlugin, { store, bus, eventClock, authClock, config, metrics, logger })
 */
export function submissionsPlugin(app: FastifyInstance, opts: SubmissionsPluginOptions): Promise<void> {
  const { store, bus, config, metrics } = opts;
  const log = opts.logger.child({ component: 'ingest' });
  const verifier = new SignatureVerifier({
    store,
    authClock: opts.authClock,
    windowMs: config.signature_window_ms,
    nonceCacheMaxEntries: config.nonce_cache_max_entries,
    keyRotationGraceMs: config.key_rotation_grace_ms,
  });
  const limiter = new RateLimiter(config.rate_limit_burst, config.rate_limit_refill_per_sec, opts.authClock);
  const eventLimiter = new RateLimiter(
    config.event_rate_limit_burst,
    config.event_rate_limit_refill_per_sec,
    opts.authClock,
    'events',
  );

  app.addHook('onError', (_request, reply, err, done) => {
    if (isStormwatchError(err) && err.code === 'SW_RATE_LIMITED') {
      const d = err.details as { retry_after_s?: number } | undefined;
      if (d?.retry_after_s !== undefined) void reply.header('retry-after', String(d.retry_after_s));
    }
    done();
  });

  // Cheap checks before the body is read (verify() repeats them with the body in hand).
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'POST') return done();
    try {
      verifier.precheck(request.headers);
      done();
    } catch (err) {
      metrics.refusal(err);
      done(err as Error);
    }
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: RawRequestDefaultExpression) => {
    try {
      return await readRawBody(payload, headerText(request.headers['content-length']), config.max_body_bytes);
    } catch (err) {
      metrics.refusal(err);
      throw err;
    }
  });

  app.post(SUBMISSIONS_PATH, async (request): Promise<SubmissionAck> => {
    try {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const who = verifier.verify({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: raw,
      });
      limiter.check(who.sensorId);
      verifier.commit(who);

      const decoded = await decodeBody(
        raw,
        headerText(request.headers['content-encoding']),
        config.max_decompressed_bytes,
      );
      const now = opts.eventClock.now();
      const batch = validateBatch(parseJsonBody(decoded), {
        maxEvents: config.max_events_per_batch,
        now,
        maxFutureSkewMs: config.max_future_skew_ms,
        maxPastAgeMs: config.max_past_age_ms,
        maxStatsEntries: config.max_stats_entries,
      });

      // Batch ids are chosen by sensors: scope them by sensor, so that one sensor cannot get another's batches
      // treated as duplicates by guessing their ids.
      const scopedId = `${who.sensorId}/${batch.batch_id}`;
      let status: SubmissionAck['status'];
      if (store.isBatchApplied(scopedId)) {
        status = 'duplicate';
      } else {
        eventLimiter.check(who.sensorId, batch.events.length);
        const busBatch = {
          batch_id: scopedId,
          sensor_id: who.sensorId,
          received_at: now,
          clock_offset_ms: batch.sensor_time - now,
          events: batch.events,
          ...(batch.stats ? { stats: batch.stats } : {}),
          ...(batch.watched_addresses !== undefined ? { watched_addresses: batch.watched_addresses } : {}),
          // The signed bytes as received: the bus stores them instead of re-encoding, the store archives them.
          raw,
        };
        status = await bus.publish(busBatch).catch((err: unknown) => {
          eventLimiter.refund(who.sensorId, batch.events.length);
          throw makeError('SW_UNAVAILABLE', 'the batch could not be stored; retry later', { cause: err });
        });
        // Still on the bus from an earlier attempt: counted once, paid once.
        if (status === 'duplicate') eventLimiter.refund(who.sensorId, batch.events.length);
      }
      metrics.batch(status, batch.events.length);
      log.debug(
        { sensor: who.sensorId, batch: batch.batch_id, events: batch.events.length, status },
        'batch received',
      );
      return { batch_id: batch.batch_id, status, events: batch.events.length };
    } catch (err) {
      metrics.refusal(err);
      log.debug(
        { code: isStormwatchError(err) ? err.code : 'SW_INTERNAL', sensor: request.headers['x-sw-sensor'] },
        'submission refused',
      );
      throw err;
    }
  });
  registerSensorKeysRoute(app, { store, verifier, limiter, metrics, logger: opts.logger });
  return Promise.resolve();
}
