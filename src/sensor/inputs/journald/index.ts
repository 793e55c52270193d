/**
 * The `journald` input: netfilter LOG lines from the systemd journal, read with `journalctl -o json` as a child
 * process (followed with --follow, resumed with --after-cursor). Each journal entry's MESSAGE goes through the
 * iptables parser; the entry's own __REALTIME_TIMESTAMP is the event time (a kernel MESSAGE has no stamp).
 * Options: `command` (default journalctl), `directory` (read journal files from there instead of the system
 * journal), `matches` (journalctl field matches, default _TRANSPORT=kernel).
 */
import { z } from 'zod';
import type { ParseContext, ParseResult } from '../input.js';
import { malformedResults, SKIP } from '../input.js';
import { IptablesParser } from '../iptables/index.js';
import type { CommandInputDefinition, CommandLineResult, InputOptions } from '../registry.js';

export const journaldOptionsSchema = z.strictObject({
  command: z.string().min(1).default('journalctl'),
  directory: z.string().min(1).optional(),
  matches: z
    .array(z.string().regex(/^[A-Z0-9_]+=.*$/, 'a journal match is FIELD=value, e.g. _TRANSPORT=kernel'))
    .default(['_TRANSPORT=kernel']),
});
export type JournaldOptions = z.infer<typeof journaldOptionsSchema>;

export const JOURNALD_MALFORMED = ['not_json', 'no_message', 'bad_timestamp'] as const;
const BAD = malformedResults(JOURNALD_MALFORMED);

function optionsOf(o: InputOptions): JournaldOptions {
  return journaldOptionsSchema.parse(o.options ?? {});
}

/** The MESSAGE field: a string, or an array of bytes when the text was not valid UTF-8. */
function messageText(m: unknown): string | null {
  if (typeof m === 'string') return m;
  if (Array.isArray(m) && m.every((b) => typeof b === 'number' && b >= 0 && b <= 255))
    return Buffer.from(m as number[]).toString('utf8');
  return null;
}

/** Parses one `journalctl -o json` line. */
export function createJournaldLineParser(
  o: InputOptions,
): (line: string, ctx: ParseContext) => CommandLineResult {
  const parser = new IptablesParser({ timezone: o.timezone });
  const entryCtx = { now: 0 };
  return (line, _ctx) => {
    const text = line.trim();
    if (text === '') return { result: SKIP.empty };
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      return { result: BAD.not_json };
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { result: BAD.not_json };
    const e = entry as Record<string, unknown>;
    const cursor = typeof e.__CURSOR === 'string' ? e.__CURSOR : undefined;
    const msg = messageText(e.MESSAGE);
    if (msg === null) return { result: BAD.no_message, cursor };
    const us = typeof e.__REALTIME_TIMESTAMP === 'string' ? Number(e.__REALTIME_TIMESTAMP) : NaN;
    if (!Number.isSafeInteger(us) || us <= 0) return { result: BAD.bad_timestamp, cursor };
    entryCtx.now = Math.floor(us / 1000);
    const r: ParseResult = parser.parseLine(msg, entryCtx);
    // The entry's time wins over anything the message text seemed to carry.
    if (r.kind === 'event') r.event.ts = entryCtx.now;
    return { result: r, cursor };
  };
}

export const journaldInput: CommandInputDefinition = {
  type: 'journald',
  kind: 'command',
  description:
    'netfilter LOG lines from the systemd journal (journalctl -o json --follow as a child process)',
  optionsSchema: journaldOptionsSchema,
  examples: [
    '{"__CURSOR":"s=751e;i=1;b=0123;m=3e8;t=60a2418202240;x=b5cd","__REALTIME_TIMESTAMP":"1700000000123456","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"[UFW BLOCK] IN=eth0 OUT= MAC= SRC=198.51.100.7 DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=1025 WINDOW=1024 RES=0x00 SYN URGP=0"}',
  ],
  command(o, at) {
    const opts = optionsOf(o);
    const args = [opts.command, '-o', 'json', '--no-pager', '--quiet'];
    if (opts.directory !== undefined) args.push('--directory', opts.directory);
    if (at.cursor !== undefined) args.push('--after-cursor', at.cursor);
    if (at.follow) args.push('--follow');
    if (at.cursor === undefined && at.start === 'end') args.push('--lines', '0');
    args.push(...opts.matches);
    return args;
  },
  createLineParser: createJournaldLineParser,
};
