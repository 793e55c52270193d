/**
 * `stormwatch replay` (historical logs to a running server, as one sensor) and `stormwatch import` (an offline
 * bulk load into a server's data folder, through a server started in-process on 127.0.0.1). Both feed files
 * through the path sensors take (src/replay/README.md).
 *
 * Output: the summary on stdout (text, or JSON with --json), progress and warnings on stderr. Exit code 2 when a
 * batch was refused or not sent; Ctrl-C stops reading, waits for the batches in flight and prints the summary.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { bucketStart, GRANULARITIES } from '../core/buckets.js';
import { makeError } from '../core/errors.js';
import { formatNames } from '../replay/format.js';
import type { FeedOptions } from '../replay/feed.js';
import { DEFAULT_IMPORT_OPERATOR, IMPORT_SERVER_CONFIG } from '../replay/import.js';
import { SENSOR_LABEL } from '../replay/marx.js';
import { makeProgress } from '../replay/progress.js';
import { STDIN, storedSize } from '../replay/source.js';
import { formatSummary } from '../replay/summary.js';
import type { ReplaySummary } from '../replay/summary.js';
import type { ImportOptions } from '../replay/import.js';
import type { PortTotals } from '../store/store.js';
import { PRIVACY_DEFAULTS } from '../sensor/privacy.js';
import type { PrivacyConfig } from '../sensor/privacy.js';
import { makeRootLogger } from './logger.js';
import { parsePositiveInt, parsePositiveNumber } from './options.js';

interface CommonFlags {
  format: string;
  options?: string;
  timezone: string;
  batchSize: number;
  concurrency: number;
  strict?: boolean;
  json?: boolean;
  includePrivateSources?: boolean;
  maxRetrySeconds: number;
  progress: boolean;
}

/** The server's default max_future_skew_ms: later events would get their whole batch refused. */
const MAX_FUTURE_SKEW_MS = 600_000;
/** The server's max_events_per_batch default. */
const MAX_BATCH = 20_000;

const parseBatchSize = (v: string): number => {
  const n = parsePositiveInt(v);
  if (n > MAX_BATCH)
    throw new InvalidArgumentError(`"${v}" is over the server's ${MAX_BATCH} events per batch`);
  return n;
};

function addCommonOptions(cmd: Command): Command {
  return cmd
    .argument('<file...>', 'files to read, plain or gzip (- for standard input)')
    .requiredOption('--format <type>', `line format (${formatNames().join(', ')})`)
    .option('--options <json>', "the input type's options as JSON (e.g. a field map for jsonl/csv)")
    .option('--timezone <tz>', 'time zone of stamps without one: utc or local', 'utc')
    .option('--batch-size <n>', 'events per batch (keep it the same when re-running)', parseBatchSize, 5000)
    .option('--concurrency <n>', 'batches in flight', parsePositiveInt, 4)
    .option('--strict', 'stop at the first batch the server refuses')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--include-private-sources', 'also send private and bogon source addresses (lab captures)')
    .option(
      '--max-retry-seconds <n>',
      'how long one batch is retried (429, 5xx, network)',
      parsePositiveInt,
      600,
    )
    .option('--no-progress', 'no progress bar or progress lines on stderr');
}

function feedOptions(
  files: string[],
  f: CommonFlags,
  privacy: PrivacyConfig,
  maxPastAgeMs: number | null,
): Omit<FeedOptions, 'route' | 'sensors' | 'logger'> {
  if (f.timezone !== 'utc' && f.timezone !== 'local')
    throw makeError('SW_CONFIG_INVALID', `--timezone must be utc or local, not ${f.timezone}`);
  if (files.filter((x) => x === STDIN).length > 1)
    throw makeError('SW_CONFIG_INVALID', 'standard input (-) can be read once');
  const sizes = files.map(storedSize);
  const total = sizes.includes(null) ? null : sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    files,
    format: { format: f.format, optionsJson: f.options, timezone: f.timezone },
    privacy: f.includePrivateSources ? { ...privacy, exclude_private_sources: false } : privacy,
    batchSize: f.batchSize,
    concurrency: f.concurrency,
    strict: f.strict === true,
    maxRetryMs: f.maxRetrySeconds * 1000,
    maxFutureSkewMs: MAX_FUTURE_SKEW_MS,
    maxPastAgeMs,
    progress: makeProgress(process.stderr, total, f.progress ? 'auto' : 'none'),
    signal: controller.signal,
  };
}

function report(
  summary: ReplaySummary,
  json: boolean | undefined,
  extra: { lines: string[]; fields: Record<string, unknown> } = { lines: [], fields: {} },
): void {
  if (json) process.stdout.write(`${JSON.stringify({ ...summary, ...extra.fields }, null, 2)}\n`);
  else process.stdout.write(`${[formatSummary(summary), ...extra.lines].join('\n')}\n`);
  const e = summary.events;
  if (e.refused > 0 || e.not_sent > 0 || !summary.accounted) process.exitCode = 2;
}

const warn = (message: string): void => {
  process.stderr.write(`stormwatch: warning: ${message}\n`);
};

export function registerReplayCommands(program: Command): void {
  addCommonOptions(program.command('replay'))
    .description('send historical logs (or a marx CSV) to a running server as one sensor, with a summary')
    .option('--server <url>', 'the Stormwatch server (default: server_url of --config)')
    .option(
      '-c, --config <file>',
      "an enrolled sensor's YAML config: its identity, server and privacy policy",
    )
    .option('-d, --data <dir>', 'a sensor data folder (its identity; enrolled with --token when it has none)')
    .option('--token <token>', 'a one-time enrolment token, to enrol --data first')
    .option('--name <name>', 'a name for a sensor enrolled with --token')
    .option(
      '--max-past-age-days <n>',
      "refuse lines older than this here (the server's max_past_age_ms would refuse their whole batch)",
      parsePositiveNumber,
    )
    .action(
      async (
        files: string[],
        f: CommonFlags & {
          server?: string;
          config?: string;
          data?: string;
          token?: string;
          name?: string;
          maxPastAgeDays?: number;
        },
      ) => {
        const { loadSensorConfig } = await import('../sensor/config.js');
        const { replayIdentity, runReplay } = await import('../replay/replay.js');
        const logger = makeRootLogger(process.env.STORMWATCH_LOG_LEVEL ?? 'warn');
        const config = f.config === undefined ? undefined : loadSensorConfig(f.config);
        const serverUrl = f.server ?? config?.server_url;
        const dataDir = f.data ?? config?.data_dir;
        if (serverUrl === undefined) throw makeError('SW_CONFIG_INVALID', 'give --server or --config');
        if (dataDir === undefined)
          throw makeError(
            'SW_CONFIG_INVALID',
            'give --config of an enrolled sensor, or --data (with --token to enrol it)',
          );
        const common = feedOptions(
          files,
          f,
          config?.privacy ?? { ...PRIVACY_DEFAULTS },
          f.maxPastAgeDays === undefined ? null : Math.round(f.maxPastAgeDays * 86_400_000),
        );
        const credentials = await replayIdentity({
          serverUrl,
          dataDir: resolve(dataDir),
          token: f.token,
          name: f.name,
        });
        if (credentials.enrolled)
          process.stderr.write(`enrolled ${resolve(dataDir)} as ${credentials.sensorId}\n`);
        const summary = await runReplay({ ...common, logger, credentials, warn });
        report(summary, f.json);
      },
    );

  addCommonOptions(program.command('import'))
    .description(
      "bulk-load historical logs (or a marx CSV: one sensor per host) into a server's data folder, offline",
    )
    .requiredOption(
      '-d, --data-dir <dir>',
      "the server's data folder (made if missing; no server may be running on it)",
    )
    .option(
      '--operator <name>',
      'operator of the sensors made (a marx operator column wins)',
      DEFAULT_IMPORT_OPERATOR,
    )
    .option('--name <name>', 'one sensor name for every file (non-marx formats; default: the file name)')
    .action(
      async (files: string[], f: CommonFlags & { dataDir: string; operator: string; name?: string }) => {
        for (const [flag, v] of [
          ['--operator', f.operator],
          ['--name', f.name],
        ] as const)
          if (v !== undefined && !SENSOR_LABEL.test(v))
            throw makeError('SW_CONFIG_INVALID', `${flag} must be 1-64 letters, digits, spaces or ._@:-`);
        const { summary, top } = await importIntoDataDir({
          ...feedOptions(files, f, { ...PRIVACY_DEFAULTS }, null),
          logger: makeRootLogger(process.env.STORMWATCH_LOG_LEVEL ?? 'warn'),
          dataDir: resolve(f.dataDir),
          operator: f.operator,
          name: f.name,
          warn,
          onDraining: () =>
            process.stderr.write(
              'every batch has its answer; waiting until the server has aggregated them\n',
            ),
        });
        report(summary, f.json, {
          fields: { top_ports: top },
          lines: [
            `top ports by sources in the store, ${summary.first_event?.slice(0, 10) ?? '-'} to ${summary.last_event?.slice(0, 10) ?? '-'} (all sensors):`,
            ...top.map(
              (t) =>
                `  ${`${t.proto}/${t.port}`.padEnd(10)} sources ${t.sources}, events ${t.events}, sensors ${t.sensors}`,
            ),
          ],
        });
      },
    );
}

/**
 * The import as `stormwatch import` runs it: starts the server in-process (which takes the data folder's lock, so
 * the import refuses to run beside a server) on 127.0.0.1 with IMPORT_SERVER_CONFIG, feeds the files, waits for
 * the aggregator, and reads the top 10 ports of the imported span from the store; closes and releases whatever
 * happens. Server modules are loaded only here (other commands must not pay for them).
 * @example const { summary, top } = await importIntoDataDir({ files: ['marx.csv.gz'], dataDir, ... })
 */
export async function importIntoDataDir(
  o: Omit<ImportOptions, 'server'>,
): Promise<{ summary: ReplaySummary; top: PortTotals[] }> {
  const { startServer } = await import('../api/server.js');
  const { runImport } = await import('../replay/import.js');
  {
    const server = await startServer({
      port: 0,
      dataDir: o.dataDir,
      logger: o.logger,
      config: IMPORT_SERVER_CONFIG,
      webRoot: null,
    });
    try {
      const summary = await runImport({
        ...o,
        server: {
          url: server.url,
          adminToken: server.adminToken,
          drain: () => server.drain(),
          sensors: () => server.store.listSensors(),
        },
      });
      const top =
        summary.first_event === null || summary.last_event === null
          ? []
          : server.store.topPorts(
              '1d',
              bucketStart(Date.parse(summary.first_event), '1d'),
              bucketStart(Date.parse(summary.last_event), '1d') + GRANULARITIES['1d'],
              10,
            );
      return { summary, top };
    } finally {
      await server.close();
    }
  }
}
