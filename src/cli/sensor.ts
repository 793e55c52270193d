/**
 * `stormwatch sensor`: enrol a sensor with a server, run it (follow log files, spool, upload), or check a config.
 * Only the sensor's own modules are used here, so the sensor can ship alone.
 */
import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { enrollSensor, runSensorOnce, sensorConfigFromFlags, startSensor } from '../sensor/index.js';
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
  const fmt = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ') || 'none';
  return [
    `sensor ${s.sensor_id}: ${s.lines_read} lines read, ${s.events_parsed} events parsed, ${s.spooled_events} spooled`,
    `  acked ${s.acked_events} (accepted ${s.uploaded_events}, duplicate ${s.duplicate_events}, dead-lettered ${s.dead_lettered_events}), dropped ${s.dropped_events}, backlog ${s.backlog_events}`,
    `  malformed: ${fmt(s.malformed)}; skipped: ${fmt(s.skipped)}; excluded by privacy: ${fmt(s.excluded)}`,
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
    .description('validate the configuration and print it with its defaults filled in')
    .action((f: RunFlags) => {
      const config = sensorConfigFromFlags(toSensorFlags(f));
      process.stdout.write(`configuration is valid\n${JSON.stringify(config, null, 2)}\n`);
    });
}
