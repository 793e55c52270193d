/**
 * GET /api/v1/sensors (public keys never leave the server) and POST /api/v1/sensors/enroll (one-time token).
 * Token expiry runs on the real clock; the sensor's created_at is event time, like its last_seen.
 */
import type { FastifyInstance } from 'fastify';
import { enrollSensor } from '../../ingest/enroll.js';
import type { EnrollResponse, SensorInfo, SensorsResponse } from '../../protocol/api-types.js';
import type { SensorRecord } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { iso } from '../query.js';

export function toSensorInfo(s: SensorRecord): SensorInfo {
  return {
    id: s.id,
    name: s.name,
    operator: s.operator,
    created_at: iso(s.created_at),
    last_seen: s.last_seen === null ? null : iso(s.last_seen),
    events_total: s.events_total,
    revoked: s.revoked,
  };
}

export function sensorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const log = ctx.logger.child({ component: 'enroll' });

  app.get('/api/v1/sensors', (): Promise<SensorsResponse> =>
    Promise.resolve({ items: ctx.store.listSensors().map(toSensorInfo) }),
  );

  app.post('/api/v1/sensors/enroll', (request): Promise<EnrollResponse> => {
    const res = enrollSensor(ctx.store, request.body, {
      now: ctx.authClock.now(),
      createdAt: ctx.eventClock.now(),
    });
    log.info({ sensor: res.sensor_id }, 'sensor enrolled');
    return Promise.resolve(res);
  });
}
