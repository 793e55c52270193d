/**
 * Background volume per key, measured on a range of days of the event table: mean daily distinct sources. Used to
 * size injections relative to a key's baseline and to sort keys into volume tiers.
 *
 * Invariants: computed from the days given only (the calibration half), never from the days scored; tiers are
 * quiet (< 5 sources a day), mid (5 to 50) and busy (> 50); keys seen on no day are absent.
 */
import type { EventTable } from './fleet.js';
import { PER_DAY } from './replay.js';

export type Tier = 'quiet' | 'mid' | 'busy';
export const TIERS: readonly Tier[] = ['quiet', 'mid', 'busy'];

export interface KeyVolume {
  key: number;
  sources_per_day: number;
  tier: Tier;
}

export const tierOf = (perDay: number): Tier => (perDay < 5 ? 'quiet' : perDay <= 50 ? 'mid' : 'busy');

export function keyVolumes(table: EventTable, fromDay: number, toDay: number): Map<number, KeyVolume> {
  const total = new Map<number, number>();
  for (let d = fromDay; d < toDay; d++) {
    const seen = new Map<number, Set<number>>();
    const lo = table.offsets[d * PER_DAY] ?? 0;
    const hi = table.offsets[(d + 1) * PER_DAY] ?? lo;
    for (let i = lo; i < hi; i++) {
      const k = table.key[i] ?? 0;
      let s = seen.get(k);
      if (s === undefined) seen.set(k, (s = new Set()));
      s.add(table.src[i] ?? 0);
    }
    for (const [k, s] of seen) total.set(k, (total.get(k) ?? 0) + s.size);
  }
  const days = Math.max(1, toDay - fromDay);
  const out = new Map<number, KeyVolume>();
  for (const [key, n] of total) out.set(key, { key, sources_per_day: n / days, tier: tierOf(n / days) });
  return out;
}

/** Every key present anywhere in the table (for picking never-seen ports). */
export function keysPresent(table: EventTable): Set<number> {
  return new Set(table.key);
}
