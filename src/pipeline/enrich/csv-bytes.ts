/**
 * An RFC 4180 record splitter over a Buffer, for big, simple data files: it finds field bounds and leaves the
 * decoding of each field to the caller, so that most fields are never turned into strings.
 *
 * Invariants: fields are [start, end) byte offsets, without the quotes of a quoted field (its doubled quotes
 * are left in; see unquote()); lines end with LF or CRLF; a quoted field may hold commas and line breaks, which
 * are counted so the caller can name the right line; a stray quote is a CsvSyntaxError.
 */

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

export class CsvSyntaxError extends Error {}

export class CsvRecord {
  /** Bounds of the first MAX_FIELDS fields; `fields` counts them all. */
  static readonly MAX_FIELDS = 8;
  readonly start = new Int32Array(CsvRecord.MAX_FIELDS);
  readonly end = new Int32Array(CsvRecord.MAX_FIELDS);
  readonly quoted = new Uint8Array(CsvRecord.MAX_FIELDS);
  fields = 0;
  /** Line breaks inside quoted fields of the record. */
  innerLines = 0;

  constructor(readonly buf: Buffer) {}

  /** Splits the record that starts at `pos`. @returns the position after it (and its line break). */
  split(pos: number): number {
    const buf = this.buf;
    const len = buf.length;
    this.fields = 0;
    this.innerLines = 0;
    for (;;) {
      let start = pos;
      let quoted = 0;
      let end: number;
      if (buf[pos] === QUOTE) {
        quoted = 1;
        start = ++pos;
        for (;;) {
          if (pos >= len) throw new CsvSyntaxError('unterminated quoted field');
          const c = buf[pos];
          if (c === QUOTE) {
            if (buf[pos + 1] !== QUOTE) break;
            pos += 2;
          } else {
            if (c === LF) this.innerLines++;
            pos++;
          }
        }
        end = pos++;
        const c = buf[pos];
        if (pos < len && c !== COMMA && c !== LF && c !== CR)
          throw new CsvSyntaxError('text after a closing quote');
      } else {
        for (; pos < len; pos++) {
          const c = buf[pos];
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) throw new CsvSyntaxError('quote inside an unquoted field');
        }
        end = pos;
      }
      const n = this.fields++;
      if (n < CsvRecord.MAX_FIELDS) {
        this.start[n] = start;
        this.end[n] = end;
        this.quoted[n] = quoted;
      }
      if (pos >= len) return len;
      const c = buf[pos];
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c === CR) pos++;
      if (buf[pos] === LF) pos++;
      return pos;
    }
  }

  /** Field i decoded as UTF-8, doubled quotes undone: a fresh string, not a slice of anything. */
  text(i: number): string {
    const start = this.start[i] ?? 0;
    const end = this.end[i] ?? 0;
    const s = end > start ? this.buf.toString('utf8', start, end) : '';
    return this.quoted[i] === 1 && s.includes('"') ? s.replaceAll('""', '"') : s;
  }

  /** True when field i of this record has the same bytes as buf[s, e). */
  sameBytes(i: number, s: number, e: number): boolean {
    const fs = this.start[i] ?? 0;
    const n = (this.end[i] ?? 0) - fs;
    if (n !== e - s) return false;
    const buf = this.buf;
    for (let k = 0; k < n; k++) if (buf[fs + k] !== buf[s + k]) return false;
    return true;
  }
}

/** True for a blank line's first byte. */
export function isLineBreak(c: number | undefined): boolean {
  return c === LF || c === CR;
}
