import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import type { CsvItem } from './csv.js';

function* chunked(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const run = (text: string, size = 4096, maxRecordChars = 10_000): CsvItem[] => [
  ...parseCsv(chunked(text, size), { name: 'f.csv', maxRecordChars }),
];

const TEXT =
  'a,b,c\r\n' + '1,"two, with comma","three ""quoted"""\r\n' + '\r\n' + '"multi\nline",,\n' + 'x,"",z';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes, empty fields, CRLF and a last line without a break', () => {
    const expected: CsvItem[] = [
      { kind: 'row', line: 1, fields: ['a', 'b', 'c'] },
      { kind: 'row', line: 2, fields: ['1', 'two, with comma', 'three "quoted"'] },
      { kind: 'row', line: 4, fields: ['multi\nline', '', ''] },
      { kind: 'row', line: 6, fields: ['x', '', 'z'] },
    ];
    for (const size of [1, 2, 5, 4096]) expect(run(TEXT, size), `chunks of ${size}`).toEqual(expected);
  });

  it('counts a broken row and goes on at the next line', () => {
    const items = run('a,b\nx"y,2\n"q"z,3\nok,4\n');
    expect(items).toEqual([
      { kind: 'row', line: 1, fields: ['a', 'b'] },
      { kind: 'bad', line: 2, reason: 'a quote inside an unquoted field (field 1)' },
      { kind: 'bad', line: 3, reason: 'text after the closing quote of field 1' },
      { kind: 'row', line: 4, fields: ['ok', '4'] },
    ]);
  });

  it('counts an oversize row without keeping it', () => {
    const items = run(`a,b\n"${'x'.repeat(200)}",1\nc,d\n`, 7, 50);
    expect(items).toEqual([
      { kind: 'row', line: 1, fields: ['a', 'b'] },
      { kind: 'bad', line: 2, reason: 'row over 50 characters' },
      { kind: 'row', line: 3, fields: ['c', 'd'] },
    ]);
  });

  it('refuses a file that ends inside a quoted field (truncated)', () => {
    expect(() => run('a,b\n1,"never closed\n2,3\n')).toThrow(
      /f\.csv: truncated: the quoted field opened in the row of line 2 never closes/,
    );
  });

  it('keeps a broken last row without a line break', () => {
    expect(run('a\n"x"y')).toEqual([
      { kind: 'row', line: 1, fields: ['a'] },
      { kind: 'bad', line: 2, reason: 'text after the closing quote of field 1' },
    ]);
    expect(run('a,b,')).toEqual([{ kind: 'row', line: 1, fields: ['a', 'b', ''] }]);
    expect(run('')).toEqual([]);
  });
});
