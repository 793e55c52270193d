/**
 * Per-operator caps relative to history (DETECTION.md, poisoning gates): each key remembers, per operator, a
 * discounted count of the distinct sources that operator's sensors saw on it day by day. When a window fires, an
 * operator may count for at most `operator_cap_factor` times the share its history gives it (of the window's
 * expectation, or relative to what the other operators saw in the window), and never less than
 * `operator_cap_min` sources: an operator that never saw a port cannot make it look attacked on its own, even
 * when it is not the largest operator (the trimmed test removes only the largest), and neither can a few such
 * operators together.
 *
 * Invariants:
 * - History is learned from 1d buckets only, after their tests, and not while the key has an active incident
 *   (like the baselines: an outbreak never teaches a key that its attackers' operators are normal there).
 * - An operator's expected share is (d_o + F/n) / (D + F), with d_o its discounted sources on the key, D their
 *   sum, F the fleet's operators and n the operators present in the window: a prior worth F sources spread
 *   evenly over the operators present, so on a key with little history the operators that see a rise share it
 *   evenly (a sparse rise seen by a few of them is not cut), and only a history much larger than the fleet makes
 *   shares specific.
 * - Caps are judged on the window's per-operator tallies (window-tally.ts), never on one 5-minute bucket: in a
 *   sparse window every bucket's few sources come from one operator, and per-bucket caps would cut them all.
 * - Memory: a key has a history only once a 1d bucket saw it; entries below `FORGET` are dropped.
 */
import type { KeyObservation } from '../../../core/observation.js';

/** Discounted counts below this are forgotten (about a source seen once, 150 days ago with a 28-day memory). */
const FORGET = 0.005;

export interface CapInput {
  /** Per operator (name): its sources in the window (what is known of them: a lower bound). */
  tallies: Map<string, number>;
  /** The window's non-probation sources, and its expectation. */
  total: number;
  expected: number;
  fleetOperators: number;
  factor: number;
  min: number;
}

export class OperatorHistory {
  /** Per key id: operator → discounted daily sources; and the day it was last discounted to. */
  readonly byKey = new Map<number, { day: number; ops: Map<string, number> }>();

  /** Folds one 1d bucket's per-operator sources of a key, discounting older days by `delta` a day. */
  learn(key: number, day: number, obs: KeyObservation, delta: number): void {
    let h = this.byKey.get(key);
    if (h === undefined) {
      h = { day, ops: new Map() };
      this.byKey.set(key, h);
    }
    if (day > h.day) {
      const f = delta ** (day - h.day);
      for (const [op, v] of h.ops) {
        const nv = v * f;
        if (nv < FORGET) h.ops.delete(op);
        else h.ops.set(op, nv);
      }
      h.day = day;
    }
    for (const s of obs.by_operator) {
      if (s.probation === true || s.sources <= 0) continue;
      h.ops.set(s.operator, (h.ops.get(s.operator) ?? 0) + s.sources);
    }
  }

  /** The window's sources left when every operator is held to its cap, and the operators cut (largest first). */
  capped(key: number, c: CapInput): { kept: number; cut: string[] } {
    const ops = this.byKey.get(key)?.ops;
    let D = 0;
    if (ops !== undefined) for (const v of ops.values()) D += v;
    // The prior: F pseudo-sources spread evenly over the operators present in the window.
    const F = Math.max(1, c.fleetOperators);
    const even = F / Math.max(1, c.tallies.size);
    let removed = 0;
    const cuts: Array<[string, number]> = [];
    for (const [op, x] of c.tallies) {
      if (x <= 0) continue;
      const share = Math.min(1, ((ops?.get(op) ?? 0) + even) / (D + F));
      const others = Math.max(0, c.total - x);
      const cap =
        share >= 1
          ? Infinity
          : Math.max(c.min, c.factor * share * c.expected, (c.factor * share * others) / (1 - share));
      if (x > cap) {
        removed += x - cap;
        cuts.push([op, x - cap]);
      }
    }
    cuts.sort((a, b) => b[1] - a[1]);
    return { kept: Math.max(0, c.total - removed), cut: cuts.map((x) => x[0]) };
  }

  /** Operators remembered for a key, with their discounted sources (evidence, tests). */
  of(key: number): Map<string, number> {
    return new Map(this.byKey.get(key)?.ops ?? []);
  }
}
