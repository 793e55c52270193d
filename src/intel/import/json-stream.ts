/**
 * A streaming reader of one JSON document of the shape `{ ..., "<arrayKey>": [ record, record, ... ], ... }`
 * (the CISA KEV catalogue, NVD CVE API 2.0 answers and feeds): it yields the other top-level fields and each
 * record of the array, parsed one at a time, so a file of any size is read with memory bounded by the largest
 * record.
 *
 * Rules:
 * - The structure is checked as it is read: a file that is not one JSON object, ends early (truncated) or has
 *   anything after its end is refused whole with SW_INTEL_INVALID naming the character offset. A record that is
 *   not valid JSON refuses the file too (the file is then not JSON at all).
 * - A record longer than `maxRecordChars` is skipped over (its characters are scanned, not kept) and yielded
 *   as `oversize`, for the caller to count; other top-level values are bounded by `maxFieldChars`.
 * - Records are yielded in file order with their 0-based index.
 */
import { makeError } from '../../core/errors.js';

export type JsonItem =
  | { kind: 'field'; key: string; value: unknown }
  | { kind: 'array'; key: string }
  | { kind: 'record'; index: number; value: unknown }
  | { kind: 'oversize'; index: number; chars: number };

export interface JsonStreamOptions {
  /** The file, for messages. */
  name: string;
  /** The top-level key whose array holds the records. */
  arrayKey: string;
  maxRecordChars: number;
  /** Default 1 MiB of characters. */
  maxFieldChars?: number;
}

const isWs = (c: string): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t';

/** Characters of a chunked text, one look-ahead character at a time, with balanced-value capture. */
class Cursor {
  private buf = '';
  private pos = 0;
  private base = 0;
  private ended = false;

  constructor(private readonly chunks: Iterator<string>) {}

  get offset(): number {
    return this.base + this.pos;
  }

  /** The current character ('' at the end of the text). */
  peek(): string {
    while (this.pos >= this.buf.length) {
      if (this.ended) return '';
      const r = this.chunks.next();
      if (r.done === true) {
        this.ended = true;
        return '';
      }
      this.base += this.buf.length;
      this.buf = r.value;
      this.pos = 0;
    }
    return this.buf.charAt(this.pos);
  }

  advance(): void {
    this.pos++;
  }

  skipWs(): string {
    for (let c = this.peek(); ; c = this.peek()) {
      if (!isWs(c)) return c;
      this.pos++;
    }
  }

  /**
   * One JSON value from here: an object or array up to its matching bracket, a string up to its closing quote,
   * or a literal up to the next delimiter. Text over `max` characters is not kept (text null).
   * @returns null text and `eof` when the text ends inside the value.
   */
  capture(max: number): { text: string | null; chars: number; eof: boolean } {
    const parts: string[] = [];
    const first = this.peek();
    const literal = first !== '{' && first !== '[' && first !== '"';
    let chars = 0;
    let depth = 0;
    let inStr = false;
    let esc = false;
    let over = false;
    let done = false;
    while (!done) {
      if (this.peek() === '') {
        if (literal && chars > 0) break;
        return { text: null, chars, eof: true };
      }
      const buf = this.buf;
      const start = this.pos;
      let i = start;
      for (; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (inStr) {
          if (esc) esc = false;
          else if (c === 92) esc = true;
          else if (c === 34) {
            inStr = false;
            if (depth === 0) {
              i++;
              done = true;
              break;
            }
          }
        } else if (c === 34) inStr = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          if (depth === 0) {
            done = true;
            break;
          }
          depth--;
          if (depth === 0) {
            i++;
            done = true;
            break;
          }
        } else if (depth === 0 && (c === 44 || c === 32 || c === 10 || c === 13 || c === 9)) {
          done = true;
          break;
        }
      }
      chars += i - start;
      if (!over && chars > max) {
        over = true;
        parts.length = 0;
      }
      if (!over) parts.push(buf.slice(start, i));
      this.pos = i;
    }
    return { text: over ? null : parts.join(''), chars, eof: false };
  }
}

/**
 * @example for (const item of streamJsonRecords(readTextChunks(path, o), { name: path, arrayKey: 'vulnerabilities',
 *   maxRecordChars: 16 * MIB })) if (item.kind === 'record') ...
 */
export function* streamJsonRecords(
  chunks: Iterable<string>,
  o: JsonStreamOptions,
): Generator<JsonItem, void, undefined> {
  const cur = new Cursor(chunks[Symbol.iterator]());
  const maxField = o.maxFieldChars ?? 1_048_576;
  const fail: (what: string) => never = (what) => {
    throw makeError('SW_INTEL_INVALID', `${o.name}: ${what} (at character ${cur.offset})`, {
      details: { file: o.name, offset: cur.offset },
    });
  };
  const found = (c: string): string => (c === '' ? 'the end of the file (truncated?)' : `'${c}'`);
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      return fail(`${what} is not valid JSON (${(err as Error).message})`);
    }
  };

  const first = cur.skipWs();
  if (first !== '{') fail(`not a JSON object: it starts with ${found(first)}`);
  cur.advance();
  if (cur.skipWs() === '}') cur.advance();
  else
    for (;;) {
      if (cur.skipWs() !== '"') fail(`expected a key, found ${found(cur.peek())}`);
      const k = cur.capture(4096);
      if (k.text === null) fail(k.eof ? 'truncated inside a key' : 'a key is over 4096 characters');
      const key = parse(k.text ?? '', 'a key') as string;
      if (cur.skipWs() !== ':') fail(`expected ':' after "${key}", found ${found(cur.peek())}`);
      cur.advance();
      const c = cur.skipWs();
      if (key === o.arrayKey) {
        if (c !== '[') fail(`"${key}" must be an array, found ${found(c)}`);
        cur.advance();
        yield { kind: 'array', key };
        if (cur.skipWs() === ']') cur.advance();
        else
          for (let index = 0; ; index++) {
            cur.skipWs();
            const v = cur.capture(o.maxRecordChars);
            if (v.eof) fail(`truncated inside record ${index} of "${key}"`);
            if (v.text === null) yield { kind: 'oversize', index, chars: v.chars };
            else yield { kind: 'record', index, value: parse(v.text, `record ${index} of "${key}"`) };
            const d = cur.skipWs();
            if (d !== ']' && d !== ',')
              fail(`expected ',' or ']' after record ${index} of "${key}", found ${found(d)}`);
            cur.advance();
            if (d === ']') break;
          }
      } else {
        const v = cur.capture(maxField);
        if (v.eof) fail(`truncated inside the value of "${key}"`);
        if (v.text === null) fail(`the value of "${key}" is over ${maxField} characters`);
        yield { kind: 'field', key, value: parse(v.text ?? '', `the value of "${key}"`) };
      }
      const d = cur.skipWs();
      if (d !== '}' && d !== ',') fail(`expected ',' or '}' after the value of "${key}", found ${found(d)}`);
      cur.advance();
      if (d === '}') break;
    }
  const rest = cur.skipWs();
  if (rest !== '') fail(`data after the end of the JSON object: ${found(rest)}`);
}
