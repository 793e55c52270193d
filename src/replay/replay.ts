/**
 * `stormwatch replay`: historical logs sent to a running server as ONE sensor, whose identity is a sensor's data
 * folder (enrolled before, or now with a one-time token).
 *
 * Invariants: the private key never leaves the data folder (src/sensor/enroll.ts); a folder already enrolled is
 * used as it is, so repeated replays send as the same sensor and their batch ids dedupe; rows of a marx file
 * naming several hosts all go to that one sensor, said once in a warning.
 */
import { makeError } from '../core/errors.js';
import { enrollSensor, isEnrolled } from '../sensor/enroll.js';
import { readIdentity, readSensorKey } from '../sensor/identity.js';
import { feed } from './feed.js';
import type { FeedOptions, SensorRoute } from './feed.js';
import type { SensorCredentials } from './send.js';
import type { ReplaySummary } from './summary.js';

export interface IdentityOptions {
  serverUrl: string;
  /** The sensor's data folder (identity.json and sensor.key). */
  dataDir: string;
  /** A one-time enrolment token, used only when the folder is not enrolled yet. */
  token?: string | undefined;
  name?: string | undefined;
}

/**
 * The credentials of the folder's sensor, enrolling it first when it has none and a token is given.
 * @throws SW_CONFIG_INVALID when the folder is not enrolled and no token is given.
 */
export async function replayIdentity(o: IdentityOptions): Promise<SensorCredentials & { enrolled: boolean }> {
  let enrolled = false;
  if (!isEnrolled(o.dataDir)) {
    if (o.token === undefined)
      throw makeError(
        'SW_CONFIG_INVALID',
        `${o.dataDir} holds no sensor identity: give --token to enrol one, or --config of an enrolled sensor`,
      );
    await enrollSensor({ serverUrl: o.serverUrl, token: o.token, dataDir: o.dataDir, name: o.name });
    enrolled = true;
  }
  const identity = readIdentity(o.dataDir);
  if (identity === null) throw makeError('SW_CONFIG_INVALID', `${o.dataDir}: identity.json is missing`);
  return { serverUrl: o.serverUrl, sensorId: identity.sensor_id, key: readSensorKey(o.dataDir), enrolled };
}

export interface ReplayOptions extends Omit<FeedOptions, 'route' | 'sensors'> {
  credentials: SensorCredentials;
  warn: (message: string) => void;
}

/** Feeds the files as the one sensor of `credentials`. */
export function runReplay(o: ReplayOptions): Promise<ReplaySummary> {
  const route: SensorRoute = { key: o.credentials.sensorId, name: o.credentials.sensorId, operator: '' };
  const hosts = new Set<string>();
  return feed({
    ...o,
    sensors: { resolve: () => Promise.resolve(o.credentials) },
    route: (row) => {
      if (row.host !== undefined && !hosts.has(row.host) && hosts.size < 2) {
        hosts.add(row.host);
        if (hosts.size === 2)
          o.warn(
            `the rows name several hosts (${[...hosts].join(', ')}, ...); replay sends them all as sensor ${route.name} (stormwatch import makes one sensor per host)`,
          );
      }
      return route;
    },
  });
}
