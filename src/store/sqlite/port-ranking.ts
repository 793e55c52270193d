/**
 * topPorts: the `limit` keys with the most distinct sources over a window, with every count merged over the
 * window (a source seen in ten buckets counts once), without decoding the sketches of every key.
 *
 * The window is cut into disjoint pieces: day spans (spans.ts, for 1d windows) and runs of buckets read from
 * port_buckets. A key's union over the window is at least its largest piece (LB) and at most the sum of its
 * pieces (UB). Then:
 * 1. T0 = the largest, over pieces, of the limit-th largest sources in the piece: at least `limit` keys have
 *    LB >= T0, so a key with UB < T0 cannot be in the answer.
 * 2. A key with UB >= T0 has, in some span, at least T0 / (MARGIN × spans): only those rows of the spans are
 *    read (an index range), plus every row of the runs; an unread span row of a key is below that bound.
 * 3. Candidates are resolved (their sketches merged) in order of UB, and the loop stops once `limit` resolved
 *    keys all have more sources than the next candidate's UB.
 * Exactness: the answer is the one of merging every key's rows, because the merge of pieces equals the merge of
 * the rows (row-merge.ts) and only keys that cannot rank are skipped. Below the sketch threshold the bounds are
 * exact; above it they are estimates, so UB carries MARGIN (10 %, about six standard errors at precision 12).
 */
import type Database from 'better-sqlite3';
import type { Granularity } from '../../core/buckets.js';
import type { Protocol } from '../../core/event.js';
import type { PortTotals } from '../store.js';
import { COUNTED_COLUMNS, SKETCH_COUNTS, ZERO_COUNTS, pickCounts } from './row-merge.js';
import type { CountedRow, PortCounts } from './row-merge.js';
import { SpanPart, SpanPartCache, withRows } from './span-parts.js';
import type { Cover, SpanCatalog } from './spans.js';

const MARGIN = 1.1;

interface RunBounds {
  proto: Protocol;
  port: number;
  n: number;
  max_sources: number;
  sum_sources: number;
}

interface Candidate {
  proto: Protocol;
  port: number;
  lb: number;
  /** Sum of the sources of the rows read. */
  known: number;
  /** Spans that returned a row of this key. */
  spans: number;
  ub: number;
}

interface Resolved {
  proto: Protocol;
  port: number;
  events: number;
  sources: number;
  part: SpanPart;
  runRows: CountedRow[];
}

const NO_SPANS = new SpanPart([]);

export class PortRanking {
  private readonly st;
  private readonly parts = new SpanPartCache();

  constructor(
    db: Database.Database,
    private readonly catalog: SpanCatalog,
  ) {
    this.st = {
      runBounds: db.prepare<[string, number, number], RunBounds>(
        `SELECT proto, port, count(*) AS n, max(sources) AS max_sources, sum(sources) AS sum_sources
         FROM port_buckets WHERE granularity = ? AND bucket >= ? AND bucket < ? GROUP BY proto, port`,
      ),
      kth: db.prepare<[number, number, number], { sources: number }>(
        `SELECT sources FROM port_spans WHERE level = ? AND start = ? ORDER BY sources DESC LIMIT 1 OFFSET ?`,
      ),
      spanTop: db.prepare<[number, number, number], { proto: Protocol; port: number; sources: number }>(
        'SELECT proto, port, sources FROM port_spans WHERE level = ? AND start = ? AND sources >= ?',
      ),
      spanRow: db.prepare<[number, number, string, number], CountedRow>(
        `SELECT ${COUNTED_COLUMNS} FROM port_spans WHERE level = ? AND start = ? AND proto = ? AND port = ?`,
      ),
      runRows: db.prepare<[string, number, string, number, number], CountedRow>(
        `SELECT ${COUNTED_COLUMNS} FROM port_buckets
         WHERE proto = ? AND port = ? AND granularity = ? AND bucket >= ? AND bucket < ?`,
      ),
    };
  }

  topPorts(g: Granularity, from: number, to: number, limit: number): PortTotals[] {
    if (limit <= 0 || to <= from) return [];
    const cover: Cover =
      g === '1d' ? this.catalog.cover(from, to) : { spans: [], runs: [{ from, to }], signature: '' };
    const { spans, runs } = cover;
    const keys = new Map<string, Candidate>();
    const get = (proto: Protocol, port: number): Candidate => {
      const id = `${proto}/${port}`;
      let c = keys.get(id);
      if (c === undefined) {
        c = { proto, port, lb: 0, known: 0, spans: 0, ub: 0 };
        keys.set(id, c);
      }
      return c;
    };

    let t0 = 0;
    for (const run of runs) {
      const rows = this.st.runBounds.all(g, run.from, run.to);
      t0 = Math.max(t0, kthLargest(rows, limit));
      for (const r of rows) {
        const c = get(r.proto, r.port);
        c.lb = Math.max(c.lb, r.max_sources);
        c.known += r.sum_sources;
      }
    }
    for (const s of spans) t0 = Math.max(t0, this.st.kth.get(s.level, s.start, limit - 1)?.sources ?? 0);
    const floor = spans.length === 0 ? 0 : t0 / (MARGIN * spans.length);
    for (const s of spans) {
      for (const r of this.st.spanTop.iterate(s.level, s.start, floor)) {
        const c = get(r.proto, r.port);
        c.lb = Math.max(c.lb, r.sources);
        c.known += r.sources;
        c.spans++;
      }
    }

    const candidates = [...keys.values()];
    const threshold = Math.max(
      t0,
      kthLargest(
        candidates.map((c) => ({ max_sources: c.lb })),
        limit,
      ),
    );
    const open: Candidate[] = [];
    for (const c of candidates) {
      // An unread span row of the key holds fewer than `floor` sources.
      c.ub = MARGIN * (c.known + (spans.length - c.spans) * floor);
      if (c.ub >= threshold) open.push(c);
    }
    open.sort((a, b) => b.ub - a.ub);

    const resolved: Resolved[] = [];
    for (const c of open) {
      if (resolved.length >= limit) {
        resolved.sort(byRank);
        const last = resolved[limit - 1] as Resolved;
        if (last.sources > c.ub) break;
        resolved.length = limit;
      }
      resolved.push(this.resolve(c.proto, c.port, g, cover));
    }
    resolved.sort(byRank);
    return resolved.slice(0, limit).map((r) => ({ proto: r.proto, port: r.port, ...totalsOf(r) }));
  }

  /** The key's rows in the cover (span part cached), and its merged sources. */
  private resolve(proto: Protocol, port: number, g: Granularity, cover: Cover): Resolved {
    const part =
      cover.spans.length === 0
        ? NO_SPANS
        : this.parts.get(cover.signature, `${proto}/${port}`, () =>
            cover.spans.flatMap((s) => this.st.spanRow.get(s.level, s.start, proto, port) ?? []),
          );
    const runRows = cover.runs.flatMap((run) => this.st.runRows.all(proto, port, g, run.from, run.to));
    let events = 0;
    for (const r of part.rows) events += r.events;
    for (const r of runRows) events += r.events;
    const only = single(part, runRows);
    const sources = only
      ? only.sources
      : (withRows(part.union('src_sketch'), runRows, 'src_sketch')?.estimate() ?? 0);
    return { proto, port, events, sources, part, runRows };
  }
}

/** The one row of a key that has exactly one in the window. */
function single(part: SpanPart, runRows: readonly CountedRow[]): CountedRow | undefined {
  const n = part.rows.length + runRows.length;
  return n === 1 ? (part.rows[0] ?? runRows[0]) : undefined;
}

/** Every count of a resolved key, merged over its span part and its run rows. */
function totalsOf(r: Resolved): PortCounts {
  const only = single(r.part, r.runRows);
  if (only) return pickCounts(only);
  const out: PortCounts = { ...ZERO_COUNTS, events: r.events, sources: r.sources };
  for (const [col, count] of SKETCH_COUNTS) {
    if (col !== 'src_sketch') out[count] = withRows(r.part.union(col), r.runRows, col)?.estimate() ?? 0;
  }
  return out;
}

function byRank(a: Resolved, b: Resolved): number {
  return b.sources - a.sources || b.events - a.events || a.proto.localeCompare(b.proto) || a.port - b.port;
}

/** The k-th largest max_sources (1-based), or 0 when there are fewer than k. */
function kthLargest(rows: ReadonlyArray<{ max_sources: number }>, k: number): number {
  if (rows.length < k) return 0;
  const values = rows.map((r) => r.max_sources).sort((a, b) => b - a);
  return values[k - 1] ?? 0;
}
