/**
 * Health:
 * - GET /api/v1/health: 200 once the server is ready (503 SW_UNAVAILABLE before), with the event clock's now.
 * - GET /api/v1/health/live: 200 whenever the process answers (liveness: restart only when this fails).
 * - GET /api/v1/health/ready: 200 when started, the store and the bus answer, and the aggregator's last step
 *   did not fail; else 503 SW_UNAVAILABLE naming what is not ready (readiness: stop sending traffic).
 */
import type { FastifyInstance } from 'fastify';
import { makeError } from '../../core/errors.js';
import type { HealthResponse } from '../../protocol/api-types.js';
import type { ApiContext } from '../context.js';
import { iso } from '../query.js';

/** Body of the liveness and readiness answers (documented as HealthStatus in docs/openapi.yaml). */
export interface HealthStatus {
  status: 'ok';
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** What is not ready, each as `component: why`; [] when ready. */
export async function readinessProblems(ctx: ApiContext): Promise<string[]> {
  const problems: string[] = [];
  if (!ctx.ready()) problems.push('server: starting or stopping');
  try {
    ctx.store.getMeta('health.ping');
  } catch (err) {
    problems.push(`store: ${reason(err)}`);
  }
  try {
    await ctx.bus.backlog();
  } catch (err) {
    problems.push(`bus: ${reason(err)}`);
  }
  const agg = ctx.pipeline.aggregator?.stats();
  if (agg?.last_step_failed) problems.push(`aggregator: last step failed (${agg.last_error ?? 'unknown'})`);
  return problems;
}

export function healthRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/health', (): Promise<HealthResponse> => {
    if (!ctx.ready()) return Promise.reject(makeError('SW_UNAVAILABLE', 'starting up'));
    return Promise.resolve({ status: 'ok', version: ctx.version, now: iso(ctx.eventClock.now()) });
  });

  app.get('/api/v1/health/live', (): Promise<HealthStatus> => Promise.resolve({ status: 'ok' }));

  app.get('/api/v1/health/ready', async (): Promise<HealthStatus> => {
    const problems = await readinessProblems(ctx);
    if (problems.length > 0) {
      throw makeError('SW_UNAVAILABLE', `not ready: ${problems.join('; ')}`, {
        details: { not_ready: problems.map((p) => p.split(':')[0]) },
      });
    }
    return { status: 'ok' };
  });
}
