/**
 * Day spans: per key, the union of the 1d rows of an aligned block of 2^level days (level 1..SPAN_MAX_LEVEL;
 * blocks start at multiples of their length in days since the epoch). A window of days is then read as a few
 * spans plus the odd days at its edges (about 2 pieces per level instead of one row per day), which is what
 * makes top ports over 90 days cheap (port-ranking.ts).
 *
 * Invariants:
 * - A block is used by reads only while span_blocks lists it and none of its days is in span_dirty; its
 *   port_spans rows are then exactly the union of the block's current 1d rows (row-merge.ts).
 * - span_state.generation is raised with every block finished or dropped (read caches key on it).
 * - Every write of 1d rows (the rollup commit, retention's deletions) calls SpanInvalidation in its own
 *   transaction, which puts each written day before span_state.built_until in span_dirty. built_until is raised
 *   to a block's end BEFORE the block is read, so a change during a build marks it too; the builder then drops
 *   every block holding a dirty day and builds it again. (A writer that skipped this would leave stale spans:
 *   the store contract's late-event test catches that.)
 * - Only closed days are summarised: a block is built once its last day ended SPAN_GRACE_MS before `now`.
 * - Building is incremental and bounded: a level-L block is the union of its two level-(L-1) halves (level 1:
 *   of two 1d rows), written at most `maxKeys` keys and about SPAN_STEP_MS per step (one transaction), in key
 *   order; progress lives in memory, and after a restart a half-built block is started over (rows deleted first).
 */
import { immediateTx } from './immediate.js';
import type Database from 'better-sqlite3';
import type { Protocol } from '../../core/event.js';
import { COUNTED_COLUMNS, mergedRow } from './row-merge.js';
import type { KeyedRow } from './row-merge.js';

export const SPAN_MAX_LEVEL = 8;
/**
 * A day is summarised once it ended this long ago (event time), so that most late events (sensors back from a
 * short outage) come before: a late event for a summarised day drops every block holding it (up to
 * SPAN_MAX_LEVEL of them) until the next rebuild. Longer means more unsummarised days in every window.
 */
export const SPAN_GRACE_MS = 6 * 3_600_000;
/** Keys read per half and build step (one transaction), and the time after which a step stops early. */
export const SPAN_STEP_KEYS = 64;
export const SPAN_STEP_MS = 40;
const DAY = 86_400_000;

export interface SpanPiece {
  level: number;
  start: number;
}

/** Consecutive days [from, to) read from the 1d rows themselves. */
export interface DayRun {
  from: number;
  to: number;
}

const spanLength = (level: number): number => 2 ** level * DAY;
const alignDown = (t: number, size: number): number => Math.floor(t / size) * size;

/**
 * The disjoint pieces covering the days of [from, to) (days d with from <= d < to): greedily the longest usable
 * block at each position, else one day.
 */
export function coverDays(
  from: number,
  to: number,
  usable: (level: number, start: number) => boolean,
): { spans: SpanPiece[]; runs: DayRun[] } {
  const spans: SpanPiece[] = [];
  const runs: DayRun[] = [];
  const end = Math.ceil(to / DAY) * DAY;
  let p = Math.ceil(from / DAY) * DAY;
  while (p < end) {
    let taken = 0;
    for (let level = SPAN_MAX_LEVEL; level >= 1; level--) {
      const len = spanLength(level);
      if (p % len === 0 && p + len <= end && usable(level, p)) {
        spans.push({ level, start: p });
        taken = len;
        break;
      }
    }
    if (taken === 0) {
      const last = runs.at(-1);
      if (last && last.to === p) last.to = p + DAY;
      else runs.push({ from: p, to: p + DAY });
      taken = DAY;
    }
    p += taken;
  }
  return { spans, runs };
}

/** Marks days whose 1d rows changed; call inside the transaction that changed them (see the module header). */
export class SpanInvalidation {
  private readonly builtUntil: Database.Statement<[], { b: number }>;
  private readonly mark: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.builtUntil = db.prepare('SELECT built_until AS b FROM span_state WHERE id = 1');
    this.mark = db.prepare('INSERT INTO span_dirty (day) VALUES (?) ON CONFLICT (day) DO NOTHING');
  }

  /** Rows just written: the 1d ones' days are marked. */
  rowsWritten(rows: ReadonlyArray<{ granularity: string; bucket: number }>): void {
    const days = new Set<number>();
    for (const r of rows) if (r.granularity === '1d') days.add(r.bucket);
    this.daysChanged(days);
  }

  daysChanged(days: Iterable<number>): void {
    let until: number | undefined;
    for (const d of days) {
      until ??= this.builtUntil.get()?.b ?? 0;
      if (d < until) this.mark.run(d);
    }
  }
}

/** Reads which blocks are usable now (see the module header). */
export interface Cover {
  spans: SpanPiece[];
  runs: DayRun[];
  /** Identifies the spans' content: equal signatures, equal span rows (span-parts.ts). */
  signature: string;
}

export class SpanCatalog {
  private readonly blocks: Database.Statement<[number, number], SpanPiece>;
  private readonly dirty: Database.Statement<[number, number], { day: number }>;
  private readonly generation: Database.Statement<[], { g: number }>;

  constructor(db: Database.Database) {
    this.blocks = db.prepare('SELECT level, start FROM span_blocks WHERE start >= ? AND start < ?');
    this.dirty = db.prepare('SELECT day FROM span_dirty WHERE day >= ? AND day < ? ORDER BY day');
    this.generation = db.prepare('SELECT generation AS g FROM span_state WHERE id = 1');
  }

  cover(from: number, to: number): Cover {
    const generation = this.generation.get()?.g ?? 0;
    const built = new Set(this.blocks.all(from, to).map((b) => `${b.level}:${b.start}`));
    const dirty = this.dirty.all(from, to).map((d) => d.day);
    const usable = (level: number, start: number): boolean =>
      built.has(`${level}:${start}`) && !dirty.some((d) => d >= start && d < start + spanLength(level));
    const { spans, runs } = coverDays(from, to, usable);
    return { spans, runs, signature: `${generation}|${spans.map((s) => `${s.level}:${s.start}`).join(',')}` };
  }
}

interface Building {
  level: number;
  start: number;
  /** Last key written; null before the first. */
  after: [Protocol, number] | null;
  keys: number;
}

type ChildReader = (after: [Protocol, number] | null, limit: number) => KeyedRow[];

const KEYED_COLUMNS = `proto, port, ${COUNTED_COLUMNS}`;
/** Smaller than any key: ('', -1). */
const FIRST: [Protocol, number] = ['' as Protocol, -1];

export class SpanBuilder {
  private building: Building | null = null;
  private readonly st;
  private readonly stepTx: (now: number, maxKeys: number) => boolean;

  constructor(db: Database.Database) {
    this.st = {
      dirty: db.prepare<[], { day: number }>('SELECT day FROM span_dirty ORDER BY day LIMIT 1'),
      undirty: db.prepare<[number]>('DELETE FROM span_dirty WHERE day = ?'),
      dropRows: db.prepare<[number, number]>('DELETE FROM port_spans WHERE level = ? AND start = ?'),
      dropBlock: db.prepare<[number, number]>('DELETE FROM span_blocks WHERE level = ? AND start = ?'),
      blocks: db.prepare<[], SpanPiece>('SELECT level, start FROM span_blocks'),
      earliestDay: db.prepare<[], { b: number | null }>(
        "SELECT min(bucket) AS b FROM port_buckets WHERE granularity = '1d'",
      ),
      raiseBuiltUntil: db.prepare<[number]>(
        'UPDATE span_state SET built_until = max(built_until, ?) WHERE id = 1',
      ),
      // Keys first, rows by rowid after: sorting whole rows (sketches included) would copy every row of the day.
      dayKeys: db.prepare<[number], { id: number; proto: Protocol; port: number }>(
        `SELECT rowid AS id, proto, port FROM port_buckets INDEXED BY port_buckets_by_bucket
         WHERE granularity = '1d' AND bucket = ?`,
      ),
      rowById: db.prepare<[number], KeyedRow>(`SELECT ${KEYED_COLUMNS} FROM port_buckets WHERE rowid = ?`),
      spanRows: db.prepare<[number, number, string, string, number, number], KeyedRow>(
        `SELECT ${KEYED_COLUMNS} FROM port_spans
         WHERE level = ? AND start = ? AND (proto > ? OR (proto = ? AND port > ?))
         ORDER BY proto, port LIMIT ?`,
      ),
      insertSpan: db.prepare(
        `INSERT INTO port_spans (level, start, proto, port, ${COUNTED_COLUMNS})
         VALUES (@level, @start, @proto, @port, @events, @sources, @sensors, @operators, @targets,
                 @sources_handshake, @sources_no_handshake, @src_sketch, @sensor_sketch, @operator_sketch,
                 @target_sketch, @hs_sketch, @nohs_sketch)`,
      ),
      finishBlock: db.prepare<[number, number, number, number]>(
        'INSERT OR REPLACE INTO span_blocks (level, start, keys, built_at) VALUES (?, ?, ?, ?)',
      ),
      bump: db.prepare('UPDATE span_state SET generation = generation + 1 WHERE id = 1'),
    };
    this.stepTx = immediateTx(db, (now: number, maxKeys: number) => this.stepInTx(now, maxKeys));
  }

  /** One bounded step (one transaction); false when there was nothing to do. */
  step(now: number, maxKeys = SPAN_STEP_KEYS): boolean {
    return this.stepTx(now, maxKeys);
  }

  /** Up to `maxSteps` steps; `more` when the last one found work (there may be more). */
  run(now: number, maxSteps = 1, maxKeys = SPAN_STEP_KEYS): { steps: number; more: boolean } {
    let steps = 0;
    while (steps < maxSteps) {
      if (!this.step(now, maxKeys)) return { steps, more: false };
      steps++;
    }
    return { steps, more: true };
  }

  private stepInTx(now: number, maxKeys: number): boolean {
    const dirty = this.st.dirty.get();
    if (dirty) {
      this.dropBlocksOf(dirty.day);
      this.st.undirty.run(dirty.day);
      return true;
    }
    if (this.building === null && !this.startNext(now)) return false;
    const b = this.building;
    if (b === null) return false;
    const children = this.childReaders(b);
    if (children === null) {
      // A half was dropped (dirty) after this block started: drop it too; it is picked again in order.
      this.st.dropRows.run(b.level, b.start);
      this.building = null;
      return true;
    }
    this.buildChunk(b, children, now, Math.max(1, maxKeys));
    return true;
  }

  private dropBlocksOf(day: number): void {
    for (let level = 1; level <= SPAN_MAX_LEVEL; level++) {
      const start = alignDown(day, spanLength(level));
      this.st.dropRows.run(level, start);
      this.st.dropBlock.run(level, start);
      if (this.building?.level === level && this.building.start === start) this.building = null;
    }
    this.st.bump.run();
  }

  /** Picks the first unbuilt closed block, lowest level first (so its halves exist); false when none. */
  private startNext(now: number): boolean {
    const earliest = this.st.earliestDay.get()?.b ?? null;
    if (earliest === null) return false;
    const closedEnd = alignDown(now - SPAN_GRACE_MS, DAY);
    const built = new Set(this.st.blocks.all().map((x) => `${x.level}:${x.start}`));
    for (let level = 1; level <= SPAN_MAX_LEVEL; level++) {
      const len = spanLength(level);
      for (let s = alignDown(earliest, len); s + len <= closedEnd; s += len) {
        if (built.has(`${level}:${s}`)) continue;
        this.st.dropRows.run(level, s); // leftovers of a build cut short by a restart
        this.st.raiseBuiltUntil.run(s + len);
        this.building = { level, start: s, after: null, keys: 0 };
        return true;
      }
    }
    return false;
  }

  /** Readers of the block's two halves; null when a half that should exist is not built. */
  private childReaders(b: Building): ChildReader[] | null {
    const half = spanLength(b.level) / 2;
    const starts = [b.start, b.start + half];
    if (b.level === 1) {
      return starts.map((day) => (after, limit) => {
        const from = after ?? FIRST;
        return this.st.dayKeys
          .all(day)
          .filter((k) => compareKey([k.proto, k.port], from) > 0)
          .sort((x, y) => compareKey([x.proto, x.port], [y.proto, y.port]))
          .slice(0, limit)
          .flatMap((k) => this.st.rowById.get(k.id) ?? []);
      });
    }
    const built = new Set(this.st.blocks.all().map((x) => `${x.level}:${x.start}`));
    const earliest = this.st.earliestDay.get()?.b ?? Infinity;
    const readers: ChildReader[] = [];
    for (const s of starts) {
      if (built.has(`${b.level - 1}:${s}`)) {
        readers.push((after, limit) => {
          const [p, n] = after ?? FIRST;
          return this.st.spanRows.all(b.level - 1, s, p, p, n, limit);
        });
      } else if (s + half <= earliest) {
        readers.push(() => []); // wholly before the first day: empty
      } else {
        return null;
      }
    }
    return readers;
  }

  private buildChunk(b: Building, children: ChildReader[], now: number, maxKeys: number): void {
    const batches = children.map((read) => read(b.after, maxKeys));
    // Keys up to `bound` are complete in every half: a half that returned `maxKeys` rows may have more after.
    let bound: [Protocol, number] | null = null;
    for (const rows of batches) {
      const last = rows.at(-1);
      if (
        rows.length === maxKeys &&
        last &&
        (bound === null || compareKey([last.proto, last.port], bound) < 0)
      )
        bound = [last.proto, last.port];
    }
    const byKey = new Map<string, KeyedRow[]>();
    for (const rows of batches) {
      for (const r of rows) {
        if (bound !== null && compareKey([r.proto, r.port], bound) > 0) continue;
        const k = `${r.proto}/${r.port}`;
        const list = byKey.get(k);
        if (list) list.push(r);
        else byKey.set(k, [r]);
      }
    }
    const keys = [...byKey.values()].sort((x, y) => compareKey(keyOf(x), keyOf(y)));
    const t0 = performance.now();
    let done = 0;
    for (const rows of keys) {
      const [proto, port] = keyOf(rows);
      this.st.insertSpan.run({ level: b.level, start: b.start, proto, port, ...mergedRow(rows) });
      done++;
      if (done < keys.length && performance.now() - t0 > SPAN_STEP_MS) {
        // Out of time: stop after this key; the next step reads on from it.
        bound = keyOf(rows);
        break;
      }
    }
    b.keys += done;
    if (bound === null) {
      this.st.finishBlock.run(b.level, b.start, b.keys, now);
      this.st.bump.run();
      this.building = null;
    } else {
      b.after = bound;
    }
  }
}

function keyOf(rows: KeyedRow[]): [Protocol, number] {
  const r = rows[0] as KeyedRow;
  return [r.proto, r.port];
}

/** The order of SQLite's ORDER BY proto, port (BINARY collation: code unit order for these ASCII names). */
function compareKey(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}
