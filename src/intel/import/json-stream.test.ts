import { describe, expect, it } from 'vitest';
import { streamJsonRecords } from './json-stream.js';
import type { JsonItem } from './json-stream.js';

/** The text in chunks of `size` characters. */
function* chunked(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

const run = (text: string, size = 1024, maxRecordChars = 1_000_000): JsonItem[] => [
  ...streamJsonRecords(chunked(text, size), { name: 'f.json', arrayKey: 'items', maxRecordChars }),
];

const DOC = JSON.stringify(
  {
    title: 'a "quoted" title, with {braces} and [brackets]',
    count: 3,
    nested: { a: [1, 2, { b: null }] },
    items: [{ id: 1, s: 'x}]"\\' }, 'text ] } ,', -1.5e3, [true, false, null], { deep: { deeper: [[[]]] } }],
    after: true,
  },
  null,
  2,
);

describe('streamJsonRecords', () => {
  it('yields the fields and each record as JSON.parse reads them, whatever the chunk size', () => {
    const whole = JSON.parse(DOC) as { items: unknown[] } & Record<string, unknown>;
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      const items = run(DOC, size);
      const records = items.flatMap((i) => (i.kind === 'record' ? [i.value] : []));
      expect(records).toEqual(whole.items);
      const fields = Object.fromEntries(items.flatMap((i) => (i.kind === 'field' ? [[i.key, i.value]] : [])));
      expect(fields).toEqual({ title: whole.title, count: 3, nested: whole.nested, after: true });
      expect(items.filter((i) => i.kind === 'array')).toEqual([{ kind: 'array', key: 'items' }]);
    }
  });

  it('reads an empty array, an empty object and a byte-order-free compact document', () => {
    expect(run('{"items":[]}')).toEqual([{ kind: 'array', key: 'items' }]);
    expect(run(' {} ')).toEqual([]);
    expect(run('{"items":[1,2]}').filter((i) => i.kind === 'record')).toHaveLength(2);
  });

  it('refuses every truncation of a document, naming the place', () => {
    for (let cut = 0; cut < DOC.length - 1; cut++) {
      const text = DOC.slice(0, cut);
      if (text.trim() === '') continue;
      expect(() => run(text, 5), `cut at ${cut}`).toThrow(/f\.json: .*\(at character \d+\)/);
    }
  });

  it('refuses what is not one JSON object', () => {
    for (const [text, why] of [
      ['[{"items": []}]', /not a JSON object: it starts with '\['/],
      ['"text"', /not a JSON object/],
      ['', /not a JSON object: it starts with the end of the file/],
      ['{"items": {"a": 1}}', /"items" must be an array, found '\{'/],
      ['{"items": [1 2]}', /expected ',' or '\]' after record 0/],
      ['{"items": [1], "x": 2} trailing', /data after the end of the JSON object/],
      ['{"a" 1}', /expected ':' after "a"/],
      ['{a: 1}', /expected a key/],
      ['{"items": [{"a": tru}]}', /record 0 of "items" is not valid JSON/],
      ['{"items": [1,]}', /record 1 of "items" is not valid JSON/],
    ] as const)
      expect(() => run(text), text).toThrow(why);
  });

  it('skips an oversize record by counting it, and goes on with the next', () => {
    const big = JSON.stringify({ items: [{ s: 'x'.repeat(500) }, { s: 'small' }] });
    const items = run(big, 16, 100);
    expect(items.filter((i) => i.kind !== 'array')).toEqual([
      { kind: 'oversize', index: 0, chars: JSON.stringify({ s: 'x'.repeat(500) }).length },
      { kind: 'record', index: 1, value: { s: 'small' } },
    ]);
  });

  it('refuses an oversize top-level field', () => {
    const text = JSON.stringify({ note: 'y'.repeat(2000), items: [] });
    expect(() => [
      ...streamJsonRecords(chunked(text, 64), {
        name: 'f.json',
        arrayKey: 'items',
        maxRecordChars: 10,
        maxFieldChars: 100,
      }),
    ]).toThrow(/the value of "note" is over 100 characters/);
  });
});
