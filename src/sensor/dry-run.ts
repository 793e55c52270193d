/**
 * `stormwatch sensor check`: after the config is valid, tries each input the way the sensor will use it, without
 * sending anything: the first lines of each file through its parser, each listener's ports bound and released,
 * each command's argv shown. Reports per input; never throws for one input's trouble (it is reported).
 */
import { existsSync } from 'node:fs';
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import type { SensorConfig } from './config.js';
import { getInput } from './inputs/registry.js';
import { formatCounts } from './inputs/line-stats.js';
import { eventForDisplay, parseFile } from './parse-file.js';
import { inputKey } from './run/make-runner.js';

export interface DryRunReport {
  key: string;
  ok: boolean;
  lines: string[];
}

export async function dryRunInputs(config: SensorConfig, firstLines = 20): Promise<DryRunReport[]> {
  const out: DryRunReport[] = [];
  for (const input of config.inputs) {
    const def = getInput(input.type);
    const key = inputKey(input);
    const options = { timezone: input.timezone, options: input.options };
    const report: DryRunReport = { key, ok: true, lines: [] };
    out.push(report);
    try {
      if (def.kind === 'listener') {
        const l = def.createListener(
          options,
          { event: () => undefined, refused: () => undefined },
          {
            clock: systemClock,
            logger: pino({ level: 'silent' }),
          },
        );
        await l.start();
        const addrs = l.addresses().map((a) => `${a.proto}/${a.address}:${a.port}`);
        await l.close();
        report.lines.push(`binds ${addrs.join(', ')} (bound and released)`);
      } else if (def.kind === 'command') {
        report.lines.push(
          `will run: ${def.command(options, { follow: true, start: input.start }).join(' ')}`,
        );
      } else if (input.path === undefined || !existsSync(input.path)) {
        report.lines.push(`${input.path ?? '(no path)'} does not exist yet; it will be read when it appears`);
      } else {
        let first: string | undefined;
        const stats = await parseFile(
          def,
          input.path,
          options,
          (e) => {
            first ??= JSON.stringify(eventForDisplay(e));
          },
          { maxLines: firstLines },
        );
        report.lines.push(
          `first ${stats.lines} ${def.kind === 'packets' ? 'packets' : 'lines'}: ${stats.events} events; skipped ${formatCounts(stats.skipped)}; malformed ${formatCounts(stats.malformed)}`,
        );
        if (first !== undefined) report.lines.push(`first event: ${first}`);
        for (const s of stats.samples.slice(0, 3)) report.lines.push(`malformed (${s.reason}): ${s.line}`);
        if (stats.lines > 0 && stats.events === 0) {
          report.ok = false;
          report.lines.push(`no event in the first lines: is ${input.type} the right type for this file?`);
        }
      }
    } catch (err) {
      report.ok = false;
      report.lines.push(`error: ${(err as Error).message}`);
    }
  }
  return out;
}
