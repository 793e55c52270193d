/**
 * `stormwatch admin`: administration straight on the server's data folder (SQLite allows it while the server
 * runs): one-time enrolment tokens, operators and sensors (with their internal and public ids), revocation.
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

/** Left-aligned columns separated by two spaces, one line per row. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('administer a server through its data folder');
  admin
    .command('token')
    .description('create a one-time enrolment token for a sensor (printed on standard output)')
    .option('-d, --data <dir>', "the server's data folder", DEFAULT_DATA_DIR)
    .option('--operator <name>', 'the organisation or person the sensor will belong to (created when new)')
    .option('--operator-id <id>', 'an existing operator, by its internal id (stormwatch admin operators)')
    .option('--ttl-hours <h>', 'hours the token stays valid', parsePositiveNumber, 24)
    .action(async (flags: { data: string; operator?: string; operatorId?: string; ttlHours: number }) => {
      const { createEnrollmentToken } = await import('../ingest/enroll.js');
      if (flags.operator !== undefined && flags.operatorId !== undefined)
        throw makeError('SW_BAD_REQUEST', 'give --operator or --operator-id, not both');
      const made = await withStore(flags.data, (store) =>
        createEnrollmentToken(store, {
          ...(flags.operatorId !== undefined
            ? { operatorId: flags.operatorId }
            : { operator: flags.operator ?? 'default' }),
          ttlMs: Math.round(flags.ttlHours * 3_600_000),
          now: Date.now(),
        }),
      );
      if (made.operatorCreated)
        process.stderr.write(
          `new operator "${made.operator.name}" (${made.operator.id}, public ${made.operator.public_id})\n`,
        );
      process.stdout.write(`${made.token}\n`);
    });
  admin
    .command('operators')
    .description('list the operators: internal id, public id, sensors, created, name')
    .option('-d, --data <dir>', "the server's data folder", DEFAULT_DATA_DIR)
    .option('--json', 'print JSON')
    .action(async (flags: { data: string; json?: boolean }) => {
      const rows = await withStore(flags.data, (store) => {
        const counts = new Map<string, number>();
        for (const s of store.listSensors()) counts.set(s.operator, (counts.get(s.operator) ?? 0) + 1);
        return store.listOperators().map((o) => ({
          id: o.id,
          public_id: o.public_id,
          name: o.name,
          created_at: new Date(o.created_at).toISOString(),
          sensors: counts.get(o.id) ?? 0,
        }));
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        table(
          ['ID', 'PUBLIC ID', 'SENSORS', 'CREATED', 'NAME'],
          rows.map((r) => [r.id, r.public_id, String(r.sensors), r.created_at, r.name]),
        ),
      );
    });
  admin
    .command('sensors')
    .description('list the sensors: internal id, public id, operator, state, addresses watched, name')
    .option('-d, --data <dir>', "the server's data folder", DEFAULT_DATA_DIR)
    .option('--json', 'print JSON')
    .action(async (flags: { data: string; json?: boolean }) => {
      const { toAdminSensor } = await import('../api/routes/admin.js');
      const rows = await withStore(flags.data, (store) => {
        const operators = new Map(store.listOperators().map((o) => [o.id, o]));
        return store.listSensors().map((s) => toAdminSensor(s, operators, Date.now()));
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        table(
          ['ID', 'PUBLIC ID', 'OPERATOR', 'STATE', 'LAST SEEN', 'ADDRESSES', 'NAME'],
          rows.map((r) => [
            r.id,
            r.public_id,
            r.operator?.name ?? '?',
            r.revoked ? 'revoked' : r.key.pending_fingerprint ? 'key pending' : 'active',
            r.last_seen ?? 'never',
            String(r.watched_addresses),
            r.name,
          ]),
        ),
      );
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
