/**
 * Admin routes (Authorization: Bearer <data-dir admin-token>):
 * POST /api/v1/admin/enrollment-tokens {operator?, ttl_ms?} → {token, expires_at}
 * POST /api/v1/admin/sensors/{id}/revoke → {sensor_id, revoked: true}; 404 for an unknown sensor.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { makeError } from '../../core/errors.js';
import { createEnrollmentToken, operatorSchema } from '../../ingest/enroll.js';
import { requireAdmin } from '../admin-token.js';
import type { ApiContext } from '../context.js';
import { iso, parseParams } from '../query.js';

export interface EnrollmentTokenResponse {
  token: string;
  expires_at: string;
}

export interface RevokeResponse {
  sensor_id: string;
  revoked: true;
}

export function adminRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const log = ctx.logger.child({ component: 'admin' });
  const preHandler = requireAdmin(ctx.adminToken);
  const tokenBody = z.strictObject({
    operator: operatorSchema.default('default'),
    ttl_ms: z
      .number()
      .int()
      .positive()
      .max(ctx.config.enrollment_token_max_ttl_ms)
      .default(ctx.config.enrollment_token_ttl_ms),
  });

  app.post('/api/v1/admin/enrollment-tokens', { preHandler }, (request): Promise<EnrollmentTokenResponse> => {
    const b = parseParams(tokenBody, request.body);
    const now = ctx.authClock.now();
    const token = createEnrollmentToken(ctx.store, { operator: b.operator, ttlMs: b.ttl_ms, now });
    log.info({ operator: b.operator, ttl_ms: b.ttl_ms }, 'enrolment token created');
    return Promise.resolve({ token, expires_at: iso(now + b.ttl_ms) });
  });

  app.post('/api/v1/admin/sensors/:id/revoke', { preHandler }, (request): Promise<RevokeResponse> => {
    const { id } = parseParams(z.strictObject({ id: z.string().min(1).max(64) }), request.params);
    if (!ctx.store.revokeSensor(id)) return Promise.reject(makeError('SW_NOT_FOUND', `no sensor ${id}`));
    log.info({ sensor: id }, 'sensor revoked');
    return Promise.resolve({ sensor_id: id, revoked: true });
  });
}
