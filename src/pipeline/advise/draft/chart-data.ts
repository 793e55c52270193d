/**
 * The chart's data (sources per hour against the baseline band), kept in the advisory's structured fields so the
 * SVG and PNG can be drawn again from a stored version, identically.
 */
import type { ChartData } from '../../../protocol/advisory-types.js';
import type { Incident } from '../../../protocol/incident-types.js';
import type { PortBucketRow } from '../../../store/store.js';
import type { BaselinePoint } from './baseline-band.js';
import { HOUR_MS } from './baseline-band.js';
import { iso, key } from './format.js';

const round1 = (x: number): number => Math.round(x * 10) / 10;

/**
 * One point per hour from the first to the last hour present in `series` or `baseline` (gaps are zero sources).
 * @example chartData(incident, hourlyRows, band)
 */
export function chartData(
  incident: Incident,
  series: readonly PortBucketRow[],
  baseline: readonly BaselinePoint[],
): ChartData {
  const rows = series.filter((r) => r.granularity === '1h');
  const band = new Map(baseline.map((b) => [b.bucket, b]));
  const hours = [...rows.map((r) => r.bucket), ...baseline.map((b) => b.bucket)];
  const sources = new Map(rows.map((r) => [r.bucket, r.sources]));
  const points: ChartData['points'] = [];
  if (hours.length > 0) {
    const first = Math.min(...hours);
    const last = Math.max(...hours);
    for (let t = first; t <= last; t += HOUR_MS) {
      const b = band.get(t);
      points.push({
        t: iso(t),
        sources: sources.get(t) ?? 0,
        expected: b ? round1(b.expected) : null,
        low: b ? round1(b.low) : null,
        high: b ? round1(b.high) : null,
      });
    }
  }
  const firstT = points[0] ? Date.parse(points[0].t) : NaN;
  const lastT = points.at(-1) ? Date.parse(points.at(-1)?.t ?? '') + HOUR_MS : NaN;
  const inside = incident.first_seen >= firstT && incident.first_seen < lastT;
  return {
    title: `Sources per hour on ${key(incident.proto, incident.port)} against the baseline`,
    proto: incident.proto,
    port: incident.port,
    points,
    marker: inside ? iso(incident.first_seen) : null,
  };
}
