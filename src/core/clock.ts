/**
 * Time is injected: core and pipeline code never call Date.now() directly, so that the demo can run on a
 * compressed clock and tests on a manual one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that runs `speed` times faster than real time from `start` (virtual ms) onwards.
 * @example const c = scaledClock(Date.parse('2007-04-10T00:00:00Z'), 120)
 */
export function scaledClock(start: number, speed: number, real: Clock = systemClock): Clock {
  const realStart = real.now();
  return { now: () => Math.floor(start + (real.now() - realStart) * speed) };
}

/** A clock that only moves when told to (tests). */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
