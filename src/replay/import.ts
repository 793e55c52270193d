/**
 * `stormwatch import`: an offline bulk load through a server started on the data folder (the CLI starts it
 * in-process and holds the folder's lock). Each marx `host` becomes a sensor of its own (operator: the row's
 * `operator`, else `operator`), other formats one sensor per file named after it (or `name`), all enrolled
 * and fed through the real API (import-sensors.ts, feed.ts).
 *
 * Invariants: the summary is returned only after the server's aggregator applied every acknowledged batch
 * (`drain`), so what the store answers next includes the whole import.
 */
import { basename } from 'node:path';
import { feed } from './feed.js';
import type { FeedOptions, SensorRoute } from './feed.js';
import { ImportSensors } from './import-sensors.js';
import type { ImportServer } from './import-sensors.js';
import { SENSOR_LABEL } from './marx.js';
import { STDIN } from './source.js';
import type { ReplaySummary } from './summary.js';

export const DEFAULT_IMPORT_OPERATOR = 'import';

/**
 * The in-process server of an import: historical events must pass (no past-age limit), and the per-sensor
 * request and event rate limits must not throttle a local bulk load; detection runs only when the import drains.
 */
export const IMPORT_SERVER_CONFIG = {
  max_past_age_ms: null,
  rate_limit_burst: 1_000_000,
  rate_limit_refill_per_sec: 1_000_000,
  event_rate_limit_burst: 1_000_000_000,
  event_rate_limit_refill_per_sec: 1_000_000_000,
  detect_interval_ms: 0,
} as const;

/** A sensor name from a file name: `kern.log.gz` → `kern.log`; standard input → `stdin`. */
export function sensorNameForFile(path: string): string {
  if (path === STDIN) return 'stdin';
  const name = basename(path)
    .replace(/\.gz$/i, '')
    .replace(/[^\p{L}\p{N} ._@:-]/gu, '_')
    .slice(0, 64);
  return SENSOR_LABEL.test(name) ? name : 'import';
}

export interface ImportOptions extends Omit<FeedOptions, 'route' | 'sensors'> {
  server: ImportServer & { drain(): Promise<void> };
  /** The server's data folder (where the import sensors' keys are kept). */
  dataDir: string;
  /** Operator of sensors whose rows name none. */
  operator: string;
  /** One sensor name for every file of a non-marx format (default: each file's name). */
  name?: string | undefined;
  warn: (message: string) => void;
  /** Called when every batch has its answer, before waiting for the aggregator. */
  onDraining?: () => void;
}

/** Feeds the files, one sensor per host or file, then waits until the server aggregated everything. */
export async function runImport(o: ImportOptions): Promise<ReplaySummary> {
  const route = (row: {
    file: string;
    host?: string | undefined;
    operator?: string | undefined;
  }): SensorRoute => {
    const name = row.host ?? o.name ?? sensorNameForFile(row.file);
    return { key: name, name, operator: row.operator ?? o.operator };
  };
  const summary = await feed({ ...o, route, sensors: new ImportSensors(o.server, o.dataDir, o.warn) });
  o.onDraining?.();
  await o.server.drain();
  return summary;
}
