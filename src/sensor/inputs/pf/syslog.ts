/**
 * The syslog envelope around a record, read from bytes without allocating (shared by the pf and filterlog
 * inputs):
 * - BSD syslog (RFC 3164): `[<PRI>]Mmm dd HH:MM:SS [host] tag[pid]: body` (pfSense leaves the host out when it
 *   forwards), or an RFC 3339 / epoch stamp in the same place (rsyslog templates);
 * - RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD body`, SD being `-` or `[id k="v" ...]` blocks, also
 *   without its `<PRI>1 ` (written so by some relays) when no BSD `tag:` follows an RFC 3339 stamp.
 * Stamps are read by the netfilter input's StampParser (year inference from the clock for year-less stamps, the
 * configured zone for stamps without one).
 *
 * Invariant: `parse` reads `buf[start, end)` only and returns one of the HDR_* codes; the positions it leaves
 * are valid for that code only.
 */
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const SP = 32;
const COLON = 58;
const LT = 60;
const GT = 62;
const LBRACKET = 91;
const RBRACKET = 93;
const QUOTE = 34;
const BACKSLASH = 92;

/** No stamp at the start of the line (a bare record, or not syslog at all). */
export const HDR_NONE = 0;
/** A stamp but no `tag:` after it within two tokens; `afterStamp` is set. */
export const HDR_STAMP = 1;
/** A full header: `ts`, `afterStamp`, the tag name in [tagStart, tagEnd) and the body start `body`. */
export const HDR_TAG = 2;
/** A `<PRI>` (so syslog) but no usable stamp after it (RFC 5424 NILVALUE `-`, or a garbled stamp). */
export const HDR_BAD_TIME = 3;

export type HeaderKind = typeof HDR_NONE | typeof HDR_STAMP | typeof HDR_TAG | typeof HDR_BAD_TIME;

export function skipSpaces(buf: Uint8Array, p: number, end: number): number {
  while (p < end && (buf[p] === SP || buf[p] === 9)) p++;
  return p;
}

function tokenEnd(buf: Uint8Array, p: number, end: number): number {
  while (p < end && buf[p] !== SP && buf[p] !== 9) p++;
  return p;
}

/** True when buf[p, p + word.length) equals `word` (ASCII). */
export function bytesAre(buf: Uint8Array, p: number, end: number, word: string): boolean {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word.charCodeAt(i)) return false;
  return true;
}

export class SyslogHeader {
  /** The header's time (ms), valid for HDR_STAMP and HDR_TAG. */
  ts = 0;
  afterStamp = 0;
  tagStart = 0;
  tagEnd = 0;
  body = 0;
  private readonly stamp: StampParser;

  constructor(zone: TimeZoneMode) {
    this.stamp = new StampParser(zone);
  }

  parse(buf: Uint8Array, start: number, end: number, now: number): HeaderKind {
    let p = start;
    let pri = false;
    let rfc5424 = false;
    if (buf[p] === LT) {
      let q = p + 1;
      while (q < end && q - p <= 4 && buf[q]! >= 48 && buf[q]! <= 57) q++;
      if (q > p + 1 && q < end && buf[q] === GT) {
        pri = true;
        p = q + 1;
        // RFC 5424 VERSION: "1 " (1-2 digits then a space).
        const c = p + 2 < end ? buf[p]! : 0;
        if (c >= 49 && c <= 57) {
          if (buf[p + 1] === SP) {
            rfc5424 = true;
            p += 2;
          } else if (p + 3 < end && buf[p + 1]! >= 48 && buf[p + 1]! <= 57 && buf[p + 2] === SP) {
            rfc5424 = true;
            p += 3;
          }
        }
      }
    }
    const q = this.stamp.parse(buf, p, end, now);
    if (q < 0) return pri ? HDR_BAD_TIME : HDR_NONE;
    this.ts = this.stamp.ts;
    this.afterStamp = q;
    const stampStart = p;
    p = skipSpaces(buf, q, end);
    if (rfc5424) return this.rfc5424(buf, p, end);
    const afterStamp = p;

    // BSD: `tag:` right after the stamp, or after one host token.
    for (let n = 0; n < 2 && p < end; n++) {
      const s = p;
      const e = tokenEnd(buf, p, end);
      if (e > s + 1 && buf[e - 1] === COLON) {
        this.tagStart = s;
        let t = s;
        while (t < e - 1 && buf[t] !== LBRACKET) t++;
        this.tagEnd = t;
        this.body = skipSpaces(buf, e, end);
        return HDR_TAG;
      }
      p = skipSpaces(buf, e, end);
    }
    // An RFC 3339 stamp without a `tag:`: an RFC 5424 line whose `<PRI>VERSION` a relay or file writer dropped.
    const c = buf[stampStart]!;
    if (c >= 48 && c <= 57 && buf[stampStart + 4] === 45 && p < end)
      return this.rfc5424(buf, afterStamp, end);
    return HDR_STAMP;
  }

  /** HOST APP PROCID MSGID SD [MSG], from the byte after the stamp. */
  private rfc5424(buf: Uint8Array, p: number, end: number): HeaderKind {
    p = skipSpaces(buf, tokenEnd(buf, p, end), end); // HOSTNAME
    const appStart = p;
    const appEnd = tokenEnd(buf, p, end);
    p = skipSpaces(buf, appEnd, end);
    p = skipSpaces(buf, tokenEnd(buf, p, end), end); // PROCID
    p = skipSpaces(buf, tokenEnd(buf, p, end), end); // MSGID
    if (appEnd === appStart) return HDR_STAMP;
    if (p < end && buf[p] === LBRACKET) {
      // One or more SD-ELEMENTs; PARAM-VALUEs are quoted and may hold escaped '"', '\' and ']'.
      while (p < end && buf[p] === LBRACKET) {
        let inQuote = false;
        p++;
        while (p < end) {
          const c = buf[p];
          if (inQuote) {
            if (c === BACKSLASH) p++;
            else if (c === QUOTE) inQuote = false;
          } else if (c === QUOTE) inQuote = true;
          else if (c === RBRACKET) break;
          p++;
        }
        p++;
      }
    } else {
      p = tokenEnd(buf, p, end); // NILVALUE "-"
    }
    this.tagStart = appStart;
    this.tagEnd = appEnd;
    this.body = skipSpaces(buf, Math.min(p, end), end);
    return HDR_TAG;
  }
}

/**
 * True when one of the first tokens of the line is the program `name` as a syslog tag (`name:`,
 * `name[pid]:`, or the bare RFC 5424 APP-NAME): tells a garbled header of this format from another program's
 * line. Looks at most at the first 8 tokens and 160 bytes.
 */
export function hasTag(buf: Uint8Array, start: number, end: number, name: string): boolean {
  const limit = Math.min(end, start + 160);
  let p = skipSpaces(buf, start, limit);
  for (let n = 0; n < 8 && p < limit; n++) {
    const e = tokenEnd(buf, p, limit);
    if (bytesAre(buf, p, e, name)) {
      const q = p + name.length;
      if (q === e || buf[q] === COLON || buf[q] === LBRACKET) return true;
    }
    p = skipSpaces(buf, e, limit);
  }
  return false;
}
