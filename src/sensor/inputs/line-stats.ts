/**
 * Counters of what an input did with its lines: events, skips by reason, malformed by reason with the first few
 * samples. Dropped data is a counter with a reason, never an exception (docs/STYLE.md, Vector).
 *
 * Invariants: samples are bounded (SAMPLES_PER_REASON per reason, each at most SAMPLE_MAX_CHARS) and are fresh
 * strings, never views of a read buffer; counters only grow.
 */
import type { ParseResult } from './input.js';

export const SAMPLES_PER_REASON = 5;
export const SAMPLE_MAX_CHARS = 512;

export interface MalformedSample {
  reason: string;
  line: string;
}

export interface LineStatsSnapshot {
  lines: number;
  events: number;
  skipped: Record<string, number>;
  malformed: Record<string, number>;
  malformed_samples: MalformedSample[];
}

export class LineStats {
  lines = 0;
  events = 0;
  readonly skipped = new Map<string, number>();
  readonly malformed = new Map<string, number>();
  readonly samples: MalformedSample[] = [];

  /**
   * Counts one result; `buf[start, end)` is the line, copied only when it becomes a sample.
   * @returns the new sample when this line became one (for a debug log), else undefined.
   */
  count(r: ParseResult, buf: Uint8Array, start: number, end: number): MalformedSample | undefined {
    this.lines++;
    if (r.kind === 'event') {
      this.events++;
      return undefined;
    }
    const map = r.kind === 'skip' ? this.skipped : this.malformed;
    const n = (map.get(r.reason) ?? 0) + 1;
    map.set(r.reason, n);
    if (r.kind === 'malformed' && n <= SAMPLES_PER_REASON) {
      const len = Math.min(end - start, SAMPLE_MAX_CHARS);
      const sample = {
        reason: r.reason,
        line: Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('utf8'),
      };
      this.samples.push(sample);
      return sample;
    }
    return undefined;
  }

  get skippedTotal(): number {
    let t = 0;
    for (const v of this.skipped.values()) t += v;
    return t;
  }

  get malformedTotal(): number {
    let t = 0;
    for (const v of this.malformed.values()) t += v;
    return t;
  }

  snapshot(): LineStatsSnapshot {
    return {
      lines: this.lines,
      events: this.events,
      skipped: Object.fromEntries(this.skipped),
      malformed: Object.fromEntries(this.malformed),
      malformed_samples: this.samples.map((s) => ({ ...s })),
    };
  }
}

/** Counts by reason as `a=1 b=2`, or `none`: how every sensor command prints them. */
export function formatCounts(counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>): string {
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  return entries.map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
}
