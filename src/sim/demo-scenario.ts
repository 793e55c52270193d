/**
 * The demo's story on a compressed clock: a day of ordinary background history, then live traffic, then, an
 * hour into the live part, the April 2007 TCP/1025 outbreak (about 30 sources a day before, about 1,500
 * sources and more than 8,000 events a day after), days after the Windows DNS Server RPC disclosure of
 * 12 April 2007.
 */
import { seededRandom } from '../core/random.js';
import type { ScheduledProfile } from './generator.js';
import { BACKGROUND, OUTBREAK_1025, tailProfiles } from './profiles.js';

export interface DemoTimeline {
  /** Virtual time at which live traffic starts (the event clock starts here). */
  liveStart: number;
  backfillFrom: number;
  outbreakAt: number;
}

export const DEFAULT_LIVE_START = Date.parse('2007-04-15T06:00:00Z');

export function demoTimeline(
  opts: { liveStart?: number; historyMs?: number; outbreakAfterMs?: number } = {},
): DemoTimeline {
  const liveStart = opts.liveStart ?? DEFAULT_LIVE_START;
  return {
    liveStart,
    backfillFrom: liveStart - (opts.historyMs ?? 86_400_000),
    outbreakAt: liveStart + (opts.outbreakAfterMs ?? 3_600_000),
  };
}

export function demoProfiles(seed: number, outbreakAt: number, tailPorts = 150): ScheduledProfile[] {
  const r = seededRandom(seed ^ 0x5eed);
  return [...BACKGROUND, ...tailProfiles(tailPorts, (n) => r.int(n)), { ...OUTBREAK_1025, from: outbreakAt }];
}
