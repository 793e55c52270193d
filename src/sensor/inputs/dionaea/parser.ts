/**
 * Dionaea's `log_json` ihandler output, one JSON object per connection (modules/python/dionaea/log_json.py):
 *   {"connection": {"protocol": "smbd", "transport": "tcp", "type": "accept"}, "dst_ip": "192.0.2.2",
 *    "dst_port": 445, "src_hostname": "", "src_ip": "198.51.100.1", "src_port": 59388,
 *    "timestamp": "2024-05-17T07:05:24.106767", ["credentials": {..}, "ftp": {..}, "p0f": {..}]}
 * The handler writes `src_*` = the connection's remote end and `dst_*` = its local end (dionaea), and writes the
 * record when the connection is freed, so records are not in time order (the time is the connection's start).
 * The layout its docs show, `connection.{remote,local}.{address,port}` without a time, is read too.
 *
 * Invariants:
 * - `connection.type` says who opened the connection: `accept` (an inbound TCP/TLS connection: an attempt with a
 *   completed handshake) and `reject` (an inbound connection dionaea refused: an attempt) count; `connect` is a
 *   connection dionaea opened itself (downloading a payload, a callback): `outbound`; `listen` (dionaea's own
 *   socket) and anything else are `not_attempt`.
 * - `connection.transport` tcp and tls are TCP, udp is UDP.
 * - `timestamp` is `datetime.utcnow().isoformat()`: UTC without a zone (and without a fraction when the
 *   microseconds are 0), so it is read as UTC whatever the configured zone. A flat record without it is
 *   malformed; the documented nested layout never carries one, so it takes the read time.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseContext, ParseResult } from '../input.js';
import { JsonScanner, T_NONE, T_OBJECT } from '../generic/json-scan.js';
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

export const DIONAEA_MALFORMED_REASONS = [
  'bad_json',
  'missing_type',
  'bad_transport',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_port',
  'bad_port',
  'missing_time',
  'bad_time',
] as const;
export type DionaeaMalformedReason = (typeof DIONAEA_MALFORMED_REASONS)[number];
const BAD = malformedResults(DIONAEA_MALFORMED_REASONS);

const F_CONN = 0;
const F_TYPE = 1;
const F_TRANSPORT = 2;
const F_SRC = 3;
const F_SPORT = 4;
const F_DST = 5;
const F_DPORT = 6;
const F_TS = 7;
const F_R_ADDR = 8;
const F_R_PORT = 9;
const F_L_ADDR = 10;
const F_L_PORT = 11;
const PATHS = [
  'connection',
  'connection.type',
  'connection.transport',
  'src_ip',
  'src_port',
  'dst_ip',
  'dst_port',
  'timestamp',
  'connection.remote.address',
  'connection.remote.port',
  'connection.local.address',
  'connection.local.port',
];

/** The dionaea log_json parser. One instance per input: caches and scratch space only. */
export class DionaeaParser extends ByteLineParser {
  readonly type = 'dionaea';
  private readonly scanner = new JsonScanner(PATHS);
  private readonly v = new SlotView();
  private readonly srcs = new AddressReader();
  private readonly dsts = new AddressReader();
  /** dionaea writes UTC without a zone: never the configured zone. */
  private readonly time = new TimeReader('utc', 'iso');

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    const sc = this.scanner;
    const early = scanJsonLine(sc, buf, start, end, BAD.bad_json);
    if (early !== null) return early;
    if (sc.type[F_CONN] !== T_OBJECT) return SKIP.not_firewall;
    const v = this.v;

    if (v.set(sc, buf, F_TYPE) !== V_TEXT || v.number) return BAD.missing_type;
    let handshake: boolean | undefined;
    if (v.is('accept') || v.is('accepted')) handshake = true;
    else if (v.is('connect')) return SKIP.outbound;
    else if (!v.is('reject')) return SKIP.not_attempt;

    if (v.set(sc, buf, F_TRANSPORT) !== V_TEXT) return BAD.bad_transport;
    let proto: Protocol;
    if (v.is('tcp') || v.is('tls')) proto = 'tcp';
    else if (v.is('udp')) proto = 'udp';
    else return BAD.bad_transport;

    // The flat layout the handler writes; the documented nested one when there is no flat address.
    const flat = sc.type[F_SRC] !== T_NONE;
    const src = addressIn(v, sc, buf, flat ? F_SRC : F_R_ADDR, this.srcs);
    if (src === null) return BAD.missing_src;
    if (src === '') return BAD.bad_src;
    if (this.srcs.loopback) return SKIP.loopback;

    const port = portIn(v, sc, buf, flat ? F_DPORT : F_L_PORT);
    if (port === PORT_ABSENT) return BAD.missing_port;
    if (port < 0) return BAD.bad_port;
    const sport = portIn(v, sc, buf, flat ? F_SPORT : F_R_PORT);
    if (sport === PORT_BAD) return BAD.bad_port;
    const dst = addressIn(v, sc, buf, flat ? F_DST : F_L_ADDR, this.dsts);
    if (dst === '') return BAD.bad_dst;

    let ts: number;
    const tk = v.set(sc, buf, F_TS);
    if (tk === V_TEXT) {
      ts = this.time.read(v.b, v.s, v.e, ctx.now);
      if (Number.isNaN(ts)) return BAD.bad_time;
    } else if (tk === V_ABSENT) {
      if (flat) return BAD.missing_time;
      ts = ctx.now;
    } else {
      return BAD.bad_time;
    }

    const event: AttackEvent = {
      ts,
      proto,
      port,
      src,
      sport: sport < 0 ? undefined : sport,
      dst: dst ?? undefined,
      flags: undefined,
      handshake: proto === 'tcp' ? handshake : undefined,
    };
    return { kind: 'event', event };
  }
}
