/**
 * `stormwatch sensor`: enrol a sensor with a server, run it (follow log files, spool, upload), or check a config.
 * Only the sensor's own modules are used here, so the sensor can ship alone.
 */
import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import {
  dryRunInputs,
  enrollSensor,
  eventForDisplay,
  formatCounts,
  formatStatus,
  getInput,
  INPUTS,
  parseFile,
  readStatus,
  runSensorOnce,
  sensorConfigFromFlags,
  startSensor,
} from '../sensor/index.js';
import type { SensorFlags, SensorStats } from '../sensor/index.js';
import { onShutdown } from './lifecycle.js';
import { makeRootLogger } from './logger.js';
import { parsePositiveInt } from './options.js';

interface RunFlags {
  config?: string;
  server?: string;
  data?: string;
  file?: string[];
  type?: string;
  start?: 'beginning' | 'end';
  timezone?: 'local' | 'utc';
  includePrivateSources?: boolean;
  once?: boolean;
  timeoutSeconds: number;
}

function summary(s: SensorStats): string {
  return [
    `sensor ${s.sensor_id}: ${s.lines_read} lines read, ${s.events_parsed} events parsed, ${s.spooled_events} spooled`,
    `  acked ${s.acked_events} (accepted ${s.uploaded_events}, duplicate ${s.duplicate_events}, dead-lettered ${s.dead_lettered_events}), dropped ${s.dropped_events}, backlog ${s.backlog_events}`,
    `  malformed: ${formatCounts(s.malformed)}; skipped: ${formatCounts(s.skipped)}; excluded by privacy: ${formatCounts(s.excluded)}`,
  ].join('\n');
}

function toSensorFlags(f: RunFlags): SensorFlags {
  const out: SensorFlags = {};
  if (f.config) out.config = f.config;
  if (f.server) out.server = f.server;
  if (f.data) out.data = f.data;
  if (f.file && f.file.length > 0) out.file = f.file;
  if (f.type) out.type = f.type;
  if (f.start) out.start = f.start;
  if (f.timezone) out.timezone = f.timezone;
  if (f.includePrivateSources) out.includePrivateSources = true;
  return out;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerSensorCommands(program: Command): void {
  const sensor = program
    .command('sensor')
    .description('the sensor: enrol with a server, read firewall logs, upload');

  sensor
    .command('enroll')
    .description('make a key pair here and register its public key with the server (one-time token)')
    .requiredOption('--server <url>', 'the Stormwatch server, e.g. http://127.0.0.1:8080')
    .requiredOption('--token <token>', 'a one-time enrolment token (stormwatch admin token)')
    .requiredOption('-d, --data <dir>', "the sensor's data folder (keys, identity, spool)")
    .option('--name <name>', 'a name for this sensor')
    .option('--force', 'replace an existing enrolment in this folder')
    .action(async (f: { server: string; token: string; data: string; name?: string; force?: boolean }) => {
      const { sensorId } = await enrollSensor({
        serverUrl: f.server,
        token: f.token,
        dataDir: f.data,
        ...(f.name ? { name: f.name } : {}),
        ...(f.force ? { force: true } : {}),
      });
      process.stdout.write(`enrolled as ${sensorId}\n`);
    });

  sensor
    .command('rotate-key')
    .description(
      'make a new key pair here, register it with the server (signed with the current key), then switch to it',
    )
    .option('-c, --config <file>', 'the sensor configuration (its data_dir and server_url)')
    .option('-d, --data <dir>', "the sensor's data folder (instead of --config)")
    .option('--server <url>', 'the server (default: from --config, else identity.json)')
    .action(async (f: { config?: string; data?: string; server?: string }) => {
      const { rotateSensorKey } = await import('../sensor/rotate-key.js');
      let dataDir = f.data;
      let serverUrl = f.server;
      if (f.config !== undefined) {
        const config = sensorConfigFromFlags({ config: f.config, ...(f.data ? { data: f.data } : {}) });
        dataDir = config.data_dir;
        serverUrl ??= config.server_url;
      }
      if (dataDir === undefined) throw makeError('SW_CONFIG_INVALID', 'give --config or --data');
      const r = await rotateSensorKey({ dataDir, ...(serverUrl ? { serverUrl } : {}) });
      process.stdout.write(
        `sensor ${r.sensorId}: new key ${r.fingerprint.slice(0, 16)} registered and in place ` +
          `(was ${r.previousFingerprint.slice(0, 16)}).\n` +
          'A running sensor keeps the old key until restarted; restart it to switch.\n',
      );
    });

  const addRunOptions = (cmd: Command): Command =>
    cmd
      .option('-c, --config <file>', 'YAML sensor configuration (docs/CONFIG.md); flags override it')
      .option('--server <url>', 'the Stormwatch server')
      .option('-d, --data <dir>', "the sensor's data folder")
      .option('-f, --file <path>', 'a log file to follow (repeat for several)', collect)
      .option('--type <type>', 'input type of --file', 'iptables')
      .option('--start <where>', 'where to start in a new file: beginning or end')
      .option('--timezone <tz>', 'time zone of year-less syslog stamps: local or utc')
      .option('--include-private-sources', 'also report private and bogon source addresses (lab captures)');

  addRunOptions(sensor.command('run'))
    .description(
      'follow the inputs, spool events to disk and upload them signed; --once reads to the end and exits',
    )
    .option('--once', 'read the inputs to their end, upload everything, print a summary and exit')
    .option(
      '--timeout-seconds <n>',
      'with --once: how long to wait for the server to acknowledge',
      parsePositiveInt,
      120,
    )
    .action(async (f: RunFlags) => {
      const logger = makeRootLogger();
      const config = sensorConfigFromFlags(toSensorFlags(f));
      if (f.once) {
        const { drained, stats } = await runSensorOnce({
          config,
          logger,
          clock: systemClock,
          timeoutMs: f.timeoutSeconds * 1000,
        });
        process.stdout.write(`${summary(stats)}\n`);
        if (!drained) {
          process.stderr.write(
            `stormwatch: not everything was acknowledged within ${f.timeoutSeconds} s (kept in the spool)\n`,
          );
          process.exitCode = 2;
        }
        return;
      }
      const handle = await startSensor({ config, logger, clock: systemClock });
      process.stdout.write(`sensor ${handle.sensorId} running; uploading to ${config.server_url}\n`);
      onShutdown(logger, async () => {
        await handle.close();
        process.stdout.write(`${summary(handle.stats())}\n`);
      });
    });

  addRunOptions(sensor.command('check'))
    .description(
      'validate the configuration, print it with its defaults, and dry-run each input on its first lines',
    )
    .option('--lines <n>', 'how many lines of each file to try', parsePositiveInt, 20)
    .action(async (f: RunFlags & { lines: number }) => {
      const config = sensorConfigFromFlags(toSensorFlags(f));
      process.stdout.write(`configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
      const reports = await dryRunInputs(config, f.lines);
      for (const r of reports) {
        process.stdout.write(`input ${r.key}: ${r.ok ? 'ok' : 'PROBLEM'}\n`);
        for (const l of r.lines) process.stdout.write(`  ${l}\n`);
      }
      if (reports.some((r) => !r.ok)) process.exitCode = 2;
    });

  sensor
    .command('parse')
    .description(
      'print the events a log file yields as JSON lines (stdout) and what was skipped or refused (stderr); sends nothing',
    )
    .requiredOption('--format <type>', `input type (${[...INPUTS.keys()].join(', ')})`)
    .option('--timezone <tz>', 'time zone of stamps without one: local or utc', 'utc')
    .option('--options <json>', "the input's options as JSON (e.g. a field map for jsonl/csv)")
    .option('--limit <n>', 'stop after this many lines per file', parsePositiveInt)
    .argument('<file...>', 'files to read (- for standard input)')
    .action(
      async (files: string[], f: { format: string; timezone: string; options?: string; limit?: number }) => {
        const def = getInput(f.format);
        if (f.timezone !== 'utc' && f.timezone !== 'local')
          throw makeError('SW_CONFIG_INVALID', `--timezone must be utc or local, not ${f.timezone}`);
        let raw: unknown = undefined;
        if (f.options !== undefined) {
          try {
            raw = JSON.parse(f.options);
          } catch (err) {
            throw makeError('SW_CONFIG_INVALID', `--options is not JSON: ${(err as Error).message}`);
          }
        }
        let options: unknown = undefined;
        if (def.optionsSchema !== undefined) {
          const r = def.optionsSchema.safeParse(raw ?? {});
          if (!r.success)
            throw makeError(
              'SW_CONFIG_INVALID',
              `--options: ${r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
            );
          options = r.data;
        } else if (raw !== undefined) {
          throw makeError('SW_CONFIG_INVALID', `input type ${def.type} takes no options`);
        }
        let out: string[] = [];
        let size = 0;
        const flush = async (): Promise<void> => {
          if (out.length === 0) return;
          const text = out.join('');
          out = [];
          size = 0;
          if (!process.stdout.write(text))
            await new Promise<void>((res) => process.stdout.once('drain', () => res()));
        };
        for (const file of files) {
          const stats = await parseFile(
            def,
            file,
            { timezone: f.timezone, options },
            (e) => {
              const line = JSON.stringify(eventForDisplay(e)) + '\n';
              out.push(line);
              size += line.length;
            },
            {
              ...(f.limit ? { maxLines: f.limit } : {}),
              afterChunk: () => (size > 1 << 16 ? flush() : Promise.resolve()),
            },
          );
          await flush();
          process.stderr.write(
            `${file}: ${stats.lines} ${def.kind === 'packets' ? 'packets' : 'lines'}, ${stats.events} events; skipped: ${formatCounts(stats.skipped)}; refused: ${formatCounts(stats.malformed)}\n`,
          );
          for (const s of stats.samples) process.stderr.write(`  refused (${s.reason}): ${s.line}\n`);
        }
      },
    );

  sensor
    .command('status')
    .description("print a running sensor's backlog, last upload, drops by reason and per-input rates")
    .requiredOption('-d, --data <dir>', "the sensor's data folder")
    .option('--json', 'print the whole status file as JSON')
    .action((f: { data: string; json?: boolean }) => {
      const report = readStatus(f.data);
      if (f.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(formatStatus(report, Date.now()) + '\n');
      if (Date.now() - Date.parse(report.written_at) > 3 * report.interval_ms) process.exitCode = 3;
    });
}
