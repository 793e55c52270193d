import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: string[], maxLine = 8, stopAfter = Infinity): { lines: string[]; tooLong: number } {
  const lines: string[] = [];
  let tooLong = 0;
  const s: LineSplitter = new LineSplitter(
    maxLine,
    (buf, a, b) => {
      lines.push(buf.toString('utf8', a, b));
      if (lines.length >= stopAfter) s.stop();
    },
    () => tooLong++,
  );
  for (const c of chunks) s.push(Buffer.from(c));
  s.end();
  return { lines, tooLong };
}

describe('LineSplitter', () => {
  it('joins lines cut across chunks and hands out a last line without LF', () => {
    expect(split(['ab\ncd', 'e\n\nf', 'g'])).toEqual({ lines: ['ab', 'cde', '', 'fg'], tooLong: 0 });
  });

  it('reports a line longer than the limit once and drops it up to its LF, over several chunks', () => {
    expect(split(['ok\n0123456789', 'abcdefghij', 'klm\nnext\n'])).toEqual({
      lines: ['ok', 'next'],
      tooLong: 1,
    });
  });

  it('keeps a line of exactly the limit', () => {
    expect(split(['12345678', '\n'])).toEqual({ lines: ['12345678'], tooLong: 0 });
  });

  it('stops delivering at once when told', () => {
    expect(split(['a\nb\nc\n', 'd\n', 'e'], 8, 2).lines).toEqual(['a', 'b']);
  });
});
