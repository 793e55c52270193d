/**
 * The sensor input seam: one log format (or listener) turns raw lines into normalised AttackEvents.
 *
 * Rules every input parser MUST keep (the shared contract suite, contract.test.ts, checks them):
 * 1. `parseLine` and `parseBytes` never throw, whatever the bytes: a line is an event, a skip with a reason
 *    (a line that is not a connection attempt: another program's line, outbound traffic, loopback), or a
 *    malformed line with a reason (it looks like the format but a required field is missing or bad).
 * 2. They are pure per line apart from caches: the same line and context give the same result, and
 *    `parseLine(string)` equals `parseBytes` on the same text's bytes.
 * 3. Events satisfy src/core/event.ts: `src` canonical, `dst` (if any) the full target address (privacy masks it
 *    later), `ts` an integer in ms. A line without its own time takes `ctx.now`.
 * 4. No per-line state is kept: nothing returned refers to the input buffer (strings are fresh copies), so the
 *    caller may reuse the buffer as soon as the call returns.
 * 5. Reasons are short snake_case constants from a closed set per input, so they can be counters.
 * Counting, sampling of bad lines and the decision what to do with them belong to the caller (LineStats).
 */
import type { AttackEvent } from '../../core/event.js';

export interface ParseContext {
  /** The sensor clock when the line was read (ms): for year-less stamps and lines without a time. */
  now: number;
}

export type SkipReason = 'not_firewall' | 'outbound' | 'loopback' | 'empty';

export type ParseResult =
  | { kind: 'event'; event: AttackEvent }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'malformed'; reason: string };

export interface InputParser {
  /** The registry type, e.g. 'iptables'. */
  readonly type: string;
  /** Parses one line (no line terminator needed; a trailing CR/LF is ignored). */
  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult;
  /** Hot path: parses `buf[start, end)`, one line, without copying it. */
  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult;
}

/** Preallocated skip results: skipping allocates nothing. */
export const SKIP: { readonly [R in SkipReason]: ParseResult } = {
  not_firewall: Object.freeze({ kind: 'skip', reason: 'not_firewall' }),
  outbound: Object.freeze({ kind: 'skip', reason: 'outbound' }),
  loopback: Object.freeze({ kind: 'skip', reason: 'loopback' }),
  empty: Object.freeze({ kind: 'skip', reason: 'empty' }),
};

/** Makes frozen malformed results for a closed set of reasons, so that refusing a line allocates nothing. */
export function malformedResults<R extends string>(
  reasons: readonly R[],
): { readonly [K in R]: ParseResult } {
  const out = {} as { [K in R]: ParseResult };
  for (const r of reasons) out[r] = Object.freeze({ kind: 'malformed', reason: r });
  return out;
}
