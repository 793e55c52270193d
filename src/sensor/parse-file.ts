/**
 * Reads whole files (or standard input) through an input's parser, as `stormwatch sensor parse` and
 * `stormwatch sensor check` do: the user's way to see what a log yields before enrolling.
 *
 * Invariants: memory is bounded by the read chunk plus one line (a line longer than MAX_LINE_BYTES is refused
 * and counted); every line or packet is accounted for in the returned stats (events, skipped and malformed by
 * reason); nothing is sent anywhere and the privacy policy is not applied (the user sees their own data).
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AttackEvent } from '../core/event.js';
import { makeError } from '../core/errors.js';
import type { ParseResult } from './inputs/input.js';
import { LineStats } from './inputs/line-stats.js';
import { LineSplitter } from './util/line-splitter.js';
import type { InputDefinition, InputOptions } from './inputs/registry.js';

export const MAX_LINE_BYTES = 1 << 20;

export interface ParseFileOptions {
  /** Stop after this many lines (or packets); default: read everything. */
  maxLines?: number;
  /** The clock for lines without a time and year-less stamps (default: now). */
  now?: number;
  /** Awaited after each read chunk: lets a printer apply backpressure. */
  afterChunk?: () => Promise<void>;
}

const EMPTY = Buffer.alloc(0);
const TOO_LONG: ParseResult = Object.freeze({ kind: 'malformed', reason: 'line_too_long' });

/** The stream of a path, `-` being standard input. */
function open(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/**
 * Parses one file with an input definition, calling `onEvent` per event in file order.
 * @throws SW_CONFIG_INVALID for a listener type (it reads no file); the file's read errors as they are.
 * @example const stats = await parseFile(getInput('iptables'), 'kern.log', { timezone: 'utc' }, (e) => print(e))
 */
export async function parseFile(
  def: InputDefinition,
  path: string,
  options: InputOptions,
  onEvent: (e: AttackEvent) => void,
  opts: ParseFileOptions = {},
): Promise<LineStats> {
  const stats = new LineStats();
  const max = opts.maxLines ?? Infinity;
  const ctx = { now: opts.now ?? Date.now() };
  const take = (r: ParseResult, buf: Uint8Array, s: number, e: number): void => {
    if (r.kind === 'event') {
      stats.lines++;
      stats.events++;
      onEvent(r.event);
    } else stats.count(r, buf, s, e);
  };
  if (def.kind === 'listener') {
    throw makeError('SW_CONFIG_INVALID', `input type ${def.type} listens on sockets; it reads no file`);
  }
  const stream = open(path);
  try {
    if (def.kind === 'packets') {
      const decoder = def.createDecoder(options);
      let pending: Buffer = EMPTY;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const r = decoder.feed(buf, (res) => {
          if (stats.lines < max) take(res, EMPTY, 0, 0);
        });
        if (r.fatal !== undefined) throw makeError('SW_INPUT_INVALID', `${path}: ${r.fatal}`);
        pending = Buffer.from(buf.subarray(r.consumed));
        if (stats.lines >= max) break;
        await opts.afterChunk?.();
      }
      if (pending.length > 0) stats.count({ kind: 'malformed', reason: 'truncated_record' }, EMPTY, 0, 0);
      return stats;
    }
    const lineParser =
      def.kind === 'lines'
        ? (() => {
            const p = def.createParser(options);
            return (buf: Buffer, s: number, e: number): ParseResult => p.parseBytes(buf, s, e, ctx);
          })()
        : (() => {
            const p = def.createLineParser(options);
            return (buf: Buffer, s: number, e: number): ParseResult =>
              p(buf.toString('utf8', s, e), ctx).result;
          })();
    const splitter = new LineSplitter(
      MAX_LINE_BYTES,
      (buf, p, nl) => {
        take(lineParser(buf, p, nl), buf, p, nl);
        if (stats.lines >= max) splitter.stop();
      },
      () => take(TOO_LONG, EMPTY, 0, 0),
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      splitter.push(chunk);
      if (stats.lines >= max) return stats;
      await opts.afterChunk?.();
    }
    splitter.end();
    return stats;
  } finally {
    if (path !== '-') stream.destroy();
  }
}

/** The event as `sensor parse` prints it: time first, `dport` for the port, optional fields only when known. */
export function eventForDisplay(e: AttackEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {
    time: new Date(e.ts).toISOString(),
    proto: e.proto,
    src: e.src,
  };
  if (e.sport !== undefined) out.sport = e.sport;
  if (e.dst !== undefined) out.dst = e.dst;
  out.dport = e.port;
  if (e.flags !== undefined) out.flags = e.flags;
  if (e.handshake !== undefined) out.handshake = e.handshake;
  if (e.payload !== undefined) out.payload = e.payload;
  return out;
}
