/**
 * Follows a growing log file by polling (fs.stat + positional reads), like `tail -F`, and hands out complete lines.
 *
 * Invariants:
 * - A line is handed out once it has its '\n'; a partial last line waits in memory for the rest. Positions count
 *   only delivered lines: `position().offset` is the byte just after the last delivered '\n', so resuming there
 *   never loses nor repeats a line.
 * - Rename rotation (logrotate create): when the path names another inode, the old file is read to its end first
 *   (a partial last line of the old file is delivered, as nothing more will come), then the new file is read from 0.
 * - Truncation (copytruncate): when the file is shorter than what was read, reading restarts at 0; the partial
 *   line is dropped.
 * - A resume position is used only if it names the same inode and lies within the file. A different inode means
 *   the file was rotated while the sensor was down: the old file is looked up beside it by inode (kern.log.1,
 *   kern.log-2024...), read from the saved offset to its end, then the new file from its beginning; when the old
 *   file is gone (deleted, compressed) its unread tail is lost and counted (`lostRotated`). `start: end` applies
 *   only to a file that exists when following begins; one that appears later is read from its beginning.
 * - The read buffer is reused: handlers must copy what they keep (input parsers do, rule 4 of input.ts).
 *   A line longer than the buffer is handed out in buffer-sized pieces (counted in `longLines`).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';

export interface FollowPosition {
  path: string;
  /** Inode number as decimal text (64-bit inode numbers do not fit a double). */
  inode: string;
  /** Byte offset just after the last delivered line. */
  offset: number;
  /** An opaque resume token for inputs that are not files (the journal cursor). */
  cursor?: string | undefined;
}

export interface FollowerOptions {
  path: string;
  /** Where to begin in a file seen for the first time. */
  start: 'beginning' | 'end';
  /** Position saved by an earlier run; wins over `start` when it still names the same file. */
  resume?: FollowPosition | undefined;
  /** Read buffer size (default 1 MiB). */
  chunkBytes?: number;
}

/** Called for each complete line `buf[start, end)` (without '\n'); `offsetAfter` is its end in the file. */
export type LineHandler = (buf: Buffer, start: number, end: number, offsetAfter: number) => void;

export interface PollResult {
  /** Bytes consumed by this call. */
  bytes: number;
  /** True when the call stopped at the end of the file (nothing more to read now). */
  eof: boolean;
}

/** A file beside `path` whose name starts with its name (kern.log.1, kern.log-20240101) and has this inode. */
async function findByInode(path: string, inode: string): Promise<{ path: string; size: number } | null> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    if (name === base || !name.startsWith(base)) continue;
    try {
      const s = await stat(join(dir, name), { bigint: true });
      if (s.isFile() && s.ino.toString() === inode) return { path: join(dir, name), size: Number(s.size) };
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** The inode (decimal text) and size of the file at `path`; null when there is none. */
export async function inodeOf(path: string): Promise<{ inode: string; size: number } | null> {
  try {
    const s = await stat(path, { bigint: true });
    return { inode: s.ino.toString(), size: Number(s.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class FileFollower {
  /** Lines longer than the read buffer, handed out in pieces. */
  longLines = 0;
  /** Rotations and truncations seen. */
  rotations = 0;
  truncations = 0;
  /** Resumes whose file had been rotated while the sensor was down: found under its new name and finished, or not found (its unread tail is lost, e.g. compressed by logrotate). */
  resumedRotated = 0;
  lostRotated = 0;
  private fh: FileHandle | null = null;
  private inode = '';
  /** File offset of buf[0]. */
  private bufOffset = 0;
  /** Bytes of a partial line kept at buf[0, pending). */
  private pending = 0;
  private delivered = 0;
  private readonly buf: Buffer;
  private first = true;

  constructor(private readonly opts: FollowerOptions) {
    this.buf = Buffer.allocUnsafe(opts.chunkBytes ?? 1 << 20);
  }

  /** Where the next run should resume: after the last delivered line. */
  position(): FollowPosition {
    return { path: this.opts.path, inode: this.inode, offset: this.delivered };
  }

  /** Reads what is there now (up to about `maxBytes`), calling `onLine` per complete line. Never waits for data. */
  async poll(onLine: LineHandler, maxBytes = 8 << 20): Promise<PollResult> {
    if (this.fh === null && !(await this.openCurrent())) return { bytes: 0, eof: true };
    let bytes = 0;
    while (bytes < maxBytes) {
      const n = await this.readChunk(onLine);
      bytes += n;
      if (n > 0) continue;
      // At the end of what we have open: has the path moved on to another file, or shrunk?
      const now = await inodeOf(this.opts.path);
      if (now === null) return { bytes, eof: true }; // renamed away, not yet recreated: keep the old one
      if (now.inode !== this.inode) {
        if (this.pending > 0) this.deliverPartial(onLine);
        await this.closeFile();
        this.rotations++;
        if (!(await this.openCurrent())) return { bytes, eof: true };
        continue;
      }
      if (now.size < this.bufOffset + this.pending) {
        this.truncations++;
        this.bufOffset = 0;
        this.pending = 0;
        this.delivered = 0;
        continue;
      }
      return { bytes, eof: true };
    }
    return { bytes, eof: false };
  }

  /** Convenience for tests and tools: the complete lines available now, as strings with their end offsets. */
  async pollLines(): Promise<Array<{ line: string; offset: number }>> {
    const out: Array<{ line: string; offset: number }> = [];
    let r: PollResult;
    do {
      r = await this.poll((b, s, e, offset) => out.push({ line: b.toString('utf8', s, e), offset }));
    } while (!r.eof);
    return out;
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    this.pending = 0;
    if (fh !== null) await fh.close();
  }

  /** Opens the file now at the path and chooses where to start. False when there is no file yet. */
  private async openCurrent(): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(this.opts.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.first = false; // a file that appears later is new: it will be read from its beginning (tail -F)
      return false;
    }
    const s = await fh.stat({ bigint: true });
    const inode = s.ino.toString();
    const size = Number(s.size);
    let offset = 0;
    const resume = this.opts.resume;
    if (this.first) {
      if (resume !== undefined && resume.path === this.opts.path && resume.inode !== inode) {
        // Rotated while the sensor was down: finish the old file under its new name first, if it is still here.
        const old = await findByInode(this.opts.path, resume.inode);
        if (old !== null && old.size >= resume.offset) {
          await fh.close();
          this.first = false;
          this.fh = await open(old.path, 'r');
          this.inode = resume.inode;
          this.bufOffset = resume.offset;
          this.pending = 0;
          this.delivered = resume.offset;
          this.resumedRotated++;
          return true;
        }
        this.lostRotated++;
      }
      if (resume !== undefined && resume.path === this.opts.path) {
        offset = resume.inode === inode && resume.offset <= size ? resume.offset : 0;
      } else {
        offset = this.opts.start === 'end' ? size : 0;
      }
    }
    this.first = false;
    this.fh = fh;
    this.inode = inode;
    this.bufOffset = offset;
    this.pending = 0;
    this.delivered = offset;
    return true;
  }

  /** One read after the pending partial line; delivers the complete lines. Returns the bytes read. */
  private async readChunk(onLine: LineHandler): Promise<number> {
    const fh = this.fh;
    if (fh === null) return 0;
    const buf = this.buf;
    const { bytesRead } = await fh.read(
      buf,
      this.pending,
      buf.length - this.pending,
      this.bufOffset + this.pending,
    );
    if (bytesRead === 0) return 0;
    const filled = this.pending + bytesRead;
    let p = 0;
    for (;;) {
      const nl = buf.indexOf(10, p);
      if (nl < 0 || nl >= filled) break;
      this.delivered = this.bufOffset + nl + 1;
      onLine(buf, p, nl, this.delivered);
      p = nl + 1;
    }
    if (p === 0 && filled === buf.length) {
      // No '\n' in a full buffer: hand the piece out rather than grow without bound.
      this.longLines++;
      this.delivered = this.bufOffset + filled;
      onLine(buf, 0, filled, this.delivered);
      p = filled;
    }
    buf.copyWithin(0, p, filled);
    this.bufOffset += p;
    this.pending = filled - p;
    return bytesRead;
  }

  private deliverPartial(onLine: LineHandler): void {
    this.delivered = this.bufOffset + this.pending;
    onLine(this.buf, 0, this.pending, this.delivered);
    this.bufOffset = this.delivered;
    this.pending = 0;
  }
}
