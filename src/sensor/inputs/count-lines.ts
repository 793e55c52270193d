/**
 * Runs a line parser over every line of a buffer and counts the outcomes: the work per line is exactly what the
 * sensor does, events included. For benchmarks and for tests that compare whole files with line-by-line reading.
 */
import type { InputParser, ParseContext } from './input.js';

export interface BufferParseCounts {
  lines: number;
  events: number;
  skipped: number;
  malformed: number;
}

/** Every LF-terminated line of `buf` (a last line without LF counts too). */
export function countLineResults(parser: InputParser, buf: Buffer, ctx: ParseContext): BufferParseCounts {
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
