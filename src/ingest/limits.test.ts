import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkEventCount, decodeBody, readRawBody } from './limits.js';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe('readRawBody', () => {
  it('reads a body under the limit', async () => {
    expect(
      (await readRawBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), '4', 4)).toString(),
    ).toBe('abcd');
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    expect(await code(readRawBody(Readable.from([Buffer.alloc(1)]), '5', 4))).toBe('SW_BODY_TOO_LARGE');
  });

  it('refuses a streamed body (no Content-Length) as soon as it passes the limit', async () => {
    // Like a socket: data arrives asynchronously, and would never end.
    let pulled = 0;
    const endless = new Readable({
      read() {
        setImmediate(() => {
          pulled++;
          this.push(Buffer.alloc(1024));
        });
      },
    });
    let atRefusal = -1;
    const result = await readRawBody(endless, undefined, 10_000).catch((e: { code?: string }) => {
      atRefusal = pulled;
      endless.destroy();
      return e.code;
    });
    expect(result).toBe('SW_BODY_TOO_LARGE');
    expect(atRefusal).toBeLessThanOrEqual(11);
  });
});

describe('decodeBody', () => {
  const json = Buffer.from('{"a":1}');

  it('inflates gzip and passes identity through', async () => {
    expect((await decodeBody(gzipSync(json), 'gzip', 100)).toString()).toBe('{"a":1}');
    expect((await decodeBody(json, undefined, 100)).toString()).toBe('{"a":1}');
    expect((await decodeBody(json, 'identity', 100)).toString()).toBe('{"a":1}');
  });

  it('aborts inflation past the cap', async () => {
    expect(await code(decodeBody(gzipSync(Buffer.alloc(10_000)), 'gzip', 9_999))).toBe(
      'SW_DECOMPRESSED_TOO_LARGE',
    );
    expect((await decodeBody(gzipSync(Buffer.alloc(10_000)), 'gzip', 10_000)).length).toBe(10_000);
    expect(await code(decodeBody(Buffer.alloc(101), 'identity', 100))).toBe('SW_DECOMPRESSED_TOO_LARGE');
  });

  it('refuses corrupt gzip and unsupported encodings', async () => {
    const bad = gzipSync(json);
    const at = bad.length - 5; // inside the CRC-32 trailer (RFC 1952)
    bad.writeUInt8(bad.readUInt8(at) ^ 0xff, at);
    expect(await code(decodeBody(bad, 'gzip', 100))).toBe('SW_BAD_ENCODING');
    expect(await code(decodeBody(json, 'gzip', 100))).toBe('SW_BAD_ENCODING');
    expect(await code(decodeBody(json, 'br', 100))).toBe('SW_BAD_ENCODING');
  });
});

describe('checkEventCount', () => {
  it('refuses more events than the limit', () => {
    expect(() => checkEventCount(3, 3)).not.toThrow();
    expect(() => checkEventCount(4, 3)).toThrow(expect.objectContaining({ code: 'SW_TOO_MANY_EVENTS' }));
  });
});
