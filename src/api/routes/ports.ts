/**
 * GET /api/v1/ports/top and GET /api/v1/ports/{proto}/{port}/series: thin HTTP over top-ports.ts and series.ts.
 * Defaults: top → window 1h, limit 25; series → the 24 h before the event clock's now, 5-min buckets.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GRANULARITIES } from '../../core/buckets.js';
import type { Granularity } from '../../core/buckets.js';
import { PROTOCOLS } from '../../core/event.js';
import type { SeriesResponse, TopPortsResponse } from '../../protocol/api-types.js';
import type { ApiContext } from '../context.js';
import { intText, isoTime, parseParams } from '../query.js';
import { seriesView } from '../series.js';
import { TOP_WINDOWS, topPortsView } from '../top-ports.js';
import type { TopWindow } from '../top-ports.js';

const DAY = 86_400_000;

const topQuery = z.strictObject({
  window: z.enum(Object.keys(TOP_WINDOWS) as [TopWindow, ...TopWindow[]]).default('1h'),
  limit: intText(1, 200).default(25),
});

const seriesParams = z.strictObject({ proto: z.enum(PROTOCOLS), port: intText(0, 65535) });
const seriesQuery = z.strictObject({
  bucket: z.enum(Object.keys(GRANULARITIES) as [Granularity, ...Granularity[]]).default('5m'),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

export function portRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/api/v1/ports/top', (request): Promise<TopPortsResponse> => {
    const q = parseParams(topQuery, request.query);
    return Promise.resolve(topPortsView(ctx.store, q.window, ctx.eventClock.now(), q.limit));
  });

  app.get('/api/v1/ports/:proto/:port/series', (request): Promise<SeriesResponse> => {
    const p = parseParams(seriesParams, request.params);
    const q = parseParams(seriesQuery, request.query);
    const to = q.to ?? (q.from !== undefined ? q.from + DAY : ctx.eventClock.now());
    const from = q.from ?? to - DAY;
    return Promise.resolve(
      seriesView(
        ctx.store,
        { proto: p.proto, port: p.port, bucket: q.bucket, from, to },
        ctx.config.max_series_points,
      ),
    );
  });
}
