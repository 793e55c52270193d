/**
 * `stormwatch demo` (what `npm start` runs): a fresh server on SQLite, a simulated fleet of sensors uploading
 * through the real signed endpoint on a compressed clock, and the 2007 TCP/1025 outbreak an hour (of virtual
 * time) into the live part.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { scaledClock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import { onShutdown } from './lifecycle.js';
import { makeRootLogger } from './logger.js';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_PORT,
  parsePort,
  parsePositiveInt,
  parsePositiveNumber,
} from './options.js';

interface DemoFlags {
  port: number;
  host: string;
  data: string;
  sensors: number;
  operators: number;
  speed: number;
  seed: number;
  historyHours: number;
  outbreakAfterMinutes: number;
  config?: string;
  intel: Array<{ kind: 'kev' | 'nvd' | 'exploitdb'; file: string }>;
}

/** `--intel nvd:FILE` (repeatable): a knowledge file imported into the fresh store before the server starts. */
function collectIntel(value: string, prev: DemoFlags['intel']): DemoFlags['intel'] {
  const m = /^(kev|nvd|exploitdb):(.+)$/.exec(value);
  if (m === null)
    throw new InvalidArgumentError(`"${value}" is not kind:file with kind kev, nvd or exploitdb`);
  return [...prev, { kind: m[1] as 'kev' | 'nvd' | 'exploitdb', file: resolve(m[2] ?? '') }];
}

/** A server configuration YAML (docs/CONFIG.md) to lay over the demo's own settings. */
function readConfigFile(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${path}: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw makeError('SW_CONFIG_INVALID', `${path}: the configuration must be a mapping of keys`);
  return doc as Record<string, unknown>;
}

const MARKER = '.stormwatch-demo';

/** The demo always starts fresh; it wipes only folders it made itself (they carry a marker file). */
function freshDemoDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      throw makeError(
        'SW_CONFIG_INVALID',
        `--data ${dir} is not empty and was not made by the demo; choose another folder`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'made by stormwatch demo; wiped at each demo start\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the server with a simulated sensor fleet replaying the April 2007 TCP/1025 outbreak')
    .option('-p, --port <n>', 'HTTP port (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder for the demo (wiped at start)', join(DEFAULT_DATA_DIR, 'demo'))
    .option('--sensors <n>', 'simulated sensors', parsePositiveInt, 60)
    .option('--operators <n>', 'operators the sensors belong to', parsePositiveInt, 20)
    .option('--speed <x>', 'virtual seconds per real second', parsePositiveNumber, 120)
    .option('--seed <n>', 'random seed of the scenario', parsePositiveInt, 2007)
    .option('--history-hours <n>', 'hours of background history backfilled at start', parsePositiveInt, 24)
    .option(
      '--outbreak-after-minutes <n>',
      'virtual minutes of live traffic before the outbreak',
      parsePositiveInt,
      60,
    )
    .option(
      '--config <file>',
      "server configuration YAML laid over the demo's settings (channels, routes...)",
    )
    .option(
      '--intel <kind:file>',
      'import a knowledge file (kev, nvd or exploitdb) into the fresh store before starting; repeatable',
      collectIntel,
      [],
    )
    .action(async (flags: DemoFlags) => {
      // Loaded here, not at the top: other commands must not pay for the server's and simulator's modules.
      const { startServer } = await import('../api/server.js');
      const { demoProfiles, demoTimeline } = await import('../sim/demo-scenario.js');
      const { startFleet } = await import('../sim/fleet.js');
      // The demo speaks through its own lines on stdout; logs are for warnings unless asked for.
      const logger = makeRootLogger(process.env.STORMWATCH_LOG_LEVEL ?? 'warn');
      const dataDir = resolve(flags.data);
      const extra = flags.config !== undefined ? readConfigFile(resolve(flags.config)) : {};
      freshDemoDir(dataDir);
      if (flags.intel.length > 0) {
        const { openIntelDb } = await import('../intel/open-db.js');
        const { importFile } = await import('../intel/import/run.js');
        const { formatSummary } = await import('../intel/import/summary.js');
        const { STORE_FILE } = await import('../api/data-files.js');
        const db = openIntelDb(join(dataDir, STORE_FILE), { create: true });
        try {
          for (const { kind, file } of flags.intel) {
            process.stdout.write(`${formatSummary(importFile(kind, file, db.store))}\n`);
          }
        } finally {
          db.close();
        }
      }
      const timeline = demoTimeline({
        historyMs: flags.historyHours * 3_600_000,
        outbreakAfterMs: flags.outbreakAfterMinutes * 60_000,
      });
      // The event clock stands still at the live start while history is backfilled, then runs `speed` times fast.
      let clock = { now: () => timeline.liveStart };
      const eventClock = { now: () => clock.now() };
      // Simulated sensors upload once a real second (= `speed` virtual seconds): wait that long, twice, before a
      // bucket counts as closed, so the detector tests whole buckets.
      // The detector looks every half real second, so an alert is raised within a virtual minute of its bucket closing.
      const config = {
        detect_interval_ms: 500,
        // The demo's fleet is an established one: its sensors enrol as the demo starts and upload a day of
        // history, so probation (which would silence every one of them for 14 days) is off.
        sensor_probation_days: 0,
        detector: { grace_ms: Math.max(60_000, Math.round(2 * 1000 * flags.speed)) },
        ...extra,
      };
      const server = await startServer({
        port: flags.port,
        host: flags.host,
        dataDir,
        logger,
        eventClock,
        config,
      });
      process.stdout.write(
        `Stormwatch demo: backfilling ${flags.historyHours} h of history from ${flags.sensors} sensors...\n`,
      );
      const fleet = await startFleet({
        serverUrl: server.url,
        adminToken: server.adminToken,
        sensors: flags.sensors,
        operators: flags.operators,
        seed: flags.seed,
        profiles: demoProfiles(flags.seed, timeline.outbreakAt),
        clock: eventClock,
        logger,
        backfillFrom: timeline.backfillFrom,
        tickMs: 1000,
      });
      clock = scaledClock(timeline.liveStart, flags.speed);
      const realSecondsToOutbreak = (timeline.outbreakAt - timeline.liveStart) / 1000 / flags.speed;
      process.stdout.write(
        `Stormwatch demo ready. Dashboard: ${server.url}/\n` +
          `  ${flags.sensors} simulated sensors, clock ${flags.speed}x from ${new Date(timeline.liveStart).toISOString()};\n` +
          `  the TCP/1025 outbreak starts in about ${Math.round(realSecondsToOutbreak)} s. Ctrl-C stops.\n`,
      );
      const announced = new Set<string>();
      const announcer = setInterval(() => {
        for (const a of server.store.listAlerts(20)) {
          if (announced.has(a.id)) continue;
          announced.add(a.id);
          const reason = (a.evidence as { reason?: string } | null)?.reason ?? '';
          process.stdout.write(
            `ALERT ${a.level} (severity ${a.severity}): ${reason || `${a.proto}/${a.port}`}\n`,
          );
        }
      }, 1000);
      onShutdown(logger, async () => {
        clearInterval(announcer);
        await fleet.stop();
        await server.close();
      });
    });
}
