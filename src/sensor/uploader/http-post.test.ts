/** HttpPoster against a real local HTTP server: answers, the answer cap, aborts, cut answers, keep-alive. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPoster, MAX_ANSWER_BYTES } from './http-post.js';

let server: Server | import('node:https').Server | undefined;
let poster: HttpPoster | undefined;

afterEach(async () => {
  poster?.close();
  const s = server;
  server = undefined;
  if (s !== undefined) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<URL> {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  server = s;
  return new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/submissions`);
}

const never = new AbortController().signal;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    process.stderr.write('http-post.test: openssl not found; the https case is skipped\n');
    return false;
  }
}

describe('HttpPoster', () => {
  it('posts the body with its headers and gives status, text and Retry-After; keeps the connection', async () => {
    const sockets = new Set<unknown>();
    const seen: Array<{ method?: string; url?: string; type?: string; length: number }> = [];
    const url = await serve((req, res, body) => {
      sockets.add(req.socket);
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], length: body.length });
      res.writeHead(429, { 'retry-after': '7' }).end('{"code":"SW_RATE"}');
    });
    poster = new HttpPoster(url, 2);
    for (let i = 0; i < 3; i++) {
      const a = await poster.post({ 'content-type': 'application/json' }, Buffer.alloc(100_000, 1), never);
      expect(a).toEqual({ status: 429, text: '{"code":"SW_RATE"}', retryAfter: '7' });
    }
    expect(seen).toEqual(
      Array(3).fill({
        method: 'POST',
        url: '/api/v1/submissions',
        type: 'application/json',
        length: 100_000,
      }),
    );
    expect(sockets.size).toBe(1); // keep-alive: one connection for the three posts
  });

  it('keeps at most MAX_ANSWER_BYTES of a huge answer, and still settles', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(64 << 10, 0x61));
      res.end();
    });
    poster = new HttpPoster(url, 1);
    const a = await poster.post({}, Buffer.from('x'), never);
    expect(a.status).toBe(200);
    expect(a.text.length).toBe(MAX_ANSWER_BYTES);
    expect(a.retryAfter).toBeNull();
  });

  it('rejects when aborted while the server thinks, and when the answer is cut short', async () => {
    const url = await serve((req, res) => {
      if (req.headers['x-case'] === 'cut') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 20);
      } // 'slow': never answers
    });
    poster = new HttpPoster(url, 2);
    const ctl = new AbortController();
    const slow = poster.post({ 'x-case': 'slow' }, Buffer.from('x'), ctl.signal);
    setTimeout(() => ctl.abort(), 30);
    await expect(slow).rejects.toThrow();
    await expect(poster.post({ 'x-case': 'cut' }, Buffer.from('x'), never)).rejects.toThrow();
    const aborted = new AbortController();
    aborted.abort();
    await expect(poster.post({}, Buffer.from('x'), aborted.signal)).rejects.toThrow('aborted');
  });

  it.skipIf(!hasOpenssl())('speaks https, checking the certificate against the trusted ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const s = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
        req.resume();
        req.on('end', () => res.end('{"status":"accepted"}'));
      });
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      server = s;
      const url = new URL(`https://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/submissions`);
      poster = new HttpPoster(url, 1, cert);
      expect(await poster.post({}, Buffer.from('x'), never)).toMatchObject({ status: 200 });
      const untrusting = new HttpPoster(url, 1); // the system's CAs only: a self-signed server is refused
      await expect(untrusting.post({}, Buffer.from('x'), never)).rejects.toThrow(/self.signed|certificate/i);
      untrusting.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects when nothing listens', async () => {
    const url = await serve(() => undefined);
    const s = server!;
    server = undefined;
    await new Promise<void>((r) => s.close(() => r()));
    poster = new HttpPoster(url, 1);
    await expect(poster.post({}, Buffer.from('x'), never)).rejects.toThrow(/ECONNREFUSED/);
  });
});
