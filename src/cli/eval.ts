/**
 * `stormwatch eval`: the honest evaluation of the detector (src/eval/README.md), and `stormwatch eval --events
 * FILE --json` to replay any events file through the detector. Tables (or one JSON document) on stdout; progress
 * as pino logs on stderr.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { makeError } from '../core/errors.js';
import type { EngineFactory } from '../eval/engine-factory.js';
import { replayEventsFile } from '../eval/events-mode.js';
import { formatReport, judgeTargets } from '../eval/report.js';
import { runEvaluation } from '../eval/run.js';
import { SCENARIO_NAMES } from '../eval/scenarios.js';
import { createDetectionEngine } from '../pipeline/detect/model/engine.js';
import { makeRootLogger } from './logger.js';
import { parsePositiveInt } from './options.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_EVAL_DATA = resolve(ROOT, '../shared/data/marx/marx.csv.gz');

interface EvalFlags {
  data: string;
  seed: string;
  tries?: number;
  scenario?: string[];
  quick?: boolean;
  json?: boolean;
  events?: string;
  raw: boolean;
  alphaScale?: string;
}

const makeEngine: EngineFactory = (config, state) => createDetectionEngine(config, state);

const parseSeed = (v: string): string => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a non-negative integer`);
  return v;
};

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate the detector on replayed honeypot background with injected attacks')
    .option('--data <path>', 'marx-layout events file (.csv or .csv.gz)', DEFAULT_EVAL_DATA)
    .option('--seed <n>', 'seed of every random choice', parseSeed, '1')
    .option('--tries <n>', 'tries per scenario (default 20, 5 with --quick)', parsePositiveInt)
    .option('--scenario <name...>', `scenarios to run (default all): ${SCENARIO_NAMES.join(', ')}`)
    .option('--quick', 'a short slice (4 copies, 42 days) for smoke runs')
    .option('--no-raw', 'skip the replay of the raw file alone')
    .option(
      '--json',
      'print one JSON document (with --events: one JSON line per incident change and anomaly)',
    )
    .option('--events <file>', 'replay this events file as it is and print every incident change and anomaly')
    .option('--alpha-scale <x>', 'alpha_scale for --events (default 1)')
    .action(async (flags: EvalFlags) => {
      const log = makeRootLogger().child({ component: 'eval' });
      if (flags.events !== undefined) {
        if (!existsSync(flags.events))
          throw makeError('SW_INPUT_INVALID', `events file not found: ${flags.events}`);
        const alpha = flags.alphaScale === undefined ? 1 : Number(flags.alphaScale);
        const summary = await replayEventsFile(flags.events, makeEngine, alpha, (line) =>
          process.stdout.write(`${line}\n`),
        );
        log.info(
          { ...summary, stats: { ...summary.stats, samples: summary.stats.samples.slice(0, 5) } },
          'events replayed',
        );
        return;
      }
      if (!existsSync(flags.data)) {
        throw makeError(
          'SW_INPUT_INVALID',
          `evaluation data not found at ${flags.data}: pass --data PATH (a marx-layout CSV, e.g. shared/data/marx/marx.csv.gz)`,
        );
      }
      for (const s of flags.scenario ?? []) {
        if (!SCENARIO_NAMES.includes(s))
          throw makeError('SW_BAD_REQUEST', `unknown scenario "${s}"; known: ${SCENARIO_NAMES.join(', ')}`);
      }
      const report = await runEvaluation(
        {
          data: flags.data,
          seed: Number(flags.seed),
          tries: flags.tries ?? (flags.quick ? 5 : 20),
          scenarios: flags.scenario ?? [],
          quick: flags.quick === true,
          budget_per_day: 1,
          raw: flags.raw,
        },
        makeEngine,
        log,
      );
      if (flags.json) {
        const raw = report.raw
          ? {
              ...report.raw,
              log: { incidents: [...report.raw.log.incidents.values()], anomalies: report.raw.log.anomalies },
            }
          : null;
        process.stdout.write(`${JSON.stringify({ ...report, raw, targets: judgeTargets(report) })}\n`);
      } else {
        process.stdout.write(`${formatReport(report)}\n`);
      }
    });
}
