/**
 * Cowrie's JSON log (cowrie.json, output plugin `jsonlog`; also the same objects behind a syslog prefix):
 *   {"eventid":"cowrie.session.connect","src_ip":"a","src_port":n,"dst_ip":"a","dst_port":n,"session":"..",
 *    "protocol":"ssh"|"telnet","timestamp":"2024-01-26T21:59:42.976396Z",...}
 * Field names from cowrie's docs/OUTPUT.rst and the event ids its source logs.
 *
 * Invariants:
 * - Only `cowrie.session.connect` is an attempt: every other `cowrie.*` event (client.version, login.*,
 *   command.*, session.closed, log.closed, ...) belongs to a session already counted, so it is `not_attempt`;
 *   JSON without a `cowrie.` eventid is another program's line (`not_firewall`).
 * - A session exists, so the TCP handshake completed (`handshake: true`); both ssh and telnet are TCP. The port
 *   is the one cowrie logged (`dst_port`): behind the usual iptables REDIRECT that is cowrie's listening port
 *   (2222/2223), not the 22/23 the attacker aimed at.
 * - The time is the record's `timestamp` (cowrie writes UTC with `Z`); a stamp without a zone is read in the
 *   configured zone.
 */
import type { AttackEvent } from '../../../core/event.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseContext, ParseResult } from '../input.js';
import { JsonScanner } from '../generic/json-scan.js';
import {
  addressIn,
  ByteLineParser,
  PORT_ABSENT,
  PORT_BAD,
  portIn,
  scanJsonLine,
  SlotView,
  V_ABSENT,
  V_TEXT,
} from '../generic/line-base.js';
import { AddressReader, TimeReader } from '../generic/values.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const COWRIE_MALFORMED_REASONS = [
  'bad_json',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_port',
  'bad_port',
  'missing_time',
  'bad_time',
] as const;
export type CowrieMalformedReason = (typeof COWRIE_MALFORMED_REASONS)[number];
const BAD = malformedResults(COWRIE_MALFORMED_REASONS);

const F_EVENTID = 0;
const F_SRC = 1;
const F_SPORT = 2;
const F_DST = 3;
const F_DPORT = 4;
const F_TS = 5;
const PATHS = ['eventid', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'timestamp'];

export interface CowrieParserOptions {
  /** Zone of stamps that carry none (cowrie writes `Z`, so this rarely matters). Default 'utc'. */
  timezone?: TimeZoneMode;
}

/** The cowrie JSON parser. One instance per input: it holds caches and scratch space, never line data. */
export class CowrieJsonParser extends ByteLineParser {
  readonly type = 'cowrie';
  private readonly scanner = new JsonScanner(PATHS);
  private readonly v = new SlotView();
  private readonly srcs = new AddressReader();
  private readonly dsts = new AddressReader();
  private readonly time: TimeReader;

  constructor(opts: CowrieParserOptions = {}) {
    super();
    this.time = new TimeReader(opts.timezone ?? 'utc', 'iso');
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    const sc = this.scanner;
    const early = scanJsonLine(sc, buf, start, end, BAD.bad_json);
    if (early !== null) return early;
    const v = this.v;
    if (v.set(sc, buf, F_EVENTID) !== V_TEXT || v.number || !v.startsWith('cowrie.'))
      return SKIP.not_firewall;
    if (!v.is('cowrie.session.connect')) return SKIP.not_attempt;

    const src = addressIn(v, sc, buf, F_SRC, this.srcs);
    if (src === null) return BAD.missing_src;
    if (src === '') return BAD.bad_src;
    if (this.srcs.loopback) return SKIP.loopback;

    const port = portIn(v, sc, buf, F_DPORT);
    if (port === PORT_ABSENT) return BAD.missing_port;
    if (port < 0) return BAD.bad_port;
    const sport = portIn(v, sc, buf, F_SPORT);
    if (sport === PORT_BAD) return BAD.bad_port;

    const dst = addressIn(v, sc, buf, F_DST, this.dsts);
    if (dst === '') return BAD.bad_dst;

    const tk = v.set(sc, buf, F_TS);
    if (tk !== V_TEXT) return tk === V_ABSENT ? BAD.missing_time : BAD.bad_time;
    const ts = this.time.read(v.b, v.s, v.e, ctx.now);
    if (Number.isNaN(ts)) return BAD.bad_time;

    const event: AttackEvent = {
      ts,
      proto: 'tcp',
      port,
      src,
      sport: sport < 0 ? undefined : sport,
      dst: dst ?? undefined,
      flags: undefined,
      handshake: true,
    };
    return { kind: 'event', event };
  }
}
