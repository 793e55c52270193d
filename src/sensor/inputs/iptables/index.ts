/**
 * The `iptables` input: Linux netfilter LOG lines from a followed file (kern.log, ufw.log, journalctl -k output).
 * Also the entry point of the parse benchmark (`parseIptablesBuffer`).
 */
import { systemClock } from '../../../core/clock.js';
import { IptablesParser } from './parser.js';
import type { IptablesParserOptions } from './parser.js';

export { IptablesParser, MALFORMED_REASONS } from './parser.js';
export type { IptablesParserOptions, IptablesMalformedReason } from './parser.js';

export function createIptablesParser(opts: IptablesParserOptions = {}): IptablesParser {
  return new IptablesParser(opts);
}

export interface BufferParseCounts {
  lines: number;
  events: number;
  skipped: number;
  malformed: number;
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
  const ctx = { now: opts.now ?? systemClock.now() };
  const counts: BufferParseCounts = { lines: 0, events: 0, skipped: 0, malformed: 0 };
  let p = 0;
  while (p < buf.length) {
    let nl = buf.indexOf(10, p);
    if (nl < 0) nl = buf.length;
    const r = parser.parseBytes(buf, p, nl, ctx);
    counts.lines++;
    if (r.kind === 'event') counts.events++;
    else if (r.kind === 'skip') counts.skipped++;
    else counts.malformed++;
    p = nl + 1;
  }
  return counts;
}
