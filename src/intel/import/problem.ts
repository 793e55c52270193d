/** The first problem of a failed zod check of one record, as a field path and a short reason. */
import type { z } from 'zod';
import type { RecordProblem } from './summary.js';
import { valueAt } from '../../core/value-at.js';

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`),
    '',
  );
}

/** @example problemOf(schema.safeParse(raw).error, raw) // { field: 'cve.published', reason: 'missing' } */
export function problemOf(error: z.ZodError, input: unknown): RecordProblem {
  const issue = error.issues[0];
  if (issue === undefined) return { field: '', reason: 'invalid' };
  const field = fieldPath(issue.path);
  if (valueAt(input, issue.path) === undefined) return { field, reason: 'missing' };
  return { field, reason: `invalid (${issue.message})` };
}
