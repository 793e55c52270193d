/**
 * Bounded reading of an import file: the size is checked BEFORE anything is read (a file over the limit is
 * refused without reading it), then the text comes in chunks of at most `chunkBytes`, decoded as UTF-8 across
 * chunk borders, so that memory stays bounded whatever the file's size.
 *
 * Reads are synchronous: an import runs inside one synchronous store transaction (src/store/intel-store.ts).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { makeError } from '../../core/errors.js';

export const MIB = 1_048_576;

export interface FileSourceOptions {
  /** Files over this size are refused before reading. */
  maxBytes: number;
  /** Default 1 MiB. */
  chunkBytes?: number;
  /** Called after each chunk with the bytes read so far. */
  onBytes?: (bytesRead: number) => void;
}

/** The size of a regular file, refused (SW_INTEL_INVALID) when it is over `maxBytes` or not a regular file. */
export function checkedSize(path: string, maxBytes: number): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw makeError('SW_INTEL_INVALID', `${path}: not a regular file`);
    size = st.size;
  } catch (err) {
    if ((err as { code?: string }).code === 'SW_INTEL_INVALID') throw err;
    throw makeError('SW_INTEL_INVALID', `${path}: cannot be read (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (size > maxBytes)
    throw makeError(
      'SW_INTEL_INVALID',
      `${path}: ${size} bytes, over the limit of ${maxBytes} bytes (raise it with --max-size-mib)`,
      { details: { file: path, size, max_bytes: maxBytes } },
    );
  return size;
}

/**
 * The file's text in chunks; a UTF-8 byte-order mark at the start is dropped. The file is closed when the
 * iteration ends, early or not.
 */
export function* readTextChunks(path: string, o: FileSourceOptions): Generator<string, void, undefined> {
  const size = checkedSize(path, o.maxBytes);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(o.chunkBytes ?? MIB, Math.max(size, 1))));
    const decoder = new StringDecoder('utf8');
    let total = 0;
    let first = true;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      // A file that grows while it is read is still bounded by the limit.
      if (total > o.maxBytes)
        throw makeError('SW_INTEL_INVALID', `${path}: grew over the limit of ${o.maxBytes} bytes while read`);
      let text = decoder.write(buf.subarray(0, n));
      if (first && text !== '') {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      o.onBytes?.(total);
      if (text !== '') yield text;
    }
    const rest = decoder.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}
