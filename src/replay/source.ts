/**
 * The bytes of a replayed file: a path or `-` (standard input), gunzipped when it starts with the gzip magic
 * (RFC 1952 2.3.1; whatever its name, and multi-member files whole), and its identity for batch ids.
 *
 * Invariants: memory is bounded by the stream's chunks (256 KiB reads); `onRawBytes` counts the stored bytes as
 * they are consumed (by the inflater for gzip), adding up to the file's size at its end; the identity
 * is the SHA-256 of the decoded content, so the same log plain or gzipped is the same file, and a renamed
 * copy too.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const STDIN = '-';
const GZIP_MAGIC = [0x1f, 0x8b] as const;

function open(path: string): Readable {
  return path === STDIN ? process.stdin : createReadStream(path, { highWaterMark: 1 << 18 });
}

/**
 * The decoded chunks of `path` (`-`: standard input).
 * @example for await (const chunk of decodedChunks('marx.csv.gz', (n) => (read += n))) split(chunk)
 */
export async function* decodedChunks(
  path: string,
  onRawBytes: (n: number) => void = () => undefined,
): AsyncGenerator<Buffer> {
  const raw = open(path);
  const it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done === true) return;
    const head = first.value;
    async function* rawChunks(count: boolean): AsyncGenerator<Buffer> {
      if (count) onRawBytes(head.length);
      yield head;
      for (let r = await it.next(); r.done !== true; r = await it.next()) {
        if (count) onRawBytes(r.value.length);
        yield r.value;
      }
    }
    if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
      yield* rawChunks(true);
      return;
    }
    // The raw stream runs ahead of decompression: count what the inflater consumed, so progress is true.
    const inflate = createGunzip();
    // pipeline() destroys both streams with the first error, which the iteration below then throws.
    pipeline(Readable.from(rawChunks(false), { highWaterMark: 1 }), inflate, () => undefined);
    let consumed = 0;
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      onRawBytes(inflate.bytesWritten - consumed);
      consumed = inflate.bytesWritten;
      yield chunk;
    }
  } finally {
    if (path !== STDIN) raw.destroy();
  }
}

/** Size in bytes of a file as stored (what `onRawBytes` counts up to), or null for standard input. */
export function storedSize(path: string): number | null {
  return path === STDIN ? null : statSync(path).size;
}

/**
 * SHA-256 (hex) of the decoded content of a file; null for standard input, which cannot be read twice.
 * @example const id = await contentSha256('marx.csv.gz')
 */
export async function contentSha256(path: string): Promise<string | null> {
  if (path === STDIN) return null;
  const h = createHash('sha256');
  for await (const chunk of decodedChunks(path)) h.update(chunk);
  return h.digest('hex');
}
