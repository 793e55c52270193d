/**
 * Decodes and validates a submission batch, all or nothing.
 *
 * Invariants:
 * - The envelope is checked first (batchEnvelopeSchema, zod, once per batch), then the event count (413), then
 *   EVERY event with the hand-written checkEvent (the rules of eventSchema plus canonical IP text); any problem
 *   refuses the whole batch with 400 SW_BATCH_INVALID whose `details` lists the first MAX_PROBLEMS problems as
 *   `{ index, field, reason }` (index null for the envelope).
 * - `stats` may hold at most `maxStatsEntries` counters; counted before zod walks them, so a huge map costs little.
 * - Events later than the EVENT clock's now + max_future_skew_ms, or older than now - max_past_age_ms, are
 *   problems: no clock correction is applied, the sensor must fix its clock (the offset is reported in the
 *   batch for diagnosis).
 * - A returned batch contains only valid events (no unknown fields pass through); they are the parsed objects
 *   themselves, not copies.
 */
import type { AttackEvent } from '../core/event.js';
import { makeError } from '../core/errors.js';
import { batchEnvelopeSchema } from '../protocol/batch.js';
import type { SubmissionBatch } from '../protocol/batch.js';
import { checkEvent } from './check-event.js';
import { checkEventCount } from './limits.js';
import { addProblem, MAX_PROBLEMS } from './problems.js';
import type { BatchProblem } from './problems.js';

export { MAX_PROBLEMS } from './problems.js';
export type { BatchProblem } from './problems.js';

export interface ValidateOptions {
  maxEvents: number;
  /** The event clock's now (ms). */
  now: number;
  maxFutureSkewMs: number;
  /** Events older than now minus this are refused; undefined or null: no limit. */
  maxPastAgeMs?: number | null;
  /** Most counters in `stats`; undefined: no limit. */
  maxStatsEntries?: number;
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code: string;
  keys?: string[];
}

function fieldOf(issue: Issue, root: string): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return [path, issue.keys.join(',')].filter(Boolean).join('.');
  return path || root;
}

function problemsOf(index: number | null, issues: readonly Issue[], root: string, out: BatchProblem[]): void {
  for (const issue of issues) addProblem(out, index, fieldOf(issue, root), issue.message);
}

/** Parses the decoded body as JSON; SW_BAD_ENCODING when it is not. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw makeError('SW_BAD_ENCODING', 'body is not valid JSON', { cause: err });
  }
}

function refuse(problems: BatchProblem[]): never {
  const first = problems[0];
  const where = first
    ? `${first.index === null ? 'envelope' : `event ${first.index}`} ${first.field}: ${first.reason}`
    : '';
  throw makeError('SW_BATCH_INVALID', `batch refused: ${where}`, { details: problems });
}

function countKeys(o: object, stopAfter: number): number {
  let n = 0;
  for (const _ in o) if (++n > stopAfter) break;
  return n;
}

/**
 * Validates a parsed body; returns the batch or throws SW_BATCH_INVALID / SW_TOO_MANY_EVENTS.
 * @example const batch = validateBatch(parseJsonBody(decoded), { maxEvents: 20000, now, maxFutureSkewMs: 600000 })
 */
export function validateBatch(raw: unknown, opts: ValidateOptions): SubmissionBatch {
  const events: unknown = (raw as { events?: unknown } | null)?.events;
  if (Array.isArray(events)) checkEventCount(events.length, opts.maxEvents);

  const stats: unknown = (raw as { stats?: unknown } | null)?.stats;
  if (
    opts.maxStatsEntries !== undefined &&
    typeof stats === 'object' &&
    stats !== null &&
    !Array.isArray(stats)
  ) {
    const n = countKeys(stats, opts.maxStatsEntries);
    if (n > opts.maxStatsEntries) {
      refuse([
        {
          index: null,
          field: 'stats',
          reason: `more than ${opts.maxStatsEntries} counters`,
        },
      ]);
    }
  }

  // zod checks the envelope only: the events are checked below, one by one, without it.
  const envelope = batchEnvelopeSchema.safeParse(
    Array.isArray(events) ? { ...(raw as Record<string, unknown>), events: [] } : raw,
  );
  if (!envelope.success) {
    const problems: BatchProblem[] = [];
    problemsOf(null, envelope.error.issues, '(batch)', problems);
    refuse(problems);
  }
  const list = events as unknown[];

  const problems: BatchProblem[] = [];
  const latest = opts.now + opts.maxFutureSkewMs;
  const maxAge = opts.maxPastAgeMs ?? null;
  const earliest = maxAge === null ? -Infinity : opts.now - maxAge;
  for (let i = 0; i < list.length && problems.length < MAX_PROBLEMS; i++) {
    const e = checkEvent(list[i], i, problems);
    if (e === null) continue;
    if (e.ts > latest) {
      problems.push({
        index: i,
        field: 'ts',
        reason: `${e.ts - opts.now} ms in the future (limit ${opts.maxFutureSkewMs})`,
      });
    } else if (e.ts < earliest) {
      problems.push({
        index: i,
        field: 'ts',
        reason: `${opts.now - e.ts} ms in the past (limit ${maxAge ?? 0})`,
      });
    }
  }
  if (problems.length > 0) refuse(problems);
  // No problem: every element is a valid event, returned as parsed (checkEvent copies nothing).
  const valid = list as AttackEvent[];

  const { batch_id, sensor_time, stats: statsOut, watched_addresses } = envelope.data;
  const out: SubmissionBatch = { batch_id, sensor_time, events: valid };
  if (statsOut !== undefined) out.stats = statsOut;
  if (watched_addresses !== undefined) out.watched_addresses = watched_addresses;
  return out;
}
