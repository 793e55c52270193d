/**
 * Decodes and validates a submission batch, all or nothing.
 *
 * Invariants:
 * - The envelope is checked first (batchEnvelopeSchema), then the event count (413), then EVERY event with
 *   eventSchema; any problem refuses the whole batch with 400 SW_BATCH_INVALID whose `details` lists the
 *   first MAX_PROBLEMS problems as `{ index, field, reason }` (index null for the envelope).
 * - Events later than the EVENT clock's now + max_future_skew_ms are problems: no clock correction is
 *   applied, the sensor must fix its clock (the offset is reported in the batch for diagnosis).
 * - A returned batch contains only schema-valid events (strict objects: no unknown fields pass through).
 */
import type { AttackEvent } from '../core/event.js';
import { makeError } from '../core/errors.js';
import { batchEnvelopeSchema, eventSchema } from '../protocol/batch.js';
import type { SubmissionBatch } from '../protocol/batch.js';
import { checkEventCount } from './limits.js';

export const MAX_PROBLEMS = 10;

export interface BatchProblem {
  /** Index of the event in `events`, or null for a problem with the envelope. */
  index: number | null;
  /** Dotted path of the field within the event (or envelope); "(event)" for the whole event. */
  field: string;
  reason: string;
}

export interface ValidateOptions {
  maxEvents: number;
  /** The event clock's now (ms). */
  now: number;
  maxFutureSkewMs: number;
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
  for (const issue of issues) {
    if (out.length >= MAX_PROBLEMS) return;
    out.push({ index, field: fieldOf(issue, root), reason: issue.message });
  }
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

/**
 * Validates a parsed body; returns the batch or throws SW_BATCH_INVALID / SW_TOO_MANY_EVENTS.
 * @example const batch = validateBatch(parseJsonBody(decoded), { maxEvents: 20000, now, maxFutureSkewMs: 600000 })
 */
export function validateBatch(raw: unknown, opts: ValidateOptions): SubmissionBatch {
  const events: unknown = (raw as { events?: unknown } | null)?.events;
  if (Array.isArray(events)) checkEventCount(events.length, opts.maxEvents);

  const envelope = batchEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const problems: BatchProblem[] = [];
    problemsOf(null, envelope.error.issues, '(batch)', problems);
    refuse(problems);
  }

  const problems: BatchProblem[] = [];
  const valid: AttackEvent[] = [];
  const latest = opts.now + opts.maxFutureSkewMs;
  const list = envelope.data.events;
  for (let i = 0; i < list.length && problems.length < MAX_PROBLEMS; i++) {
    const r = eventSchema.safeParse(list[i]);
    if (!r.success) {
      problemsOf(i, r.error.issues, '(event)', problems);
      continue;
    }
    if (r.data.ts > latest) {
      problems.push({
        index: i,
        field: 'ts',
        reason: `${r.data.ts - opts.now} ms in the future (limit ${opts.maxFutureSkewMs})`,
      });
      continue;
    }
    valid.push(r.data);
  }
  if (problems.length > 0) refuse(problems);

  const { batch_id, sensor_time, stats } = envelope.data;
  return stats === undefined
    ? { batch_id, sensor_time, events: valid }
    : { batch_id, sensor_time, events: valid, stats };
}
