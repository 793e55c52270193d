/**
 * `stormwatch intel`: the knowledge base (src/intel, docs/INTEL.md).
 *
 *   intel import --kind kev|nvd|exploitdb FILE...   load CISA KEV, NVD CVE 2.0 or Exploit-DB CSV files
 *   intel port tcp/1025 [--at ISO]                  what is known about a port at a moment
 *   intel add-vuln FILE / intel add-exploit FILE    manual entries (YAML or JSON, format of src/intel/data)
 *   intel stats                                     what the knowledge base holds
 *
 * The knowledge base lives in the server's store file, `<data dir>/stormwatch.db` (or --db). Writing commands
 * take the data folder's lock, so they refuse to run beside a server (an import is one long transaction that
 * would stall the server's writes). Output: results on stdout (text, or JSON with --json), progress and
 * problems on stderr; exit code 1 when a file was refused.
 */
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { isProtocol } from '../core/event.js';
import type { Protocol } from '../core/event.js';
import { makeError } from '../core/errors.js';
import { parseTime } from '../intel/text.js';
import type { IntelStore } from '../store/intel-store.js';
import { DEFAULT_DATA_DIR, parsePositiveInt } from './options.js';

interface DbFlags {
  db?: string;
  dataDir?: string;
}

function dbPath(f: DbFlags): string {
  if (f.db !== undefined && f.dataDir !== undefined)
    throw makeError('SW_CONFIG_INVALID', 'give --db or --data-dir, not both');
  return resolve(f.db ?? join(f.dataDir ?? DEFAULT_DATA_DIR, 'stormwatch.db'));
}

function withDbOptions(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'the store database file')
    .option(
      '-d, --data-dir <dir>',
      `the server's data folder (its stormwatch.db; default ${DEFAULT_DATA_DIR})`,
    );
}

function parseKey(value: string): { proto: Protocol; port: number } {
  const m = /^([a-z0-9]+)\/(\d{1,5})$/.exec(value.trim().toLowerCase());
  const port = Number(m?.[2]);
  if (m === null || !isProtocol(m[1]) || port > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port like tcp/1025 or udp/137`);
  return { proto: m[1], port };
}

function parseWhen(value: string): number {
  const t = parseTime(value);
  if (t === null) throw new InvalidArgumentError(`"${value}" is not a date (2007-04-16) or ISO date-time`);
  return t;
}

/** Opens the store file for writing under the data folder's lock; releases both whatever happens. */
async function withWritableDb<T>(f: DbFlags, purpose: string, fn: (store: IntelStore) => T): Promise<T> {
  const { lockDataDir } = await import('../api/data-dir-lock.js');
  const { openIntelDb } = await import('../intel/open-db.js');
  const path = dbPath(f);
  const lock = lockDataDir(dirname(path), purpose, [basename(path)]);
  try {
    const db = openIntelDb(path, { create: true });
    try {
      if (db.madeTables) process.stderr.write(`made the knowledge-base tables in ${path}\n`);
      return fn(db.store);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

export function registerIntelCommands(program: Command): void {
  const intel = program
    .command('intel')
    .description('the knowledge base: ports, services, vulnerabilities, exploits');

  withDbOptions(intel.command('import'))
    .description('import CISA KEV JSON, NVD CVE JSON 2.0 or Exploit-DB files_exploits.csv files (idempotent)')
    .argument('<file...>', 'files to import, one transaction each')
    .addOption(
      new Option('--kind <kind>', "the files' format")
        .choices(['kev', 'nvd', 'exploitdb'])
        .makeOptionMandatory(),
    )
    .option(
      '--max-size-mib <n>',
      'refuse files over this size (default: kev 256, nvd 2048, exploitdb 512)',
      parsePositiveInt,
    )
    .option('--json', 'print the summaries as JSON')
    .option('--no-progress', 'no progress bar on stderr')
    .action(
      async (
        files: string[],
        f: DbFlags & {
          kind: 'kev' | 'nvd' | 'exploitdb';
          maxSizeMib?: number;
          json?: boolean;
          progress: boolean;
        },
      ) => {
        const { importFile } = await import('../intel/import/run.js');
        const { formatSummary } = await import('../intel/import/summary.js');
        const { importProgress } = await import('../intel/import/progress.js');
        const summaries = await withWritableDb(f, 'stormwatch intel import', (store) =>
          files.map((file) => {
            const bar = importProgress(process.stderr, basename(file), f.progress);
            try {
              const s = importFile(f.kind, resolve(file), store, {
                ...(f.maxSizeMib !== undefined ? { maxBytes: f.maxSizeMib * 1_048_576 } : {}),
                onProgress: (b, total) => bar.update(b, total),
              });
              bar.stop();
              if (f.json !== true) process.stdout.write(`${formatSummary(s)}\n`);
              return s;
            } catch (err) {
              bar.stop();
              const e = err as { code?: string; message?: string };
              process.stderr.write(`stormwatch: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
              process.exitCode = 1;
              return { file, refused: e.message ?? String(err) };
            }
          }),
        );
        if (f.json === true) process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
      },
    );

  withDbOptions(intel.command('port'))
    .description('what the knowledge base says about a port: services, vulnerabilities, exploits, timeline')
    .argument('<port>', 'protocol/port, e.g. tcp/1025', parseKey)
    .option('--at <time>', 'judge as of this date or ISO time (default: now)', parseWhen)
    .option('--first-seen <time>', 'our first activity on the port, for the timeline', parseWhen)
    .option('--limit <n>', 'vulnerabilities to show', parsePositiveInt, 20)
    .option('--json', 'print the correlation as JSON')
    .action(
      async (
        key: { proto: Protocol; port: number },
        f: DbFlags & { at?: number; firstSeen?: number; limit: number; json?: boolean },
      ) => {
        const { openIntelDb } = await import('../intel/open-db.js');
        const { openKnowledgeBase } = await import('../intel/kb.js');
        const { correlate } = await import('../intel/correlate/correlate.js');
        const { formatCorrelation } = await import('../intel/format.js');
        const db = openIntelDb(dbPath(f), { create: false });
        try {
          if (db.path === ':memory:')
            process.stderr.write(`no store at ${dbPath(f)}: the shipped knowledge only\n`);
          const { kb } = openKnowledgeBase(db.store);
          const c = correlate(
            {
              ...key,
              at: f.at ?? Date.now(),
              ...(f.firstSeen !== undefined ? { firstSeen: f.firstSeen } : {}),
            },
            kb,
            { maxVulnerabilities: f.limit },
          );
          process.stdout.write(f.json === true ? `${JSON.stringify(c, null, 2)}\n` : formatCorrelation(c));
        } finally {
          db.close();
        }
      },
    );

  for (const [name, kind] of [
    ['add-vuln', 'vulnerabilities'],
    ['add-exploit', 'exploits'],
  ] as const)
    withDbOptions(intel.command(name))
      .description(`add ${kind} from a YAML or JSON file (the format of src/intel/data, docs/INTEL.md)`)
      .argument('<file>', 'the entry file')
      .action(async (file: string, f: DbFlags) => {
        const { addManualEntries } = await import('../intel/manual.js');
        const r = await withWritableDb(f, `stormwatch intel ${name}`, (store) =>
          addManualEntries(store, resolve(file), kind),
        );
        process.stdout.write(`${file}: ${r.inserted} ${kind} added, ${r.updated} updated\n`);
      });

  withDbOptions(intel.command('stats'))
    .description('what the knowledge base holds')
    .option('--json', 'print the counts as JSON')
    .action(async (f: DbFlags & { json?: boolean }) => {
      const { openIntelDb } = await import('../intel/open-db.js');
      const db = openIntelDb(dbPath(f), { create: false });
      try {
        const c = db.store.counts();
        process.stdout.write(
          f.json === true
            ? `${JSON.stringify(c)}\n`
            : `${db.path}: ${c.vulnerabilities} vulnerabilities (${c.kev} in CISA KEV), ${c.products} products, ${c.exploits} exploits, ${c.exploit_links} exploit-CVE links\n`,
        );
      } finally {
        db.close();
      }
    });
}
