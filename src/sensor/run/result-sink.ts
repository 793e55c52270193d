/**
 * Where every runner hands what its input produced: events go through the privacy filter to the batcher, the rest
 * is counted by reason in the input's LineStats (malformed lines sampled, each new sample logged at debug).
 */
import type { Logger } from 'pino';
import type { AttackEvent } from '../../core/event.js';
import type { ParseResult } from '../inputs/input.js';
import type { LineStats } from '../inputs/line-stats.js';
import type { PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';

export class ResultSink {
  constructor(
    private readonly stats: LineStats,
    private readonly privacy: PrivacyFilter,
    private readonly batcher: Batcher,
    private readonly logger: Logger,
  ) {}

  /** One result; `buf[start, end)` is the line it came from (copied only when it becomes a sample). */
  take(r: ParseResult, buf: Uint8Array, start: number, end: number): void {
    if (r.kind === 'event') {
      this.event(r.event);
      return;
    }
    const sample = this.stats.count(r, buf, start, end);
    if (sample !== undefined) this.logger.debug(sample, 'malformed line (sample)');
  }

  event(e: AttackEvent): void {
    this.stats.lines++;
    this.stats.events++;
    if (this.privacy.apply(e)) this.batcher.add(e);
  }
}
