/**
 * Splits a stream of byte chunks into lines for the readers that get chunks pushed at them (a command's output,
 * `sensor parse` reading a file or standard input); the followed-file reader has its own buffer (follow/).
 *
 * Invariants: memory is bounded by one chunk plus `maxLine` bytes: a line longer than `maxLine` is reported once
 * through `onTooLong` and its bytes up to the next LF are dropped. Lines are handed out as `buf[start, end)`
 * without the LF; the buffer may be reused after the call. `stop()` ends delivery at once (e.g. a line limit).
 */
const EMPTY = Buffer.alloc(0);

export class LineSplitter {
  private pending: Buffer = EMPTY;
  private skipping = false;
  private stopped = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (buf: Buffer, start: number, end: number) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let p = 0;
    for (let nl = buf.indexOf(10, p); nl >= 0 && !this.stopped; nl = buf.indexOf(10, p)) {
      if (this.skipping) this.skipping = false;
      else this.onLine(buf, p, nl);
      p = nl + 1;
    }
    if (this.stopped) return;
    let rest = buf.subarray(p);
    if (rest.length > this.maxLine) {
      if (!this.skipping) this.onTooLong();
      this.skipping = true;
      rest = EMPTY;
    }
    // A copy: the caller may reuse `chunk`.
    this.pending = rest.length === 0 ? EMPTY : Buffer.from(rest);
  }

  /** The stream ended: a last line without LF is a line too. */
  end(): void {
    if (this.pending.length > 0 && !this.skipping && !this.stopped)
      this.onLine(this.pending, 0, this.pending.length);
    this.pending = EMPTY;
  }

  stop(): void {
    this.stopped = true;
  }
}
