/**
 * The DShield sensor's firewall log, /var/log/dshield.log. Its rsyslog template (DShield-ISC/dshield,
 * etc/rsyslog.d/dshield.conf) writes `<unix-epoch> <host> <syslogtag><msg>` for the kernel's netfilter lines
 * with the ` DSHIELDINPUT ` log prefix:
 *   1706444158 BigDshield kernel:[81448.170206]  DSHIELDINPUT IN=eth0 OUT= MAC=... SRC=... DST=... PROTO=TCP ...
 * DShield's own reader (srv/dshield/fwlogparser.py, regexes in DShield.py) takes three line shapes, and so does
 * this input:
 * - `pi`:  `<epoch> <host> kernel:[<uptime>] DSHIELDINPUT IN=...`
 * - `aws`: `<epoch> <host> kernel: DSHIELDINPUT IN=...`
 * - `generic`: a classic syslog stamp `Mmm dd HH:MM:SS`, then any netfilter line (`... IN=...`), prefix or not.
 * A DSHIELDINPUT line under an RFC 3339 stamp (rsyslog's default template) is accepted as well.
 * The netfilter fields are read by the iptables input's parser; the time is the stamp at the start of the line
 * (epoch seconds: UTC; a classic stamp: year from the clock, zone from the `timezone` option). A line that
 * carries the DSHIELDINPUT prefix without a usable stamp is malformed `bad_time`; any other line is not_firewall.
 */
import { malformedResults, parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { IptablesParser, MALFORMED_REASONS as IPTABLES_REASONS } from '../iptables/index.js';
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const DSHIELD_MALFORMED_REASONS = [...IPTABLES_REASONS, 'bad_time'] as const;
export type DshieldMalformedReason = (typeof DSHIELD_MALFORMED_REASONS)[number];
const BAD = malformedResults(['bad_time', 'missing_in'] as const);

const SP = 32;
const EQ = 61;
const PREFIX = 'DSHIELDINPUT';
const PREFIX_BYTES = Uint8Array.from(PREFIX, (c) => c.charCodeAt(0));

export interface DshieldParserOptions {
  /** Zone of classic syslog stamps (the `generic` shape). Default 'local'. */
  timezone?: TimeZoneMode;
}

/** The DShield firewall log parser: a guard over the netfilter parser. Holds only caches, never line data. */
export class DshieldParser implements InputParser {
  readonly type = 'dshield';
  private readonly stamp: StampParser;
  private readonly netfilter: IptablesParser;
  private readonly scratch = new Utf8Scratch();

  constructor(opts: DshieldParserOptions = {}) {
    const timezone = opts.timezone ?? 'local';
    this.stamp = new StampParser(timezone);
    this.netfilter = new IptablesParser({ timezone });
  }

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    while (end > start) {
      const c = buf[end - 1];
      if (c !== 10 && c !== 13 && c !== SP && c !== 9) break;
      end--;
    }
    if (end <= start) return SKIP.empty;

    const tagged = hasPrefix(buf, start, end);
    const first = buf[start]!;
    const stamped = this.stamp.parse(buf, start, end, ctx.now) >= 0;
    if (!stamped) return tagged ? BAD.bad_time : SKIP.not_firewall;
    // Epoch and RFC 3339 stamps start with a digit; DShield reads those lines only with its prefix.
    const classic = first < 48 || first > 57;
    if (!classic && !tagged) return SKIP.not_firewall;
    const r = this.netfilter.parseBytes(buf, start, end, ctx);
    if (tagged && r.kind === 'skip' && r.reason === 'not_firewall') return BAD.missing_in;
    return r;
  }
}

/** True when `DSHIELDINPUT` stands before the first '=' of the line (the log prefix, before IN=). */
function hasPrefix(buf: Uint8Array, start: number, end: number): boolean {
  const last = Math.min(end, start + 512) - PREFIX_BYTES.length;
  for (let i = start; i <= last; i++) {
    const c = buf[i];
    if (c === EQ) return false;
    if (c !== 68) continue; // 'D'
    let k = 1;
    while (k < PREFIX_BYTES.length && buf[i + k] === PREFIX_BYTES[k]) k++;
    if (k === PREFIX_BYTES.length) return true;
  }
  return false;
}
