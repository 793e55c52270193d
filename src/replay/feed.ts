/**
 * The feeder: reads files line by line in a format (format.ts), routes each event to the sensor it is sent as,
 * applies the sensor's privacy policy, groups events into batches per (file, sensor) and submits them as signed
 * gzip batches (send.ts), exactly as sensors do, so they meet the server's signature, limits, validation, bus and
 * aggregation.
 *
 * Invariants:
 * - Batch ids are deterministic (batch-id.ts): a run repeated or resumed after an interruption counts nothing twice.
 * - Memory is bounded: one read chunk, one pending batch per sensor of the current file, and at most
 *   `concurrency` batches in flight (reading waits for a free slot after each chunk).
 * - Nothing read is silently lost: every line and event ends in exactly one counter of the summary (summary.ts).
 *   A line is refused (counted by reason, with its line number) when it is malformed, when its event is further
 *   in the future than `maxFutureSkewMs` or older than `maxPastAgeMs` (the server would refuse the whole batch
 *   for it) or when its row names another operator than the first row of its sensor.
 * - A refused batch is reported with the server's message and the run goes on, unless `strict`; `strict`, an
 *   abort or a sensor that cannot be enrolled stops reading, lets the batches in flight finish, and counts what
 *   was batched but not sent as `not_sent`.
 */
import type { Logger } from 'pino';
import type { AttackEvent } from '../core/event.js';
import type { ParseResult } from '../sensor/inputs/input.js';
import { MAX_LINE_BYTES } from '../sensor/parse-file.js';
import { PrivacyFilter } from '../sensor/privacy.js';
import type { PrivacyConfig } from '../sensor/privacy.js';
import { LineSplitter } from '../sensor/util/line-splitter.js';
import { batchId } from './batch-id.js';
import { makeLineFormat } from './format.js';
import type { FormatChoice } from './format.js';
import type { Progress, ProgressState } from './progress.js';
import { sendWithRetry } from './send.js';
import type { SendOutcome, SensorCredentials } from './send.js';
import { contentSha256, decodedChunks, storedSize } from './source.js';
import { MAX_BATCH_REFUSALS, Tally } from './summary.js';
import type { ReplaySummary, SensorSummary } from './summary.js';

/** The sensor a row is sent as. `key` names its batches; rows of one key share one operator. */
export interface SensorRoute {
  key: string;
  name: string;
  operator: string;
}

/** Where credentials come from: one identity for replay, an enrolment per sensor for import. */
export interface SensorDirectory {
  /** Called once per route key, when its first batch is sent. */
  resolve(route: SensorRoute): Promise<SensorCredentials & { reused?: boolean }>;
}

export interface FeedOptions {
  files: string[];
  format: FormatChoice;
  /** The sensor of a row: `host` and `operator` are the marx row's, undefined in other formats. */
  route(row: { file: string; host?: string | undefined; operator?: string | undefined }): SensorRoute;
  sensors: SensorDirectory;
  privacy: PrivacyConfig;
  batchSize: number;
  concurrency: number;
  strict: boolean;
  /** How long one batch is retried (429, 5xx, network) before it counts as refused. */
  maxRetryMs: number;
  /** Events later than now plus this are refused lines (the server's max_future_skew_ms). */
  maxFutureSkewMs: number;
  /** Events older than now minus this are refused lines (the server's max_past_age_ms); null: none. */
  maxPastAgeMs: number | null;
  progress: Progress;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

const FUTURE: ParseResult = Object.freeze({ kind: 'malformed', reason: 'future_time' });
const PAST: ParseResult = Object.freeze({ kind: 'malformed', reason: 'past_time' });
const OPERATOR_MISMATCH: ParseResult = Object.freeze({ kind: 'malformed', reason: 'operator_mismatch' });
const TOO_LONG: ParseResult = Object.freeze({ kind: 'malformed', reason: 'line_too_long' });
const EMPTY = Buffer.alloc(0);

interface Entry {
  route: SensorRoute;
  summary: SensorSummary;
  credentials?: Promise<SensorCredentials>;
}

interface Pending {
  entry: Entry;
  events: AttackEvent[];
  n: number;
}

/**
 * Replays `files`; resolves with the summary once every batch got its answer.
 * @example const summary = await feed({ files: ['marx.csv.gz'], format: { format: 'marx', timezone: 'utc' }, ... })
 */
export function feed(opts: FeedOptions): Promise<ReplaySummary> {
  makeLineFormat(opts.format); // validates the format and its options before any file is opened
  return new Feeder(opts).run();
}

class Feeder {
  private readonly log: Logger;
  private readonly tally = new Tally();
  private readonly privacy: PrivacyFilter;
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly totalBytes: number | null;
  private bytes = 0;

  constructor(private readonly opts: FeedOptions) {
    this.log = opts.logger.child({ component: 'replay' });
    this.privacy = new PrivacyFilter(opts.privacy);
    this.tally.excluded = this.privacy.excluded;
    const sizes = opts.files.map(storedSize);
    this.totalBytes = sizes.includes(null) ? null : sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  }

  async run(): Promise<ReplaySummary> {
    for (const file of this.opts.files) {
      if (this.stopped()) break;
      await this.readFile(file);
    }
    await Promise.all(this.inflight);
    this.opts.progress.done(this.state());
    return this.tally.summary();
  }

  private async readFile(file: string): Promise<void> {
    const { opts, tally } = this;
    const sha = await contentSha256(file);
    const format = makeLineFormat(opts.format);
    const pending = new Map<string, Pending>();
    const now = Date.now();
    const oldest = opts.maxPastAgeMs === null ? -Infinity : now - opts.maxPastAgeMs;
    let lineNo = 0;
    const onLine = (buf: Buffer, s: number, e: number): void => {
      lineNo++;
      const r = format.parse(buf, s, e, now);
      if (r.kind !== 'event') return tally.line(r, file, lineNo, buf, s, e);
      if (r.event.ts > now + opts.maxFutureSkewMs) return tally.line(FUTURE, file, lineNo, buf, s, e);
      if (r.event.ts < oldest) return tally.line(PAST, file, lineNo, buf, s, e);
      const route = opts.route({ file, host: r.host, operator: r.operator });
      const entry = this.entryOf(route);
      if (entry.route.operator !== route.operator)
        return tally.line(OPERATOR_MISMATCH, file, lineNo, buf, s, e);
      tally.line(r, file, lineNo, buf, s, e);
      if (!this.privacy.apply(r.event)) return;
      let p = pending.get(route.key);
      if (p === undefined) pending.set(route.key, (p = { entry, events: [], n: 0 }));
      p.events.push(r.event);
      if (p.events.length >= opts.batchSize) this.ship(p, sha);
    };
    const splitter = new LineSplitter(MAX_LINE_BYTES, onLine, () =>
      tally.line(TOO_LONG, file, ++lineNo, EMPTY, 0, 0),
    );
    const before = this.bytes;
    for await (const chunk of decodedChunks(file, (n) => (this.bytes += n))) {
      splitter.push(chunk);
      opts.progress.update(this.state());
      while (this.inflight.size >= opts.concurrency) await Promise.race(this.inflight);
      if (this.stopped()) break;
    }
    if (!this.stopped()) splitter.end();
    for (const p of pending.values()) if (p.events.length > 0) this.ship(p, sha);
    tally.files.push({ path: file, bytes: this.bytes - before, sha256: sha, lines: lineNo });
    this.log.info({ file, lines: lineNo, sha256: sha }, 'file read');
  }

  private stopped(): boolean {
    if (this.tally.stopped === null && this.opts.signal?.aborted === true) this.tally.stopped = 'interrupted';
    return this.tally.stopped !== null;
  }

  private state(): ProgressState {
    const t = this.tally;
    return {
      bytes: this.bytes,
      totalBytes: this.totalBytes,
      lines: t.lines.lines,
      events: t.events.batched,
      acked: t.events.accepted + t.events.duplicate,
    };
  }

  private entryOf(route: SensorRoute): Entry {
    let entry = this.entries.get(route.key);
    if (entry === undefined) {
      const summary = {
        name: route.name,
        sensor_id: null,
        operator: route.operator,
        reused: false,
        events: 0,
        batches: 0,
      };
      entry = { route, summary };
      this.entries.set(route.key, entry);
      this.tally.sensors.set(route.key, summary);
    }
    return entry;
  }

  /** Closes a pending batch: counted as batched, then sent (or not sent, once stopped). */
  private ship(p: Pending, sha: string | null): void {
    const events = p.events;
    p.events = [];
    const id = batchId({ fileSha256: sha, sensor: p.entry.route.key, n: p.n++ }, events);
    let min = Infinity;
    let max = -Infinity;
    for (const e of events) {
      if (e.ts < min) min = e.ts;
      if (e.ts > max) max = e.ts;
    }
    this.tally.batched(events.length, min, max);
    p.entry.summary.events += events.length;
    p.entry.summary.batches++;
    if (this.stopped()) return this.notSent(events.length);
    const task = this.send(p.entry, id, events);
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
  }

  private notSent(events: number): void {
    this.tally.batches.not_sent++;
    this.tally.events.not_sent += events;
  }

  private credentialsOf(entry: Entry): Promise<SensorCredentials> {
    return (entry.credentials ??= this.opts.sensors.resolve(entry.route).then((c) => {
      entry.summary.sensor_id = c.sensorId;
      entry.summary.reused = c.reused === true;
      return c;
    }));
  }

  /** Sends one batch and counts its outcome; never throws (a sensor that cannot be had stops the run). */
  private async send(entry: Entry, id: string, events: AttackEvent[]): Promise<void> {
    let outcome: SendOutcome;
    try {
      const cred = await this.credentialsOf(entry);
      outcome = await sendWithRetry(
        cred,
        { batch_id: id, events },
        {
          maxRetryMs: this.opts.maxRetryMs,
          signal: this.opts.signal,
          onRetry: (reason, delayMs, message) => {
            this.tally.retry(reason);
            this.log.debug({ batch_id: id, reason, delay_ms: delayMs }, `retrying: ${message}`);
          },
        },
      );
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const message = `sensor ${entry.route.name}: ${e.message ?? String(err)}`;
      outcome = { kind: 'refused', status: null, code: e.code ?? 'error', message };
      this.tally.stopped ??= message;
    }
    if (outcome.kind === 'aborted') return this.notSent(events.length);
    const t = this.tally;
    t.batches.sent++;
    if (outcome.kind === 'acked') {
      t.batches[outcome.status]++;
      t.events[outcome.status] += events.length;
      return;
    }
    t.batches.refused++;
    t.events.refused += events.length;
    const { status, code, message } = outcome;
    if (t.batchRefusals.length < MAX_BATCH_REFUSALS)
      t.batchRefusals.push({
        batch_id: id,
        sensor: entry.route.name,
        events: events.length,
        status,
        code,
        message,
      });
    this.log.warn(
      { batch_id: id, sensor: entry.route.name, events: events.length, status },
      `batch refused: ${message}`,
    );
    if (this.opts.strict) t.stopped ??= `--strict: batch ${id} refused: ${message}`;
  }
}
