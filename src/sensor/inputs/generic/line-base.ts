/**
 * Shared plumbing of the byte-level line parsers in this folder and the honeypot inputs: `parseLine` goes through
 * the bytes (so a string and its UTF-8 bytes give the same result), a JSON line is trimmed, located and scanned
 * once, and a scanned value is looked at as bytes whatever its escapes.
 */
import type { InputParser, ParseContext, ParseResult } from '../input.js';
import { parseLineAsBytes, SKIP, Utf8Scratch } from '../input.js';
import { decodeJsonString, jsonStart, T_NONE, T_NULL, T_NUMBER, T_STRING } from './json-scan.js';
import type { JsonScanner } from './json-scan.js';
import { isNegativeInt, portAt } from './values.js';
import type { AddressReader } from './values.js';

/** A parser whose work is on bytes: `parseLine` encodes the string once into a reused buffer. */
export abstract class ByteLineParser implements InputParser {
  abstract readonly type: string;
  private readonly scratch = new Utf8Scratch();

  parseLine(line: string | Buffer, ctx: ParseContext): ParseResult {
    return parseLineAsBytes(this, this.scratch, line, ctx);
  }

  abstract parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult;
}

export function isBlank(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The line without trailing CR, LF, spaces and tabs: its new end. */
export function trimEnd(buf: Uint8Array, start: number, end: number): number {
  while (end > start && isBlank(buf[end - 1])) end--;
  return end;
}

/** The first byte that is not a space or tab. */
export function trimStart(buf: Uint8Array, start: number, end: number): number {
  while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
  return start;
}

/**
 * Prepares a JSON line: blank → skip `empty`; `#...` → skip `header` (comment lines of test files and some
 * shippers); no '{' → skip `not_firewall`; a line starting with '{' that is not one JSON object → `badJson`;
 * a prefixed line (syslog) whose object does not parse → skip `not_firewall`.
 * @returns null when `scanner` now holds the line's object, else the result for the line.
 */
export function scanJsonLine(
  scanner: JsonScanner,
  buf: Uint8Array,
  start: number,
  end: number,
  badJson: ParseResult,
): ParseResult | null {
  end = trimEnd(buf, start, end);
  start = trimStart(buf, start, end);
  if (end <= start) return SKIP.empty;
  if (buf[start] === 35) return SKIP.header; // '#'
  const at = jsonStart(buf, start, end);
  if (at < 0) return SKIP.not_firewall;
  if (scanner.scan(buf, at, end)) return null;
  return at === start ? badJson : SKIP.not_firewall;
}

/** What a slot holds, for a reader that wants a scalar. */
export const V_ABSENT = 0;
export const V_TEXT = 1;
export const V_OTHER = 2;

/**
 * A scanned value seen as bytes: `b[s, e)` is the string's content (escapes resolved into a private buffer when
 * there are any) or the number's text. `number` tells whether the value was a JSON number.
 */
export class SlotView {
  b: Uint8Array = new Uint8Array(0);
  s = 0;
  e = 0;
  number = false;
  private decoded = Buffer.allocUnsafe(256);

  /** @returns V_ABSENT (missing or null), V_TEXT (a string or number, now in b/s/e) or V_OTHER. */
  set(scanner: JsonScanner, buf: Uint8Array, slot: number): number {
    const t = scanner.type[slot];
    if (t === T_NONE || t === T_NULL) return V_ABSENT;
    if (t !== T_STRING && t !== T_NUMBER) return V_OTHER;
    const s = scanner.vs[slot] ?? 0;
    const e = scanner.ve[slot] ?? 0;
    this.number = t === T_NUMBER;
    if (scanner.esc[slot] !== 1) {
      this.b = buf;
      this.s = s;
      this.e = e;
      return V_TEXT;
    }
    const text = decodeJsonString(buf, s, e);
    if (text === null) return V_OTHER;
    const need = Buffer.byteLength(text, 'utf8');
    if (need > this.decoded.length) this.decoded = Buffer.allocUnsafe(need);
    this.b = this.decoded;
    this.s = 0;
    this.e = this.decoded.write(text, 0, 'utf8');
    return V_TEXT;
  }

  /** Whether the viewed text equals an ASCII constant. */
  is(text: string): boolean {
    if (this.e - this.s !== text.length) return false;
    for (let i = 0; i < text.length; i++) if (this.b[this.s + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** Whether the viewed text starts with an ASCII constant. */
  startsWith(text: string): boolean {
    if (this.e - this.s < text.length) return false;
    for (let i = 0; i < text.length; i++) if (this.b[this.s + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** A fresh string of the viewed text. */
  text(): string {
    return Buffer.from(this.b.buffer, this.b.byteOffset + this.s, this.e - this.s).toString('utf8');
  }
}

/** Port result of `portIn` when the slot is absent, empty or negative (`-1`: "no port"). */
export const PORT_ABSENT = -2;
/** Port result of `portIn` when the value is not a port. */
export const PORT_BAD = -1;

/** The port in a slot (a JSON number or a numeric string): 0-65535, PORT_ABSENT or PORT_BAD. */
export function portIn(v: SlotView, scanner: JsonScanner, buf: Uint8Array, slot: number): number {
  const k = v.set(scanner, buf, slot);
  if (k === V_ABSENT || (k === V_TEXT && v.e === v.s)) return PORT_ABSENT;
  if (k !== V_TEXT) return PORT_BAD;
  if (isNegativeInt(v.b, v.s, v.e)) return PORT_ABSENT;
  return portAt(v.b, v.s, v.e);
}

/** The address in a slot: canonical text, null when absent or empty, '' when it is not an address. */
export function addressIn(
  v: SlotView,
  scanner: JsonScanner,
  buf: Uint8Array,
  slot: number,
  reader: AddressReader,
): string | null {
  const k = v.set(scanner, buf, slot);
  if (k === V_ABSENT || (k === V_TEXT && v.e === v.s)) return null;
  if (k !== V_TEXT || v.number) return '';
  return reader.read(v.b, v.s, v.e) ?? '';
}
