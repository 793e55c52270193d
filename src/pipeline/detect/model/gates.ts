/**
 * Breadth and poisoning gates (DETECTION.md): a significant rise is an alert only when many independent
 * operators see it. What fails a gate is a local anomaly.
 *
 * Invariants:
 * - Shares are computed over the non-probation operators' sources; sensors on probation carry no weight.
 * - The trimmed test removes the largest max(1, ⌈trim_fraction · operators⌉) operators: the window's count is
 *   scaled by the share the others hold (the per-operator counts of the bucket under test), the expectation by
 *   the fleet share of sensors that remain, and the test must still pass at the same α.
 * - An observation without a per-operator breakdown (rows written before it existed) fails the quorum gate:
 *   breadth that cannot be shown is not assumed.
 */
import type { KeyObservation } from '../../../core/observation.js';
import type { EngineConfig } from './config.js';
import type { GateResult } from './types.js';

export interface Breadth {
  operators: number;
  effective: number;
  maxShare: number;
  /** Share of the sources held by non-probation operators other than the trimmed ones. */
  keptShare: number;
  /** Share of the sources (all operators) held by non-probation operators. */
  weightedShare: number;
  /** Sensors of the trimmed operators that saw the key. */
  trimmedSensors: number;
  /** Operators holding the most sources (the trimmed ones), for the review of local anomalies. */
  top: string[];
}

export function measureBreadth(obs: KeyObservation, trimFraction: number): Breadth {
  let total = 0;
  let weighted = 0;
  let sumSq = 0;
  let max = 0;
  let n = 0;
  const shares = obs.by_operator;
  for (const s of shares) {
    total += s.sources;
    if (s.probation === true || s.sources <= 0) continue;
    weighted += s.sources;
    n++;
  }
  if (weighted <= 0) {
    return {
      operators: 0,
      effective: 0,
      maxShare: 1,
      keptShare: 0,
      weightedShare: 0,
      trimmedSensors: 0,
      top: [],
    };
  }
  for (const s of shares) {
    if (s.probation === true || s.sources <= 0) continue;
    const share = s.sources / weighted;
    sumSq += share * share;
    if (share > max) max = share;
  }
  const k = Math.max(1, Math.ceil(trimFraction * n));
  let removed = 0;
  let removedSensors = 0;
  const top: string[] = [];
  // by_operator is sorted by sources descending (observation contract); probation shares are skipped.
  for (const s of shares) {
    if (top.length >= k) break;
    if (s.probation === true || s.sources <= 0) continue;
    removed += s.sources;
    removedSensors += s.sensors;
    top.push(s.operator);
  }
  return {
    operators: n,
    effective: 1 / sumSq,
    maxShare: max,
    keptShare: (weighted - removed) / weighted,
    weightedShare: total > 0 ? weighted / total : 0,
    trimmedSensors: removedSensors,
    top,
  };
}

export interface GateInput {
  breadth: Breadth;
  /** The window's observed sum and expectation, and whether the trimmed sum is still significant. */
  trimmedSignificant: boolean;
  trimmedObserved: number;
  trimmedExpected: number;
  /** The same with every operator held to its cap relative to its history (operator-history.ts). */
  cappedSignificant: boolean;
  cappedObserved: number;
  cappedExpected: number;
  /** Operators the caps cut in the bucket under test, largest cut first. */
  capCut: string[];
  /** The key was silent for new_port_quiet_days (or never seen) before this firing. */
  novel: boolean;
  /** The window's sources, and those of sensors not on probation (summed over its buckets, like the test). */
  windowSources: number;
  windowWeighted: number;
}

export function runGates(cfg: EngineConfig, g: GateInput): GateResult[] {
  const b = g.breadth;
  const out: GateResult[] = [
    {
      name: 'operator_quorum',
      passed: b.operators >= cfg.min_operators,
      detail: `${b.operators} operators (probation excluded), need ${cfg.min_operators}`,
    },
    {
      name: 'effective_operators',
      passed: b.effective >= cfg.min_effective_operators,
      detail: `${b.effective.toFixed(1)} effective operators, need ${cfg.min_effective_operators}`,
    },
    {
      name: 'max_share',
      passed: b.maxShare <= cfg.max_operator_share,
      detail: `largest operator holds ${(100 * b.maxShare).toFixed(0)}% of sources, at most ${(
        100 * cfg.max_operator_share
      ).toFixed(0)}%`,
    },
    {
      name: 'trimmed',
      passed: g.trimmedSignificant,
      detail: `without the top ${b.top.length} operator(s): ${g.trimmedObserved.toFixed(1)} vs ${g.trimmedExpected.toFixed(
        2,
      )} expected, ${g.trimmedSignificant ? 'still significant' : 'not significant'}`,
    },
    {
      name: 'operator_caps',
      passed: g.cappedSignificant,
      detail: `with each operator held to ${cfg.operator_cap_factor}× its historical share: ${g.cappedObserved.toFixed(
        1,
      )} vs ${g.cappedExpected.toFixed(2)} expected, ${g.cappedSignificant ? 'still significant' : 'not significant'}${
        g.capCut.length > 0 ? `; capped: ${g.capCut.slice(0, 3).join(', ')}` : ''
      }`,
    },
    {
      name: 'probation',
      passed: g.windowWeighted >= cfg.min_sources,
      detail: `${(100 * (g.windowSources > 0 ? 1 - g.windowWeighted / g.windowSources : 0)).toFixed(
        0,
      )}% of the window's sources from sensors on probation; ${g.windowWeighted.toFixed(0)} left, need ${
        cfg.min_sources
      }`,
    },
  ];
  if (g.novel) {
    out.push({
      name: 'new_port',
      passed: g.windowWeighted >= cfg.new_port_min_sources && b.operators >= cfg.min_operators,
      detail: `quiet for ${cfg.new_port_quiet_days} days: ${g.windowWeighted.toFixed(0)} sources, need ${
        cfg.new_port_min_sources
      }`,
    });
  }
  return out;
}
