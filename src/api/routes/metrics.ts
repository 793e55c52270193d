/** GET /metrics: Prometheus text exposition 0.0.4 of ingest, pipeline, store and process metrics (src/api/metrics.ts). */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { serverFamilies } from '../metrics.js';
import { exposition, PROMETHEUS_CONTENT_TYPE } from '../../core/prometheus.js';

export function metricsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/metrics', async (_request, reply) => {
    const text = ctx.metrics.prometheus() + exposition(await serverFamilies(ctx));
    return reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });
}
