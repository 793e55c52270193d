/**
 * The generic `csv` input: delimited text (CSV, TSV, Zeek's TSV logs), one record per line, fields found by
 * column name through the configured map (options.ts, record.ts).
 *
 * Invariants:
 * - Cells follow RFC 4180: a cell starting with '"' is quoted, `""` inside is one quote, and the delimiter and
 *   spaces inside quotes are text. A quoted cell with a line break cannot be read line by line: both halves are
 *   `bad_quote`. Spaces around unquoted cells are trimmed (unless the delimiter is a space).
 * - Empty cells, `-` and `(empty)` (Zeek's unset and empty markers) are no value.
 * - The layout (column name → index) comes from `columns` until a header row is seen; with `header: true` a row
 *   holding the names of the ts, src and port fields is a header (skip `header`) and declares the layout, and so
 *   does Zeek's `#fields` line. Without `columns`, rows before the first header are `no_header`. Other lines
 *   starting with '#' are comments (skip `header`). The header check runs only on rows that gave no event, so
 *   it costs nothing on the hot path.
 */
import type { ParseContext, ParseResult } from '../input.js';
import { SKIP } from '../input.js';
import type { TimeZoneMode } from '../iptables/timestamp.js';
import { ByteLineParser, trimEnd, V_ABSENT, V_TEXT } from './line-base.js';
import { csvOptionsSchema, DEFAULT_CSV_COLUMNS, DEFAULT_FIELDS, resolveCommon } from './options.js';
import type { CsvOptions, FieldMap } from './options.js';
import { BAD, F_PORT, F_SRC, F_TS, fieldNames, RecordReader } from './record.js';
import type { FieldSource } from './record.js';

const QUOTE = 34;
const HASH_FIELDS = Buffer.from('#fields');
const EMPTY = new Uint8Array(0);

export class CsvParser extends ByteLineParser implements FieldSource {
  readonly type = 'csv';
  b: Uint8Array = EMPTY;
  s = 0;
  e = 0;
  readonly number = false;

  private readonly delim: number;
  private readonly trim: boolean;
  private readonly header: boolean;
  private readonly record: RecordReader;
  /** Field names by field index, as bytes ('' for unmapped). */
  private readonly names: Buffer[];
  /** Column of each field in the current layout (-1: none), or null before any layout is known. */
  private colOf: Int32Array | null = null;
  private need = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private escaped = new Uint8Array(64);
  private cells = 0;
  private line: Uint8Array = EMPTY;
  private unquoted = Buffer.allocUnsafe(256);

  /** @param options validated options (undefined: the defaults of options.ts). */
  constructor(options?: CsvOptions, timezone: TimeZoneMode = 'utc') {
    super();
    const o = options ?? csvOptionsSchema.parse({});
    const common = resolveCommon(o);
    this.delim = o.delimiter.charCodeAt(0);
    this.trim = this.delim !== 32;
    this.header = o.header;
    this.names = fieldNames(common).map((n) => Buffer.from(n, 'utf8'));
    this.record = new RecordReader(common, timezone);
    // With the default field map and no columns, the default columns are the layout until a header is seen.
    const columns = o.columns ?? (sameFields(o.fields, DEFAULT_FIELDS) ? DEFAULT_CSV_COLUMNS : undefined);
    if (columns !== undefined) this.layout(columns.map((c) => Buffer.from(c, 'utf8')));
  }

  parseBytes(buf: Uint8Array, start: number, end: number, ctx: ParseContext): ParseResult {
    end = trimEnd(buf, start, end);
    if (end <= start) return SKIP.empty;
    if (buf[start] === 35) {
      // '#': Zeek's `#fields<delim>name<delim>...` declares the layout; other '#' lines are comments.
      const f = start + HASH_FIELDS.length;
      if (this.header && f < end && buf[f] === this.delim && startsWith(buf, start, end, HASH_FIELDS)) {
        const n = this.split(buf, f + 1, end, Infinity);
        if (n > 0) this.layout(this.cellNames(buf, n));
      }
      return SKIP.header;
    }
    if (this.colOf === null) {
      const n = this.split(buf, start, end, Infinity);
      if (n < 0) return BAD.bad_quote;
      return this.headerRow(buf, n) ? SKIP.header : BAD.no_header;
    }
    const n = this.split(buf, start, end, this.need);
    let r: ParseResult;
    if (n < 0) {
      r = BAD.bad_quote;
    } else {
      this.cells = n;
      this.line = buf;
      r = this.record.read(this, ctx);
      this.line = EMPTY;
      this.b = EMPTY;
    }
    if (r.kind !== 'event' && this.header) {
      const all = this.split(buf, start, end, Infinity);
      if (all > 0 && this.headerRow(buf, all)) return SKIP.header;
    }
    return r;
  }

  get(i: number): number {
    const col = this.colOf?.[i] ?? -1;
    if (col < 0 || col >= this.cells) return V_ABSENT;
    let s = this.starts[col] ?? 0;
    let e = this.ends[col] ?? 0;
    let b = this.line;
    if (e === s) return V_ABSENT;
    if (this.escaped[col] === 1) {
      // `""` → `"`, into a private buffer.
      if (e - s > this.unquoted.length) this.unquoted = Buffer.allocUnsafe(e - s);
      const out = this.unquoted;
      let n = 0;
      for (let p = s; p < e; p++) {
        const c = b[p] ?? 0;
        out[n++] = c;
        if (c === QUOTE) p++;
      }
      b = out;
      s = 0;
      e = n;
    } else if ((e - s === 1 && b[s] === 45) || (e - s === 7 && startsWith(b, s, e, EMPTY_MARK))) {
      return V_ABSENT; // Zeek's unset `-` and empty-set `(empty)`
    }
    this.b = b;
    this.s = s;
    this.e = e;
    return V_TEXT;
  }

  /** Splits [p, end) into at most `limit` cells (bounds in starts/ends). @returns the count, or -1 on bad quoting. */
  private split(buf: Uint8Array, p: number, end: number, limit: number): number {
    const d = this.delim;
    let n = 0;
    for (;;) {
      if (n === this.starts.length) this.grow();
      let s = p;
      if (this.trim) while (s < end && this.blank(buf[s])) s++;
      let next: number;
      if (s < end && buf[s] === QUOTE) {
        let q = s + 1;
        let esc = 0;
        for (;;) {
          if (q >= end) return -1;
          if (buf[q] === QUOTE) {
            if (q + 1 < end && buf[q + 1] === QUOTE) {
              esc = 1;
              q += 2;
              continue;
            }
            break;
          }
          q++;
        }
        this.starts[n] = s + 1;
        this.ends[n] = q;
        this.escaped[n] = esc;
        let r = q + 1;
        if (this.trim) while (r < end && this.blank(buf[r])) r++;
        if (r < end && buf[r] !== d) return -1;
        next = r;
      } else {
        let r = s;
        while (r < end && buf[r] !== d) r++;
        let e = r;
        if (this.trim) while (e > s && this.blank(buf[e - 1])) e--;
        this.starts[n] = s;
        this.ends[n] = e;
        this.escaped[n] = 0;
        next = r;
      }
      n++;
      if (next >= end || n >= limit) return n;
      p = next + 1;
    }
  }

  private blank(c: number | undefined): boolean {
    return c === 32 || (c === 9 && this.delim !== 9);
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const escaped = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    escaped.set(this.escaped);
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }

  /** True when row's cells name the ts, src and port fields: then it becomes the layout. */
  private headerRow(buf: Uint8Array, n: number): boolean {
    for (const f of [F_TS, F_SRC, F_PORT]) if (this.find(buf, n, this.names[f] ?? EMPTY) < 0) return false;
    this.layout(this.cellNames(buf, n));
    return true;
  }

  /** Index of the cell whose text is `name`, or -1. */
  private find(buf: Uint8Array, n: number, name: Uint8Array): number {
    outer: for (let c = 0; c < n; c++) {
      const s = this.starts[c] ?? 0;
      if ((this.ends[c] ?? 0) - s !== name.length || this.escaped[c] === 1) continue;
      for (let i = 0; i < name.length; i++) if (buf[s + i] !== name[i]) continue outer;
      return c;
    }
    return -1;
  }

  /** Fresh copies of the first n cells' text (header rows are rare). */
  private cellNames(buf: Uint8Array, n: number): Buffer[] {
    const out: Buffer[] = [];
    for (let c = 0; c < n; c++) {
      const s = this.starts[c] ?? 0;
      let name = Buffer.from(buf.subarray(s, this.ends[c] ?? s));
      if (this.escaped[c] === 1) name = Buffer.from(name.toString('utf8').replaceAll('""', '"'), 'utf8');
      out.push(name);
    }
    return out;
  }

  private layout(columns: readonly Buffer[]): void {
    const colOf = new Int32Array(this.names.length).fill(-1);
    let need = 0;
    this.names.forEach((name, i) => {
      if (name.length === 0) return;
      const c = columns.findIndex((col) => col.equals(name));
      colOf[i] = c;
      if (c >= 0) need = Math.max(need, c + 1);
    });
    this.colOf = colOf;
    this.need = need;
  }
}

const EMPTY_MARK = Buffer.from('(empty)');

function sameFields(a: FieldMap, b: FieldMap): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof FieldMap>;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

function startsWith(buf: Uint8Array, p: number, end: number, word: Uint8Array): boolean {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word[i]) return false;
  return true;
}
