/**
 * What may stand in front of a Cisco message tag, read on the line's latin1 text (string index = byte offset):
 *   [<PRI>] [stamp] [host [:]] %ASA-6-302013: ...
 * Stamps: classic BSD syslog `Mmm dd HH:MM:SS` (year from the sensor clock, iptables/timestamp.ts), the ASA's own
 * `Mmm dd yyyy HH:MM:SS[:]` (`logging timestamp`), RFC 3339 / RFC 5424 (`<PRI>1 2018-10-03T17:34:08Z ...`), Unix
 * epoch seconds, and the pipe-separated `sev|Mmm dd yyyy HH:MM:SS|id: ...` some collectors write.
 *
 * Invariant: `read` returns the index where the rest of the line starts and leaves `state` NONE (no stamp: the
 * caller uses ctx.now), OK (`ts` holds the time, ms since the epoch, a non-negative integer) or BAD (the line
 * starts like a stamp that is not a valid one). Date arithmetic is cached per hour, not done per line.
 */
import { StampParser } from '../iptables/timestamp.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';

export const STAMP_NONE = 0;
export const STAMP_OK = 1;
export const STAMP_BAD = 2;

const SP = 32;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `n` decimal digits of `s` at `p`, or -1. */
function digits(s: string, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(p + i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Month 0-11 of three letters (any case) at `p`, or -1. */
export function monthAt(s: string, p: number): number {
  const k = ((s.charCodeAt(p) | 32) << 16) | ((s.charCodeAt(p + 1) | 32) << 8) | (s.charCodeAt(p + 2) | 32);
  switch (k) {
    case 0x6a616e:
      return 0;
    case 0x666562:
      return 1;
    case 0x6d6172:
      return 2;
    case 0x617072:
      return 3;
    case 0x6d6179:
      return 4;
    case 0x6a756e:
      return 5;
    case 0x6a756c:
      return 6;
    case 0x617567:
      return 7;
    case 0x736570:
      return 8;
    case 0x6f6374:
      return 9;
    case 0x6e6f76:
      return 10;
    case 0x646563:
      return 11;
    default:
      return -1;
  }
}

export class HeaderReader {
  /** STAMP_NONE, STAMP_OK or STAMP_BAD after `read`. */
  state = STAMP_NONE;
  /** The stamp's time when `state` is STAMP_OK. */
  ts = 0;
  private readonly stamp: StampParser;
  private readonly utc: boolean;
  private hourKey = NaN;
  private hourBase = 0;

  constructor(zone: TimeZoneMode) {
    this.stamp = new StampParser(zone);
    this.utc = zone === 'utc';
  }

  /**
   * Reads `[<PRI>][stamp]` at the start of `s`, whose bytes are `b[o, o + s.length)`.
   * @returns the index after the stamp (and a ':' right after it), or after the PRI when there is no stamp.
   */
  read(s: string, b: Uint8Array, o: number, now: number): number {
    const n = s.length;
    let p = 0;
    while (p < n && (s.charCodeAt(p) === SP || s.charCodeAt(p) === 9)) p++;
    if (s.charCodeAt(p) === 60) {
      let j = p + 1;
      while (j < n && j < p + 5 && isDigit(s.charCodeAt(j))) j++;
      if (j > p + 1 && s.charCodeAt(j) === 62) p = j + 1;
    }
    this.state = STAMP_NONE;
    const c = s.charCodeAt(p);
    if (isDigit(c)) return this.numeric(s, b, o, p, now);
    if (monthAt(s, p) < 0 || s.charCodeAt(p + 3) !== SP) return p;
    let r = this.asa(s, p, n);
    if (r < 0) {
      const q = this.stamp.parse(b, o + p, o + n, now);
      if (q >= 0 && this.stamp.ts >= 0) {
        this.ok(this.stamp.ts);
        r = q - o;
      }
    }
    if (r < 0) {
      this.state = STAMP_BAD;
      return p;
    }
    return s.charCodeAt(r) === 58 ? r + 1 : r;
  }

  /**
   * An RFC 3339 stamp (`YYYY-MM-DDTHH:MM:SS...`) in `b[s, e)` as a whole, for FTD's `FirstPacketSecond`.
   * @returns false when it is not one (then `ts` is untouched).
   */
  rfc3339(b: Uint8Array, s: number, e: number): boolean {
    if (e - s < 19 || b[s + 4] !== 45) return false;
    const q = this.stamp.parse(b, s, e, 0);
    if (q !== e || this.stamp.ts < 0) return false;
    this.ts = this.stamp.ts;
    return true;
  }

  private ok(ts: number): void {
    this.state = STAMP_OK;
    this.ts = ts;
  }

  /** Stamps that start with a digit: RFC 3339 / 5424, `sev|` pipe form, epoch seconds. */
  private numeric(s: string, b: Uint8Array, o: number, p: number, now: number): number {
    const n = s.length;
    let q = p;
    // RFC 5424: `<PRI>1 2018-...`, the version digit before the stamp.
    if (s.charCodeAt(p + 1) === SP && isDigit(s.charCodeAt(p + 2))) q = p + 2;
    if (s.charCodeAt(q + 4) === 45 && digits(s, q, 4) >= 0) {
      const r = this.stamp.parse(b, o + q, o + n, now);
      if (r < 0 || this.stamp.ts < 0) {
        this.state = STAMP_BAD;
        return q;
      }
      this.ok(this.stamp.ts);
      return r - o;
    }
    if (s.charCodeAt(p + 1) === 124) {
      // `6|Nov 28 2014 12:59:03|302021: ...`
      const r = this.asa(s, p + 2, n);
      if (r < 0) {
        this.state = STAMP_BAD;
        return p + 2;
      }
      return s.charCodeAt(r) === 124 ? r + 1 : r;
    }
    if (digits(s, p, 10) >= 0) {
      const r = this.stamp.parse(b, o + p, o + n, now);
      if (r >= 0) {
        this.ok(this.stamp.ts);
        return r - o;
      }
    }
    return p;
  }

  /** The ASA's `Mmm dd yyyy HH:MM:SS[.fff]` at `p`, ended by the line end, ' ', ':' or '|'; sets `ts`. */
  private asa(s: string, p: number, n: number): number {
    const mo = monthAt(s, p);
    if (mo < 0 || s.charCodeAt(p + 3) !== SP) return -1;
    let q = p + 4;
    if (s.charCodeAt(q) === SP) q++;
    let day = digits(s, q, 1);
    q++;
    if (isDigit(s.charCodeAt(q))) {
      day = day * 10 + (s.charCodeAt(q) - 48);
      q++;
    }
    if (day < 1 || day > 31 || s.charCodeAt(q) !== SP) return -1;
    const y = digits(s, q + 1, 4);
    q += 5;
    if (y < 1970 || s.charCodeAt(q) !== SP) return -1;
    const h = digits(s, q + 1, 2);
    const mi = digits(s, q + 4, 2);
    const sec = digits(s, q + 7, 2);
    if (s.charCodeAt(q + 3) !== 58 || s.charCodeAt(q + 6) !== 58) return -1;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return -1;
    q += 9;
    let ms = 0;
    if (s.charCodeAt(q) === 46) {
      let scale = 100;
      let r = q + 1;
      while (r < n && isDigit(s.charCodeAt(r))) {
        ms += (s.charCodeAt(r) - 48) * scale;
        scale = Math.floor(scale / 10);
        r++;
      }
      if (r === q + 1) return -1;
      q = r;
    }
    const t = s.charCodeAt(q);
    if (q < n && t !== SP && t !== 58 && t !== 124) return -1;
    const ts = this.hourStart(y, mo, day, h) + mi * 60_000 + sec * 1000 + ms;
    if (ts < 0) return -1;
    this.ok(ts);
    return q;
  }

  private hourStart(y: number, mo: number, d: number, h: number): number {
    const key = ((y * 12 + mo) * 32 + d) * 24 + h;
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourBase = this.utc ? Date.UTC(y, mo, d, h) : new Date(y, mo, d, h).getTime();
    }
    return this.hourBase;
  }
}
