/**
 * A tiny real HTTP server speaking the sensor's side of the protocol, for the sensor's tests (and anyone testing a
 * sensor without the whole server): POST /api/v1/sensors/enroll with one-time tokens, and POST /api/v1/submissions
 * verifying the Ed25519 signature over the exact body (verifySignature), gunzipping and validating the batch with
 * the protocol's schemas, deduplicating by batch id (duplicates counted separately). It can be told to fail.
 * Not used by production code.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import type { AttackEvent } from '../../core/event.js';
import { batchEnvelopeSchema, eventSchema, SUBMISSIONS_PATH } from '../../protocol/batch.js';
import type { SubmissionBatch } from '../../protocol/batch.js';
import {
  HEADER_NONCE,
  HEADER_SENSOR,
  HEADER_SIGNATURE,
  HEADER_TIME,
  loadPublicKey,
  verifySignature,
} from '../../protocol/signing.js';

export type FakeMode =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: unknown; retryAfter?: string }
  /** Accepts and stores the batch but answers 500 (a lost ack: the sensor must resend, the server dedupe). */
  | { kind: 'lose-ack' };

function schemaValidate(doc: unknown): SubmissionBatch {
  const env = batchEnvelopeSchema.parse(doc);
  return { ...env, events: env.events.map((e) => eventSchema.parse(e)) };
}

export class FakeIngestServer {
  mode: FakeMode = { kind: 'ok' };
  /** Unique batches by id, in arrival order. */
  readonly batches = new Map<string, SubmissionBatch>();
  duplicates = 0;
  requests = 0;
  badSignatures = 0;
  /** Answers to submissions wait this long (a distant or busy server). */
  delayMs = 0;
  /** Submissions being answered now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Numbers of submissions (1 = the first) to answer 503 without storing them. */
  readonly fail503 = new Set<number>();
  readonly tokens = new Set<string>();
  readonly keys = new Map<string, KeyObject>();
  private server: Server | null = null;
  private readonly validate: (doc: unknown) => SubmissionBatch;

  /**
   * @param opts.validate checks a parsed batch and returns it, or throws (answered 400); default: the protocol's
   * schemas, event by event. A benchmark passes the server's own, faster validation.
   */
  constructor(opts: { validate?: (doc: unknown) => SubmissionBatch } = {}) {
    this.validate = opts.validate ?? schemaValidate;
  }
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every event of every unique batch, in arrival order. */
  events(): AttackEvent[] {
    return [...this.batches.values()].flatMap((b) => b.events);
  }

  /** Registers a sensor's public key directly (no enrolment). */
  addSensor(id: string, publicKeyPem: string): void {
    this.keys.set(id, loadPublicKey(publicKeyPem));
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    };
    if (req.method === 'POST' && req.url === '/api/v1/sensors/enroll') return this.enroll(body, send);
    if (req.method !== 'POST' || req.url !== SUBMISSIONS_PATH)
      return send(404, { code: 'SW_NOT_FOUND', message: 'not found' });
    const n = ++this.requests;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.fail503.has(n))
        return send(503, { code: 'SW_UNAVAILABLE', message: `told to fail request ${n}` });
      this.submission(req, body, send);
    } finally {
      this.inFlight--;
    }
  }

  private submission(
    req: IncomingMessage,
    body: Buffer,
    send: (status: number, json: unknown, headers?: Record<string, string>) => void,
  ): void {
    const sensor = String(req.headers[HEADER_SENSOR] ?? '');
    const key = this.keys.get(sensor);
    const ok =
      key !== undefined &&
      verifySignature(
        key,
        'POST',
        SUBMISSIONS_PATH,
        body,
        Number(req.headers[HEADER_TIME]),
        String(req.headers[HEADER_NONCE]),
        String(req.headers[HEADER_SIGNATURE]),
      );
    if (!ok) {
      this.badSignatures++;
      return send(401, { code: 'SW_AUTH_BAD_SIGNATURE', message: 'signature does not verify' });
    }
    const mode = this.mode;
    if (mode.kind === 'status')
      return send(
        mode.status,
        mode.body ?? { code: 'SW_TEST', message: `told to answer ${mode.status}` },
        mode.retryAfter ? { 'retry-after': mode.retryAfter } : {},
      );
    let batch: SubmissionBatch;
    try {
      if (req.headers['content-encoding'] !== 'gzip' || req.headers['content-type'] !== 'application/json')
        throw new Error('headers');
      batch = this.validate(JSON.parse(gunzipSync(body).toString('utf8')));
    } catch (err) {
      return send(400, { code: 'SW_BATCH_INVALID', message: (err as Error).message.slice(0, 500) });
    }
    const duplicate = this.batches.has(batch.batch_id);
    if (duplicate) this.duplicates++;
    else this.batches.set(batch.batch_id, batch);
    if (mode.kind === 'lose-ack') return send(500, { code: 'SW_INTERNAL', message: 'ack lost' });
    send(200, {
      batch_id: batch.batch_id,
      status: duplicate ? 'duplicate' : 'accepted',
      events: batch.events.length,
    });
  }

  private enroll(body: Buffer, send: (status: number, json: unknown) => void): void {
    let req: { token?: unknown; public_key?: unknown };
    try {
      req = JSON.parse(body.toString('utf8')) as typeof req;
    } catch {
      return send(400, { code: 'SW_BAD_REQUEST', message: 'body is not JSON' });
    }
    if (typeof req.token !== 'string' || !this.tokens.delete(req.token))
      return send(401, { code: 'SW_ENROLL_TOKEN', message: 'enrolment token unknown, used or expired' });
    if (typeof req.public_key !== 'string' || req.public_key.includes('PRIVATE'))
      return send(400, { code: 'SW_BAD_REQUEST', message: 'public_key: not a public key' });
    const id = `s_fake${String(this.keys.size).padStart(8, '0')}`;
    this.addSensor(id, req.public_key);
    send(200, { sensor_id: id });
  }
}
