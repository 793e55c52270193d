/**
 * The uploader: takes spooled batches in order and delivers them to POST /api/v1/submissions.
 *
 * Invariants:
 * - Up to `maxInFlight` batches in flight, sent in spool order (a window: while the server works on one batch the
 *   next is already compressed and on its way, so a distant or busy server does not idle the sensor). Outcomes are
 *   taken in spool order: a batch leaves the spool only after the server acknowledged it (200 `accepted` or
 *   `duplicate`) or after it was written to the dead-letter folder (a 4xx other than 401/429), and only after
 *   every batch before it did.
 * - After a failure the window shrinks to one batch until the server acknowledges again; batches of the window
 *   that failed too are sent again after the first one, those that were acknowledged are not.
 * - Requests go through node:http(s) on a keep-alive agent (http-post.ts: fetch costs about 17 MB more memory).
 * - The body is encodeBatchFromJson (gzip JSON, compressed on the thread pool; the events' JSON is sent as the
 *   spool stored it, never parsed on this path) and the signature covers exactly those bytes
 *   (src/protocol/signing.ts);
 *   every attempt is signed afresh (new time and nonce) but carries the same batch id, so retries dedupe.
 * - Network errors, timeouts, 5xx, 429 and 401 keep the batch and back off exponentially with jitter, at least as
 *   long as Retry-After says. 401 is logged as an error: it does not heal by itself (revoked key, clock skew).
 * - Nothing here throws out of the loop: a failure is a counter and a log line, then a retry.
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { SubmissionAck } from '../../protocol/api-types.js';
import { encodeBatchFromJsonAsync, SUBMISSIONS_PATH } from '../../protocol/batch.js';
import { signRequest } from '../../protocol/signing.js';
import type { RecordRef, SpooledBatch } from '../spool/spool.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { HttpPoster } from './http-post.js';
import { writeDeadLetter } from './dead-letter.js';
import { WakeableSleep } from '../util/wakeable-sleep.js';

/** What the uploader needs of the spool. */
export interface UploadSource {
  /** The first unacknowledged batch. */
  peek(): SpooledBatch | null;
  /** The batch after `ref`, to send while `ref` is in flight. */
  peekAfter(ref: RecordRef): SpooledBatch | null;
  ack(ref: RecordRef): void;
  waitForData(timeoutMs: number): Promise<void>;
}

export interface UploaderOptions {
  serverUrl: string;
  sensorId: string;
  key: KeyObject;
  source: UploadSource;
  clock: Clock;
  logger: Logger;
  deadLetterDir: string;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  /** Batches in flight at once (default 1). */
  maxInFlight?: number;
  /** Addresses the sensor listens on, sent with every batch (protocol/batch.ts); omitted when undefined. */
  watchedAddresses?: number;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
}

export interface UploaderStats {
  acceptedBatches: number;
  acceptedEvents: number;
  duplicateBatches: number;
  duplicateEvents: number;
  deadLetteredBatches: number;
  deadLetteredEvents: number;
  /** Failed attempts by reason: `network`, `timeout`, `http_5xx`, `http_429`, `http_401`, `bad_ack`. */
  failures: Record<string, number>;
  /** The last failure, for `stats()` and the CLI. */
  lastError: string | null;
  /** When the server last acknowledged a batch (sensor clock, ms), null before the first. */
  lastAckAt: number | null;
}

/** A batch of the window: sent (`done`), and once settled, its outcome. */
interface Slot {
  batch: SpooledBatch;
  done: Promise<Outcome> | null;
  outcome: Outcome | null;
}

type Outcome =
  | { kind: 'acked'; duplicate: boolean }
  | { kind: 'dead'; status: number; error: unknown }
  | { kind: 'retry'; reason: string; message: string; retryAfterMs?: number };

export class Uploader {
  readonly stats: UploaderStats = {
    acceptedBatches: 0,
    acceptedEvents: 0,
    duplicateBatches: 0,
    duplicateEvents: 0,
    deadLetteredBatches: 0,
    deadLetteredEvents: 0,
    failures: {},
    lastError: null,
    lastAckAt: null,
  };
  private readonly log: Logger;
  private readonly http: HttpPoster;
  private readonly maxInFlight: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly sleeper = new WakeableSleep();
  private readonly stopped: Promise<void>;

  private resolveStopped: () => void = () => undefined;

  constructor(private readonly opts: UploaderOptions) {
    this.log = opts.logger.child({ component: 'uploader' });
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
    this.http = new HttpPoster(new URL(SUBMISSIONS_PATH, opts.serverUrl), this.maxInFlight);
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current attempt is cancelled; the batch stays in the spool. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.sleeper.wake();
    this.resolveStopped();
    await this.loop;
    this.http.close();
  }

  private async run(): Promise<void> {
    const window: Slot[] = [];
    let limit = this.maxInFlight;
    let attempt = 0;
    while (this.running) {
      this.fill(window, limit);
      const head = window[0];
      if (head === undefined) {
        await Promise.race([this.opts.source.waitForData(1000), this.stopped]);
        continue;
      }
      const outcome = await (head.done as Promise<Outcome>);
      if (!this.running) break;
      if (outcome.kind === 'retry') {
        attempt++;
        limit = 1;
        this.stats.failures[outcome.reason] = (this.stats.failures[outcome.reason] ?? 0) + 1;
        this.stats.lastError = outcome.message;
        const delay = backoffDelay(
          attempt,
          { baseMs: this.opts.backoffBaseMs, maxMs: this.opts.backoffMaxMs },
          this.opts.random ?? Math.random,
          outcome.retryAfterMs,
        );
        const level = outcome.reason === 'http_401' ? 'error' : 'warn';
        this.log[level](
          { batch_id: head.batch.id, attempt, delay_ms: delay, reason: outcome.reason },
          `upload failed, will retry: ${outcome.message}`,
        );
        // The rest of the window settles first; what failed there is sent again later, in order.
        await Promise.all(window.flatMap((s) => (s.done === null ? [] : [s.done])));
        for (const s of window) {
          if (s.outcome?.kind !== 'retry') continue;
          s.done = null;
          s.outcome = null;
        }
        await this.sleep(delay);
        continue;
      }
      attempt = 0;
      limit = this.maxInFlight;
      // Take the settled outcomes at the head of the window, in spool order.
      while (window[0]?.outcome != null && window[0].outcome.kind !== 'retry') {
        const { batch, outcome: o } = window.shift() as Slot;
        if (o?.kind === 'dead') this.deadLetter(batch, o.status, o.error);
        else this.count(batch, o?.kind === 'acked' && o.duplicate);
        this.opts.source.ack(batch.ref);
      }
    }
  }

  /** Sends the window's unsent batches and adds the next ones from the spool, up to `limit` in flight. */
  private fill(window: Slot[], limit: number): void {
    let inFlight = window.filter((s) => s.done !== null && s.outcome === null).length;
    for (const s of window) {
      if (inFlight >= limit) return;
      if (s.done !== null) continue;
      this.launch(s);
      inFlight++;
    }
    while (inFlight < limit) {
      const last = window[window.length - 1];
      const batch = last === undefined ? this.opts.source.peek() : this.opts.source.peekAfter(last.batch.ref);
      if (batch === null) return;
      const slot: Slot = { batch, done: null, outcome: null };
      window.push(slot);
      this.launch(slot);
      inFlight++;
    }
  }

  private launch(slot: Slot): void {
    slot.done = this.send(slot.batch).then((o) => (slot.outcome = o));
  }

  private count(batch: SpooledBatch, duplicate: boolean): void {
    this.stats.lastAckAt = this.opts.clock.now();
    if (duplicate) {
      this.stats.duplicateBatches++;
      this.stats.duplicateEvents += batch.ref.events;
    } else {
      this.stats.acceptedBatches++;
      this.stats.acceptedEvents += batch.ref.events;
    }
    this.log.debug({ batch_id: batch.id, events: batch.ref.events, duplicate }, 'batch acknowledged');
  }

  private deadLetter(batch: SpooledBatch, status: number, error: unknown): void {
    const path = writeDeadLetter(this.opts.deadLetterDir, {
      batch_id: batch.id,
      status,
      error,
      dead_lettered_at: new Date(this.opts.clock.now()).toISOString(),
      events: batch.events, // parsed here, only here: the rare path
      ...(batch.stats ? { stats: batch.stats } : {}),
    });
    this.stats.deadLetteredBatches++;
    this.stats.deadLetteredEvents += batch.ref.events;
    this.log.error(
      { batch_id: batch.id, status, error, path },
      'server refused the batch; moved to the dead-letter folder',
    );
  }

  private async send(batch: SpooledBatch): Promise<Outcome> {
    const now = this.opts.clock.now();
    const body = await encodeBatchFromJsonAsync({
      batch_id: batch.id,
      sensor_time: now,
      eventsJson: batch.eventsJson,
      ...(batch.stats ? { stats: batch.stats } : {}),
      watched_addresses: this.opts.watchedAddresses,
    });
    if (this.abort.signal.aborted) return { kind: 'retry', reason: 'network', message: 'uploader stopped' };
    const signed = signRequest(this.opts.sensorId, this.opts.key, 'POST', SUBMISSIONS_PATH, body, now);
    const timeout = new AbortController();
    const onStop = (): void => timeout.abort();
    this.abort.signal.addEventListener('abort', onStop);
    const timer = setTimeout(() => timeout.abort(), this.opts.timeoutMs);
    try {
      const res = await this.http.post(
        { 'content-type': 'application/json', 'content-encoding': 'gzip', ...signed },
        body,
        timeout.signal,
      );
      return this.judge(res.status, res.text, res.retryAfter);
    } catch (err) {
      const timedOut = timeout.signal.aborted && !this.abort.signal.aborted;
      return {
        kind: 'retry',
        reason: timedOut ? 'timeout' : 'network',
        message: timedOut ? `no answer within ${this.opts.timeoutMs} ms` : describe(err),
      };
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
  }

  private judge(status: number, text: string, retryAfter: string | null): Outcome {
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const detail = isErrorBody(json) ? `${json.code}: ${json.message}` : text.slice(0, 200);
    if (status === 200) {
      const ack = json as Partial<SubmissionAck> | undefined;
      if (ack?.status === 'accepted' || ack?.status === 'duplicate')
        return { kind: 'acked', duplicate: ack.status === 'duplicate' };
      return {
        kind: 'retry',
        reason: 'bad_ack',
        message: `200 without a submission ack: ${text.slice(0, 200)}`,
      };
    }
    const after = parseRetryAfter(retryAfter, this.opts.clock.now());
    if (status === 401)
      return {
        kind: 'retry',
        reason: 'http_401',
        message: `server refused the signature (401 ${detail}); check enrolment, key and clock`,
        retryAfterMs: after,
      };
    if (status === 429)
      return {
        kind: 'retry',
        reason: 'http_429',
        message: `rate limited (429 ${detail})`,
        retryAfterMs: after,
      };
    if (status >= 500 || status === 408)
      return {
        kind: 'retry',
        reason: 'http_5xx',
        message: `server error ${status} ${detail}`,
        retryAfterMs: after,
      };
    if (status >= 400) return { kind: 'dead', status, error: json ?? text.slice(0, 2000) };
    return { kind: 'retry', reason: 'bad_ack', message: `unexpected HTTP ${status}` };
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}

function isErrorBody(v: unknown): v is { code: string; message: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { code?: unknown }).code === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ') || String(err);
}
