import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileFollower } from './follower.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-follow-'));
  path = join(dir, 'kern.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const texts = async (f: FileFollower): Promise<string[]> => (await f.pollLines()).map((l) => l.line);

describe('FileFollower', () => {
  it('delivers complete lines only, holding a partial last line until its newline', async () => {
    writeFileSync(path, 'one\ntwo\nthr');
    const f = new FileFollower({ path, start: 'beginning' });
    const got = await f.pollLines();
    expect(got).toEqual([
      { line: 'one', offset: 4 },
      { line: 'two', offset: 8 },
    ]);
    expect(f.position().offset).toBe(8);
    appendFileSync(path, 'ee\nfour\n');
    expect(await f.pollLines()).toEqual([
      { line: 'three', offset: 14 },
      { line: 'four', offset: 19 },
    ]);
    expect(await texts(f)).toEqual([]);
    await f.close();
  });

  it('starts at the end of an existing file when told to', async () => {
    writeFileSync(path, 'old\n');
    const f = new FileFollower({ path, start: 'end' });
    expect(await texts(f)).toEqual([]);
    appendFileSync(path, 'new\n');
    expect(await texts(f)).toEqual(['new']);
    await f.close();
  });

  it('waits for a file that does not exist yet, then reads it from its beginning (like tail -F)', async () => {
    const f = new FileFollower({ path, start: 'end' });
    expect(await texts(f)).toEqual([]);
    writeFileSync(path, 'first\n');
    expect(await texts(f)).toEqual(['first']);
    await f.close();
  });

  it('follows a rename rotation: the old file is read to its end (late writes too), then the new one', async () => {
    writeFileSync(path, 'a1\na2\n');
    const f = new FileFollower({ path, start: 'beginning' });
    expect(await texts(f)).toEqual(['a1', 'a2']);
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'a3\na4-no-newline'); // the writer had not reopened yet
    expect(await texts(f)).toEqual(['a3']); // no new file yet: keep reading the old one
    writeFileSync(path, 'b1\nb2\n');
    expect(await texts(f)).toEqual(['a4-no-newline', 'b1', 'b2']);
    expect(f.rotations).toBe(1);
    expect(f.position().offset).toBe(6);
    await f.close();
  });

  it('restarts at 0 after a truncation (copytruncate)', async () => {
    writeFileSync(path, 'x1\nx2\npart');
    const f = new FileFollower({ path, start: 'beginning' });
    expect(await texts(f)).toEqual(['x1', 'x2']);
    truncateSync(path, 0);
    appendFileSync(path, 'y1\n');
    expect(await texts(f)).toEqual(['y1']);
    expect(f.truncations).toBe(1);
    await f.close();
  });

  it('resumes at a saved position of the same file, and from 0 when the inode changed', async () => {
    writeFileSync(path, 'l1\nl2\nl3\n');
    const f1 = new FileFollower({ path, start: 'beginning' });
    const first = await f1.poll((_b, _s, _e, off) => void off);
    expect(first.eof).toBe(true);
    await f1.close();
    const atL2 = { ...f1.position(), offset: 3 };
    const f2 = new FileFollower({ path, start: 'end', resume: atL2 });
    expect(await texts(f2)).toEqual(['l2', 'l3']);
    await f2.close();

    renameSync(path, `${path}.1`);
    writeFileSync(path, 'n1\n');
    const f3 = new FileFollower({ path, start: 'end', resume: f2.position() });
    expect(await texts(f3)).toEqual(['n1']);
    await f3.close();
  });

  it('rotated while down: finishes the old file under its new name, then reads the new one', async () => {
    writeFileSync(path, 'l1\nl2\n');
    const f1 = new FileFollower({ path, start: 'beginning' });
    expect(await texts(f1)).toEqual(['l1', 'l2']);
    await f1.close();
    const saved = f1.position();
    appendFileSync(path, 'l3\nl4\n'); // written after the sensor stopped
    renameSync(path, `${path}-20240101`);
    writeFileSync(path, 'n1\n');
    const f2 = new FileFollower({ path, start: 'end', resume: saved });
    expect(await texts(f2)).toEqual(['l3', 'l4', 'n1']);
    expect(f2.resumedRotated).toBe(1);
    expect(f2.rotations).toBe(1);
    await f2.close();
  });

  it('rotated while down and the old file gone (compressed): the new file from 0, the loss counted', async () => {
    writeFileSync(path, 'l1\n');
    const f1 = new FileFollower({ path, start: 'beginning' });
    await texts(f1);
    await f1.close();
    appendFileSync(path, 'l2\n');
    renameSync(path, join(dir, 'elsewhere.log')); // not beside kern.log under its name
    writeFileSync(path, 'n1\n');
    const f2 = new FileFollower({ path, start: 'end', resume: f1.position() });
    expect(await texts(f2)).toEqual(['n1']);
    expect(f2.lostRotated).toBe(1);
    await f2.close();
  });

  it('hands out a line longer than the buffer in pieces, counted', async () => {
    writeFileSync(path, `${'z'.repeat(100)}\nshort\n`);
    const f = new FileFollower({ path, start: 'beginning', chunkBytes: 32 });
    const got = await texts(f);
    expect(got.join('')).toBe(`${'z'.repeat(100)}short`);
    expect(got.at(-1)).toBe('short');
    expect(f.longLines).toBe(3);
    await f.close();
  });

  it('reads many lines across chunk boundaries with exact offsets', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`);
    writeFileSync(path, lines.join('\n') + '\n');
    const f = new FileFollower({ path, start: 'beginning', chunkBytes: 4096 });
    const got = await f.pollLines();
    expect(got.map((g) => g.line)).toEqual(lines);
    let off = 0;
    got.forEach((g, i) => {
      off += Buffer.byteLength(lines[i]!) + 1;
      expect(g.offset).toBe(off);
    });
    await f.close();
  });
});
