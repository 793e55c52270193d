/**
 * The sensor input seam: one log format (or listener) turns raw lines into normalised AttackEvents.
 *
 * Rules every input parser MUST keep (the shared contract suite, contract.test.ts, checks them):
 * 1. `parseLine` and `parseBytes` never throw, whatever the bytes: a line is an event, a skip with a reason
 *    (a line that is not a connection attempt: another program's line, outbound traffic, loopback), or a
 *    malformed line with a reason (it looks like the format but a required field is missing or bad).
 * 2. They are pure per line apart from caches and from the layout a header line declares (W3C `#Fields:`, Zeek
 *    `#fields`, a CSV header row): the same line and context give the same result, and `parseLine(string)` equals
 *    `parseBytes` on the same text's bytes. A header line is a skip `header`; until one is seen the parser uses
 *    the format's documented default layout (a sensor resumed in the middle of a file has not seen the header).
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

/**
 * Why a line holds no connection attempt:
 * - `not_firewall`: another program's line (sshd in kern.log, a log line of another kind);
 * - `not_attempt`: a record of this format that is not an inbound connection attempt (a config or system
 *   message, a session teardown, a statistics line, a DNS or file record);
 * - `outbound`: traffic the protected network sent; `loopback`: traffic on the loopback interface;
 * - `header`: a header or comment line of the format; `empty`: a blank line.
 */
export type SkipReason = 'not_firewall' | 'not_attempt' | 'outbound' | 'loopback' | 'header' | 'empty';

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

/**
 * The UTF-8 bytes of a string line, for `parseLine(string)` = `parseBytes(its bytes)` (rule 2). Reuses one
 * growing scratch buffer per parser.
 */
export class Utf8Scratch {
  private buf = Buffer.allocUnsafe(4096);

  /** Writes `line`; returns the buffer and the byte length. */
  write(line: string): [Buffer, number] {
    const need = Buffer.byteLength(line, 'utf8');
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    return [this.buf, this.buf.write(line, 0, 'utf8')];
  }
}

/**
 * `parseLine` for a parser whose work is in `parseBytes`: a Buffer is parsed in place, a string through the
 * parser's scratch buffer. @example parseLine(l, ctx) { return parseLineAsBytes(this, this.scratch, l, ctx); }
 */
export function parseLineAsBytes(
  parser: Pick<InputParser, 'parseBytes'>,
  scratch: Utf8Scratch,
  line: string | Buffer,
  ctx: ParseContext,
): ParseResult {
  if (typeof line !== 'string') return parser.parseBytes(line, 0, line.length, ctx);
  const [buf, n] = scratch.write(line);
  return parser.parseBytes(buf, 0, n, ctx);
}

/** Preallocated skip results: skipping allocates nothing. */
export const SKIP: { readonly [R in SkipReason]: ParseResult } = {
  not_firewall: Object.freeze({ kind: 'skip', reason: 'not_firewall' }),
  not_attempt: Object.freeze({ kind: 'skip', reason: 'not_attempt' }),
  header: Object.freeze({ kind: 'skip', reason: 'header' }),
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

/**
 * A binary capture format (pcap, pcapng), read as a stream of bytes from the start of a file.
 * Rules: `feed` never throws; it consumes whole records only (the file header counts as one), calls `onResult`
 * once per packet (an event, or a skip / malformed with a reason from a closed snake_case set) and returns how
 * many bytes it consumed; the caller keeps the rest and feeds it again with more bytes appended. A file that is
 * not of the format (bad magic, impossible header) returns `fatal` with a reason and consumes nothing.
 * The decoder keeps the state a file declares (byte order, time resolution, link types per interface), so a
 * resumed file is fed again from byte 0 with results before the resume offset ignored by the caller.
 * Results keep no reference to `buf` (rule 4 above).
 */
export interface PacketDecoder {
  readonly type: string;
  feed(
    buf: Uint8Array,
    onResult: (r: ParseResult, recordEnd: number) => void,
  ): { consumed: number; fatal?: string };
}

/** Where a listener reports what it saw. `event` is a connection attempt; `refused` counts by reason. */
export interface ListenerSink {
  event(e: AttackEvent): void;
  refused(reason: string): void;
}

/**
 * A socket listener (tcp-listener, udp-listener): binds configured unused ports and records every attempt.
 * Rules: `start` rejects with SW_CONFIG_INVALID naming the address when a port cannot be bound; after `close`
 * resolves no socket is open and no more events are emitted; per-source rate limits keep memory bounded.
 */
export interface Listener {
  readonly type: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** The bound addresses (port 0 in config binds an ephemeral port; tests read the real one here). */
  addresses(): Array<{ address: string; port: number; proto: 'tcp' | 'udp' }>;
}
