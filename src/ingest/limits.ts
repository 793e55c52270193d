/**
 * Size limits of the submission endpoint: raw body, decompressed body, events per batch.
 *
 * Invariants (every input is hostile):
 * - The raw body is read with a running count and refused as soon as it passes `max_body_bytes`
 *   (a too-large Content-Length is refused before reading anything).
 * - gzip is inflated as a stream and aborted the moment the output passes `max_decompressed_bytes`, so a
 *   gzip bomb costs at most the cap plus one zlib chunk of memory, whatever its expansion ratio.
 * - Only `gzip` and `identity` encodings are accepted; nothing decodes the body before the signature check.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { makeError } from '../core/errors.js';

/**
 * Reads a request stream into one Buffer, refusing with SW_BODY_TOO_LARGE past `maxBytes`.
 * @example const raw = await readRawBody(request.raw, request.headers['content-length'], 1 << 20)
 */
export function readRawBody(
  stream: Readable,
  contentLength: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const declared = contentLength === undefined ? undefined : Number(contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > maxBytes) {
    stream.resume(); // let the socket drain; the 413 is sent regardless
    return Promise.reject(makeError('SW_BODY_TOO_LARGE', `body is ${declared} bytes; limit ${maxBytes}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      if (err) {
        stream.resume();
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        finish(makeError('SW_BODY_TOO_LARGE', `body is over the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => finish(null));
    stream.once('error', (err) =>
      finish(makeError('SW_BAD_REQUEST', 'request body could not be read', { cause: err })),
    );
  });
}

/**
 * Inflates `body` per its Content-Encoding (gzip or identity) with a hard output cap.
 * Refuses SW_DECOMPRESSED_TOO_LARGE past `maxBytes`, SW_BAD_ENCODING for corrupt gzip or other encodings.
 */
export function decodeBody(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const enc = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') {
    if (body.length > maxBytes) {
      return Promise.reject(
        makeError('SW_DECOMPRESSED_TOO_LARGE', `body is over the limit of ${maxBytes} bytes`),
      );
    }
    return Promise.resolve(body);
  }
  if (enc !== 'gzip' && enc !== 'x-gzip') {
    return Promise.reject(
      makeError('SW_BAD_ENCODING', `content-encoding "${enc}" is not supported; use gzip`),
    );
  }
  return gunzipCapped(body, maxBytes);
}

function gunzipCapped(body: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      chunks.length = 0;
      gunzip.destroy();
      reject(err);
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        fail(
          makeError('SW_DECOMPRESSED_TOO_LARGE', `decompressed body is over the limit of ${maxBytes} bytes`),
        );
        return;
      }
      chunks.push(chunk);
    });
    gunzip.once('error', (err) =>
      fail(makeError('SW_BAD_ENCODING', `body is not valid gzip: ${err.message}`, { cause: err })),
    );
    gunzip.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    gunzip.end(body);
  });
}

/** Refuses SW_TOO_MANY_EVENTS when a batch holds more than `max` events. */
export function checkEventCount(count: number, max: number): void {
  if (count > max) throw makeError('SW_TOO_MANY_EVENTS', `batch has ${count} events; limit ${max}`);
}
