/**
 * `stormwatch admin`: administration straight on the server's data folder (SQLite allows it while the server
 * runs): one-time enrolment tokens and sensor revocation.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { makeError } from '../core/errors.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { makeRootLogger } from './logger.js';
import { DEFAULT_DATA_DIR, parsePositiveNumber } from './options.js';

/** Opens the server's store (its modules loaded only now: other commands must not pay for them). */
async function withStore<T>(dataDir: string, fn: (store: SqliteStore) => T): Promise<T> {
  const { STORE_FILE } = await import('../api/server.js');
  const { loadOrCreateSeed } = await import('../store/seed.js');
  const { openSqliteStore } = await import('../store/sqlite/index.js');
  const dir = resolve(dataDir);
  if (!existsSync(join(dir, STORE_FILE))) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `no Stormwatch database in ${dir} (start \`stormwatch server --data ${dataDir}\` once first)`,
    );
  }
  const logger = makeRootLogger(process.env.STORMWATCH_LOG_LEVEL ?? 'warn');
  const store = openSqliteStore({ path: join(dir, STORE_FILE), seed: loadOrCreateSeed(dir), logger });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('administer a server through its data folder');
  admin
    .command('token')
    .description('create a one-time enrolment token for a sensor (printed on standard output)')
    .option('-d, --data <dir>', "the server's data folder", DEFAULT_DATA_DIR)
    .option('--operator <name>', 'the organisation or person the sensor will belong to', 'default')
    .option('--ttl-hours <h>', 'hours the token stays valid', parsePositiveNumber, 24)
    .action(async (flags: { data: string; operator: string; ttlHours: number }) => {
      const { createEnrollmentToken } = await import('../ingest/enroll.js');
      const token = await withStore(flags.data, (store) =>
        createEnrollmentToken(store, {
          operator: flags.operator,
          ttlMs: Math.round(flags.ttlHours * 3_600_000),
          now: Date.now(),
        }),
      );
      process.stdout.write(`${token}\n`);
    });
  admin
    .command('revoke')
    .description('revoke a sensor: its uploads are refused from now on')
    .argument('<sensor-id>', 'the sensor id (s_...)')
    .option('-d, --data <dir>', "the server's data folder", DEFAULT_DATA_DIR)
    .action(async (sensorId: string, flags: { data: string }) => {
      const done = await withStore(flags.data, (store) => store.revokeSensor(sensorId));
      if (!done) throw makeError('SW_NOT_FOUND', `no sensor ${sensorId}`);
      process.stdout.write(`revoked ${sensorId}\n`);
    });
}
