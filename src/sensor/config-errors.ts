/**
 * Config errors a person can act on: `sensor.yaml: inputs[0].path: Required (line 4)`. Every zod issue becomes one
 * line with its path and, when the value came from a YAML document, the line of the value (or of the nearest
 * enclosing node when the value is missing). All problems are reported together.
 */
import type { Document, LineCounter } from 'yaml';
import { isNode } from 'yaml';
import type { z } from 'zod';
import { valueAt } from '../core/value-at.js';

type Key = string | number;

/** `inputs[0].path` from ['inputs', 0, 'path']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s;
}

/** 1-based line of the node at `path`, or of its nearest ancestor present in the document. */
function lineOf(
  doc: Document | undefined,
  lc: LineCounter | undefined,
  path: readonly PropertyKey[],
): number | undefined {
  if (doc === undefined || lc === undefined) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n) as Key[], true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

function message(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return 'Required';
  if (issue.code === 'unrecognized_keys')
    return issue.keys.length === 1 ? 'unknown option' : `unknown options ${issue.keys.join(', ')}`;
  return issue.message;
}

export interface IssueSource {
  /** File name or `flags`, the prefix of every line. */
  name: string;
  input: unknown;
  doc?: Document;
  lineCounter?: LineCounter;
}

/** One line per issue, e.g. `sensor.yaml: inputs[0].path: Required (line 4)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], src: IssueSource): string[] {
  return issues.map((issue) => {
    const path =
      issue.code === 'unrecognized_keys' && issue.keys.length === 1
        ? [...issue.path, issue.keys[0] ?? '']
        : issue.path;
    const line = lineOf(src.doc, src.lineCounter, path);
    const where = path.length > 0 ? `${formatPath(path)}: ` : '';
    return `${src.name}: ${where}${message(issue, src.input)}${line === undefined ? '' : ` (line ${line})`}`;
  });
}
