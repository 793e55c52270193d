/**
 * Everything the engine keeps about one (protocol, port) key: a baseline per granularity (baseline.ts), the
 * recent counts of distinct sources that the window tests and the growth fit read, the CUSUM state and the
 * daily rate snapshots that give the CUSUM its guard band.
 *
 * Invariants:
 * - `recent` holds, for the last RECENT buckets of a granularity, the fields F_* (sources; sources left after the
 *   trimming and probation rules of gates.ts; the largest operator's sources and its interned id, -1 for none;
 *   non-probation sources), field-major, RECENT each, indexed by bucket index modulo RECENT, valid for indexes in
 *   (recentT − RECENT, recentT]; it exists only while the key had a non-zero count within RECENT buckets (memory:
 *   most keys are silent), and reading outside the valid range gives 0 (-1 for the id).
 * - `lastSeen` is the start (ms) of the last bucket with a non-zero count at any granularity.
 */
import type { Protocol } from '../../../core/event.js';
import { PROTOCOLS } from '../../../core/event.js';
import type { Baseline } from './baseline.js';

export const RECENT = 24;
/** Fields kept per recent bucket: sources, sources left after the trimming and probation rules, the largest
 * operator's sources and its interned id, non-probation sources. */
export const RECENT_FIELDS = 5;
export const F_SOURCES = 0;
export const F_TRIMMED = 1;
export const F_TOP = 2;
export const F_TOP_ID = 3;
export const F_WEIGHTED = 4;
export const RECENT_SLOTS = RECENT * RECENT_FIELDS;
export const GUARD_SLOTS = 8;

export const keyId = (proto: Protocol, port: number): number => PROTOCOLS.indexOf(proto) * 65_536 + port;
export const keyProto = (id: number): Protocol => PROTOCOLS[Math.floor(id / 65_536)] ?? 'other';
export const keyPort = (id: number): number => id % 65_536;

export class GranularityState {
  recent: Float32Array | null = null;
  recentT = -1;
  /** CUSUM statistic on sources against the guard-banded baseline (1h buckets). */
  cusum = 0;
  /** Daily snapshots of the sources rate (index by day modulo GUARD_SLOTS) and the day of the newest. */
  guard: Float32Array | null = null;
  guardDay = -1;
  /** Index of the first bucket of this granularity with a count for the key (-1: none yet). */
  born = -1;

  constructor(public baseline: Baseline) {}

  /** Records bucket t: its sources, those left after trimming its largest operators and probation, the largest
   * operator's sources and interned id, and the non-probation sources (buckets between the last one and t had 0
   * and no operator). */
  pushCount(t: number, x: number, trimmed = x, top = 0, topId = -1, weighted = x): void {
    if (this.recent === null) {
      if (x === 0) return;
      this.recent = new Float32Array(RECENT_SLOTS);
      this.recent.fill(-1, F_TOP_ID * RECENT, (F_TOP_ID + 1) * RECENT);
      this.recentT = t - 1;
    }
    const r = this.recent;
    for (let i = this.recentT + 1; i < t && i <= this.recentT + RECENT; i++) {
      for (let f = 0; f < RECENT_FIELDS; f++) r[f * RECENT + (i % RECENT)] = f === F_TOP_ID ? -1 : 0;
    }
    if (t > this.recentT) {
      r[F_SOURCES * RECENT + (t % RECENT)] = x;
      r[F_TRIMMED * RECENT + (t % RECENT)] = trimmed;
      r[F_TOP * RECENT + (t % RECENT)] = top;
      r[F_TOP_ID * RECENT + (t % RECENT)] = topId;
      r[F_WEIGHTED * RECENT + (t % RECENT)] = weighted;
      this.recentT = t;
    }
  }

  /** Field f (see F_*) of bucket index i (`none` outside the range). */
  countAt(i: number, f = 0, none = 0): number {
    if (this.recent === null || i > this.recentT || i <= this.recentT - RECENT || i < 0) return none;
    return this.recent[f * RECENT + (i % RECENT)] ?? none;
  }

  /** Sum of field f over the w buckets ending at t. */
  windowSum(t: number, w: number, f = 0): number {
    let s = 0;
    for (let i = t - w + 1; i <= t; i++) s += this.countAt(i, f);
    return s;
  }

  /** Releases the ring once every kept count is older than RECENT buckets. */
  trim(t: number): void {
    if (this.recent !== null && t - this.recentT >= RECENT) this.recent = null;
  }

  /** The rate snapshot of `lagDays` before `day`, without keeping one for `day` (NaN when not kept). */
  peekGuard(day: number, lagDays: number): number {
    if (this.guard === null || lagDays < 1 || lagDays >= GUARD_SLOTS || day - lagDays < 0) return Number.NaN;
    if (day - lagDays > this.guardDay || this.guardDay - (day - lagDays) >= GUARD_SLOTS) return Number.NaN;
    const v = this.guard[(day - lagDays) % GUARD_SLOTS] ?? -1;
    return v >= 0 ? v : Number.NaN;
  }

  /** Keeps the day's rate snapshot; returns the rate of exactly `lagDays` ago (NaN when not kept). */
  guardRate(day: number, rate: number, lagDays: number): number {
    if (this.guard === null) {
      this.guard = new Float32Array(GUARD_SLOTS).fill(-1);
      this.guardDay = day - 1;
    }
    for (let d = this.guardDay + 1; d < day && d <= this.guardDay + GUARD_SLOTS; d++) {
      this.guard[d % GUARD_SLOTS] = -1;
    }
    if (day > this.guardDay) {
      this.guard[day % GUARD_SLOTS] = rate;
      this.guardDay = day;
    }
    return this.peekGuard(day, lagDays);
  }
}

export class KeyState {
  lastSeen = -Infinity;
  constructor(
    readonly id: number,
    readonly g: [GranularityState, GranularityState, GranularityState],
  ) {}
}
