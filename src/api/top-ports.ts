/**
 * The "top ports" view: per (proto, port) totals over the last window, with a baseline and a change factor.
 *
 * Definitions (documented in docs/openapi.yaml, TopPortsResponse):
 * - The window ends at the end of the bucket holding the event clock's now (`to`, exclusive) and is 1 h
 *   (read from 5-min rollups) or 24 h (read from hourly rollups) long.
 * - baseline_sources: the mean distinct sources of the key over those of the previous 7 windows of the same
 *   length that lie wholly inside the stored history (start >= store.earliestBucket); a key absent from such
 *   a window counts 0 there. null when no previous window is wholly inside the history (a young server).
 * - change = sources / max(baseline_sources, 1), null without baseline.
 * Past windows are read with a wide limit (BASELINE_KEYS); a key outside it in a past window counts as 0,
 * which can only understate the baseline of ports with very few sources.
 */
import type { Granularity } from '../core/buckets.js';
import { GRANULARITIES, bucketStart } from '../core/buckets.js';
import { portKey } from '../core/event.js';
import type { TopPortsResponse } from '../protocol/api-types.js';
import type { Store } from '../store/store.js';
import { iso } from './query.js';
import { servicesFor } from './services.js';

export const TOP_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000 } as const;
export type TopWindow = keyof typeof TOP_WINDOWS;

const WINDOW_GRANULARITY: Record<TopWindow, Granularity> = { '1h': '5m', '24h': '1h' };
export const BASELINE_WINDOWS = 7;
const BASELINE_KEYS = 5000;

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The window [from, to) that the view covers at event time `now`. */
export function topWindowRange(window: TopWindow, now: number): { from: number; to: number; g: Granularity } {
  const g = WINDOW_GRANULARITY[window];
  const to = bucketStart(now, g) + GRANULARITIES[g];
  return { from: to - TOP_WINDOWS[window], to, g };
}

/**
 * Computes the view from the store.
 * @example topPortsView(store, '1h', clock.now(), 25)
 */
export function topPortsView(
  store: Pick<Store, 'topPorts' | 'earliestBucket'>,
  window: TopWindow,
  now: number,
  limit: number,
): TopPortsResponse {
  const { from, to, g } = topWindowRange(window, now);
  const current = store.topPorts(g, from, to, limit);
  const len = TOP_WINDOWS[window];

  const earliest = store.earliestBucket(g);
  const sums = new Map<string, number>();
  let observed = 0;
  for (let k = 1; k <= BASELINE_WINDOWS; k++) {
    if (earliest === null || from - k * len < earliest) break;
    const past = store.topPorts(g, from - k * len, to - k * len, BASELINE_KEYS);
    observed++;
    for (const row of past) {
      const key = portKey(row.proto, row.port);
      sums.set(key, (sums.get(key) ?? 0) + row.sources);
    }
  }

  const items = current.map((row) => {
    const baseline = observed === 0 ? null : round((sums.get(portKey(row.proto, row.port)) ?? 0) / observed);
    return {
      proto: row.proto,
      port: row.port,
      events: row.events,
      sources: row.sources,
      sensors: row.sensors,
      targets: row.targets,
      baseline_sources: baseline,
      change: baseline === null ? null : round(row.sources / Math.max(baseline, 1)),
      services: servicesFor(row.proto, row.port),
    };
  });
  return { window, from: iso(from), to: iso(to), items };
}
