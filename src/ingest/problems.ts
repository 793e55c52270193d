/**
 * The problems list of a refused batch: `{ index, field, reason }`, at most MAX_PROBLEMS, in the order found.
 *
 * Invariant: `addProblem` never lets the list grow past MAX_PROBLEMS, so a hostile batch of 20,000 bad events
 * costs a bounded answer.
 */

export const MAX_PROBLEMS = 10;

export interface BatchProblem {
  /** Index of the event in `events`, or null for a problem with the envelope. */
  index: number | null;
  /** Dotted path of the field within the event (or envelope); "(event)" for the whole event. */
  field: string;
  reason: string;
}

/** Appends a problem unless the list is full. */
export function addProblem(out: BatchProblem[], index: number | null, field: string, reason: string): void {
  if (out.length < MAX_PROBLEMS) out.push({ index, field, reason });
}
