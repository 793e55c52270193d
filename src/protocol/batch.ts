/**
 * The submission batch: what a sensor uploads to POST /api/v1/submissions.
 *
 * Body: gzip (Content-Encoding: gzip) of UTF-8 JSON `SubmissionBatch`. `batch_id` is chosen by the sensor and
 * stays the same across retries of the same events, so the server can apply each batch exactly once.
 * Validation is all-or-nothing: one bad event refuses the whole batch (see validateBatch).
 */
import { createGzip, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { PAYLOAD_HEAD_MAX, PROTOCOLS } from '../core/event.js';
import { EXPOSURE_MAX_ADDRESSES } from '../core/exposure.js';
import type { AttackEvent } from '../core/event.js';

export const SUBMISSIONS_PATH = '/api/v1/submissions';
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export interface SubmissionBatch {
  batch_id: string;
  /** The sensor's clock when the batch was sent, ms since epoch. */
  sensor_time: number;
  events: AttackEvent[];
  /** Counters the sensor reports with the batch (e.g. dropped or malformed lines since the last batch). */
  stats?: Record<string, number>;
  /**
   * How many addresses the sensor listens on (its `watched_addresses` setting): the server weighs the sensor's
   * share of the fleet's exposure by it (src/core/exposure.ts). Absent: the last value sent, 1 at first.
   */
  watched_addresses?: number;
}

/** The largest `watched_addresses` a sensor may declare (a /8; where exposure.ts stops growing). */
export const MAX_WATCHED_ADDRESSES = EXPOSURE_MAX_ADDRESSES;

const MAX_FIELD = 64;
const IP_TEXT = /^[0-9A-Fa-f:.]{2,45}$/;

export const eventSchema = z.strictObject({
  ts: z.number().int().nonnegative(),
  proto: z.enum(PROTOCOLS),
  port: z.number().int().min(0).max(65535),
  src: z.string().max(MAX_FIELD).regex(IP_TEXT, 'not an IP address'),
  sport: z.number().int().min(0).max(65535).optional(),
  dst: z.string().max(MAX_FIELD).regex(IP_TEXT, 'not an IP address').optional(),
  flags: z
    .string()
    .max(8)
    .regex(/^[FSRPAUEC]*$/, 'not TCP flag letters')
    .optional(),
  handshake: z.boolean().optional(),
  payload: z
    .strictObject({
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'not a lower-case hex SHA-256'),
      head: z
        .string()
        .max(Math.ceil(PAYLOAD_HEAD_MAX / 3) * 4)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
      bytes: z.number().int().nonnegative(),
    })
    .optional(),
});

export const batchEnvelopeSchema = z.strictObject({
  batch_id: z.string().regex(BATCH_ID_PATTERN, 'batch_id must be 8-64 chars of [A-Za-z0-9_-]'),
  sensor_time: z.number().int().nonnegative(),
  events: z.array(z.unknown()),
  stats: z.record(z.string().max(MAX_FIELD), z.number().int().nonnegative()).optional(),
  watched_addresses: z.number().int().min(1).max(MAX_WATCHED_ADDRESSES).optional(),
});

/**
 * Encodes a batch as the gzip body a sensor sends. Level 1: about three times faster than the default for a body
 * some 10% larger; on a sensor, CPU is the scarce thing, and event JSON compresses well at any level.
 */
export function encodeBatch(batch: SubmissionBatch): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(batch)), { level: 1 });
}

/** A batch whose events are already JSON (`eventsJson`: the bytes of the events array). */
export interface BatchFromJson {
  batch_id: string;
  sensor_time: number;
  stats?: Record<string, number> | undefined;
  watched_addresses?: number | undefined;
  eventsJson: Buffer;
}

/** The document of a BatchFromJson around its events: JSON.stringify of the parsed batch is head + events + tail. */
function batchParts(batch: BatchFromJson): { head: Buffer; tail: Buffer } {
  const head = Buffer.from(
    `{"batch_id":${JSON.stringify(batch.batch_id)},"sensor_time":${JSON.stringify(batch.sensor_time)},"events":`,
    'utf8',
  );
  const stats = batch.stats === undefined ? '' : `,"stats":${JSON.stringify(batch.stats)}`;
  const watched =
    batch.watched_addresses === undefined
      ? ''
      : `,"watched_addresses":${JSON.stringify(batch.watched_addresses)}`;
  return { head, tail: Buffer.from(`${stats}${watched}}`, 'utf8') };
}

/**
 * Encodes a batch whose events are already JSON (e.g. as stored in the sensor's spool): the same document, byte
 * for byte, as encodeBatch of the parsed batch, without parsing or stringifying the events again. Gzip level 1,
 * like encodeBatch.
 */
export function encodeBatchFromJson(batch: BatchFromJson): Buffer {
  const { head, tail } = batchParts(batch);
  return gzipSync(Buffer.concat([head, batch.eventsJson, tail]), { level: 1 });
}

/**
 * encodeBatchFromJson, compressed on libuv's thread pool (off the event loop, on another core if there is one)
 * and fed in three parts, so the events' bytes are never copied into a document first. Same bytes out.
 */
export function encodeBatchFromJsonAsync(batch: BatchFromJson): Promise<Buffer> {
  const { head, tail } = batchParts(batch);
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 1, chunkSize: 64 << 10 });
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    gz.once('error', reject);
    gz.once('end', () => resolve(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out)));
    gz.write(head);
    gz.write(batch.eventsJson);
    gz.end(tail);
  });
}
