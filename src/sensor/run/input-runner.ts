/**
 * Runs one configured line input (RunningInput): follows its file, parses each line, applies the privacy policy, hands events to the
 * batcher and counts everything it did not pass on (LineStats, by reason, malformed lines sampled).
 *
 * Invariants: one reader at a time per file (reads are serialised by `exclusive`, so `readToEnd` from drain() and
 * the polling loop never interleave); the hot path per line allocates only the event; `ctx.now` is set from the
 * injected clock once per read chunk.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { FileFollower } from '../follow/follower.js';
import type { FollowPosition } from '../follow/follower.js';
import type { InputParser } from '../inputs/input.js';
import { LineStats } from '../inputs/line-stats.js';
import type { PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';
import type { RunningInput } from './running-input.js';
import { WakeableSleep } from '../util/wakeable-sleep.js';

export interface InputRunnerOptions {
  key: string;
  type: string;
  path: string;
  start: 'beginning' | 'end';
  resume?: FollowPosition | undefined;
  pollIntervalMs: number;
  parser: InputParser;
  privacy: PrivacyFilter;
  batcher: Batcher;
  clock: Clock;
  logger: Logger;
}

export class InputRunner implements RunningInput {
  readonly stats = new LineStats();
  readonly follower: FileFollower;
  private running = false;
  private loop: Promise<void> | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly sleeper = new WakeableSleep();
  private readonly ctx = { now: 0 };
  private readonly onLine: (buf: Buffer, start: number, end: number) => void;

  readonly key: string;
  readonly position: () => FollowPosition;

  constructor(private readonly opts: InputRunnerOptions) {
    this.key = opts.key;
    this.position = () => this.follower.position();
    this.follower = new FileFollower({ path: opts.path, start: opts.start, resume: opts.resume });
    const { parser, privacy, batcher, logger } = opts;
    const stats = this.stats;
    const ctx = this.ctx;
    this.onLine = (buf, start, end) => {
      const r = parser.parseBytes(buf, start, end, ctx);
      if (r.kind === 'event') {
        stats.lines++;
        stats.events++;
        if (privacy.apply(r.event)) batcher.add(r.event);
        return;
      }
      const sample = stats.count(r, buf, start, end);
      if (sample !== undefined) logger.debug(sample, 'malformed line (sample)');
    };
  }

  counters(): Record<string, number> {
    return {
      rotations: this.follower.rotations,
      truncations: this.follower.truncations,
      long_lines: this.follower.longLines,
      resumed_rotated: this.follower.resumedRotated,
      lost_rotated: this.follower.lostRotated,
    };
  }

  /** Polls the file until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
    await this.exclusive(() => this.follower.close());
  }

  /** Reads everything the file holds now. */
  readToEnd(): Promise<void> {
    return this.exclusive(async () => {
      for (;;) {
        this.ctx.now = this.opts.clock.now();
        const r = await this.follower.poll(this.onLine);
        if (r.eof) return;
      }
    });
  }

  private async run(): Promise<void> {
    const log = this.opts.logger;
    while (this.running) {
      let eof = true;
      try {
        eof = await this.exclusive(async () => {
          this.ctx.now = this.opts.clock.now();
          return (await this.follower.poll(this.onLine)).eof;
        });
      } catch (err) {
        log.error({ err, path: this.opts.path }, 'reading the input failed; retrying');
      }
      if (eof && this.running) await this.sleep(this.opts.pollIntervalMs);
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }
}
