/**
 * OpenCanary's JSON log lines (opencanary/logger.py `PyLogger`: one `json.dumps(..., sort_keys=True)` per line,
 * in a file or behind a syslog prefix such as `opencanaryd[9]: opencanary-1 WARNING {...}`):
 *   {"dst_host": "a", "dst_port": n, "local_time": "2019-05-26 11:56:46.592954", "logdata": {..},
 *    "logtype": 3000, "node_id": "..", "src_host": "a", "src_port": n, ["utc_time": "..", "local_time_adjusted": ".."]}
 * `sanitizeLog` fills absent fields with `src_host: ""`, `src_port: -1`, `dst_host: ""`, `dst_port: -1`; the
 * portscan and samba watchers write ports as strings (`"dst_port": "22"`, `"src_port": "-1"`).
 *
 * Invariants:
 * - `logtype` (the LoggerBase constants) decides: 1000-1999 (boot, msg, debug, error, ping, config) are
 *   `not_attempt`; so are the records that repeat a connection the module always logged already: 4001/4002 (SSH
 *   version and login after 4000 new connection), 2001 (FTP auth initiated, always followed by 2000 login),
 *   18003/18004 (tcpbanner keep-alive data after 18002) and 18005 (data after 18001), except an 18005 with an
 *   `ALERT_STRING`, which in alert-string mode is the only record of its connection.
 * - Every other logtype that names a remote host is an attempt: UDP for TFTP 10001, NTP 11001, SNMP 13001,
 *   SIP 15001 and LLMNR 19001, TCP otherwise. A TCP service record means a completed handshake; the port-scan
 *   records 5001-5005 (iptables LOG lines OpenCanary read) do not say so, and carry the TCP flags (from the
 *   kernel's flag words in `logdata`, else the logtype's probe: SYN, nmap OS T3 FSPU, NULL, XMAS FPU, FIN).
 *   Unknown logtypes (user modules 99000-99009, newer modules) count as TCP without a handshake claim when
 *   they name a source, and are `not_attempt` when they do not.
 * - Time: `utc_time`, else `local_time`, both written with `datetime.utcnow()` (local_time is UTC despite its
 *   name: opencanary issue #96), so read as UTC; `local_time_adjusted` is never used.
 * - A port-scan record from the loopback interface (`logdata.IN == "lo"`) and a loopback source are `loopback`.
 */
import type { AttackEvent, Protocol } from '../../../core/event.js';
import { malformedResults, SKIP } from '../input.js';
import type { ParseContext, ParseResult } from '../input.js';
import { JsonScanner, T_NONE } from '../generic/json-scan.js';
import {
  addressIn,
  ByteLineParser,
  PORT_ABSENT,
  PORT_BAD,
  portIn,
  scanJsonLine,
  SlotView,
  trimStart,
  V_ABSENT,
  V_TEXT,
} from '../generic/line-base.js';
import { AddressReader, FLAG_STRINGS, TimeReader, uint } from '../generic/values.js';

export const OPENCANARY_MALFORMED_REASONS = [
  'bad_json',
  'bad_logtype',
  'missing_src',
  'bad_src',
  'bad_dst',
  'missing_port',
  'bad_port',
  'missing_time',
  'bad_time',
] as const;
export type OpenCanaryMalformedReason = (typeof OPENCANARY_MALFORMED_REASONS)[number];
const BAD = malformedResults(OPENCANARY_MALFORMED_REASONS);

const FLAG_KEYS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
const F_LOGTYPE = 0;
const F_SRC = 1;
const F_SPORT = 2;
const F_DST = 3;
const F_DPORT = 4;
const F_UTC = 5;
const F_LOCAL = 6;
const F_IN = 7;
const F_ALERT = 8;
const F_FLAG0 = 9;
const PATHS = [
  'logtype',
  'src_host',
  'src_port',
  'dst_host',
  'dst_port',
  'utc_time',
  'local_time',
  'logdata.IN',
  'logdata.ALERT_STRING',
  ...FLAG_KEYS.map((k) => `logdata.${k}`),
];

/** What a logtype is. */
const K_NOT_ATTEMPT = 0;
const K_TCP = 1;
const K_UDP = 2;
const K_SCAN = 3;
const K_UNKNOWN = 4;
const K_BANNER_DATA = 5;

const KINDS: ReadonlyMap<number, number> = new Map([
  [2001, K_NOT_ATTEMPT],
  [4001, K_NOT_ATTEMPT],
  [4002, K_NOT_ATTEMPT],
  [18003, K_NOT_ATTEMPT],
  [18004, K_NOT_ATTEMPT],
  [18005, K_BANNER_DATA],
  [5001, K_SCAN],
  [5002, K_SCAN],
  [5003, K_SCAN],
  [5004, K_SCAN],
  [5005, K_SCAN],
  [10001, K_UDP],
  [11001, K_UDP],
  [13001, K_UDP],
  [15001, K_UDP],
  [19001, K_UDP],
  ...[
    2000, 3000, 3001, 3002, 3003, 4000, 5000, 6001, 6002, 7001, 8001, 9001, 9002, 9003, 12001, 14001, 16001,
    17001, 18001, 18002, 20001,
  ].map((t) => [t, K_TCP] as [number, number]),
]);

/** TCP flag bits of each port-scan probe when the record does not carry the kernel's flag words. */
const SCAN_FLAGS: ReadonlyMap<number, number> = new Map([
  [5001, 0x02], // canaryfw: --syn
  [5002, 0x2b], // canarynmap: nmap OS detection T3, URG PSH SYN FIN
  [5003, 0x00], // canarynmapNULL
  [5004, 0x29], // canarynmapXMAS: FIN PSH URG
  [5005, 0x01], // canarynmapFIN
]);

/** The OpenCanary parser. One instance per input: caches and scratch space only. */
export class OpenCanaryParser extends ByteLineParser {
  readonly type = 'opencanary';
  private readonly scanner = new JsonScanner(PATHS);
  private readonly v = new SlotView();
  private readonly srcs = new AddressReader();
  private readonly dsts = new AddressReader();
  /** OpenCanary writes UTC without a zone: never the configured zone. */
  private readonly time = new TimeReader('utc', 'iso');

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    const sc = this.scanner;
    const early = scanJsonLine(sc, buf, start, end, BAD.bad_json);
    if (early !== null) {
      // `[ERR] '{...}'`: the logger's own error lines.
      if (early === SKIP.not_firewall && isErrLine(buf, trimStart(buf, start, end), end))
        return SKIP.not_attempt;
      return early;
    }
    const v = this.v;
    const lk = v.set(sc, buf, F_LOGTYPE);
    if (lk === V_ABSENT) return SKIP.not_firewall;
    const logtype = lk === V_TEXT ? uint(v.b, v.s, v.e) : -1;
    if (logtype < 0) return BAD.bad_logtype;
    if (logtype < 2000) return SKIP.not_attempt;
    let kind = KINDS.get(logtype) ?? K_UNKNOWN;
    if (kind === K_BANNER_DATA) kind = sc.type[F_ALERT] === T_NONE ? K_NOT_ATTEMPT : K_TCP;
    if (kind === K_NOT_ATTEMPT) return SKIP.not_attempt;

    const src = addressIn(v, sc, buf, F_SRC, this.srcs);
    if (src === null) return kind === K_UNKNOWN ? SKIP.not_attempt : BAD.missing_src;
    if (src === '') return BAD.bad_src;
    if (this.srcs.loopback) return SKIP.loopback;
    if (kind === K_SCAN && v.set(sc, buf, F_IN) === V_TEXT && v.is('lo')) return SKIP.loopback;

    const port = portIn(v, sc, buf, F_DPORT);
    if (port === PORT_ABSENT) return BAD.missing_port;
    if (port < 0) return BAD.bad_port;
    const sport = portIn(v, sc, buf, F_SPORT);
    if (sport === PORT_BAD) return BAD.bad_port;
    const dst = addressIn(v, sc, buf, F_DST, this.dsts);
    if (dst === '') return BAD.bad_dst;

    let tk = v.set(sc, buf, F_UTC);
    if (tk === V_ABSENT) tk = v.set(sc, buf, F_LOCAL);
    if (tk !== V_TEXT) return tk === V_ABSENT ? BAD.missing_time : BAD.bad_time;
    const ts = this.time.read(v.b, v.s, v.e, ctx.now);
    if (Number.isNaN(ts)) return BAD.bad_time;

    const proto: Protocol = kind === K_UDP ? 'udp' : 'tcp';
    let flags: string | undefined;
    if (kind === K_SCAN) {
      let mask = 0;
      let words = false;
      for (let i = 0; i < FLAG_KEYS.length; i++) {
        if (sc.type[F_FLAG0 + i] !== T_NONE) {
          mask |= 1 << i;
          words = true;
        }
      }
      flags = FLAG_STRINGS[words ? mask : (SCAN_FLAGS.get(logtype) ?? 0)];
    }
    const event: AttackEvent = {
      ts,
      proto,
      port,
      src,
      sport: sport < 0 ? undefined : sport,
      dst: dst ?? undefined,
      flags,
      handshake: kind === K_TCP ? true : undefined,
    };
    return { kind: 'event', event };
  }
}

function isErrLine(buf: Uint8Array, p: number, end: number): boolean {
  return (
    p + 5 <= end &&
    buf[p] === 91 &&
    buf[p + 1] === 69 &&
    buf[p + 2] === 82 &&
    buf[p + 3] === 82 &&
    buf[p + 4] === 93
  ); // '[ERR]'
}
