/**
 * Runs one listener input (tcp-listener, udp-listener; RunningInput): binds its ports on start, passes each attempt
 * through the privacy filter to the batcher, counts refusals (rate limits, caps) by reason. Nothing to resume: an
 * attempt is in the batcher the moment it is seen, and in the spool at the next flush.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { AttackEvent } from '../../core/event.js';
import type { Listener } from '../inputs/input.js';
import { LineStats } from '../inputs/line-stats.js';
import type { ListenerInputDefinition, InputOptions } from '../inputs/registry.js';
import type { PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';
import { ResultSink } from './result-sink.js';
import type { RunningInput } from './running-input.js';

export interface ListenerRunnerOptions {
  key: string;
  definition: ListenerInputDefinition;
  inputOptions: InputOptions;
  privacy: PrivacyFilter;
  batcher: Batcher;
  clock: Clock;
  logger: Logger;
}

const EMPTY = Buffer.alloc(0);

export class ListenerRunner implements RunningInput {
  readonly key: string;
  readonly stats = new LineStats();
  private readonly listener: Listener;
  private started = false;

  constructor(opts: ListenerRunnerOptions) {
    this.key = opts.key;
    const sink = new ResultSink(this.stats, opts.privacy, opts.batcher, opts.logger);
    this.listener = opts.definition.createListener(
      opts.inputOptions,
      {
        event: (e: AttackEvent) => sink.event(e),
        refused: (reason: string) => sink.take({ kind: 'skip', reason: reason as never }, EMPTY, 0, 0),
      },
      { clock: opts.clock, logger: opts.logger },
    );
  }

  /** Binds the ports. @throws SW_CONFIG_INVALID when one cannot be bound. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.listener.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.listener.close();
  }

  /** A listener has no backlog to read: what arrived is already with the batcher. */
  readToEnd(): Promise<void> {
    return Promise.resolve();
  }

  counters(): Record<string, number> {
    return { bound_sockets: this.started ? this.listener.addresses().length : 0 };
  }

  addresses(): ReturnType<Listener['addresses']> {
    return this.listener.addresses();
  }
}
