/**
 * The sensors an import sends as: one per marx `host` (or per file for other formats), enrolled through the
 * server's real API (a one-time token from the admin API, then the enrolment endpoint), their keys kept in the
 * server's data folder under `import-sensors/` so that a later import of the same names sends as the same sensors
 * (whose batch ids then dedupe).
 *
 * Invariants: a sensor is reused only when the server's store has it by that name, not revoked, with the id
 * saved beside its key (it keeps the operator it was enrolled with); otherwise a new one is enrolled (with a warning when the server has a sensor of that name
 * whose key is not here: its earlier batches cannot dedupe against the new sensor's). Key folders are named by
 * a hash of the sensor name, so no name can reach outside `import-sensors/`.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createEnrollmentTokenViaApi } from '../protocol/client.js';
import { enrollSensor, isEnrolled } from '../sensor/enroll.js';
import { readIdentity, readSensorKey } from '../sensor/identity.js';
import type { SensorDirectory, SensorRoute } from './feed.js';
import type { SensorCredentials } from './send.js';

/** Folder of the import sensors' keys inside the server's data folder. */
export const IMPORT_SENSORS_DIR = 'import-sensors';

/** A sensor as the server's store knows it (`id`: the id it signs with). */
export interface KnownSensor {
  id: string;
  name: string;
  revoked: boolean;
}

export interface ImportServer {
  url: string;
  adminToken: string;
  /** Every enrolled sensor, read from the server's store (the public API shows no names). */
  sensors(): readonly KnownSensor[];
}

/** The key folder of a sensor name: readable, and unique by the name's hash. */
export function keyFolderName(name: string): string {
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 12);
  return `${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${hash}`;
}

export class ImportSensors implements SensorDirectory {
  constructor(
    private readonly server: ImportServer,
    /** The server's data folder. */
    private readonly dataDir: string,
    private readonly warn: (message: string) => void,
  ) {}

  async resolve(route: SensorRoute): Promise<SensorCredentials & { reused: boolean }> {
    const dir = join(this.dataDir, IMPORT_SENSORS_DIR, keyFolderName(route.name));
    const named = this.server.sensors().filter((s) => s.name === route.name && !s.revoked);
    const saved = isEnrolled(dir) ? readIdentity(dir) : null;
    const mine = saved === null ? undefined : named.find((s) => s.id === saved.sensor_id);
    if (mine !== undefined)
      return { serverUrl: this.server.url, sensorId: mine.id, key: readSensorKey(dir), reused: true };
    if (named.length > 0)
      this.warn(
        `the server has a sensor named ${route.name} (${named.map((s) => s.id).join(', ')}) whose key is not in ${dir}; enrolling a new one (batches sent as the other are not deduplicated against it)`,
      );
    const { token } = await createEnrollmentTokenViaApi(
      this.server.url,
      this.server.adminToken,
      route.operator,
    );
    const { sensorId } = await enrollSensor({
      serverUrl: this.server.url,
      token,
      dataDir: dir,
      name: route.name,
      force: true,
    });
    return { serverUrl: this.server.url, sensorId, key: readSensorKey(dir), reused: false };
  }
}
