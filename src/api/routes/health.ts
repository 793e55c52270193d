/** GET /api/v1/health: 200 once the server is ready (503 SW_UNAVAILABLE before), with the event clock's now. */
import type { FastifyInstance } from 'fastify';
import { makeError } from '../../core/errors.js';
import type { HealthResponse } from '../../protocol/api-types.js';
import type { ApiContext } from '../context.js';
import { iso } from '../query.js';

export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/health', (): Promise<HealthResponse> => {
    if (!ctx.ready()) return Promise.reject(makeError('SW_UNAVAILABLE', 'starting up'));
    return Promise.resolve({ status: 'ok', version: ctx.version, now: iso(ctx.eventClock.now()) });
  });
}
