/** `stormwatch server`: ingest, aggregation, detection, API and dashboard in one process on SQLite. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { onShutdown } from './lifecycle.js';
import { makeRootLogger } from './logger.js';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, parsePort } from './options.js';

interface ServerFlags {
  port: number;
  host: string;
  data: string;
  config?: string;
}

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the central service (ingest, aggregation, detection, API, dashboard) on SQLite')
    .option('-p, --port <n>', 'HTTP port (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder (SQLite file, keys, secrets)', DEFAULT_DATA_DIR)
    .option('-c, --config <file>', 'YAML server configuration (docs/CONFIG.md)')
    .action(async (flags: ServerFlags) => {
      const logger = makeRootLogger();
      const dataDir = resolve(flags.data);
      mkdirSync(dataDir, { recursive: true });
      // Loaded here, not at the top: `stormwatch sensor` must not pay for the server's modules.
      const { startServer } = await import('../api/server.js');
      const { loadServerConfigFile } = await import('../api/config.js');
      const config = flags.config ? loadServerConfigFile(flags.config) : {};
      const server = await startServer({ port: flags.port, host: flags.host, dataDir, logger, config });
      process.stdout.write(`Stormwatch server ready. Dashboard: ${server.url}/\n`);
      onShutdown(logger, () => server.close());
    });
}
