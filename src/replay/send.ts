/**
 * Sends one replayed batch through the sensors' own client (src/protocol/client.ts submitBatch: gzip, Ed25519
 * signature), waiting out what heals by itself.
 *
 * Invariants:
 * - 429 waits at least the server's Retry-After (`details.retry_after_s`), 5xx, 408 and network errors back off
 *   exponentially with jitter (src/sensor/uploader/backoff.ts); every attempt is signed afresh with the same
 *   batch id, so an attempt whose answer was lost is acknowledged `duplicate` the next time.
 * - Any other answer is a refusal, returned with the server's code and message, never retried.
 * - Retrying stops after `maxRetryMs`: the batch is then a refusal (`gave_up`) carrying the last problem;
 *   an abort stops at once and returns `aborted` (the batch may be sent again by a later run).
 */
import type { KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubmissionBatch } from '../protocol/batch.js';
import { ApiError, submitBatch } from '../protocol/client.js';
import { backoffDelay } from '../sensor/uploader/backoff.js';

export interface SensorCredentials {
  serverUrl: string;
  sensorId: string;
  key: KeyObject;
}

export type SendOutcome =
  | { kind: 'acked'; status: 'accepted' | 'duplicate' }
  | { kind: 'refused'; status: number | null; code: string; message: string }
  | { kind: 'aborted' };

export interface SendOptions {
  /** Give up on a batch after retrying this long. */
  maxRetryMs: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  signal?: AbortSignal | undefined;
  /** Each wait before a retry: reason (`http_429`, `http_5xx`, `network`), delay and the problem. */
  onRetry?: (reason: string, delayMs: number, message: string) => void;
  random?: () => number;
}

type Attempt =
  SendOutcome | { kind: 'retry'; reason: string; message: string; retryAfterMs?: number | undefined };

function retryAfterOf(err: ApiError): number | undefined {
  const s = (err.body?.details as { retry_after_s?: unknown } | undefined)?.retry_after_s;
  return typeof s === 'number' && s >= 0 ? s * 1000 : undefined;
}

async function attempt(cred: SensorCredentials, batch: SubmissionBatch): Promise<Attempt> {
  try {
    const ack = await submitBatch(cred.serverUrl, cred.sensorId, cred.key, batch);
    return { kind: 'acked', status: ack.status };
  } catch (err) {
    if (!(err instanceof ApiError)) {
      const e = err as { message?: string; cause?: { code?: string } };
      return {
        kind: 'retry',
        reason: 'network',
        message: [e.message, e.cause?.code].filter(Boolean).join(': '),
      };
    }
    const message = err.body ? `${err.body.code}: ${err.body.message}` : err.message;
    if (err.status === 429)
      return { kind: 'retry', reason: 'http_429', message, retryAfterMs: retryAfterOf(err) };
    if (err.status >= 500 || err.status === 408)
      return { kind: 'retry', reason: 'http_5xx', message, retryAfterMs: retryAfterOf(err) };
    return { kind: 'refused', status: err.status, code: err.body?.code ?? `HTTP_${err.status}`, message };
  }
}

/**
 * @example const outcome = await sendWithRetry(cred, { batch_id, sensor_time: Date.now(), events }, { maxRetryMs: 600_000 })
 */
export async function sendWithRetry(
  cred: SensorCredentials,
  batch: Omit<SubmissionBatch, 'sensor_time'>,
  opts: SendOptions,
): Promise<SendOutcome> {
  const started = Date.now();
  const cfg = { baseMs: opts.backoffBaseMs ?? 250, maxMs: opts.backoffMaxMs ?? 30_000 };
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted === true) return { kind: 'aborted' };
    const r = await attempt(cred, { ...batch, sensor_time: Date.now() });
    if (r.kind !== 'retry') return r;
    const delay = backoffDelay(n, cfg, opts.random ?? Math.random, r.retryAfterMs);
    if (Date.now() + delay - started > opts.maxRetryMs)
      return {
        kind: 'refused',
        status: null,
        code: 'gave_up',
        message: `still failing after ${Math.round((Date.now() - started) / 1000)} s: ${r.message}`,
      };
    opts.onRetry?.(r.reason, delay, r.message);
    try {
      await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {});
    } catch {
      return { kind: 'aborted' };
    }
  }
}
