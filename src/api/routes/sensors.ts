/**
 * GET /api/v1/sensors (public) and POST /api/v1/sensors/enroll (one-time token).
 *
 * Invariants:
 * - The public list shows pseudonymous public ids only: `id` and `name` are the sensor's public id (`ps_`),
 *   `operator` is the operator's public id (`po_`). Internal sensor ids (what a sensor signs with), sensor names
 *   and operator names are for the admin API: published, they would tell who runs a sensor on which network,
 *   which helps an attacker find and avoid sensors. Public keys never leave the server.
 * - Token expiry runs on the real clock; the sensor's created_at is event time, like its last_seen.
 */
import type { FastifyInstance } from 'fastify';
import { enrollSensor } from '../../ingest/enroll.js';
import type { EnrollResponse, SensorInfo, SensorsResponse } from '../../protocol/api-types.js';
import type { SensorRecord } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { iso } from '../query.js';

/** Stands for the operator of a sensor whose operator has no record (never an internal id). */
export const UNKNOWN_OPERATOR = 'po_unknown';

/** The public view of a sensor; `operatorPublicIds` maps internal operator ids to public ones. */
export function toSensorInfo(s: SensorRecord, operatorPublicIds: ReadonlyMap<string, string>): SensorInfo {
  return {
    id: s.public_id,
    name: s.public_id,
    operator: operatorPublicIds.get(s.operator) ?? UNKNOWN_OPERATOR,
    created_at: iso(s.created_at),
    last_seen: s.last_seen === null ? null : iso(s.last_seen),
    events_total: s.events_total,
    revoked: s.revoked,
  };
}

export function sensorRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const log = ctx.logger.child({ component: 'enroll' });

  app.get('/api/v1/sensors', (): Promise<SensorsResponse> => {
    const publicIds = new Map(ctx.store.listOperators().map((o) => [o.id, o.public_id]));
    return Promise.resolve({ items: ctx.store.listSensors().map((s) => toSensorInfo(s, publicIds)) });
  });

  app.post('/api/v1/sensors/enroll', (request): Promise<EnrollResponse> => {
    const res = enrollSensor(ctx.store, request.body, {
      now: ctx.authClock.now(),
      createdAt: ctx.eventClock.now(),
    });
    log.info({ sensor: res.sensor_id }, 'sensor enrolled');
    return Promise.resolve(res);
  });
}
