/**
 * Two small concurrency tools of the spool.
 * - CoalescedTask: many callers ask for one job (an fsync); concurrent requests share runs, and each caller's
 *   promise resolves only after a run that STARTED after its request has finished (so it covers its writes).
 * - Notifier: waiters for "something new", woken all at once or after their own timeout; a timed-out waiter
 *   removes itself, so an idle loop does not pile them up.
 */
export class CoalescedTask {
  private running: Promise<void> | null = null;
  private requested = 0;
  private completed = 0;

  constructor(private readonly job: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== null;
  }

  async request(): Promise<void> {
    const want = ++this.requested;
    while (this.completed < want) {
      this.running ??= this.once().finally(() => {
        this.running = null;
      });
      await this.running;
    }
  }

  private async once(): Promise<void> {
    const upTo = this.requested;
    await this.job();
    this.completed = Math.max(this.completed, upTo);
  }
}

export class Notifier {
  private waiters: Array<() => void> = [];

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }

  notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
