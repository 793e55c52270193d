/**
 * One source's day rows merged into its totals over the window, as store.ts SourceTotals says. Shared by the
 * stores and the API (one source's history is read by day, then summed here).
 */
import { TOP_PORTS } from './rollups/index.js';
import type { SourceDayRow, SourceTotals } from './store.js';

/** SourceTotals of one source's day rows (ascending by day, at least one). */
export function sourceTotals(src: string, rows: readonly SourceDayRow[]): SourceTotals {
  const top = new Map<string, number>();
  let events = 0;
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let ports = 0;
  let sensors = 0;
  let operators = 0;
  let geo: Pick<SourceDayRow, 'country' | 'asn' | 'as_name'> = { country: null, asn: null, as_name: null };
  for (const r of rows) {
    events += r.events;
    first = Math.min(first, r.first_seen);
    last = Math.max(last, r.last_seen);
    ports = Math.max(ports, r.ports);
    sensors = Math.max(sensors, r.sensors);
    operators = Math.max(operators, r.operators);
    if (r.country !== null || r.asn !== null) geo = { country: r.country, asn: r.asn, as_name: r.as_name };
    for (const [key, n] of r.top_ports) top.set(key, (top.get(key) ?? 0) + n);
  }
  const top_ports = [...top]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, TOP_PORTS);
  return {
    src,
    days: rows.length,
    events,
    first_seen: rows.length > 0 ? first : 0,
    last_seen: last,
    ports: Math.max(ports, top.size),
    sensors,
    operators,
    ...geo,
    top_ports,
  };
}
