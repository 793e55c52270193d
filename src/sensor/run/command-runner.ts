/**
 * Runs one command input (journald; RunningInput): spawns the command, parses its standard output line by line,
 * passes events through the privacy filter to the batcher, and keeps the cursor of the last line handed on.
 *
 * Invariants:
 * - The saved position is the cursor of the last line handed on; a restart resumes after it (--after-cursor), so
 *   nothing is read twice and nothing skipped (the batcher saves it only behind the spool).
 * - While following, a command that exits or cannot start is run again after a growing delay (1 s to 30 s),
 *   from the last cursor; each restart is counted. Its standard error is logged, not parsed.
 * - `readToEnd` runs the command without following and waits for it to exit (for --once).
 * - A line longer than MAX_LINE is refused (counted), never buffered without bound.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { FollowPosition } from '../follow/follower.js';
import type { ParseContext } from '../inputs/input.js';
import { LineStats } from '../inputs/line-stats.js';
import type { CommandInputDefinition, CommandLineResult, InputOptions } from '../inputs/registry.js';
import type { PrivacyFilter } from '../privacy.js';
import { LineSplitter } from '../util/line-splitter.js';
import { WakeableSleep } from '../util/wakeable-sleep.js';
import type { Batcher } from './batcher.js';
import { ResultSink } from './result-sink.js';
import type { RunningInput } from './running-input.js';

export const MAX_LINE = 1 << 20;

export interface CommandRunnerOptions {
  key: string;
  definition: CommandInputDefinition;
  inputOptions: InputOptions;
  start: 'beginning' | 'end';
  resume?: FollowPosition | undefined;
  privacy: PrivacyFilter;
  batcher: Batcher;
  clock: Clock;
  logger: Logger;
}

const EMPTY = Buffer.alloc(0);

export class CommandRunner implements RunningInput {
  readonly key: string;
  readonly stats = new LineStats();
  readonly position: () => FollowPosition;
  private cursor: string | undefined;
  private child: ChildProcess | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private restarts = 0;
  private spawnFailures = 0;
  private readonly sleeper = new WakeableSleep();
  private readonly parse: (line: string, ctx: ParseContext) => CommandLineResult;
  private readonly ctx = { now: 0 };
  private readonly sink: ResultSink;

  constructor(private readonly opts: CommandRunnerOptions) {
    this.sink = new ResultSink(this.stats, opts.privacy, opts.batcher, opts.logger);
    this.key = opts.key;
    this.cursor = opts.resume?.cursor;
    this.parse = opts.definition.createLineParser(opts.inputOptions);
    this.position = () => ({ path: opts.key, inode: 'cursor', offset: 0, cursor: this.cursor });
  }

  counters(): Record<string, number> {
    return { restarts: this.restarts, spawn_failures: this.spawnFailures };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    this.child?.kill('SIGTERM');
    await this.loop;
  }

  /** Runs the command once without following, to its exit. */
  async readToEnd(): Promise<void> {
    if (this.running) return;
    await this.runOnce(false);
  }

  private async run(): Promise<void> {
    let delay = 1000;
    while (this.running) {
      const began = performance.now();
      await this.runOnce(true);
      if (!this.running) break;
      this.restarts++;
      if (performance.now() - began > 60_000) delay = 1000;
      this.opts.logger.warn({ delay_ms: delay }, 'the input command exited; running it again');
      await this.sleeper.sleep(delay);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  /** Spawns the command and reads its output until it exits. */
  private runOnce(follow: boolean): Promise<void> {
    const argv = this.opts.definition.command(this.opts.inputOptions, {
      cursor: this.cursor,
      follow,
      start: this.opts.start,
    });
    const [file, ...args] = argv;
    return new Promise<void>((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(file ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        this.spawnFailures++;
        this.opts.logger.error({ err, command: file }, 'cannot run the input command');
        resolve();
        return;
      }
      this.child = child;
      const splitter = new LineSplitter(
        MAX_LINE,
        (buf, start, end) => this.onLine(buf.toString('utf8', start, end)),
        () => this.stats.count({ kind: 'malformed', reason: 'line_too_long' }, EMPTY, 0, 0),
      );
      child.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
      let stderrTail = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000);
      });
      child.on('error', (err) => {
        this.spawnFailures++;
        this.opts.logger.error({ err, command: file }, 'cannot run the input command');
      });
      child.on('close', (code, signal) => {
        this.child = null;
        splitter.end();
        if (stderrTail !== '' || (code !== 0 && code !== null && this.running))
          this.opts.logger.warn({ code, signal, stderr: stderrTail.trim() }, 'input command ended');
        resolve();
      });
    });
  }

  private onLine(line: string): void {
    this.ctx.now = this.opts.clock.now();
    const { result, cursor } = this.parse(line, this.ctx);
    if (result.kind === 'event') this.sink.event(result.event);
    else {
      const b = Buffer.from(line.slice(0, 512));
      this.sink.take(result, b, 0, b.length);
    }
    if (cursor !== undefined) this.cursor = cursor;
  }
}
