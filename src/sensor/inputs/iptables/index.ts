/**
 * The `iptables` input: Linux netfilter LOG lines from a followed file (kern.log, ufw.log, journalctl -k output).
 * Also the entry point of the parse benchmark (`parseIptablesBuffer`).
 */
import { systemClock } from '../../../core/clock.js';
import { countLineResults } from '../count-lines.js';
import type { BufferParseCounts } from '../count-lines.js';
import { IptablesParser } from './parser.js';
import type { IptablesParserOptions } from './parser.js';

export type { BufferParseCounts } from '../count-lines.js';
export { IptablesParser, MALFORMED_REASONS } from './parser.js';
export type { IptablesParserOptions, IptablesMalformedReason } from './parser.js';

export function createIptablesParser(opts: IptablesParserOptions = {}): IptablesParser {
  return new IptablesParser(opts);
}

/**
 * Parses every line of `buf` (LF-terminated; a last line without LF counts too) and counts the outcomes.
 * For benchmarks (`bench/`): the work per line is exactly what the sensor does, events included.
 * @example const { events } = parseIptablesBuffer(readFileSync('kern.log'), { now: Date.now(), timezone: 'utc' })
 */
export function parseIptablesBuffer(
  buf: Buffer,
  opts: { now?: number; timezone?: 'utc' | 'local'; parser?: IptablesParser } = {},
): BufferParseCounts {
  const parser = opts.parser ?? new IptablesParser({ timezone: opts.timezone ?? 'utc' });
  return countLineResults(parser, buf, { now: opts.now ?? systemClock.now() });
}
