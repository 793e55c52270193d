/**
 * Runs one capture-file input (pcap/pcapng, RunningInput): reads the file as it grows (tcpdump -w), hands whole
 * records to the decoder, passes events through the privacy filter to the batcher.
 *
 * Invariants:
 * - The saved position is the end of the last whole record decoded; a partial record at the end waits for more
 *   bytes. A resumed file is decoded again from byte 0 (the file header and pcapng interface blocks define how to
 *   read what follows) with every result up to the saved offset ignored, so nothing is counted twice.
 * - A replaced file (another inode at the path) is read from its beginning with a fresh decoder; a file shorter
 *   than what was read (truncated) too. A file the decoder calls fatal is not read further until it is replaced.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { inodeOf } from '../follow/follower.js';
import type { FollowPosition } from '../follow/follower.js';
import type { PacketDecoder, ParseResult } from '../inputs/input.js';
import { LineStats } from '../inputs/line-stats.js';
import type { PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';
import { PollLoop } from './poll-loop.js';
import { ResultSink } from './result-sink.js';
import type { RunningInput } from './running-input.js';

export interface PacketRunnerOptions {
  key: string;
  path: string;
  start: 'beginning' | 'end';
  resume?: FollowPosition | undefined;
  pollIntervalMs: number;
  makeDecoder: () => PacketDecoder;
  privacy: PrivacyFilter;
  batcher: Batcher;
  clock: Clock;
  logger: Logger;
  chunkBytes?: number;
}

const EMPTY = Buffer.alloc(0);

export class PacketRunner implements RunningInput {
  readonly key: string;
  readonly stats = new LineStats();
  readonly position: () => FollowPosition;
  private fh: FileHandle | null = null;
  private inode = '';
  private decoder: PacketDecoder;
  /** File offset just after the last whole record decoded. */
  private offset = 0;
  private pending: Buffer = EMPTY;
  /** Results up to this file offset were counted by an earlier run. */
  private skipUntil = 0;
  private fatal: string | null = null;
  private first = true;
  private rotations = 0;
  private truncations = 0;
  private fatalFiles = 0;
  private readonly loop: PollLoop;
  private readonly sink: ResultSink;
  private readonly chunk: Buffer;

  constructor(private readonly opts: PacketRunnerOptions) {
    this.key = opts.key;
    this.decoder = opts.makeDecoder();
    this.chunk = Buffer.allocUnsafe(opts.chunkBytes ?? 1 << 20);
    this.sink = new ResultSink(this.stats, opts.privacy, opts.batcher, opts.logger);
    this.loop = new PollLoop(
      () => this.poll(),
      opts.pollIntervalMs,
      (err) => opts.logger.error({ err, path: opts.path }, 'reading the capture failed; retrying'),
    );
    // While an earlier run's records are decoded again, the saved position must not move back.
    this.position = () => ({
      path: opts.path,
      inode: this.inode,
      offset: Math.max(this.offset, this.skipUntil),
    });
  }

  counters(): Record<string, number> {
    return { rotations: this.rotations, truncations: this.truncations, unreadable_files: this.fatalFiles };
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.loop.exclusive(() => this.closeFile());
  }

  readToEnd(): Promise<void> {
    return this.loop.readToEnd();
  }

  /** Reads one chunk; true at the end of what is there now. */
  private async poll(): Promise<boolean> {
    if (this.fh === null && !(await this.openCurrent())) return true;
    const fh = this.fh!;
    if (this.fatal === null) {
      const at = this.offset + this.pending.length;
      const { bytesRead } = await fh.read(this.chunk, 0, this.chunk.length, at);
      if (bytesRead > 0) {
        this.decode(bytesRead);
        return false;
      }
    }
    const now = await inodeOf(this.opts.path);
    if (now === null) return true;
    if (now.inode !== this.inode) {
      if (this.pending.length > 0) this.stats.count(BAD_PARTIAL, EMPTY, 0, 0);
      await this.closeFile();
      this.rotations++;
      return !(await this.openCurrent());
    }
    if (now.size < this.offset + this.pending.length) {
      this.truncations++;
      this.resetDecoding(0);
      return false;
    }
    return true;
  }

  private decode(bytesRead: number): void {
    const fresh = this.chunk.subarray(0, bytesRead);
    const buf = this.pending.length === 0 ? fresh : Buffer.concat([this.pending, fresh]);
    const base = this.offset;
    const r = this.decoder.feed(buf, (res: ParseResult, recordEnd: number) => {
      if (base + recordEnd > this.skipUntil) this.sink.take(res, EMPTY, 0, 0);
    });
    if (r.fatal !== undefined) {
      this.fatal = r.fatal;
      this.fatalFiles++;
      this.stats.count({ kind: 'malformed', reason: 'unreadable_file' }, EMPTY, 0, 0);
      this.opts.logger.error(
        { path: this.opts.path, reason: r.fatal },
        'not a readable capture file; waiting for a new one',
      );
      this.pending = EMPTY;
      return;
    }
    this.offset = base + r.consumed;
    // Copy the unconsumed tail: the chunk buffer is reused by the next read.
    this.pending = r.consumed >= buf.length ? EMPTY : Buffer.from(buf.subarray(r.consumed));
  }

  private resetDecoding(from: number): void {
    this.decoder = this.opts.makeDecoder();
    this.offset = 0;
    this.pending = EMPTY;
    this.skipUntil = from;
    this.fatal = null;
  }

  private async openCurrent(): Promise<boolean> {
    const s = await inodeOf(this.opts.path);
    if (s === null) return false;
    let fh: FileHandle;
    try {
      fh = await open(this.opts.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    this.fh = fh;
    const resume = this.opts.resume;
    let skip = 0;
    if (this.first && resume !== undefined && resume.inode === s.inode && resume.offset <= s.size)
      skip = resume.offset;
    else if (this.first && resume === undefined && this.opts.start === 'end') skip = s.size;
    this.first = false;
    this.inode = s.inode;
    this.resetDecoding(skip);
    return true;
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.pending = EMPTY;
    if (fh !== null) await fh.close();
  }
}

const BAD_PARTIAL: ParseResult = Object.freeze({ kind: 'malformed', reason: 'partial_record_at_rotation' });
