/**
 * A streaming CSV reader after RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): comma-separated fields,
 * fields in double quotes may hold commas, line breaks and doubled quotes (""), lines end in CRLF or LF.
 *
 * Rules:
 * - A row that breaks the grammar (a quote inside an unquoted field, text after a closing quote) or is longer
 *   than `maxRecordChars` is yielded as `bad` with its line and reason, and reading goes on at the next line
 *   break outside quotes; the caller counts it. Blank lines are skipped.
 * - A quoted field still open at the end of the text means the file is truncated: the whole file is refused
 *   (SW_INTEL_INVALID), since every row after the opening quote would be misread.
 * - `line` is the 1-based line where the row starts.
 */
import { makeError } from '../../core/errors.js';

export type CsvItem =
  { kind: 'row'; line: number; fields: string[] } | { kind: 'bad'; line: number; reason: string };

export interface CsvOptions {
  name: string;
  maxRecordChars: number;
}

const enum S {
  Start,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  Skip,
}

/** @example for (const item of parseCsv(readTextChunks(path, o), { name: path, maxRecordChars: MIB })) ... */
export function* parseCsv(chunks: Iterable<string>, o: CsvOptions): Generator<CsvItem, void, undefined> {
  let state = S.Start as S;
  let field = '';
  let fields: string[] = [];
  let line = 1;
  let recLine = 1;
  let recChars = 0;
  let sawQuote = false;
  let bad: string | null = null;
  const out: CsvItem[] = [];

  const endRecord = (): void => {
    if (bad !== null) out.push({ kind: 'bad', line: recLine, reason: bad });
    else if (recChars > o.maxRecordChars)
      out.push({ kind: 'bad', line: recLine, reason: `row over ${o.maxRecordChars} characters` });
    else if (!(fields.length === 1 && fields[0] === '' && !sawQuote))
      out.push({ kind: 'row', line: recLine, fields });
    fields = [];
    field = '';
    bad = null;
    recChars = 0;
    sawQuote = false;
    state = S.Start;
    recLine = line + 1;
  };
  const endField = (): void => {
    fields.push(field);
    field = '';
  };

  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charAt(i);
      recChars++;
      const keep = recChars <= o.maxRecordChars;
      if (c === '\r' && state !== S.Quoted) continue;
      switch (state) {
        case S.Start:
          if (c === '"') {
            state = S.Quoted;
            sawQuote = true;
          } else if (c === ',') endField();
          else if (c === '\n') {
            endField();
            endRecord();
          } else {
            if (keep) field += c;
            state = S.Unquoted;
          }
          break;
        case S.Unquoted:
          if (c === ',') {
            endField();
            state = S.Start;
          } else if (c === '\n') {
            endField();
            endRecord();
          } else if (c === '"') {
            bad = `a quote inside an unquoted field (field ${fields.length + 1})`;
            state = S.Skip;
          } else if (keep) field += c;
          break;
        case S.Quoted:
          if (c === '"') state = S.QuoteInQuoted;
          else if (keep) field += c;
          break;
        case S.QuoteInQuoted:
          if (c === '"') {
            if (keep) field += '"';
            state = S.Quoted;
          } else if (c === ',') {
            endField();
            state = S.Start;
          } else if (c === '\n') {
            endField();
            endRecord();
          } else {
            bad = `text after the closing quote of field ${fields.length + 1}`;
            state = S.Skip;
          }
          break;
        case S.Skip:
          if (c === '\n') endRecord();
          break;
      }
      if (c === '\n') line++;
    }
    yield* out;
    out.length = 0;
  }
  if (state === S.Quoted)
    throw makeError(
      'SW_INTEL_INVALID',
      `${o.name}: truncated: the quoted field opened in the row of line ${recLine} never closes`,
      { details: { file: o.name, line: recLine } },
    );
  if (
    state === S.Skip ||
    state === S.QuoteInQuoted ||
    state === S.Unquoted ||
    fields.length > 0 ||
    field !== ''
  ) {
    if (state !== S.Skip) endField();
    endRecord();
  }
  yield* out;
}
