/**
 * `stormwatch import` of the whole marx data set (451,581 events, 9 sensors, ../shared/data/marx/marx.csv.gz)
 * into a fresh data folder, exactly as the CLI does it (importIntoDataDir: lock, a server in-process on 127.0.0.1,
 * one sensor per host enrolled through the API, signed gzip batches), timed until the aggregator has applied
 * everything. Skipped with a message
 * when ../shared is absent. Peak memory is measured on the CLI itself (`/usr/bin/time -v stormwatch import ...`,
 * src/replay/README.md), since this process runs the other benchmarks too.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { importIntoDataDir } from '../src/cli/replay.js';
import { PRIVACY_DEFAULTS } from '../src/sensor/privacy.js';
import type { Figure } from './figures.js';

const MARX = fileURLToPath(new URL('../../shared/data/marx/marx.csv.gz', import.meta.url));

export async function benchImport(): Promise<Figure[]> {
  if (!existsSync(MARX)) {
    process.stderr.write(`bench: skipping import: ${MARX} is absent (../shared is not beside the project)\n`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-import-'));
  const start = process.hrtime.bigint();
  try {
    const { summary } = await importIntoDataDir({
      files: [MARX],
      format: { format: 'marx', timezone: 'utc' },
      privacy: { ...PRIVACY_DEFAULTS },
      batchSize: 5000,
      concurrency: 4,
      strict: false,
      maxRetryMs: 600_000,
      maxFutureSkewMs: 600_000,
      maxPastAgeMs: null,
      progress: { update: () => undefined, done: () => undefined },
      logger: pino({ level: 'warn' }),
      dataDir: dir,
      operator: 'import',
      warn: (m) => process.stderr.write(`bench: import: ${m}\n`),
    });
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    if (!summary.accounted || summary.events.accepted !== summary.events.batched)
      throw new Error(`import bench: not everything was accepted: ${JSON.stringify(summary.events)}`);
    return [
      {
        name: 'import: whole marx file (451,581 rows), wall time to aggregated',
        value: Math.round(secs * 10) / 10,
        unit: 's',
      },
      {
        name: 'import: whole marx file, rows read, sent and aggregated',
        value: Math.round(summary.lines.read / secs),
        unit: 'lines/s',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
