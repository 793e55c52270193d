/**
 * Admin routes (Authorization: Bearer <data-dir admin-token>):
 * POST /api/v1/admin/enrollment-tokens {operator? | operator_id?, ttl_ms?} → {token, expires_at, operator}
 * GET  /api/v1/admin/operators → every operator: internal id, name, public id, sensors
 * GET  /api/v1/admin/sensors → every sensor with internal and public ids, its operator and its key state
 * POST /api/v1/admin/sensors/{id}/revoke → {sensor_id, revoked: true}; 404 for an unknown sensor.
 * GET  /api/v1/admin/sensors/{id}/hours?hours=N → the sensor's last N hours (event time): events, batches,
 *      arrival lag (mean and max) and the counters it reported (drops ...); 404 for an unknown sensor.
 *
 * Invariant: these are the only routes that show internal ids and names of operators and sensors; public keys
 * never leave the server (only their fingerprints).
 */
import { createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { makeError } from '../../core/errors.js';
import { createEnrollmentToken, operatorSchema } from '../../ingest/enroll.js';
import type { SensorHoursResponse } from '../../protocol/api-types.js';
import { publicKeyFingerprint } from '../../protocol/signing.js';
import type { OperatorRecord, SensorRecord } from '../../store/store.js';
import { requireAdmin } from '../admin-token.js';
import type { ApiContext } from '../context.js';
import { iso, parseParams } from '../query.js';

export interface OperatorRef {
  id: string;
  name: string;
  public_id: string;
}

export interface EnrollmentTokenResponse {
  token: string;
  expires_at: string;
  operator: OperatorRef;
}

export interface RevokeResponse {
  sensor_id: string;
  revoked: true;
}

export interface AdminOperator extends OperatorRef {
  created_at: string;
  sensors: number;
}

export interface AdminSensor {
  id: string;
  public_id: string;
  name: string;
  /** Null only for a sensor whose operator record is missing (not made through enrolment). */
  operator: OperatorRef | null;
  created_at: string;
  last_seen: string | null;
  events_total: number;
  revoked: boolean;
  /** Addresses the sensor last declared it watches (1 until it says). */
  watched_addresses: number;
  key: {
    fingerprint: string;
    /** Fingerprint of a registered key not used yet (key rotation), or null. */
    pending_fingerprint: string | null;
    /** Until when the key replaced by the last rotation is still accepted, or null. */
    previous_valid_until: string | null;
  };
}

const ref = (o: OperatorRecord): OperatorRef => ({ id: o.id, name: o.name, public_id: o.public_id });

function fingerprint(pem: string): string {
  try {
    return publicKeyFingerprint(createPublicKey(pem));
  } catch {
    return 'unreadable';
  }
}

export function toAdminSensor(
  s: SensorRecord,
  operators: ReadonlyMap<string, OperatorRecord>,
  now: number,
): AdminSensor {
  const op = operators.get(s.operator);
  const previousLive =
    s.previous_public_key_pem !== null &&
    s.previous_key_valid_until !== null &&
    now < s.previous_key_valid_until;
  return {
    id: s.id,
    public_id: s.public_id,
    name: s.name,
    operator: op ? ref(op) : null,
    created_at: iso(s.created_at),
    last_seen: s.last_seen === null ? null : iso(s.last_seen),
    events_total: s.events_total,
    revoked: s.revoked,
    watched_addresses: s.watched_addresses,
    key: {
      fingerprint: fingerprint(s.public_key_pem),
      pending_fingerprint: s.pending_public_key_pem === null ? null : fingerprint(s.pending_public_key_pem),
      previous_valid_until: previousLive ? iso(s.previous_key_valid_until ?? 0) : null,
    },
  };
}

const HOUR = 3_600_000;

export function adminRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const log = ctx.logger.child({ component: 'admin' });
  const preHandler = requireAdmin(ctx.adminToken);
  const tokenBody = z
    .strictObject({
      operator: operatorSchema.optional(),
      operator_id: z.string().min(1).max(64).optional(),
      ttl_ms: z
        .number()
        .int()
        .positive()
        .max(ctx.config.enrollment_token_max_ttl_ms)
        .default(ctx.config.enrollment_token_ttl_ms),
    })
    .refine((b) => b.operator === undefined || b.operator_id === undefined, {
      message: 'give operator or operator_id, not both',
      path: ['operator_id'],
    });

  app.post('/api/v1/admin/enrollment-tokens', { preHandler }, (request): Promise<EnrollmentTokenResponse> => {
    const b = parseParams(tokenBody, request.body);
    const now = ctx.authClock.now();
    const made = createEnrollmentToken(ctx.store, {
      ...(b.operator_id !== undefined
        ? { operatorId: b.operator_id }
        : { operator: b.operator ?? 'default' }),
      ttlMs: b.ttl_ms,
      now,
    });
    log.info(
      { operator: made.operator.id, operator_created: made.operatorCreated, ttl_ms: b.ttl_ms },
      'enrolment token created',
    );
    return Promise.resolve({
      token: made.token,
      expires_at: iso(now + b.ttl_ms),
      operator: ref(made.operator),
    });
  });

  app.get('/api/v1/admin/operators', { preHandler }, (): Promise<{ items: AdminOperator[] }> => {
    const counts = new Map<string, number>();
    for (const s of ctx.store.listSensors()) counts.set(s.operator, (counts.get(s.operator) ?? 0) + 1);
    const items = ctx.store.listOperators().map((o) => ({
      ...ref(o),
      created_at: iso(o.created_at),
      sensors: counts.get(o.id) ?? 0,
    }));
    return Promise.resolve({ items });
  });

  app.get('/api/v1/admin/sensors', { preHandler }, (): Promise<{ items: AdminSensor[] }> => {
    const operators = new Map(ctx.store.listOperators().map((o) => [o.id, o]));
    const now = ctx.authClock.now();
    return Promise.resolve({ items: ctx.store.listSensors().map((s) => toAdminSensor(s, operators, now)) });
  });

  app.get('/api/v1/admin/sensors/:id/hours', { preHandler }, (request): Promise<SensorHoursResponse> => {
    const { id } = parseParams(z.strictObject({ id: z.string().min(1).max(64) }), request.params);
    const { hours } = parseParams(
      z.strictObject({
        hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 400)
          .default(48),
      }),
      request.query,
    );
    if (!ctx.store.getSensor(id)) return Promise.reject(makeError('SW_NOT_FOUND', `no sensor ${id}`));
    const to = (Math.floor(ctx.eventClock.now() / HOUR) + 1) * HOUR;
    const from = to - hours * HOUR;
    const items = ctx.store.sensorBuckets(id, from, to).map((r) => ({
      hour: iso(r.bucket),
      events: r.events,
      batches: r.batches,
      lag_ms_mean: r.events === 0 ? 0 : Math.round(r.lag_ms_sum / r.events),
      lag_ms_max: r.lag_ms_max,
      reported: r.stats,
    }));
    return Promise.resolve({ sensor_id: id, from: iso(from), to: iso(to), items });
  });

  app.post('/api/v1/admin/sensors/:id/revoke', { preHandler }, (request): Promise<RevokeResponse> => {
    const { id } = parseParams(z.strictObject({ id: z.string().min(1).max(64) }), request.params);
    if (!ctx.store.revokeSensor(id)) return Promise.reject(makeError('SW_NOT_FOUND', `no sensor ${id}`));
    log.info({ sensor: id }, 'sensor revoked');
    return Promise.resolve({ sensor_id: id, revoked: true });
  });
}
