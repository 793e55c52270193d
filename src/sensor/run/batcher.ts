/**
 * Gathers events into batches for the spool: a batch is appended when it reaches `maxBatchEvents` or when the flush
 * timer fires, so events reach the server soon after they are read, without one request per event.
 *
 * Invariants:
 * - Read positions are handed to the spool only AFTER the batch holding every event read before them was appended
 *   (the spool then makes them durable after its next fsync): a restart never skips an unspooled event.
 * - Each batch carries the counters (lines, malformed, skipped, excluded, dropped) gathered since the previous one,
 *   as `stats` (deltas, non-zero only); a flush with no events but new counters still sends them once.
 * - A failed append (disk full, I/O error) keeps the events for the next flush and does not move the positions;
 *   while appends keep failing, memory is bounded by dropping the oldest pending events beyond
 *   MAX_PENDING_BATCHES batches, counted in `droppedEvents`. It never throws into the timer or the read loop.
 */
import type { Logger } from 'pino';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import type { Spool } from '../spool/spool.js';

/** Pending batches kept in memory while the spool refuses appends. */
export const MAX_PENDING_BATCHES = 10;

export interface BatcherOptions {
  spool: Pick<Spool, 'append' | 'setPosition' | 'droppedEvents'>;
  maxBatchEvents: number;
  flushIntervalMs: number;
  logger: Logger;
  /** Current counters to report (totals; the batcher sends the change since the last batch). */
  counters: () => Record<string, number>;
}

export class Batcher {
  private pending: AttackEvent[] = [];
  private readonly positions = new Map<string, () => FollowPosition>();
  private lastCounters: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;
  /** Batches appended. */
  batches = 0;
  /** Events dropped because the spool kept refusing appends. */
  droppedEvents = 0;
  private failing = false;

  constructor(private readonly opts: BatcherOptions) {}

  /** Registers an input whose position is saved at each flush. */
  track(key: string, position: () => FollowPosition): void {
    this.positions.set(key, position);
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  add(e: AttackEvent): void {
    this.pending.push(e);
    if (
      this.pending.length >= this.opts.maxBatchEvents &&
      (!this.failing || this.pending.length % this.opts.maxBatchEvents === 0)
    )
      this.flush();
  }

  get pendingEvents(): number {
    return this.pending.length;
  }

  /** Appends the pending batch (if any, or if counters moved), then hands over the inputs' positions. */
  flush(): void {
    const stats = this.statsDelta();
    const positions: Record<string, FollowPosition> = {};
    for (const [key, pos] of this.positions) {
      const p = pos();
      if (p.inode !== '') positions[key] = p;
    }
    if (this.pending.length > 0 || stats !== undefined) {
      const events = this.pending;
      try {
        // The record carries the positions it reaches, so recovery after a crash resumes right after it.
        this.opts.spool.append(events, stats, positions);
      } catch (err) {
        this.appendFailed(err, stats);
        return;
      }
      if (this.failing) this.opts.logger.info('spool accepts batches again');
      this.failing = false;
      this.pending = [];
      this.batches++;
      this.opts.logger.debug({ events: events.length, stats }, 'batch spooled');
    }
    for (const [key, p] of Object.entries(positions)) this.opts.spool.setPosition(key, p);
  }

  private appendFailed(err: unknown, stats: Record<string, number> | undefined): void {
    if (!this.failing)
      this.opts.logger.error({ err }, 'cannot append to the spool; keeping events in memory and retrying');
    this.failing = true;
    // The counters of this attempt go out with the next batch that makes it.
    for (const [k, v] of Object.entries(stats ?? {})) this.lastCounters[k] = (this.lastCounters[k] ?? 0) - v;
    const excess = this.pending.length - MAX_PENDING_BATCHES * this.opts.maxBatchEvents;
    if (excess > 0) {
      this.pending.splice(0, excess);
      this.droppedEvents += excess;
    }
  }

  private statsDelta(): Record<string, number> | undefined {
    const now = this.opts.counters();
    let out: Record<string, number> | undefined;
    for (const [k, v] of Object.entries(now)) {
      const d = v - (this.lastCounters[k] ?? 0);
      if (d > 0) (out ??= {})[k] = d;
    }
    this.lastCounters = now;
    return out;
  }
}
