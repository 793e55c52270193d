/**
 * Campaigns: incidents whose source samples overlap are grouped (DETECTION.md), e.g. one botnet moving from
 * TCP/1025 to TCP/445.
 *
 * Invariants:
 * - Samples are bounded (64 addresses per incident); two active incidents share a campaign when their samples
 *   have Jaccard similarity ≥ the setting or at least 3 addresses in common.
 * - A campaign id is `cp_` + the id of its earliest incident and never changes once given.
 */
import type { Incident } from './types.js';

export const SAMPLE_MAX = 64;

export function mergeSample(into: Set<string>, add: readonly string[] | undefined): void {
  if (!add) return;
  for (const a of add) {
    if (into.size >= SAMPLE_MAX) return;
    into.add(a);
  }
}

export function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>, jaccard: number): boolean {
  if (a.size === 0 || b.size === 0) return false;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common >= 3 || common / (a.size + b.size - common) >= jaccard;
}

/** Gives `inc` a campaign when its sample overlaps another active incident's; returns the incidents changed. */
export function assignCampaign(
  inc: Incident,
  samples: ReadonlyMap<string, ReadonlySet<string>>,
  active: readonly Incident[],
  jaccard: number,
): Incident[] {
  const mine = samples.get(inc.id);
  if (!mine || mine.size === 0) return [];
  const changed: Incident[] = [];
  for (const other of active) {
    if (other.id === inc.id) continue;
    const theirs = samples.get(other.id);
    if (!theirs || !overlaps(mine, theirs, jaccard)) continue;
    const earliest = other.first_seen <= inc.first_seen ? other : inc;
    const id = other.campaign ?? inc.campaign ?? `cp_${earliest.id}`;
    if (inc.campaign !== id && inc.campaign === null) {
      inc.campaign = id;
      changed.push(inc);
    }
    if (other.campaign === null) {
      other.campaign = id;
      changed.push(other);
    }
  }
  return changed;
}
