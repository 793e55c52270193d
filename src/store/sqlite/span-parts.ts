/**
 * A key's rows in the day spans of one cover, with their unions decoded once and kept while those spans stay the
 * same: the closed part of a window ("the last 90 days") changes only when a day closes or a late event dirties a
 * span, so repeated reads of the window merge only the open days' rows on top.
 *
 * Invariants:
 * - A cover's signature holds span_state.generation, which the builder raises whenever it finishes or drops a
 *   block, and the pieces themselves; a changed span is therefore never served from the cache (also when another
 *   connection rebuilt it).
 * - Cached counters are never handed out: callers get clones (merge mutates its receiver).
 * - Bounded: at most MAX_COVERS covers (least recently used dropped) holding at most MAX_BYTES of rows in all;
 *   a part that does not fit is used once and not kept.
 */
import { DistinctCounter } from '../../core/distinct/index.js';
import type { CountedRow, SketchColumn } from './row-merge.js';
import { unionOf } from './row-merge.js';

const MAX_COVERS = 4;
const MAX_BYTES = 64 * 1024 * 1024;
/** Decoded counters of a part, at most (6 columns of 4 KiB registers). */
const DECODED_BYTES = 6 * 4096;

export class SpanPart {
  private readonly unions = new Map<SketchColumn, DistinctCounter | null>();

  readonly bytes: number;

  constructor(readonly rows: readonly CountedRow[]) {
    let n = DECODED_BYTES;
    for (const r of rows) {
      n += r.src_sketch.length + r.sensor_sketch.length + r.target_sketch.length;
      n += (r.operator_sketch?.length ?? 0) + (r.hs_sketch?.length ?? 0) + (r.nohs_sketch?.length ?? 0);
    }
    this.bytes = n;
  }

  /** The union of the column over the span rows (a copy), null when every one is null or there are no rows. */
  union(col: SketchColumn): DistinctCounter | null {
    let u = this.unions.get(col);
    if (u === undefined) {
      u = unionOf(this.rows, col);
      this.unions.set(col, u);
    }
    return u?.clone() ?? null;
  }
}

interface CoverParts {
  parts: Map<string, SpanPart>;
  bytes: number;
}

export class SpanPartCache {
  private readonly covers = new Map<string, CoverParts>();
  private bytes = 0;

  /** The key's part for the cover `signature`, made by `load` on a miss. */
  get(signature: string, key: string, load: () => CountedRow[]): SpanPart {
    let cover = this.covers.get(signature);
    if (cover === undefined) {
      cover = { parts: new Map(), bytes: 0 };
      this.covers.set(signature, cover);
      if (this.covers.size > MAX_COVERS) this.evictOldest();
    } else {
      // Most recently used last.
      this.covers.delete(signature);
      this.covers.set(signature, cover);
    }
    let part = cover.parts.get(key);
    if (part === undefined) {
      part = new SpanPart(load());
      while (this.bytes + part.bytes > MAX_BYTES && this.covers.size > 1) this.evictOldest();
      if (this.bytes + part.bytes <= MAX_BYTES) {
        cover.parts.set(key, part);
        cover.bytes += part.bytes;
        this.bytes += part.bytes;
      }
    }
    return part;
  }

  private evictOldest(): void {
    const [signature, cover] = this.covers.entries().next().value as [string, CoverParts];
    this.covers.delete(signature);
    this.bytes -= cover.bytes;
  }
}

/** `base` (a copy already) merged with the column's sketches of `rows`. */
export function withRows(
  base: DistinctCounter | null,
  rows: readonly CountedRow[],
  col: SketchColumn,
): DistinctCounter | null {
  let acc = base;
  for (const r of rows) {
    const buf = r[col];
    if (buf === null) continue;
    const c = DistinctCounter.deserialize(buf);
    if (acc === null) acc = c;
    else acc.merge(c);
  }
  return acc;
}
