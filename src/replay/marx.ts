/**
 * The marx CSV layout: `datetime,host,src,proto,type,spt,dpt` with an optional `operator` column, one connection
 * attempt per row, `host` naming the sensor that saw it. It is the layout of the "Marx" honeypot data set
 * (../shared/data/marx/SOURCE.md) and the events-file format of `stormwatch eval --events` (issue 5).
 *
 * - `datetime`: UTC `YYYY-MM-DD HH:MM:SS` (a `T` separator, a fraction and a `Z` or `±hh:mm` zone are accepted);
 *   years before MIN_YEAR are damage, not data (as for the sensor's parsers).
 * - `src`: the IPv4 source as an unsigned 32-bit integer (the data set's form), or any IPv4 / IPv6 text.
 * - `proto`: TCP, UDP, ICMP (any case; ICMP6 / ICMPv6 too). `port` of the event is `dpt` for TCP and UDP and
 *   `type` (the ICMP type) for ICMP, as src/core/event.ts defines it; `spt` is optional.
 * - A row whose cells include `datetime` is a header: it declares the column order (the seven names required,
 *   `operator` optional, other columns ignored). Before any header the layout is the seven columns in the order
 *   above, an eighth cell being the operator. An operator cell in last place may be left out of a row.
 *
 * Invariants: parseLine never throws; a row is an event, a skip (`empty`, `header`) or a malformed row with a
 * reason from MARX_MALFORMED; the only state is the layout the last header declared.
 */
import type { AttackEvent, Protocol } from '../core/event.js';
import { MIN_YEAR } from '../sensor/inputs/iptables/timestamp.js';
import { canonicalIp, formatIPv4 } from '../sensor/net/ip.js';

export const MARX_COLUMNS = ['datetime', 'host', 'src', 'proto', 'type', 'spt', 'dpt'] as const;
type Column = (typeof MARX_COLUMNS)[number] | 'operator';

export const MARX_MALFORMED = [
  'bad_columns',
  'bad_header',
  'bad_time',
  'bad_host',
  'bad_src',
  'bad_proto',
  'bad_icmp_type',
  'bad_dpt',
  'bad_spt',
  'bad_operator',
] as const;
export type MarxMalformed = (typeof MARX_MALFORMED)[number];

export type MarxResult =
  | { kind: 'event'; event: AttackEvent; host: string; operator: string | undefined }
  | { kind: 'skip'; reason: 'empty' | 'header' }
  | { kind: 'malformed'; reason: MarxMalformed };

/**
 * What the server accepts as a sensor name or operator (src/ingest/enroll.ts LABEL): a host that is not one
 * could never be enrolled, so its rows are refused here, each with its line.
 */
export const SENSOR_LABEL = /^[\p{L}\p{N} ._@:-]{1,64}$/u;

interface Layout {
  at: Record<Column, number>;
  /** Cells a row must have; with the default layout the operator cell may be missing. */
  cells: number;
  optionalLast: boolean;
}

const DEFAULT_LAYOUT: Layout = {
  at: { datetime: 0, host: 1, src: 2, proto: 3, type: 4, spt: 5, dpt: 6, operator: 7 },
  cells: 8,
  optionalLast: true,
};

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_U32 = 4_294_967_295;

const malformed = (reason: MarxMalformed): MarxResult => ({ kind: 'malformed', reason });
const SKIP_EMPTY: MarxResult = Object.freeze({ kind: 'skip', reason: 'empty' });
const SKIP_HEADER: MarxResult = Object.freeze({ kind: 'skip', reason: 'header' });

/** A cell without surrounding spaces and one pair of surrounding double quotes. */
function cell(raw: string): string {
  const t = raw.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Milliseconds since the epoch (UTC unless a zone is given), or null for anything but a real instant. */
export function parseMarxTime(text: string): number | null {
  const m = TIME.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < MIN_YEAR || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  let t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 31 April over to 1 May: such a date is damage.
  if (new Date(t).getUTCDate() !== d) return null;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    const zh = Number(z?.[2]);
    const zm = Number(z?.[3]);
    if (zh > 23 || zm > 59) return null;
    t -= (z?.[1] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  return t;
}

/** A whole number in [min, max] from text of digits only, or -1. */
function intIn(text: string, min: number, max: number): number {
  if (text.length === 0 || text.length > 10 || !/^\d+$/.test(text)) return -1;
  const n = Number(text);
  return n >= min && n <= max ? n : -1;
}

function protocolOf(text: string): Protocol | null {
  switch (text.toLowerCase()) {
    case 'tcp':
      return 'tcp';
    case 'udp':
      return 'udp';
    case 'icmp':
      return 'icmp';
    case 'icmp6':
    case 'icmpv6':
    case 'ipv6-icmp':
      return 'icmp6';
    default:
      return null;
  }
}

function sourceOf(text: string): string | null {
  if (/^\d+$/.test(text)) {
    const n = intIn(text, 0, MAX_U32);
    return n < 0 ? null : formatIPv4(n);
  }
  return canonicalIp(text);
}

/**
 * Parses marx rows, keeping the layout a header declares.
 * @example const p = new MarxParser(); p.parseLine('2013-03-03 21:53:59,groucho-oregon,1032051418,TCP,,6000,1433')
 */
export class MarxParser {
  private layout: Layout = DEFAULT_LAYOUT;

  parseLine(line: string): MarxResult {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return SKIP_EMPTY;
    const cells = text.split(',').map(cell);
    if (cells.some((c) => c.toLowerCase() === 'datetime')) return this.header(cells);
    const l = this.layout;
    if (cells.length !== l.cells && !(l.optionalLast && cells.length === l.cells - 1))
      return malformed('bad_columns');
    const get = (c: Column): string => (l.at[c] < 0 ? '' : (cells[l.at[c]] ?? ''));

    const ts = parseMarxTime(get('datetime'));
    if (ts === null) return malformed('bad_time');
    const host = get('host');
    if (!SENSOR_LABEL.test(host)) return malformed('bad_host');
    const src = sourceOf(get('src'));
    if (src === null) return malformed('bad_src');
    const proto = protocolOf(get('proto'));
    if (proto === null) return malformed('bad_proto');
    let port: number;
    if (proto === 'icmp' || proto === 'icmp6') {
      port = intIn(get('type'), 0, 255);
      if (port < 0) return malformed('bad_icmp_type');
    } else {
      port = intIn(get('dpt'), 0, 65535);
      if (port < 0) return malformed('bad_dpt');
    }
    const event: AttackEvent = { ts, proto, port, src };
    const spt = get('spt');
    if (spt !== '' && proto !== 'icmp' && proto !== 'icmp6') {
      const sport = intIn(spt, 0, 65535);
      if (sport < 0) return malformed('bad_spt');
      event.sport = sport;
    }
    const op = get('operator');
    if (op !== '' && !SENSOR_LABEL.test(op)) return malformed('bad_operator');
    return { kind: 'event', event, host, operator: op === '' ? undefined : op };
  }

  private header(cells: string[]): MarxResult {
    const names = cells.map((c) => c.toLowerCase());
    const at = {} as Record<Column, number>;
    for (const c of [...MARX_COLUMNS, 'operator'] as const) {
      const i = names.indexOf(c);
      if (i !== names.lastIndexOf(c) || (i < 0 && c !== 'operator')) return malformed('bad_header');
      at[c] = i;
    }
    this.layout = { at, cells: cells.length, optionalLast: at.operator === cells.length - 1 };
    return SKIP_HEADER;
  }
}
