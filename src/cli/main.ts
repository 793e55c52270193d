/**
 * The `stormwatch` command: one entry, one file per command noun (server, sensor, demo, admin, replay/import).
 */
import { Command } from 'commander';
import { registerAdminCommands } from './admin.js';
import { registerDemoCommand } from './demo.js';
import { registerEvalCommand } from './eval.js';
import { registerIntelCommands } from './intel.js';
import { registerReplayCommands } from './replay.js';
import { registerSensorCommands } from './sensor.js';
import { registerServerCommand } from './server.js';
import { VERSION } from './version.js';

const program = new Command()
  .name('stormwatch')
  .description('Stormwatch: an open attack-sensor network and early-warning system')
  .version(VERSION)
  .showHelpAfterError();

registerServerCommand(program);
registerSensorCommands(program);
registerDemoCommand(program);
registerAdminCommands(program);
registerReplayCommands(program);
registerEvalCommand(program);
registerIntelCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  process.stderr.write(`stormwatch: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
  process.exitCode = 1;
});
