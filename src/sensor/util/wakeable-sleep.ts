/**
 * A timer that can be cut short: loops that poll (the file follower, the uploader's backoff) sleep on it, and
 * stop() or new work wakes them at once instead of waiting out the interval.
 * Invariant: at most one sleep is pending; wake() with none pending does nothing.
 */
export class WakeableSleep {
  private wakeFn: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.wakeFn = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeFn = done;
    });
  }

  wake(): void {
    this.wakeFn?.();
  }
}
