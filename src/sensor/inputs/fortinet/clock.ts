/**
 * Civil date and time to epoch ms for the appliance inputs (fortinet, paloalto): FortiOS `date`/`time`, PAN-OS
 * `YYYY/MM/DD HH:MM:SS`, CEF `MMM dd yyyy HH:mm:ss`. Also used by the paloalto input.
 *
 * Invariant: a time with an explicit UTC offset is exact; one without takes the configured zone (utc, or the
 * sensor's local zone). Date arithmetic runs once per hour of time seen (one-entry cache), not per line.
 */
import { digits } from './bytes.js';

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(y: number, mo: number): number {
  if (mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0)) return 29;
  return DAYS[mo - 1] ?? 0;
}

export class CivilClock {
  private key = NaN;
  private base = 0;

  constructor(private readonly zone: 'utc' | 'local') {}

  /**
   * @param mo month 1-12. @param offsetMin minutes east of UTC, or undefined for the configured zone.
   * @returns epoch ms, or NaN when a field is out of range (month 13, 31 April, 24:00, year before 1970).
   */
  ms(
    y: number,
    mo: number,
    d: number,
    h: number,
    mi: number,
    s: number,
    ms: number,
    offsetMin?: number,
  ): number {
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return NaN;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || ms < 0 || ms > 999) return NaN;
    const utc = offsetMin !== undefined || this.zone === 'utc';
    const key = (((y * 13 + mo) * 32 + d) * 24 + h) * 2 + (utc ? 1 : 0);
    if (key !== this.key) {
      this.key = key;
      this.base = utc ? Date.UTC(y, mo - 1, d, h) : new Date(y, mo - 1, d, h).getTime();
    }
    const ts = this.base + mi * 60_000 + s * 1000 + ms - (offsetMin ?? 0) * 60_000;
    return ts >= 0 ? ts : NaN;
  }
}

/** Month 1-12 of an English three-letter abbreviation at buf[p] (any case), or -1. */
export function monthAt(buf: Uint8Array, p: number): number {
  const k = (((buf[p] ?? 0) | 32) << 16) | (((buf[p + 1] ?? 0) | 32) << 8) | ((buf[p + 2] ?? 0) | 32);
  const i = MONTH_KEYS.indexOf(k);
  return i < 0 ? -1 : i + 1;
}
const MONTH_KEYS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map(
  (m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
);

/**
 * Milliseconds of a fraction `.d+` at buf[p] (p at the dot) and the index after it: [ms, end]; [0, p] when there
 * is no dot; [-1, p] when the dot has no digit after it.
 */
export function fractionAt(buf: Uint8Array, p: number, end: number): [number, number] {
  if (p >= end || buf[p] !== 46) return [0, p];
  let ms = 0;
  let scale = 100;
  let q = p + 1;
  for (; q < end; q++) {
    const c = buf[q] ?? 0;
    if (c < 48 || c > 57) break;
    ms += (c - 48) * scale;
    scale = Math.floor(scale / 10);
  }
  return q === p + 1 ? [-1, p] : [ms, q];
}

/** `HH:MM:SS` at buf[p, p+8) as [h, m, s], or null. */
export function clockAt(buf: Uint8Array, p: number, end: number): [number, number, number] | null {
  if (p + 8 > end || buf[p + 2] !== 58 || buf[p + 5] !== 58) return null;
  const h = digits(buf, p, p + 2, 2);
  const m = digits(buf, p + 3, p + 5, 2);
  const s = digits(buf, p + 6, p + 8, 2);
  return h < 0 || m < 0 || s < 0 ? null : [h, m, s];
}
