/**
 * The advisory workflow as a table: which status may follow which (docs/ADVISORIES.md "States").
 *
 *   draft ──► in_review ──► published ──► updated ──► updated ...
 *     ▲           │              │            │
 *     └───────────┘              ▼            ▼
 *   (any but withdrawn) ─────► withdrawn (final)
 *
 * Rules beyond the table (checked by the workflow): publishing to `updated` needs a version newer than the
 * published one (an edit of the published advisory); `withdrawn` is final.
 */
import { makeError } from '../../../core/errors.js';
import type { AdvisoryRecord, AdvisoryStatus } from '../../../protocol/advisory-types.js';

export const TRANSITIONS: Readonly<Record<AdvisoryStatus, readonly AdvisoryStatus[]>> = {
  draft: ['in_review', 'withdrawn'],
  in_review: ['draft', 'published', 'withdrawn'],
  published: ['updated', 'withdrawn'],
  updated: ['updated', 'withdrawn'],
  withdrawn: [],
};

/** Statuses in which an edit (a new version) is accepted. */
export const EDITABLE: readonly AdvisoryStatus[] = ['draft', 'in_review', 'published', 'updated'];

/** Statuses the public sees. */
export const PUBLIC_STATUSES: readonly AdvisoryStatus[] = ['published', 'updated'];

/** Whether moving to `to` makes the latest version public. */
export const publishes = (to: AdvisoryStatus): boolean => to === 'published' || to === 'updated';

/**
 * Throws SW_CONFLICT (current status and version in details) when `a` may not move to `to`.
 * @example checkTransition(advisory, 'published')
 */
export function checkTransition(a: AdvisoryRecord, to: AdvisoryStatus): void {
  const details = { status: a.status, version: a.version, allowed: TRANSITIONS[a.status] };
  if (!TRANSITIONS[a.status].includes(to))
    throw makeError('SW_CONFLICT', `advisory ${a.id} is ${a.status}: it cannot become ${to}`, { details });
  if (to === 'updated' && a.published_version !== null && a.version <= a.published_version)
    throw makeError(
      'SW_CONFLICT',
      `advisory ${a.id} has no version newer than the published v${a.published_version}: edit it first`,
      { details },
    );
}

/** Throws SW_CONFLICT when `a` accepts no edit. */
export function checkEditable(a: AdvisoryRecord): void {
  if (!EDITABLE.includes(a.status))
    throw makeError('SW_CONFLICT', `advisory ${a.id} is ${a.status}: it accepts no edit`, {
      details: { status: a.status, version: a.version },
    });
}
