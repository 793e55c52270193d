/**
 * ArcSight CEF (Common Event Format, "Implementing ArcSight CEF", rev. 25) as FortiGate and PAN-OS / Cortex
 * write it: `[syslog header] CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|
 * Extension`, the extension being `key=value` pairs separated by spaces, where a value may contain spaces and
 * escapes `=` as `\=`. Read on bytes, in place. Also used by the paloalto input.
 *
 * Invariants:
 * - A value runs from its `=` to the last space before the next unescaped `=` (so `dvchost=GP cloud service
 *   cat=x` gives `GP cloud service`); the last value runs to the end of the line. Surrounding double quotes and
 *   trailing spaces are not part of a value.
 * - Nothing is read outside [from, end).
 */
import { BACKSLASH, EQ, eqAt, ascii, isDigitByte, offsetAt, PIPE, QUOTE, SP, digits } from './bytes.js';
import type { CivilClock } from './clock.js';
import { clockAt, fractionAt, monthAt } from './clock.js';

const CEF = ascii('CEF:');

/** Where the header fields of a CEF line are, and where the extension starts. */
export interface CefHeader {
  /** [start, end) of field i at [2i] and [2i+1]: 0 version, 1 vendor, 2 product, 3 device version, 4 signature id, 5 name, 6 severity. */
  readonly at: Int32Array;
  extension: number;
}

export function newCefHeader(): CefHeader {
  return { at: new Int32Array(14), extension: 0 };
}

/** True when a CEF record starts at buf[p]: `CEF:` or a bare `0|` (a collector cut the marker). */
export function isCefStart(buf: Uint8Array, p: number, end: number): boolean {
  return eqAt(buf, p, end, CEF) || (p + 1 < end && isDigitByte(buf[p]) && buf[p + 1] === PIPE);
}

/** Reads the seven header fields of the CEF record at buf[p] into `h`; false when they are not all there. */
export function cefHeaderAt(buf: Uint8Array, p: number, end: number, h: CefHeader): boolean {
  let q = eqAt(buf, p, end, CEF) ? p + 4 : p;
  for (let f = 0; f < 7; f++) {
    let bar = q;
    while (bar < end && !(buf[bar] === PIPE && buf[bar - 1] !== BACKSLASH)) bar++;
    if (bar >= end) return false;
    h.at[2 * f] = q;
    h.at[2 * f + 1] = bar;
    q = bar + 1;
  }
  h.extension = q;
  return true;
}

/** Index of the next `=` in buf[p, end) not escaped by a backslash, or -1. */
function equalsAt(buf: Uint8Array, p: number, end: number): number {
  for (let i = p; i < end; i++) if (buf[i] === EQ && buf[i - 1] !== BACKSLASH) return i;
  return -1;
}

/**
 * Calls `visit(keyStart, keyEnd, valueStart, valueEnd)` for each extension pair in buf[from, end), in order;
 * stops early when `visit` returns true.
 */
export function scanCefExtension(
  buf: Uint8Array,
  from: number,
  end: number,
  visit: (ks: number, ke: number, vs: number, ve: number) => boolean,
): void {
  let ks = from;
  while (ks < end && buf[ks] === SP) ks++;
  let eq = equalsAt(buf, ks, end);
  while (eq > ks) {
    const vs = eq + 1;
    let next = equalsAt(buf, vs, end);
    let sp = -1;
    // The next key starts after the last space before the next `=`; an `=` with no space between it and the
    // start of the value belongs to the value.
    while (next >= 0) {
      sp = next - 1;
      while (sp >= vs && buf[sp] !== SP) sp--;
      if (sp >= vs) break;
      next = equalsAt(buf, next + 1, end);
    }
    let a = vs;
    let b = next < 0 ? end : sp;
    while (b > a && buf[b - 1] === SP) b--;
    if (b - a >= 2 && buf[a] === QUOTE && buf[b - 1] === QUOTE) {
      a++;
      b--;
    }
    if (visit(ks, eq, a, b) || next < 0) return;
    ks = sp + 1;
    eq = next;
  }
}

/**
 * A CEF time value in buf[a, b): epoch milliseconds (10-14 digits; 10-11 are seconds), or `MMM dd yyyy
 * HH:mm:ss[.SSS]` optionally followed by a zone (`UTC`, `GMT`, `Z`, `+hh:mm`). A zone-less time is at
 * `defaultOffset` minutes east of UTC (0 for `dtz=UTC`, a FortiOS `tz`), or in the clock's configured zone when
 * that is undefined. @returns epoch ms, or NaN.
 */
export function cefTimeAt(
  buf: Uint8Array,
  a: number,
  b: number,
  clock: CivilClock,
  defaultOffset: number | undefined,
): number {
  if (b - a >= 10 && b - a <= 14 && isDigitByte(buf[a])) {
    const v = digits(buf, a, b, 14);
    return v < 0 ? NaN : b - a <= 11 ? v * 1000 : v;
  }
  if (b - a < 20 || buf[a + 3] !== SP || buf[a + 6] !== SP || buf[a + 11] !== SP) return NaN;
  const mo = monthAt(buf, a);
  const d = digits(buf, a + 4, a + 6, 2);
  const y = digits(buf, a + 7, a + 11, 4);
  const hms = clockAt(buf, a + 12, b);
  if (mo < 0 || d < 0 || y < 0 || hms === null) return NaN;
  const [ms, q] = fractionAt(buf, a + 20, b);
  if (ms < 0) return NaN;
  let p = q;
  while (p < b && buf[p] === SP) p++;
  let offset = defaultOffset;
  if (p < b) {
    offset = offsetAt(buf, p, b);
    if (Number.isNaN(offset)) return NaN;
  }
  return clock.ms(y, mo, d, hms[0], hms[1], hms[2], ms, offset);
}
