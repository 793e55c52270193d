/**
 * One port's time series at a granularity, zero-filled so that every bucket of the range has a point.
 *
 * Invariants: `from` is rounded down and `to` up to bucket boundaries (the response echoes the rounded range,
 * `to` exclusive); the point count is checked against the cap BEFORE reading, so a huge range costs nothing.
 */
import type { Granularity } from '../core/buckets.js';
import { GRANULARITIES, bucketStart } from '../core/buckets.js';
import type { Protocol } from '../core/event.js';
import { makeError } from '../core/errors.js';
import type { SeriesPoint, SeriesResponse } from '../protocol/api-types.js';
import type { Store } from '../store/store.js';
import { iso } from './query.js';

export interface SeriesQuery {
  proto: Protocol;
  port: number;
  bucket: Granularity;
  from: number;
  to: number;
}

/**
 * Reads the series or throws SW_BAD_REQUEST (empty range, or more than `maxPoints` buckets).
 * @example seriesView(store, { proto: 'tcp', port: 1025, bucket: '1h', from, to }, 40000)
 */
export function seriesView(
  store: Pick<Store, 'portSeries'>,
  q: SeriesQuery,
  maxPoints: number,
): SeriesResponse {
  if (q.from >= q.to) throw makeError('SW_BAD_REQUEST', 'from must be before to');
  const size = GRANULARITIES[q.bucket];
  const from = bucketStart(q.from, q.bucket);
  const to = bucketStart(q.to - 1, q.bucket) + size;
  const points = (to - from) / size;
  if (points > maxPoints) {
    throw makeError(
      'SW_BAD_REQUEST',
      `range holds ${points} ${q.bucket} buckets; at most ${maxPoints} (use a coarser bucket)`,
    );
  }
  const rows = new Map(store.portSeries(q.proto, q.port, q.bucket, from, to).map((r) => [r.bucket, r]));
  const items: SeriesPoint[] = [];
  for (let t = from; t < to; t += size) {
    const r = rows.get(t);
    items.push({
      t: iso(t),
      events: r?.events ?? 0,
      sources: r?.sources ?? 0,
      sensors: r?.sensors ?? 0,
      targets: r?.targets ?? 0,
    });
  }
  return { proto: q.proto, port: q.port, bucket: q.bucket, from: iso(from), to: iso(to), items };
}
