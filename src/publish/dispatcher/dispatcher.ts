/**
 * The dispatcher: routes each message to its channels through a durable outbox, and delivers the outbox
 * with retries, backoff and dead letters.
 *
 * Invariants:
 * - `enqueue` validates the message, picks the channels by the routes, and writes the message with one
 *   delivery row per channel in one transaction (DeliveryStore.enqueue); the same message id twice adds
 *   nothing. Nothing is sent from `enqueue`: only the worker sends, so a crash after enqueue loses nothing.
 * - At least once: a row is marked delivered only after Channel.deliver resolved. A crash in between sends
 *   it again after restart; receivers dedupe on the message id, which every channel carries.
 * - One lane per channel: the deliveries of one channel go one at a time, oldest due first; a slow or dead
 *   receiver never holds up another channel. A lane visits a row at most once per run.
 * - A failed attempt is retried after backoffDelay (exponential, jittered, Retry-After as a floor) until
 *   `max_attempts`; a permanent failure (isPermanentFailure) or the last attempt makes a dead letter, kept
 *   with its last error until an admin requeues it. An attempt cut short by close() does not count.
 * - Time and randomness are injected (clock, random): tests drive retries with a ManualClock and runDue().
 */
import type { Logger } from 'pino';
import { makeError } from '../../core/errors.js';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { DeliveryRow, DeliveryStore, DueDelivery } from '../../store/delivery-store.js';
import { errorText, isPermanentFailure, retryAfterMs } from '../channels/failure.js';
import type { Channel, PublishMessage } from '../channels/types.js';
import { backoffDelay } from './backoff.js';
import { channelsFor } from './routes.js';
import type { Route } from './routes.js';
import { DEFAULT_DISPATCH } from './settings.js';
import type { DispatchSettings } from './settings.js';
import { emptyChannelStats } from './stats.js';
import { checkedBody } from './validate.js';
import type { ChannelStats, DispatcherStats } from './stats.js';

export interface DispatcherOptions {
  store: DeliveryStore;
  channels: readonly Channel[];
  routes: readonly Route[];
  logger: Logger;
  clock?: Clock;
  /** Uniform [0, 1); default Math.random. */
  random?: () => number;
  settings?: Partial<DispatchSettings>;
}

export class Dispatcher {
  private readonly store: DeliveryStore;
  private readonly channels = new Map<string, Channel>();
  private readonly routes: readonly Route[];
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;
  readonly settings: Readonly<DispatchSettings>;
  private readonly counters = new Map<string, ChannelStats>();
  private readonly lanes = new Map<string, Promise<void>>();
  /** Channels woken while their lane was running: the lane looks again before it ends. */
  private readonly woken = new Set<string>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private attemptsMade = 0;

  constructor(opts: DispatcherOptions) {
    this.store = opts.store;
    this.routes = opts.routes;
    this.log = opts.logger;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.settings = Object.freeze({ ...DEFAULT_DISPATCH, ...opts.settings });
    for (const c of opts.channels) {
      if (this.channels.has(c.name))
        throw makeError('SW_CONFIG_INVALID', `channel ${c.name} is defined twice`);
      this.channels.set(c.name, c);
    }
    for (const r of this.routes) {
      for (const name of r.channels) {
        if (!this.channels.has(name)) {
          throw makeError('SW_CONFIG_INVALID', `route ${r.name} names unknown channel ${name}`);
        }
      }
    }
  }

  /**
   * Validates and records a message for its channels; throws SW_BAD_REQUEST for an invalid or oversized one.
   * @example dispatcher.enqueue({ id: 'advisory:7:v1', kind: 'advisory.published', ... })
   */
  enqueue(msg: PublishMessage): { created: boolean; channels: string[] } {
    const body = checkedBody(msg, this.settings.max_message_bytes);
    const channels = channelsFor(this.routes, msg);
    const r = this.store.enqueue(
      { id: msg.id, kind: msg.kind, created_at: msg.created_at, body },
      channels,
      this.clock.now(),
    );
    if (r.created) this.log.info({ message: msg.id, kind: msg.kind, channels }, 'publish message enqueued');
    else this.log.debug({ message: msg.id }, 'publish message already enqueued');
    if (r.created && this.timer) this.kick();
    return { created: r.created, channels: r.created ? channels : [] };
  }

  /** Delivers everything due now on every channel; resolves when the lanes are idle. Returns attempts made. */
  async runDue(): Promise<number> {
    const before = this.attemptsMade;
    this.kick();
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()]);
    return this.attemptsMade - before;
  }

  /** Starts the background worker (resumes whatever the outbox holds from before a restart). */
  start(): void {
    if (this.timer || this.shutdown.signal.aborted) return;
    this.timer = setInterval(() => this.kick(), this.settings.poll_interval_ms);
    this.timer.unref();
    this.kick();
  }

  /** Stops the worker, aborts attempts in flight (they stay pending), waits for the lanes, closes channels. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.shutdown.abort(new Error('dispatcher closing'));
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()]);
    for (const c of this.channels.values()) {
      try {
        await c.close?.();
      } catch (err) {
        this.log.warn({ channel: c.name, err: errorText(err) }, 'channel close failed');
      }
    }
  }

  listDead(opts: { channel?: string; limit?: number } = {}): DeliveryRow[] {
    return this.store.listDead({ channel: opts.channel, limit: Math.min(opts.limit ?? 100, 1000) });
  }

  /** Puts dead letters back in the queue (an admin action); returns how many. */
  requeue(target: { id: number } | { channel: string }): number {
    const n = this.store.requeue(target, this.clock.now());
    if (n > 0) {
      this.log.info({ target, requeued: n }, 'dead letters requeued');
      if (this.timer) this.kick();
    }
    return n;
  }

  /** Counters since start (delivered, failed attempts, dead letters) and the outbox's rows, per channel. */
  stats(): DispatcherStats {
    const channels: Record<string, ChannelStats> = {};
    for (const name of this.channels.keys()) channels[name] = { ...this.counter(name) };
    for (const [name, c] of Object.entries(this.store.counts())) {
      const s = (channels[name] ??= { ...emptyChannelStats() });
      s.pending = c.pending;
      s.dead = c.dead;
    }
    return { channels };
  }

  private counter(name: string): ChannelStats {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = emptyChannelStats()));
    return c;
  }

  private kick(): void {
    if (this.shutdown.signal.aborted) return;
    for (const ch of this.channels.values()) {
      if (this.lanes.has(ch.name)) {
        this.woken.add(ch.name);
        continue;
      }
      const lane = this.lane(ch)
        .catch((err: unknown) =>
          this.log.error({ channel: ch.name, err: errorText(err) }, 'delivery lane failed'),
        )
        .finally(() => {
          this.lanes.delete(ch.name);
          if (this.woken.delete(ch.name)) this.kick();
        });
      this.lanes.set(ch.name, lane);
    }
  }

  private async lane(ch: Channel): Promise<void> {
    const seen = new Set<number>();
    for (;;) {
      if (this.shutdown.signal.aborted) return;
      const rows = this.store
        .due(ch.name, this.clock.now(), this.settings.batch_size)
        .filter((r) => !seen.has(r.id));
      if (rows.length === 0) {
        if (!this.woken.delete(ch.name)) return;
        continue;
      }
      for (const row of rows) {
        if (this.shutdown.signal.aborted) return;
        seen.add(row.id);
        await this.attempt(ch, row);
      }
    }
  }

  private async attempt(ch: Channel, row: DueDelivery): Promise<void> {
    const count = this.counter(ch.name);
    let msg: PublishMessage;
    try {
      msg = JSON.parse(row.body) as PublishMessage;
    } catch (err) {
      this.store.markFailed(row.id, `stored message unreadable: ${errorText(err)}`, null, this.clock.now());
      count.dead_letters_total++;
      return;
    }
    this.attemptsMade++;
    const signal = AbortSignal.any([
      this.shutdown.signal,
      AbortSignal.timeout(this.settings.delivery_timeout_ms),
    ]);
    try {
      await ch.deliver(msg, signal);
      this.store.markDelivered(row.id, this.clock.now());
      count.delivered_total++;
      this.log.debug({ channel: ch.name, message: row.message_id }, 'delivered');
    } catch (err) {
      if (this.shutdown.signal.aborted && !isPermanentFailure(err)) return; // cut short by close(): not an attempt
      const now = this.clock.now();
      const attempts = row.attempts + 1;
      const dead = isPermanentFailure(err) || attempts >= this.settings.max_attempts;
      const policy = { base_ms: this.settings.backoff_base_ms, max_ms: this.settings.backoff_max_ms };
      const next = dead ? null : now + backoffDelay(policy, attempts, this.random, retryAfterMs(err));
      this.store.markFailed(row.id, errorText(err), next, now);
      count.failed_attempts_total++;
      const info = { channel: ch.name, message: row.message_id, attempt: attempts, err: errorText(err) };
      if (dead) {
        count.dead_letters_total++;
        this.log.error(info, 'delivery failed for good: dead letter');
      } else {
        this.log.warn({ ...info, next_attempt_at: next }, 'delivery failed, will retry');
      }
    }
  }
}
