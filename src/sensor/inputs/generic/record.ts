/**
 * One record of a user's log (a JSON object or a CSV row) to an event, through the field map. Shared by the
 * `jsonl` and `csv` parsers, which only differ in how a field's bytes are found (FieldSource).
 *
 * Invariants:
 * - Required: the source address, the time, and the port (for TCP, UDP, ICMP: the ICMP type); for another
 *   protocol the port is its IP protocol number, as the event contract says. Absent → `missing_*`, present but
 *   unreadable → `bad_*`. Optional fields (sport, dst) that are present must be valid (`bad_sport`, `bad_dst`);
 *   unreadable flags are left out (flags are a hint, not an identity).
 * - The direction is unknown, so every record is treated as inbound; a loopback source is skipped `loopback`.
 * - A record whose `match` fields do not hold one of the configured values is skipped `not_attempt`.
 * - `icmp` with an IPv6 source is ICMPv6 (Zeek writes `icmp` for both).
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseContext, ParseResult } from '../input.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { V_ABSENT, V_TEXT } from './line-base.js';
import type { ResolvedOptions } from './options.js';
import {
  AddressReader,
  flagMask,
  FLAG_STRINGS,
  isNegativeInt,
  portAt,
  protocolOf,
  protoNumber,
  TimeReader,
} from './values.js';

export const GENERIC_MALFORMED_REASONS = [
  'bad_json',
  'bad_quote',
  'no_header',
  'missing_src',
  'bad_src',
  'bad_proto',
  'missing_port',
  'bad_port',
  'bad_sport',
  'bad_dst',
  'missing_time',
  'bad_time',
] as const;
export type GenericMalformedReason = (typeof GENERIC_MALFORMED_REASONS)[number];
export const BAD = malformedResults(GENERIC_MALFORMED_REASONS);

export const F_TS = 0;
export const F_SRC = 1;
export const F_PORT = 2;
export const F_PROTO = 3;
export const F_SPORT = 4;
export const F_DST = 5;
export const F_FLAGS = 6;
export const F_MATCH0 = 7;

/** The field names by field index ('' for an unmapped optional field), then the match fields. */
export function fieldNames(o: ResolvedOptions): string[] {
  const f = o.fields;
  return [
    f.ts,
    f.src,
    f.port,
    f.proto ?? '',
    f.sport ?? '',
    f.dst ?? '',
    f.flags ?? '',
    ...o.match.map((m) => m.field),
  ];
}

/** Where a record's fields are found. `get(i)` points b/s/e at field i's text. */
export interface FieldSource {
  b: Uint8Array;
  s: number;
  e: number;
  /** Whether the value was a JSON number (never for CSV). */
  number: boolean;
  /** V_ABSENT (unmapped, missing, empty, null, `-`), V_TEXT, or V_OTHER (an object, array or boolean). */
  get(i: number): number;
}

const DEFAULT_PROTO_NUMBER = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 } as const;

export class RecordReader {
  private readonly srcs = new AddressReader();
  private readonly dsts = new AddressReader();
  private readonly time: TimeReader;
  private readonly defaultProto: number;
  private readonly match: ReadonlyArray<{ field: string; values: Buffer[] }>;

  constructor(o: ResolvedOptions, zone: TimeZoneMode) {
    this.time = new TimeReader(zone, o.timeFormat);
    this.defaultProto = DEFAULT_PROTO_NUMBER[o.defaultProto];
    this.match = o.match;
  }

  read(f: FieldSource, ctx: ParseContext): ParseResult {
    for (let i = 0; i < this.match.length; i++) {
      if (f.get(F_MATCH0 + i) !== V_TEXT || !oneOf(f, this.match[i]?.values ?? [])) return SKIP.not_attempt;
    }

    let k = f.get(F_SRC);
    if (k === V_ABSENT) return BAD.missing_src;
    const src = k === V_TEXT && !f.number ? this.srcs.read(f.b, f.s, f.e) : null;
    if (src === null) return BAD.bad_src;
    if (this.srcs.loopback) return SKIP.loopback;

    let pn = this.defaultProto;
    k = f.get(F_PROTO);
    if (k === V_TEXT) pn = protoNumber(f.b, f.s, f.e);
    if (k === V_TEXT ? pn < 0 : k !== V_ABSENT) return BAD.bad_proto;
    const proto: Protocol = protocolOf(pn, src.includes(':'));

    let port = pn;
    if (proto !== 'other') {
      k = f.get(F_PORT);
      if (k === V_ABSENT) return BAD.missing_port;
      port = k === V_TEXT ? portAt(f.b, f.s, f.e) : -1;
      if (port < 0 || ((proto === 'icmp' || proto === 'icmp6') && port > 255)) return BAD.bad_port;
    }

    let sport: number | undefined;
    if (proto === 'tcp' || proto === 'udp') {
      k = f.get(F_SPORT);
      if (k === V_TEXT && !isNegativeInt(f.b, f.s, f.e)) {
        sport = portAt(f.b, f.s, f.e);
        if (sport < 0) return BAD.bad_sport;
      } else if (k !== V_ABSENT && k !== V_TEXT) {
        return BAD.bad_sport;
      }
    }

    let dst: string | undefined;
    k = f.get(F_DST);
    if (k !== V_ABSENT) {
      const d = k === V_TEXT && !f.number ? this.dsts.read(f.b, f.s, f.e) : null;
      if (d === null) return BAD.bad_dst;
      dst = d;
    }

    let flags: string | undefined;
    if (proto === 'tcp' && f.get(F_FLAGS) === V_TEXT) {
      const m = flagMask(f.b, f.s, f.e);
      if (m >= 0 && m <= 255) flags = FLAG_STRINGS[m];
    }

    k = f.get(F_TS);
    if (k === V_ABSENT) return BAD.missing_time;
    const ts = k === V_TEXT ? this.time.read(f.b, f.s, f.e, ctx.now) : NaN;
    if (Number.isNaN(ts)) return BAD.bad_time;

    const event: AttackEvent = { ts, proto, port, src, sport, dst, flags };
    return { kind: 'event', event };
  }
}

function oneOf(f: FieldSource, values: readonly Uint8Array[]): boolean {
  const len = f.e - f.s;
  outer: for (const v of values) {
    if (v.length !== len) continue;
    for (let i = 0; i < len; i++) if (v[i] !== f.b[f.s + i]) continue outer;
    return true;
  }
  return false;
}
