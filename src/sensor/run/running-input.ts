/**
 * One configured input while the sensor runs, whatever its kind (a followed text file, a capture file, a
 * command's output, a socket listener).
 *
 * Rules every kind keeps:
 * - Events go through the privacy filter to the batcher; everything not passed on is counted in `stats` by reason.
 * - `position()` (inputs that can resume) names what has been read; the batcher saves it only behind the spool,
 *   so a restart never skips what was not spooled, and never re-reads what was.
 * - `readToEnd()` reads what is there now and returns (for `--once` and drain); `start()` keeps reading until
 *   `stop()`, which resolves once nothing more will be handed on.
 */
import type { FollowPosition } from '../follow/follower.js';
import type { LineStats } from '../inputs/line-stats.js';

export interface RunningInput {
  /** `type:path` (or `type:ports` for listeners): the key of its saved position and of its stats. */
  readonly key: string;
  readonly stats: LineStats;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  readToEnd(): Promise<void>;
  /** Counters particular to the kind (rotations, truncations, command restarts ...). */
  counters(): Record<string, number>;
  /** The position to save, for inputs that resume. */
  readonly position?: () => FollowPosition;
}
