/**
 * The line formats replay reads: `marx` (marx.ts, rows that name their sensor) or any text input of the sensor's
 * registry (`lines` kinds such as iptables or csv, and `command` kinds such as journald, whose saved output is
 * JSON lines), with the input's options validated by its own schema as `stormwatch sensor parse` does.
 *
 * Invariants: a format is chosen and its options validated before any file is opened; every line gives exactly
 * one result (an event, possibly with the host and operator of its row, a skip or a malformed line with a
 * reason); the parser keeps no reference to the line's buffer.
 */
import type { AttackEvent } from '../core/event.js';
import { makeError } from '../core/errors.js';
import type { SkipReason } from '../sensor/inputs/input.js';
import { getInput, INPUTS } from '../sensor/inputs/registry.js';
import type { InputDefinition } from '../sensor/inputs/registry.js';
import { MarxParser } from './marx.js';

export const MARX = 'marx';

export type RowResult =
  | { kind: 'event'; event: AttackEvent; host?: string; operator?: string | undefined }
  | { kind: 'skip'; reason: SkipReason | 'empty' | 'header' }
  | { kind: 'malformed'; reason: string };

export interface LineFormat {
  readonly name: string;
  /** Parses `buf[start, end)`, one line without its LF; `now` is for lines without a full time stamp. */
  parse(buf: Buffer, start: number, end: number, now: number): RowResult;
}

export interface FormatChoice {
  /** `marx` or a registry type. */
  format: string;
  /** The input's options as JSON text (`--options`), for registry types that take any. */
  optionsJson?: string | undefined;
  /** Zone of time stamps without one (classic syslog). */
  timezone: 'utc' | 'local';
}

/** The formats replay accepts, for help texts. */
export function formatNames(): string[] {
  return [
    MARX,
    ...[...INPUTS.values()].filter((d) => d.kind === 'lines' || d.kind === 'command').map((d) => d.type),
  ];
}

/**
 * Validates `--options` against the input's schema.
 * @throws SW_CONFIG_INVALID naming every problem, or when the type takes no options.
 */
export function inputOptionsFromJson(def: InputDefinition, json: string | undefined): unknown {
  let raw: unknown = undefined;
  if (json !== undefined) {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw makeError('SW_CONFIG_INVALID', `--options is not JSON: ${(err as Error).message}`);
    }
  }
  if (def.optionsSchema === undefined) {
    if (raw !== undefined) throw makeError('SW_CONFIG_INVALID', `input type ${def.type} takes no options`);
    return undefined;
  }
  const r = def.optionsSchema.safeParse(raw ?? {});
  if (!r.success)
    throw makeError(
      'SW_CONFIG_INVALID',
      `--options: ${r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

/**
 * A fresh parser for one file (header layouts do not leak from one file into the next).
 * @throws SW_CONFIG_INVALID for an unknown type, bad options, or a type that reads no lines (pcap, listeners).
 * @example const fmt = makeLineFormat({ format: 'iptables', timezone: 'utc' })
 */
export function makeLineFormat(choice: FormatChoice): LineFormat {
  if (choice.format === MARX) {
    if (choice.optionsJson !== undefined)
      throw makeError('SW_CONFIG_INVALID', 'the marx format takes no options');
    const p = new MarxParser();
    return { name: MARX, parse: (buf, s, e) => p.parseLine(buf.toString('utf8', s, e)) };
  }
  const def = getInput(choice.format);
  const options = { timezone: choice.timezone, options: inputOptionsFromJson(def, choice.optionsJson) };
  if (def.kind === 'lines') {
    const p = def.createParser(options);
    return { name: def.type, parse: (buf, s, e, now) => p.parseBytes(buf, s, e, { now }) };
  }
  if (def.kind === 'command') {
    const p = def.createLineParser(options);
    return { name: def.type, parse: (buf, s, e, now) => p(buf.toString('utf8', s, e), { now }).result };
  }
  throw makeError(
    'SW_CONFIG_INVALID',
    `input type ${def.type} reads ${def.kind === 'packets' ? 'binary captures' : 'sockets'}, not lines; replay takes ${formatNames().join(', ')}`,
  );
}
