import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_ID_PATTERN } from '../protocol/batch.js';
import { batchId } from './batch-id.js';
import { contentSha256, decodedChunks, storedSize } from './source.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-replay-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Some megabytes of distinct lines, so that reads and inflation take several chunks. */
const text =
  Array.from(
    { length: 60_000 },
    (_, i) => `2013-03-03 21:53:59,h${i % 9},${i * 7919},TCP,,6000,${i % 65536}`,
  ).join('\n') + '\n';
const plain = join(dir, 'rows.csv');
const gz = join(dir, 'rows.csv.gz');
const gzNoSuffix = join(dir, 'rows-compressed');
const half = Math.floor(text.length / 2);
writeFileSync(plain, text);
writeFileSync(gz, gzipSync(text));
// Two gzip members (what `cat a.gz b.gz` gives) inflate to the concatenated content.
writeFileSync(gzNoSuffix, Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]));

async function read(path: string): Promise<{ text: string; raw: number }> {
  let raw = 0;
  const chunks: Buffer[] = [];
  for await (const c of decodedChunks(path, (n) => (raw += n))) chunks.push(c);
  return { text: Buffer.concat(chunks).toString('utf8'), raw };
}

describe('replayed files', () => {
  it('reads plain and gzip (by magic, also multi-member) to the same content, counting every stored byte', async () => {
    for (const path of [plain, gz, gzNoSuffix]) {
      const r = await read(path);
      expect(r.text === text, path).toBe(true);
      expect(r.raw, path).toBe(storedSize(path));
    }
    expect(storedSize('-')).toBeNull();
  });

  it('gives a file the identity of its content, whatever its compression or name', async () => {
    const a = await contentSha256(plain);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentSha256(gz)).toBe(a);
    expect(await contentSha256(gzNoSuffix)).toBe(a);
    writeFileSync(join(dir, 'other.csv'), text.replace('h0', 'h1'));
    expect(await contentSha256(join(dir, 'other.csv'))).not.toBe(a);
    expect(await contentSha256('-')).toBeNull();
  });

  it('makes batch ids from (file, sensor, number), or from the events for standard input', () => {
    const ev = [{ ts: 1, proto: 'tcp' as const, port: 22, src: '192.0.2.1' }];
    const key = { fileSha256: 'a'.repeat(64), sensor: 'groucho-eu', n: 0 };
    const id = batchId(key, ev);
    expect(id).toMatch(BATCH_ID_PATTERN);
    expect(batchId({ ...key }, [])).toBe(id); // the events do not matter when the file is known
    expect(batchId({ ...key, n: 1 }, ev)).not.toBe(id);
    expect(batchId({ ...key, sensor: 'groucho-sa' }, ev)).not.toBe(id);
    expect(batchId({ ...key, fileSha256: 'b'.repeat(64) }, ev)).not.toBe(id);
    const stdin = { ...key, fileSha256: null };
    expect(batchId(stdin, ev)).toBe(batchId(stdin, [{ ...ev[0]! }]));
    expect(batchId(stdin, ev)).not.toBe(batchId(stdin, [{ ...ev[0]!, port: 23 }]));
  });
});
