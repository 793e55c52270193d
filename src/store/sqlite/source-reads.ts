/**
 * Reads of the per-source days (source_days) and the per-sensor hours (sensor_buckets).
 *
 * Invariants:
 * - Days are UTC day starts; a window [fromDay, toDay) holds the days d with fromDay <= d < toDay. The days that
 *   have rows are found by index seeks (one per day), never by scanning a day's sources.
 * - topSources ranks by events summed over the window and is exact: it reads each day's sources in order of
 *   events (index source_days_by_events), and stops once the `limit` best lower bounds beat the best possible
 *   total of every other source (no random access needed for that: NRA, Fagin et al. 2003); then it reads the
 *   chosen sources' rows of every day. If no depth up to MAX_DEPTH proves the answer, one GROUP BY does.
 * - Several days of one source merge as store.ts SourceTotals says (source-totals.ts).
 */
import type Database from 'better-sqlite3';
import { sourceTotals } from '../source-totals.js';
import type { SensorBucketRow, SourceDayRow, SourceTotals } from '../store.js';

const MAX_DEPTH = 65_536;

interface StoredDay {
  day: number;
  src: string;
  events: number;
  first_seen: number;
  last_seen: number;
  ports: number;
  sensors: number;
  operators: number;
  country: string | null;
  asn: number | null;
  as_name: string | null;
  top_ports: string;
}

interface StoredSensorBucket extends Omit<SensorBucketRow, 'stats'> {
  stats: string;
}

const DAY_COLUMNS =
  'day, src, events, first_seen, last_seen, ports, sensors, operators, country, asn, as_name, top_ports';

export class SourceReads {
  private readonly st;

  constructor(db: Database.Database) {
    this.st = {
      nextDay: db.prepare<[number, number], { day: number }>(
        'SELECT day FROM source_days WHERE day >= ? AND day < ? ORDER BY day LIMIT 1',
      ),
      dayTop: db.prepare<[number, number], { src: string; events: number }>(
        'SELECT src, events FROM source_days WHERE day = ? ORDER BY events DESC LIMIT ?',
      ),
      row: db.prepare<[number, string], StoredDay>(
        `SELECT ${DAY_COLUMNS} FROM source_days WHERE day = ? AND src = ?`,
      ),
      grouped: db.prepare<[number, number, number], { src: string }>(
        `SELECT src FROM source_days WHERE day >= ? AND day < ? GROUP BY src
         ORDER BY sum(events) DESC, src LIMIT ?`,
      ),
      sensor: db.prepare<[string, number, number], StoredSensorBucket>(
        `SELECT sensor_id, bucket, events, batches, lag_ms_sum, lag_ms_max, stats FROM sensor_buckets
         WHERE sensor_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
      ),
    };
  }

  topSources(fromDay: number, toDay: number, limit: number): SourceTotals[] {
    if (limit <= 0 || toDay <= fromDay) return [];
    const days = this.daysIn(fromDay, toDay);
    if (days.length === 0) return [];
    let chosen: string[] | null = null;
    for (let depth = Math.max(64, 4 * limit); chosen === null && depth <= MAX_DEPTH; depth *= 4) {
      chosen = this.provenTop(days, limit, depth);
    }
    chosen ??= this.st.grouped.all(fromDay, toDay, limit).map((r) => r.src);
    return chosen
      .map((src) => sourceTotals(src, this.rowsOf(src, days)))
      .sort((a, b) => b.events - a.events || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0))
      .slice(0, limit);
  }

  history(src: string, fromDay: number, toDay: number): SourceDayRow[] {
    if (toDay <= fromDay) return [];
    return this.rowsOf(src, this.daysIn(fromDay, toDay));
  }

  sensorBuckets(sensorId: string, from: number, to: number): SensorBucketRow[] {
    return this.st.sensor.all(sensorId, from, to).map((r) => ({ ...r, stats: parseStats(r.stats) }));
  }

  private daysIn(fromDay: number, toDay: number): number[] {
    const days: number[] = [];
    let at = fromDay;
    for (;;) {
      const next = this.st.nextDay.get(at, toDay);
      if (next === undefined) return days;
      days.push(next.day);
      at = next.day + 1;
    }
  }

  private rowsOf(src: string, days: readonly number[]): SourceDayRow[] {
    const out: SourceDayRow[] = [];
    for (const d of days) {
      const r = this.st.row.get(d, src);
      if (r) out.push({ ...r, top_ports: parseTopPorts(r.top_ports) });
    }
    return out;
  }

  /**
   * The `limit` sources with the most events if reading `depth` rows per day proves them (see the header), else
   * null. A day that returned fewer rows is complete: its unseen sources have 0 there.
   */
  private provenTop(days: readonly number[], limit: number, depth: number): string[] | null {
    const seen = new Map<string, { lb: number; floors: number }>();
    let floorSum = 0;
    let complete = true;
    for (const d of days) {
      const rows = this.st.dayTop.all(d, depth);
      const floor = rows.length < depth ? 0 : (rows.at(-1)?.events ?? 0);
      if (floor > 0) complete = false;
      floorSum += floor;
      for (const r of rows) {
        const s = seen.get(r.src);
        if (s) {
          s.lb += r.events;
          s.floors += floor;
        } else {
          seen.set(r.src, { lb: r.events, floors: floor });
        }
      }
    }
    const ranked = [...seen].sort((a, b) => b[1].lb - a[1].lb || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (complete) return ranked.slice(0, limit).map(([src]) => src);
    if (ranked.length < limit) return null;
    const kth = (ranked[limit - 1] as [string, { lb: number }])[1].lb;
    // An unseen source has at most floorSum; a seen one at most its known part plus the floors of the other days.
    let best = floorSum;
    for (let i = limit; i < ranked.length; i++) {
      const [, s] = ranked[i] as [string, { lb: number; floors: number }];
      best = Math.max(best, s.lb + floorSum - s.floors);
    }
    return kth > best ? ranked.slice(0, limit).map(([src]) => src) : null;
  }
}

/** `[["tcp/1025", 812], ...]` as stored; anything else reads as no ports (never throws on a bad row). */
function parseTopPorts(text: string): Array<[string, number]> {
  try {
    const v = JSON.parse(text) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter(
      (e): e is [string, number] =>
        Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && typeof e[1] === 'number',
    );
  } catch {
    return [];
  }
}

function parseStats(text: string): Record<string, number> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).filter(
        (e): e is [string, number] => typeof e[1] === 'number',
      ),
    );
  } catch {
    return {};
  }
}
