/**
 * The polling loop the file runners share (text files and capture files): `poll` reads one chunk and tells whether
 * it reached the end of what is there now. The loop polls until stopped, sleeps `intervalMs` at the end, and logs a
 * failed poll then retries. Every poll, the loop's and `readToEnd`'s, runs under one lock, so reads never
 * interleave; `exclusive` runs other work (closing the file) under the same lock.
 */
import { WakeableSleep } from '../util/wakeable-sleep.js';

export class PollLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly sleeper = new WakeableSleep();

  constructor(
    private readonly poll: () => Promise<boolean>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Resolves once the loop has stopped (a poll in progress finishes first). */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.wake();
    await this.loop;
  }

  /** Polls until the end of what is there now. */
  readToEnd(): Promise<void> {
    return this.exclusive(async () => {
      while (!(await this.poll()));
    });
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let eof = true;
      try {
        eof = await this.exclusive(this.poll);
      } catch (err) {
        this.onError(err);
      }
      if (eof && this.running) await this.sleeper.sleep(this.intervalMs);
    }
  }
}
