/**
 * Gathers events into batches for the spool: a batch is appended when it reaches `maxBatchEvents` or when the flush
 * timer fires, so events reach the server soon after they are read, without one request per event. Each event is
 * written as JSON the moment it arrives (EventJsonWriter): a batch holds bytes, never event objects.
 *
 * Invariants:
 * - Read positions are handed to the spool only AFTER the batch holding every event read before them was appended
 *   (the spool then makes them durable after its next fsync): a restart never skips an unspooled event.
 * - Each batch carries the counters (lines, malformed, skipped, excluded, dropped) gathered since the previous one,
 *   as `stats` (deltas, non-zero only); a flush with no events but new counters still sends them once.
 * - A failed append (disk full, I/O error) keeps the events, as sealed batches, for the next flush, which appends
 *   them in order, and does not move the positions; while appends keep failing, memory is bounded by dropping the
 *   oldest sealed batches once more than MAX_PENDING_BATCHES full batches of events wait, counted in
 *   `droppedEvents`. It never throws into the timer or the read loop.
 */
import type { Logger } from 'pino';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import { EventJsonWriter } from '../spool/event-json.js';
import type { EventsJson, Spool } from '../spool/spool.js';

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
  private readonly writer = new EventJsonWriter();
  /**
   * Batches taken from the writer that the spool has not accepted yet, oldest first, each with the read positions
   * right after its last event (taken when it was sealed).
   */
  private sealed: Array<{ events: EventsJson; positions: Record<string, FollowPosition> }> = [];
  private sealedEvents = 0;
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
    this.writer.add(e);
    if (this.writer.count < this.opts.maxBatchEvents) return;
    if (this.failing)
      this.seal(); // the timer retries the spool; no attempt per event meanwhile
    else this.flush();
  }

  get pendingEvents(): number {
    return this.writer.count + this.sealedEvents;
  }

  /**
   * Appends the batches sealed while the spool refused appends (if any), then the writer's events (if any, or an
   * empty batch if counters moved), then hands over the positions.
   */
  flush(): void {
    const stats = this.statsDelta();
    const positions = this.readPositions();
    let statsSent = false;
    while (this.sealed.length > 0) {
      const { events, positions: reaches } = this.sealed[0] as (typeof this.sealed)[number];
      // The counters ride on the last record of this flush.
      const last = this.sealed.length === 1 && this.writer.count === 0;
      if (!this.tryAppend(events, last ? stats : undefined, reaches))
        return this.appendFailed(stats, positions);
      statsSent = last;
      this.sealed.shift();
      this.sealedEvents -= events.count;
      for (const [key, p] of Object.entries(reaches)) this.opts.spool.setPosition(key, p);
    }
    if (this.writer.count > 0 || (stats !== undefined && !statsSent)) {
      // The record carries the positions it reaches, so recovery after a crash resumes right after it.
      const events = { json: this.writer.view(), count: this.writer.count };
      if (!this.tryAppend(events, stats, positions)) return this.appendFailed(stats, positions);
      this.writer.reset();
    }
    for (const [key, p] of Object.entries(positions)) this.opts.spool.setPosition(key, p);
  }

  private tryAppend(
    events: EventsJson,
    stats: Record<string, number> | undefined,
    positions: Record<string, FollowPosition>,
  ): boolean {
    try {
      this.opts.spool.append(events, stats, positions);
    } catch (err) {
      if (!this.failing)
        this.opts.logger.error({ err }, 'cannot append to the spool; keeping events in memory and retrying');
      this.failing = true;
      return false;
    }
    if (this.failing) this.opts.logger.info('spool accepts batches again');
    this.failing = false;
    this.batches++;
    this.opts.logger.debug({ events: events.count, stats }, 'batch spooled');
    return true;
  }

  private readPositions(): Record<string, FollowPosition> {
    const positions: Record<string, FollowPosition> = {};
    for (const [key, pos] of this.positions) {
      const p = pos();
      if (p.inode !== '') positions[key] = p;
    }
    return positions;
  }

  /** Moves the writer's events (if any) to the sealed batches, dropping the oldest beyond the bound. */
  private seal(positions = this.readPositions()): void {
    if (this.writer.count === 0) return;
    const count = this.writer.count;
    this.sealed.push({ events: { json: this.writer.take(), count }, positions });
    this.sealedEvents += count;
    const bound = MAX_PENDING_BATCHES * this.opts.maxBatchEvents;
    while (this.sealedEvents > bound && this.sealed.length > 1) {
      const dropped = this.sealed.shift() as (typeof this.sealed)[number];
      this.sealedEvents -= dropped.events.count;
      this.droppedEvents += dropped.events.count;
    }
  }

  /** Keeps the writer's events as a sealed batch; the counters of this attempt go out with a later batch. */
  private appendFailed(
    stats: Record<string, number> | undefined,
    positions: Record<string, FollowPosition>,
  ): void {
    this.seal(positions);
    for (const [k, v] of Object.entries(stats ?? {})) this.lastCounters[k] = (this.lastCounters[k] ?? 0) - v;
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
