/**
 * Runs one configured line input (RunningInput): follows its file, parses each line, applies the privacy policy, hands events to the
 * batcher and counts everything it did not pass on (LineStats, by reason, malformed lines sampled).
 *
 * Invariants: one reader at a time per file (reads are serialised by the PollLoop's lock, so `readToEnd` from
 * drain() and the polling loop never interleave); the hot path per line allocates only the event; `ctx.now` is set from the
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
import { PollLoop } from './poll-loop.js';
import { ResultSink } from './result-sink.js';
import type { RunningInput } from './running-input.js';

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
  private readonly loop: PollLoop;
  private readonly ctx = { now: 0 };
  private readonly onLine: (buf: Buffer, start: number, end: number) => void;

  readonly key: string;
  readonly position: () => FollowPosition;

  constructor(private readonly opts: InputRunnerOptions) {
    this.key = opts.key;
    this.position = () => this.follower.position();
    this.follower = new FileFollower({ path: opts.path, start: opts.start, resume: opts.resume });
    const { parser, logger } = opts;
    const ctx = this.ctx;
    const sink = new ResultSink(this.stats, opts.privacy, opts.batcher, logger);
    this.onLine = (buf, start, end) => sink.take(parser.parseBytes(buf, start, end, ctx), buf, start, end);
    this.loop = new PollLoop(
      async () => {
        ctx.now = opts.clock.now();
        return (await this.follower.poll(this.onLine)).eof;
      },
      opts.pollIntervalMs,
      (err) => logger.error({ err, path: opts.path }, 'reading the input failed; retrying'),
    );
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
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.loop.exclusive(() => this.follower.close());
  }

  /** Reads everything the file holds now. */
  readToEnd(): Promise<void> {
    return this.loop.readToEnd();
  }
}
