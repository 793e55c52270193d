/**
 * The timeline of a correlation: disclosure and KEV listing of the top vulnerabilities, each of their public
 * exploits (once, even when it serves several), our first activity on the port and the incident's steps, sorted
 * by time (ties in the order of TimelineEntry kinds). Events after `at` are kept: they are dated.
 */
import type { RankedVulnerability, TimelineEntry } from '../../protocol/intel-types.js';
import { publicationKnown } from '../merge.js';

export interface TimelineInput {
  proto: string;
  port: number;
  firstSeen?: number | null;
  incident?: { id: string; opened_at: number; escalated_at?: number | null } | null;
}

const ORDER: readonly TimelineEntry['kind'][] = [
  'disclosed',
  'kev_added',
  'exploit_published',
  'activity_first_seen',
  'incident_opened',
  'incident_escalated',
];

export function buildTimeline(
  input: TimelineInput,
  ranked: readonly RankedVulnerability[],
  top = 5,
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const exploits = new Set<string>();
  for (const r of ranked.slice(0, top)) {
    const v = r.vulnerability;
    if (publicationKnown(v))
      out.push({ at: v.published, kind: 'disclosed', label: `${v.id} disclosed: ${v.title}`, ref: v.id });
    if (v.kev !== null)
      out.push({ at: v.kev.date_added, kind: 'kev_added', label: `${v.id} added to CISA KEV`, ref: v.id });
    for (const x of r.exploits) {
      if (exploits.has(x.id)) continue;
      exploits.add(x.id);
      out.push({
        at: x.published,
        kind: 'exploit_published',
        label: `${x.id} published: ${x.title}`,
        ref: x.id,
      });
    }
  }
  const key = `${input.proto}/${input.port}`;
  if (input.firstSeen !== undefined && input.firstSeen !== null)
    out.push({
      at: input.firstSeen,
      kind: 'activity_first_seen',
      label: `first activity on ${key} seen by the sensors`,
      ref: null,
    });
  const inc = input.incident;
  if (inc !== undefined && inc !== null) {
    out.push({
      at: inc.opened_at,
      kind: 'incident_opened',
      label: `incident ${inc.id} opened on ${key}`,
      ref: inc.id,
    });
    if (inc.escalated_at !== undefined && inc.escalated_at !== null)
      out.push({
        at: inc.escalated_at,
        kind: 'incident_escalated',
        label: `incident ${inc.id} escalated`,
        ref: inc.id,
      });
  }
  return out.sort((a, b) => a.at - b.at || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
}
