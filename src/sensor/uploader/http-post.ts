/**
 * POSTs a request body to one URL over node:http or node:https, on a keep-alive agent of its own, and reads the
 * answer up to MAX_ANSWER_BYTES (an acknowledgement or an error body is small; a hostile or broken server cannot
 * make the sensor hold more).
 *
 * Why not fetch: undici's fetch costs a process about 17 MB more resident memory than node:http for the same
 * posts (measured here: 20 posts of 100 kB took a bare Node 20 from 43 to 66 MB with fetch, to 49 MB with
 * node:http), and the sensor's whole budget is 100 MB.
 *
 * Invariants: `post` settles exactly once; it rejects on a network error, on `signal` aborting (before or during
 * the answer) and on an answer cut short; it never throws synchronously.
 */
import http from 'node:http';
import https from 'node:https';

/** Most bytes of an answer kept; the rest is read and dropped. */
export const MAX_ANSWER_BYTES = 64 << 10;

export interface PostAnswer {
  status: number;
  /** The answer's body as text, cut at MAX_ANSWER_BYTES. */
  text: string;
  retryAfter: string | null;
}

export class HttpPoster {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

  /**
   * @param maxSockets connections kept to the server (the uploader's batches in flight).
   * @param ca for https: the certificates trusted instead of the system's (tests; in production a private CA is
   * added with NODE_EXTRA_CA_CERTS, which Node reads for every TLS connection).
   */
  constructor(
    private readonly url: URL,
    maxSockets: number,
    ca?: string,
  ) {
    const tls = url.protocol === 'https:';
    this.agent = tls
      ? new https.Agent({ keepAlive: true, maxSockets, ...(ca !== undefined ? { ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets });
    this.request = tls ? https.request : http.request;
  }

  post(headers: Record<string, string>, body: Buffer, signal: AbortSignal): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Error('aborted'));
      let req: http.ClientRequest;
      try {
        req = this.request(
          this.url,
          {
            method: 'POST',
            agent: this.agent,
            headers: { ...headers, 'content-length': String(body.length) },
            signal,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            res.on('data', (c: Buffer) => {
              if (kept >= MAX_ANSWER_BYTES) return;
              const part = c.length > MAX_ANSWER_BYTES - kept ? c.subarray(0, MAX_ANSWER_BYTES - kept) : c;
              chunks.push(part);
              kept += part.length;
            });
            res.once('end', () => {
              const after = res.headers['retry-after'];
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString('utf8'),
                retryAfter: typeof after === 'string' ? after : null,
              });
            });
            res.once('error', reject);
            res.once('close', () => {
              if (!res.complete) reject(new Error('the answer was cut short'));
            });
          },
        );
      } catch (err) {
        return reject(err instanceof Error ? err : new Error(String(err)));
      }
      req.once('error', reject);
      req.end(body);
    });
  }

  /** Closes the kept connections. */
  close(): void {
    this.agent.destroy();
  }
}
